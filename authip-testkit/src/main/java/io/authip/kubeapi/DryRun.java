package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Objects;
import java.util.UUID;

/**
 * What a write would store, without storing it, for {@code dryRun=All} ({@code kubectl diff},
 * {@code kubectl apply --dry-run=server}): the mock server ignores the parameter and would write for real.
 * Follows the store's rules: status only through {@code /status}, generation up on other changes than metadata
 * and status.
 */
final class DryRun {

  private DryRun() {
  }

  static JsonNode created(JsonNode requested, String namespace, boolean statusSubresource, Instant now) {
    ObjectNode result = (ObjectNode) requested.deepCopy();
    ObjectNode meta = result.has("metadata") && result.get("metadata").isObject()
        ? (ObjectNode) result.get("metadata") : result.putObject("metadata");
    if (namespace != null) {
      meta.put("namespace", namespace);
    }
    meta.put("uid", UUID.randomUUID().toString());
    meta.put("creationTimestamp", now.truncatedTo(ChronoUnit.SECONDS).toString());
    meta.put("generation", 1);
    if (statusSubresource) {
      result.remove("status");
    }
    return result;
  }

  static JsonNode updated(JsonNode current, JsonNode requested, boolean statusPath, boolean statusSubresource) {
    ObjectNode result;
    if (statusPath) {
      result = (ObjectNode) current.deepCopy();
      copyStatus(requested, result);
    } else {
      result = (ObjectNode) requested.deepCopy();
      if (statusSubresource) {
        copyStatus(current, result);
      }
    }
    ObjectNode meta = result.has("metadata") && result.get("metadata").isObject()
        ? (ObjectNode) result.get("metadata") : result.putObject("metadata");
    JsonNode currentMeta = current.path("metadata");
    for (String kept : new String[] {"namespace", "uid", "creationTimestamp", "resourceVersion", "generation"}) {
      if (currentMeta.has(kept)) {
        meta.set(kept, currentMeta.get(kept).deepCopy());
      }
    }
    if (!statusPath && specChanged(current, result)) {
      meta.put("generation", currentMeta.path("generation").asLong(0) + 1);
    }
    return result;
  }

  private static void copyStatus(JsonNode from, ObjectNode to) {
    JsonNode status = from.get("status");
    if (status == null || status.isNull()) {
      to.remove("status");
    } else {
      to.set("status", status.deepCopy());
    }
  }

  private static boolean specChanged(JsonNode before, JsonNode after) {
    for (Iterator<String> it = union(before, after); it.hasNext();) {
      String field = it.next();
      if (!field.equals("metadata") && !field.equals("status") && !Objects.equals(before.get(field), after.get(field))) {
        return true;
      }
    }
    return false;
  }

  private static Iterator<String> union(JsonNode a, JsonNode b) {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    a.fieldNames().forEachRemaining(names::add);
    b.fieldNames().forEachRemaining(names::add);
    return names.iterator();
  }
}
