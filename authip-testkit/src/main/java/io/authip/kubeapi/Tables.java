package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * Server-side tables ({@code meta.k8s.io/v1 Table}), which {@code kubectl get} asks for and prints as they come:
 * Name, then the resource's printer columns. Without them kubectl falls back to NAME and AGE.
 */
final class Tables {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final List<PrinterColumn> DEFAULT = List.of(PrinterColumn.AGE);

  private Tables() {
  }

  /** Whether an Accept header asks for a Table (kubectl sends {@code application/json;as=Table;v=v1;g=meta.k8s.io,...}). */
  static boolean requested(String accept) {
    return accept != null && accept.contains("as=Table") && accept.contains("g=meta.k8s.io");
  }

  /**
   * @param type null for a kind the catalog does not know (Name and Age then)
   * @param includeObject the request's {@code includeObject}: None, Object, or Metadata (the default)
   */
  static ObjectNode of(ResourceType type, List<JsonNode> objects, String resourceVersion, String includeObject,
      Instant now) {
    List<PrinterColumn> columns = PrinterColumn.withName(type == null ? DEFAULT : type.columns());
    ObjectNode table = JSON.objectNode();
    table.put("kind", "Table");
    table.put("apiVersion", "meta.k8s.io/v1");
    ObjectNode metadata = table.putObject("metadata");
    if (resourceVersion != null) {
      metadata.put("resourceVersion", resourceVersion);
    }
    ArrayNode definitions = table.putArray("columnDefinitions");
    for (PrinterColumn c : columns) {
      definitions.addObject().put("name", c.name()).put("type", c.type()).put("format", c.format())
          .put("description", c.description()).put("priority", c.priority());
    }
    ArrayNode rows = table.putArray("rows");
    for (JsonNode object : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      for (PrinterColumn c : columns) {
        cells.add(cell(c.cell().value(object, now)));
      }
      if ("Object".equals(includeObject)) {
        row.set("object", object);
      } else if (!"None".equals(includeObject)) {
        ObjectNode partial = row.putObject("object");
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", "meta.k8s.io/v1");
        partial.set("metadata", object.path("metadata").deepCopy());
      }
    }
    return table;
  }

  private static JsonNode cell(Object value) {
    if (value instanceof Long l) {
      return JSON.numberNode(l);
    } else if (value instanceof Double d) {
      return JSON.numberNode(d);
    } else if (value instanceof Boolean b) {
      return JSON.booleanNode(b);
    } else if (value == null) {
      return JSON.nullNode();
    }
    return JSON.textNode(value.toString());
  }
}
