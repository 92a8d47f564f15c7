package io.authip.operator;

import io.authip.api.v1alpha1.ConditionReason;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Standard Kubernetes conditions; {@code lastTransitionTime} moves only when the status flips. */
public final class Conditions {

  public static final String READY = "Ready";
  public static final String DRIFTED = "Drifted";
  public static final String VALID = "Valid";
  /**
   * kstatus's abnormal-true conditions, present only while True and derived from {@code Ready} (see
   * {@link #withProgress}): Flux's health checks and {@code kstatus} tell "still working" from "needs someone".
   */
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";

  /** Ready reasons under which authip is still working towards the spec: {@code Reconciling=True}. */
  static final Set<ConditionReason> IN_PROGRESS = Set.of(ConditionReason.Pending, ConditionReason.Updating,
      ConditionReason.Propagating, ConditionReason.NoTargets);

  /**
   * Ready reasons that further reconciles will not change without someone acting (the spec, a grant, the cluster, a
   * second writer, Azure's answer) while {@code Ready} is not True: {@code Stalled=True}.
   */
  static final Set<ConditionReason> STALLING = Set.of(ConditionReason.InvalidSpec, ConditionReason.Blocked,
      ConditionReason.AzureError, ConditionReason.Contested, ConditionReason.NotGranted,
      ConditionReason.TargetConflict, ConditionReason.SelectorFailed, ConditionReason.Drifted,
      ConditionReason.InternalError);

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

  /**
   * Sets {@code Reconciling} and {@code Stalled} from the {@code Ready} condition of {@code current}, each present
   * only while True (kstatus: abnormal-true polarity), with Ready's reason and message: {@code Reconciling} while a
   * change is pending, applied or propagating ({@link #IN_PROGRESS}); {@code Stalled} while Ready is not True for a
   * reason that needs someone to act ({@link #STALLING}). Without a {@code Ready} condition both are removed.
   */
  public static List<Condition> withProgress(List<Condition> current, Long generation, Instant now) {
    Condition ready = find(current, READY).orElse(null);
    ConditionReason reason = ready == null ? null : reasonOf(ready.getReason());
    boolean reconciling = reason != null && IN_PROGRESS.contains(reason);
    boolean stalled = reason != null && !"True".equals(ready.getStatus()) && STALLING.contains(reason);
    List<Condition> out = current;
    out = reconciling ? set(out, RECONCILING, true, reason, ready.getMessage(), generation, now)
        : without(out, RECONCILING);
    out = stalled ? set(out, STALLED, true, reason, ready.getMessage(), generation, now) : without(out, STALLED);
    return out;
  }

  /**
   * Mirrors a {@code Valid} condition into {@code Ready} (same status, reason and message) and sets {@code Stalled}
   * while it is not True: resources without targets are ready when their spec is valid.
   */
  public static List<Condition> readyFromValid(List<Condition> current, Long generation, Instant now) {
    Condition valid = find(current, VALID).orElse(null);
    if (valid == null) {
      return withProgress(without(current, READY), generation, now);
    }
    ConditionReason reason = reasonOf(valid.getReason());
    List<Condition> out = set(current, READY, valid.getStatus(), reason == null ? ConditionReason.InternalError
        : reason, valid.getMessage(), generation, now);
    return withProgress(out, generation, now);
  }

  private static ConditionReason reasonOf(String reason) {
    for (ConditionReason r : ConditionReason.values()) {
      if (r.is(reason)) {
        return r;
      }
    }
    return null;
  }

  static List<Condition> without(List<Condition> current, String type) {
    if (current == null || current.stream().noneMatch(c -> type.equals(c.getType()))) {
      return current;
    }
    return new ArrayList<>(current.stream().filter(c -> !type.equals(c.getType())).toList());
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
