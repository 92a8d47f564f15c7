package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON Merge Patch (RFC 7386): objects merge recursively, {@code null} removes a key, anything else (arrays
 * included) replaces. The mock server's own merge appends arrays and stores nulls, which would make
 * {@code kubectl apply} of a shortened list a no-op.
 */
final class MergePatch {

  private MergePatch() {
  }

  /** Returns a new document; neither argument is modified. */
  static JsonNode apply(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result = target != null && target.isObject()
        ? ((ObjectNode) target).deepCopy()
        : JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) {
        result.remove(e.getKey());
      } else {
        result.set(e.getKey(), apply(result.get(e.getKey()), e.getValue()));
      }
    }
    return result;
  }

  /**
   * Reads a strategic merge patch as a JSON merge patch by dropping its directives ({@code $patch},
   * {@code $retainKeys}, {@code $setElementOrder/...}, {@code $deleteFromPrimitiveList/...}). Exact for maps and
   * for lists without merge keys, which is all the built-in kinds served here have.
   */
  static JsonNode withoutStrategicDirectives(JsonNode patch) {
    if (patch.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getKey().startsWith("$")) {
          out.set(e.getKey(), withoutStrategicDirectives(e.getValue()));
        }
      }
      return out;
    }
    return patch.deepCopy();
  }
}
