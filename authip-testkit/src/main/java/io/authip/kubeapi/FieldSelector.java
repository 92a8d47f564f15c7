package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A Kubernetes field selector ({@code involvedObject.name=web,type!=Normal}) evaluated on any dotted field path
 * of the object, a missing field reading as the empty string. The mock server only knows
 * {@code metadata.name}/{@code metadata.namespace}; {@code kubectl describe} lists events by
 * {@code involvedObject.*} and {@code kubectl delete}/{@code wait} watch by {@code metadata.name}.
 */
final class FieldSelector {

  private record Requirement(String field, boolean equal, String value) {
  }

  static final FieldSelector EVERYTHING = new FieldSelector(List.of());

  private final List<Requirement> requirements;

  private FieldSelector(List<Requirement> requirements) {
    this.requirements = List.copyOf(requirements);
  }

  /** @throws IllegalArgumentException quoting the bad requirement */
  static FieldSelector parse(String selector) {
    if (selector == null || selector.isBlank()) {
      return EVERYTHING;
    }
    List<Requirement> out = new ArrayList<>();
    for (String term : splitUnescaped(selector)) {
      int op = operatorIndex(term);
      if (op < 0) {
        throw new IllegalArgumentException("invalid field selector requirement: \"" + term + "\"");
      }
      boolean notEqual = term.charAt(op) == '!';
      int valueStart = notEqual || term.startsWith("==", op) ? op + 2 : op + 1;
      String field = term.substring(0, op).trim();
      if (field.isEmpty()) {
        throw new IllegalArgumentException("invalid field selector requirement: \"" + term + "\"");
      }
      out.add(new Requirement(field, !notEqual, unescape(term.substring(valueStart))));
    }
    return new FieldSelector(out);
  }

  private static List<String> splitUnescaped(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        cur.append(c).append(s.charAt(++i));
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  private static int operatorIndex(String term) {
    for (int i = 0; i < term.length(); i++) {
      char c = term.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '=' || (c == '!' && i + 1 < term.length() && term.charAt(i + 1) == '=')) {
        return i;
      }
    }
    return -1;
  }

  private static String unescape(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        c = s.charAt(++i);
      }
      sb.append(c);
    }
    return sb.toString();
  }

  boolean matches(JsonNode object) {
    for (Requirement r : requirements) {
      if (valueOf(object, r.field()).equals(r.value()) != r.equal()) {
        return false;
      }
    }
    return true;
  }

  private static String valueOf(JsonNode object, String field) {
    JsonNode node = object;
    for (String part : field.split("\\.")) {
      node = node.path(part);
    }
    return node.isValueNode() ? node.asText() : "";
  }
}
