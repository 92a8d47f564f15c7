package io.authip.tenancy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Kubernetes label selector semantics (matchLabels AND matchExpressions; an empty selector matches everything). */
public final class NamespaceSelectors {

  private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

  private NamespaceSelectors() {
  }

  /** Whether {@code selector} selects an object with {@code labels}; a null selector selects nothing. */
  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    Map<String, String> have = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (!java.util.Objects.equals(have.get(e.getKey()), e.getValue())) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        if (!matches(r, have)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean matches(LabelSelectorRequirement r, Map<String, String> labels) {
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    String value = labels.get(r.getKey());
    return switch (String.valueOf(r.getOperator())) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> labels.containsKey(r.getKey());
      case "DoesNotExist" -> !labels.containsKey(r.getKey());
      default -> false; // refused by validation; never widens
    };
  }

  /** What is wrong with a selector, each as "path: problem", as the API server words it. */
  public static List<String> problems(LabelSelector selector, String path) {
    List<String> out = new ArrayList<>();
    if (selector == null || selector.getMatchExpressions() == null) {
      return out;
    }
    for (int i = 0; i < selector.getMatchExpressions().size(); i++) {
      LabelSelectorRequirement r = selector.getMatchExpressions().get(i);
      String at = path + ".matchExpressions[" + i + "]";
      if (r == null) {
        out.add(at + ": must not be null");
        continue;
      }
      if (r.getKey() == null || r.getKey().isBlank()) {
        out.add(at + ".key: Required value");
      }
      if (!OPERATORS.contains(String.valueOf(r.getOperator()))) {
        out.add(at + ".operator: Unsupported value: \"" + r.getOperator() + "\": supported values: \"In\", "
            + "\"NotIn\", \"Exists\", \"DoesNotExist\"");
        continue;
      }
      boolean set = "In".equals(r.getOperator()) || "NotIn".equals(r.getOperator());
      int n = r.getValues() == null ? 0 : r.getValues().size();
      if (set && n == 0) {
        out.add(at + ".values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
      }
      if (!set && n > 0) {
        out.add(at + ".values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
      }
    }
    return out;
  }
}
