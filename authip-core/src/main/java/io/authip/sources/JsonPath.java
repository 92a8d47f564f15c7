package io.authip.sources;

import com.fasterxml.jackson.databind.JsonNode;
import io.authip.ranges.RangeParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The part of JSONPath that selects ranges from feeds: {@code $}, {@code .name}, {@code ['name']}, {@code [*]},
 * {@code .*}, {@code [N]} and equality filters {@code [?(@.a.b=='value')]} (or {@code !=}). Examples:
 * {@code $.hooks[*]} (GitHub meta), {@code $.prefixes[?(@.service=='CLOUDFRONT')].ip_prefix} (AWS),
 * {@code $.items[*].cidr}. Nothing is evaluated but these steps: no scripts, no functions, no recursion.
 */
public final class JsonPath {

  private sealed interface Step {
  }

  private record Field(String name) implements Step {
  }

  private record Wildcard() implements Step {
  }

  private record Index(int index) implements Step {
  }

  private record Filter(List<String> path, String value, boolean equal) implements Step {
  }

  private final String text;
  private final List<Step> steps;

  private JsonPath(String text, List<Step> steps) {
    this.text = text;
    this.steps = List.copyOf(steps);
  }

  @Override
  public String toString() {
    return text;
  }

  /** Why the text is not a supported path, or empty. */
  public static Optional<String> problem(String text) {
    try {
      compile(text);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** @throws IllegalArgumentException naming the position and what is supported */
  public static JsonPath compile(String text) {
    if (text == null || !text.startsWith("$")) {
      throw new IllegalArgumentException(RangeParser.quote(String.valueOf(text)) + " does not start with $; write a "
          + "path such as $.hooks[*] or $.items[*].cidr");
    }
    List<Step> steps = new ArrayList<>();
    int i = 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '.') {
        if (i + 1 < text.length() && text.charAt(i + 1) == '.') {
          throw unsupported(text, i, "recursive descent (..)");
        }
        if (i + 1 < text.length() && text.charAt(i + 1) == '*') {
          steps.add(new Wildcard());
          i += 2;
          continue;
        }
        int end = i + 1;
        while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_'
            || text.charAt(end) == '-')) {
          end++;
        }
        if (end == i + 1) {
          throw unsupported(text, i, "a '.' not followed by a name");
        }
        steps.add(new Field(text.substring(i + 1, end)));
        i = end;
      } else if (c == '[') {
        int close = closing(text, i);
        String inside = text.substring(i + 1, close).strip();
        if (inside.equals("*")) {
          steps.add(new Wildcard());
        } else if (inside.matches("[0-9]{1,6}")) {
          steps.add(new Index(Integer.parseInt(inside)));
        } else if (quoted(inside)) {
          steps.add(new Field(inside.substring(1, inside.length() - 1)));
        } else if (inside.startsWith("?(") && inside.endsWith(")")) {
          steps.add(filter(text, i, inside.substring(2, inside.length() - 1).strip()));
        } else {
          throw unsupported(text, i, "[" + inside + "]");
        }
        i = close + 1;
      } else {
        throw unsupported(text, i, "'" + c + "'");
      }
    }
    return new JsonPath(text, steps);
  }

  private static int closing(String text, int open) {
    char quote = 0;
    for (int j = open + 1; j < text.length(); j++) {
      char c = text.charAt(j);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == ']') {
        return j;
      }
    }
    throw unsupported(text, open, "a '[' without its ']'");
  }

  private static boolean quoted(String s) {
    return s.length() >= 2 && (s.startsWith("'") && s.endsWith("'") || s.startsWith("\"") && s.endsWith("\""));
  }

  private static Filter filter(String text, int at, String expr) {
    boolean equal = !expr.contains("!=");
    String[] parts = expr.split(equal ? "==" : "!=", -1);
    if (parts.length != 2) {
      throw unsupported(text, at, "the filter (" + expr + ")");
    }
    String left = parts[0].strip();
    String right = parts[1].strip();
    if (!left.startsWith("@.") || !quoted(right)) {
      throw unsupported(text, at, "the filter (" + expr + "); write [?(@.field=='value')]");
    }
    List<String> path = List.of(left.substring(2).split("\\.", -1));
    if (path.stream().anyMatch(p -> !p.matches("[A-Za-z0-9_-]+"))) {
      throw unsupported(text, at, "the filter's field " + left);
    }
    return new Filter(path, right.substring(1, right.length() - 1), equal);
  }

  private static IllegalArgumentException unsupported(String text, int at, String what) {
    return new IllegalArgumentException(RangeParser.quote(text) + " has " + what + " at position " + at
        + ", which is not supported; use $, .name, ['name'], [*], .*, [N] and [?(@.field=='value')]");
  }

  /** The nodes the path selects, in document order. */
  public List<JsonNode> select(JsonNode root) {
    List<JsonNode> current = List.of(root);
    for (Step step : steps) {
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode node : current) {
        if (step instanceof Field f) {
          JsonNode child = node.isObject() ? node.get(f.name()) : null;
          if (child != null) {
            next.add(child);
          }
        } else if (step instanceof Wildcard) {
          node.elements().forEachRemaining(next::add);
        } else if (step instanceof Index x) {
          if (node.isArray() && x.index() < node.size()) {
            next.add(node.get(x.index()));
          }
        } else if (step instanceof Filter f) {
          node.elements().forEachRemaining(e -> {
            JsonNode v = e;
            for (String p : f.path()) {
              v = v == null || !v.isObject() ? null : v.get(p);
            }
            boolean matches = v != null && v.isTextual() && v.asText().equals(f.value());
            if (matches == f.equal()) {
              next.add(e);
            }
          });
        }
      }
      current = next;
    }
    return current;
  }

  /**
   * The strings the path selects.
   *
   * @throws FeedException when it selects something that is not a string (the message says what, and that a
   *     trailing [*] selects an array's elements)
   */
  public List<String> strings(JsonNode root, String where) throws FeedException {
    List<String> out = new ArrayList<>();
    for (JsonNode n : select(root)) {
      if (!n.isTextual()) {
        throw new FeedException(where + ": jsonPath " + text + " selects " + (n.isArray() ? "an array"
            : n.isObject() ? "an object" : "a " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT))
            + ", not strings" + (n.isArray() ? "; add [*] to select its elements" : ""));
      }
      out.add(n.asText());
    }
    return out;
  }
}
