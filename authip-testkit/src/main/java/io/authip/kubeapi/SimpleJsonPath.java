package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The subset of Kubernetes JSONPath that printer columns use: {@code .a.b}, {@code ['a.b']}, {@code [0]},
 * {@code [*]} and filters {@code [?(@.type=="Ready")]} with {@code ==}, {@code !=} or a bare existence test.
 */
final class SimpleJsonPath {

  private sealed interface Step permits Field, Index, Wildcard, Filter {
  }

  private record Field(String name) implements Step {
  }

  private record Index(int index) implements Step {
  }

  private record Wildcard() implements Step {
  }

  /** {@code op} is "==", "!=" or null for an existence test. */
  private record Filter(List<String> path, String op, String literal) implements Step {
  }

  private final String expression;
  private final List<Step> steps;

  private SimpleJsonPath(String expression, List<Step> steps) {
    this.expression = expression;
    this.steps = List.copyOf(steps);
  }

  /** @throws IllegalArgumentException quoting the expression and the position that cannot be read */
  static SimpleJsonPath parse(String expression) {
    String s = expression.trim();
    if (s.startsWith("{") && s.endsWith("}")) {
      s = s.substring(1, s.length() - 1).trim();
    }
    if (s.startsWith("$")) {
      s = s.substring(1);
    }
    List<Step> steps = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '.') {
        int start = ++i;
        StringBuilder name = new StringBuilder();
        while (i < s.length() && s.charAt(i) != '.' && s.charAt(i) != '[') {
          if (s.charAt(i) == '\\' && i + 1 < s.length()) {
            i++;
          }
          name.append(s.charAt(i++));
        }
        if (i == start) {
          throw bad(expression, start);
        }
        steps.add(new Field(name.toString()));
      } else if (c == '[') {
        int close = closingBracket(s, i);
        if (close < 0) {
          throw bad(expression, i);
        }
        steps.add(bracket(expression, s.substring(i + 1, close).trim(), i));
        i = close + 1;
      } else {
        throw bad(expression, i);
      }
    }
    return new SimpleJsonPath(expression, steps);
  }

  private static int closingBracket(String s, int open) {
    char quote = 0;
    for (int i = open + 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == ']') {
        return i;
      }
    }
    return -1;
  }

  private static Step bracket(String expression, String inner, int at) {
    if (inner.equals("*")) {
      return new Wildcard();
    }
    if (isQuoted(inner)) {
      return new Field(inner.substring(1, inner.length() - 1));
    }
    if (inner.matches("-?\\d+")) {
      return new Index(Integer.parseInt(inner));
    }
    if (inner.startsWith("?(") && inner.endsWith(")")) {
      String cond = inner.substring(2, inner.length() - 1).trim();
      if (!cond.startsWith("@.")) {
        throw bad(expression, at);
      }
      int op = cond.indexOf("==");
      if (op < 0) {
        op = cond.indexOf("!=");
      }
      if (op < 0) {
        return new Filter(List.of(cond.substring(2).split("\\.")), null, null);
      }
      List<String> path = List.of(cond.substring(2, op).trim().split("\\."));
      String literal = cond.substring(op + 2).trim();
      if (isQuoted(literal)) {
        literal = literal.substring(1, literal.length() - 1);
      }
      return new Filter(path, cond.substring(op, op + 2), literal);
    }
    throw bad(expression, at);
  }

  private static boolean isQuoted(String s) {
    return s.length() >= 2 && (s.charAt(0) == '"' || s.charAt(0) == '\'') && s.charAt(s.length() - 1) == s.charAt(0);
  }

  private static IllegalArgumentException bad(String expression, int at) {
    return new IllegalArgumentException("unsupported JSONPath \"" + expression + "\" at position " + at);
  }

  /** All values the path selects, in document order; empty when nothing matches. */
  List<JsonNode> select(JsonNode root) {
    List<JsonNode> current = List.of(root);
    for (Step step : steps) {
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode node : current) {
        apply(step, node, next);
      }
      current = next;
    }
    return current;
  }

  /** The first selected value, or null. */
  JsonNode first(JsonNode root) {
    List<JsonNode> all = select(root);
    return all.isEmpty() ? null : all.get(0);
  }

  private static void apply(Step step, JsonNode node, List<JsonNode> out) {
    if (step instanceof Field f) {
      JsonNode child = node.isObject() ? node.get(f.name()) : null;
      if (child != null) {
        out.add(child);
      }
    } else if (step instanceof Index ix) {
      if (node.isArray()) {
        int i = ix.index() < 0 ? node.size() + ix.index() : ix.index();
        if (i >= 0 && i < node.size()) {
          out.add(node.get(i));
        }
      }
    } else if (step instanceof Wildcard) {
      node.elements().forEachRemaining(out::add);
    } else if (step instanceof Filter f && node.isArray()) {
      for (JsonNode element : node) {
        JsonNode value = element;
        for (String part : f.path()) {
          value = value.path(part);
        }
        boolean present = !value.isMissingNode() && !value.isNull();
        boolean keep = f.op() == null ? present
            : present && value.isValueNode() && Objects.equals(value.asText(), f.literal()) == f.op().equals("==");
        if (keep) {
          out.add(element);
        }
      }
    }
  }

  @Override
  public String toString() {
    return expression;
  }
}
