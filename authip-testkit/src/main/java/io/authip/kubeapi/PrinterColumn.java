package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** One column of a server-side table ({@code kubectl get}): its definition and how to compute its cell. */
record PrinterColumn(String name, String type, String format, String description, int priority, Cell cell) {

  /** Computes a cell: a String, Long, Double, Boolean or null (printed by kubectl as {@code <none>}). */
  @FunctionalInterface
  interface Cell {
    Object value(JsonNode object, Instant now);
  }

  static final PrinterColumn NAME = new PrinterColumn("Name", "string", "name",
      "Name must be unique within a namespace.", 0, (o, now) -> o.path("metadata").path("name").asText(null));

  static final PrinterColumn AGE = new PrinterColumn("Age", "date", "",
      "The time since the object was created.", 0,
      (o, now) -> age(o.path("metadata").path("creationTimestamp"), now));

  static PrinterColumn of(String name, String type, String description, Cell cell) {
    return new PrinterColumn(name, type, "", description, 0, cell);
  }

  /** A CRD's additionalPrinterColumn, evaluated the way the API server's CRD table convertor does. */
  static PrinterColumn fromCrd(CustomResourceColumnDefinition c) {
    SimpleJsonPath path = SimpleJsonPath.parse(c.getJsonPath());
    String type = c.getType() == null ? "string" : c.getType();
    return new PrinterColumn(c.getName(), type, c.getFormat() == null ? "" : c.getFormat(),
        c.getDescription() == null ? "" : c.getDescription(), c.getPriority() == null ? 0 : c.getPriority(),
        (o, now) -> typed(type, path.first(o), now));
  }

  static Object typed(String type, JsonNode value, Instant now) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    switch (type) {
      case "integer":
        return value.isNumber() ? value.asLong() : null;
      case "number":
        return value.isNumber() ? value.asDouble() : null;
      case "boolean":
        return value.isBoolean() ? value.asBoolean() : null;
      case "date":
        return value.isTextual() ? age(value, now) : null;
      default:
        return value.isValueNode() ? value.asText() : value.toString();
    }
  }

  static String age(JsonNode timestamp, Instant now) {
    if (!timestamp.isTextual()) {
      return null;
    }
    try {
      return HumanDuration.format(Duration.between(Instant.parse(timestamp.asText()), now));
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
  }

  static int count(JsonNode... nodes) {
    int n = 0;
    for (JsonNode node : nodes) {
      n += node.size();
    }
    return n;
  }

  static List<PrinterColumn> withName(List<PrinterColumn> columns) {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(NAME), columns.stream()).toList();
  }
}
