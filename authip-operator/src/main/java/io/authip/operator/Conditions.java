package io.authip.operator;

import io.authip.api.v1alpha1.ConditionReason;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Standard Kubernetes conditions; {@code lastTransitionTime} moves only when the status flips. */
public final class Conditions {

  public static final String READY = "Ready";
  public static final String DRIFTED = "Drifted";
  public static final String VALID = "Valid";

  private Conditions() {
  }

  /** The status of a condition that cannot be determined (e.g. after an internal error). */
  public static final String UNKNOWN = "Unknown";

  /** Returns a new list with the condition of {@code type} set. */
  public static List<Condition> set(List<Condition> current, String type, boolean status, ConditionReason reason,
      String message, Long generation, Instant now) {
    return set(current, type, status ? "True" : "False", reason, message, generation, now);
  }

  /** Returns a new list with the condition of {@code type} set to {@code value} (True, False or Unknown). */
  public static List<Condition> set(List<Condition> current, String type, String value, ConditionReason reason,
      String message, Long generation, Instant now) {
    List<Condition> out = new ArrayList<>();
    boolean replaced = false;
    for (Condition c : current == null ? List.<Condition>of() : current) {
      if (type.equals(c.getType())) {
        String since = value.equals(c.getStatus()) && c.getLastTransitionTime() != null ? c.getLastTransitionTime()
            : now.toString();
        out.add(build(type, value, reason.name(), message, generation, since));
        replaced = true;
      } else {
        out.add(c);
      }
    }
    if (!replaced) {
      out.add(build(type, value, reason.name(), message, generation, now.toString()));
    }
    return out;
  }

  public static java.util.Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null ? java.util.Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static Condition build(String type, String status, String reason, String message, Long generation,
      String since) {
    return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withObservedGeneration(generation).withLastTransitionTime(since).build();
  }
}
