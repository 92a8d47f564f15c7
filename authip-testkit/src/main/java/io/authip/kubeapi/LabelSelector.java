package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes label selector: {@code a=b}, {@code a==b}, {@code a!=b}, {@code a}, {@code !a},
 * {@code a in (x,y)}, {@code a notin (x,y)}. Evaluated here for lists and for the streamed watches, so that both
 * agree.
 */
final class LabelSelector {

  private enum Op { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, NOT_EXISTS }

  private record Requirement(String key, Op op, Set<String> values) {
  }

  static final LabelSelector EVERYTHING = new LabelSelector(List.of());

  private static final String KEY_CHARS = "[A-Za-z0-9._/-]+";
  private static final String VALUE_CHARS = "[A-Za-z0-9._-]*";
  private static final Pattern SET =
      Pattern.compile("^(" + KEY_CHARS + ")\\s+(in|notin)\\s*\\(([^()]*)\\)$");
  private static final Pattern EQUALITY =
      Pattern.compile("^(" + KEY_CHARS + ")\\s*(==|=|!=)\\s*(" + VALUE_CHARS + ")$");
  private static final Pattern KEY = Pattern.compile("^(!?)\\s*(" + KEY_CHARS + ")$");

  private final List<Requirement> requirements;

  private LabelSelector(List<Requirement> requirements) {
    this.requirements = List.copyOf(requirements);
  }

  /** @throws IllegalArgumentException quoting the bad requirement */
  static LabelSelector parse(String selector) {
    if (selector == null || selector.isBlank()) {
      return EVERYTHING;
    }
    List<Requirement> out = new ArrayList<>();
    for (String raw : splitTopLevel(selector)) {
      String term = raw.trim();
      Matcher m = SET.matcher(term);
      if (m.matches()) {
        Set<String> values = new java.util.LinkedHashSet<>();
        for (String v : m.group(3).split(",")) {
          if (!v.trim().matches(VALUE_CHARS)) {
            throw new IllegalArgumentException("invalid label selector requirement: \"" + term + "\"");
          }
          if (!v.isBlank()) {
            values.add(v.trim());
          }
        }
        out.add(new Requirement(m.group(1), m.group(2).equals("in") ? Op.IN : Op.NOT_IN, values));
        continue;
      }
      m = EQUALITY.matcher(term);
      if (m.matches()) {
        out.add(new Requirement(m.group(1), m.group(2).equals("!=") ? Op.NOT_EQUALS : Op.EQUALS,
            Set.of(m.group(3))));
        continue;
      }
      m = KEY.matcher(term);
      if (m.matches()) {
        out.add(new Requirement(m.group(2), m.group(1).isEmpty() ? Op.EXISTS : Op.NOT_EXISTS, Set.of()));
        continue;
      }
      throw new IllegalArgumentException("invalid label selector requirement: \"" + term + "\"");
    }
    return new LabelSelector(out);
  }

  private static List<String> splitTopLevel(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }

  boolean matches(JsonNode object) {
    JsonNode labels = object.path("metadata").path("labels");
    for (Requirement r : requirements) {
      JsonNode label = labels.get(r.key());
      String value = label == null || !label.isValueNode() ? null : label.asText();
      boolean ok = switch (r.op()) {
        case EQUALS, IN -> value != null && r.values().contains(value);
        case NOT_EQUALS, NOT_IN -> value == null || !r.values().contains(value);
        case EXISTS -> value != null;
        case NOT_EXISTS -> value == null;
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
