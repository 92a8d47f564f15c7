package io.authip.operator;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicyStatus;
import io.authip.api.v1alpha1.ConditionReason;
import io.authip.api.v1alpha1.TargetReason;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.SelectorStatus;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.policy.FieldError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Builds a policy's status once per reconcile from its targets (or its validation errors). Pure. */
public final class PolicyStatusBuilder {

  private static final int MAX_MESSAGES = 5;

  private PolicyStatusBuilder() {
  }

  public static AuthorizedIpPolicyStatus invalid(AuthorizedIpPolicy policy, List<FieldError> errors, Instant now) {
    AuthorizedIpPolicyStatus old = policy.getStatus();
    AuthorizedIpPolicyStatus s = new AuthorizedIpPolicyStatus();
    Long generation = policy.getMetadata().getGeneration();
    s.setObservedGeneration(generation);
    // Keep what is known of the targets (captured ranges, pending operations): an invalid edit must not lose them.
    s.setTargets(old == null || old.getTargets() == null ? new ArrayList<>() : old.getTargets());
    s.setRangeCount(old == null ? null : old.getRangeCount());
    s.setTargetsInSync(summary(s.getTargets(), policy.getSpec() == null ? 0 : policy.getSpec().targetsOrEmpty().size()));
    List<String> lines = errors.stream().limit(MAX_MESSAGES).map(FieldError::toString).collect(Collectors.toList());
    if (errors.size() > MAX_MESSAGES) {
      lines.add("and " + (errors.size() - MAX_MESSAGES) + " more");
    }
    var conditions = Conditions.set(old == null ? null : old.getConditions(), Conditions.READY, false,
        ConditionReason.InvalidSpec, String.join("; ", lines), generation, now);
    conditions = Conditions.set(conditions, Conditions.DRIFTED, false, ConditionReason.NotEvaluated,
        "the spec is invalid; nothing was compared", generation, now);
    s.setConditions(Conditions.withProgress(conditions, generation, now));
    return s;
  }

  /** The status with the selectors' part as it was (for writes in the middle of a pass). */
  public static AuthorizedIpPolicyStatus of(AuthorizedIpPolicy policy, List<TargetStatus> targets, Instant now) {
    return of(policy, targets, policy.getStatus() == null ? null : policy.getStatus().getSelectors(), now);
  }

  /**
   * @param selectors what each target selector selected, or null when the policy has none
   */
  public static AuthorizedIpPolicyStatus of(AuthorizedIpPolicy policy, List<TargetStatus> targets,
      List<SelectorStatus> selectors, Instant now) {
    AuthorizedIpPolicyStatus old = policy.getStatus();
    AuthorizedIpPolicyStatus s = new AuthorizedIpPolicyStatus();
    s.setSelectors(selectors == null || selectors.isEmpty() ? null : selectors);
    List<SelectorStatus> unresolved = selectors == null ? List.of()
        : selectors.stream().filter(x -> !Boolean.TRUE.equals(x.getResolved())).toList();
    Long generation = policy.getMetadata().getGeneration();
    s.setObservedGeneration(generation);
    s.setTargets(targets);
    s.setRangeCount(targets.stream().map(TargetStatus::getRangeCount).filter(java.util.Objects::nonNull)
        .max(Integer::compare).orElse(0));
    s.setTargetsInSync(summary(targets, targets.size()));

    boolean ready = !targets.isEmpty() && targets.stream().allMatch(PolicyStatusBuilder::ready)
        && unresolved.isEmpty();
    ConditionReason reason;
    String message;
    if (!unresolved.isEmpty() && targets.stream().allMatch(PolicyStatusBuilder::ready)) {
      reason = ConditionReason.SelectorFailed;
      message = unresolved.stream().limit(MAX_MESSAGES).map(x -> "spec." + x.getSelector() + ": " + x.getMessage())
          .collect(Collectors.joining("; "));
    } else if (ready) {
      reason = targets.stream().anyMatch(t -> t.getState() == TargetState.Propagating) ? ConditionReason.Propagating
          : ConditionReason.InSync;
      message = targets.size() + "/" + targets.size() + " targets have the desired ranges";
    } else {
      TargetStatus worst = targets.stream().filter(t -> !ready(t)).min((a, b) -> rank(a) - rank(b)).orElse(null);
      boolean conflict = targets.stream().anyMatch(t -> TargetReason.TargetConflict.is(t.getReason()));
      boolean notGranted = targets.stream().anyMatch(t -> TargetReason.NotGranted.is(t.getReason()));
      reason = worst == null ? ConditionReason.NoTargets : notGranted ? ConditionReason.NotGranted
          : conflict ? ConditionReason.TargetConflict : worstReason(worst);
      message = targets.stream().filter(t -> !ready(t)).limit(MAX_MESSAGES)
          .map(t -> name(t) + ": " + t.getState() + " (" + t.getReason() + ") " + t.getMessage())
          .collect(Collectors.joining("; "));
    }
    var conditions = Conditions.set(old == null ? null : old.getConditions(), Conditions.READY, ready, reason,
        message, generation, now);
    List<TargetStatus> drifted = targets.stream().filter(t -> t.getDriftDetectedAt() != null).toList();
    conditions = Conditions.set(conditions, Conditions.DRIFTED, !drifted.isEmpty(),
        drifted.isEmpty() ? ConditionReason.NoDrift : ConditionReason.DriftDetected,
        drifted.isEmpty() ? "every target matches the policy or is being changed to it"
            : drifted.stream().map(PolicyStatusBuilder::name).collect(Collectors.joining(", "))
                + " differ from the policy", generation, now);
    if (policy.getSpec() != null && policy.getSpec().effectiveReachability().checking()) {
      List<TargetStatus> checked = targets.stream().filter(t -> t.getApiServer() != null
          && t.getApiServer().getReachable() != null).toList();
      List<TargetStatus> unreachable = checked.stream().filter(t -> !t.getApiServer().getReachable()).toList();
      conditions = checked.isEmpty()
          ? Conditions.set(conditions, API_SERVER_REACHABLE, "Unknown", ConditionReason.NotChecked,
              "no target's API server has been checked yet", generation, now)
          : Conditions.set(conditions, API_SERVER_REACHABLE, unreachable.isEmpty(), unreachable.isEmpty()
              ? ConditionReason.Reachable : ConditionReason.Unreachable, unreachable.isEmpty()
              ? checked.size() + "/" + targets.size() + " API servers answered the operator's latest check ("
                  + checked.stream().map(t -> t.getApiServer().getLatencyMs()).filter(java.util.Objects::nonNull)
                      .max(Long::compare).orElse(0L) + " ms at most)"
              : unreachable.stream().limit(MAX_MESSAGES).map(t -> name(t) + ": " + t.getApiServer().getMessage())
                  .collect(Collectors.joining("; ")), generation, now);
    } else {
      conditions = Conditions.without(conditions, API_SERVER_REACHABLE);
    }
    s.setConditions(Conditions.withProgress(conditions, generation, now));
    return s;
  }

  /** The condition of spec.reachability.check: whether every checked API server answers the operator. */
  static final String API_SERVER_REACHABLE = "ApiServerReachable";

  static boolean ready(TargetStatus t) {
    return t.getState() == TargetState.InSync || t.getState() == TargetState.Propagating;
  }

  private static ConditionReason worstReason(TargetStatus t) {
    return switch (t.getState()) {
      case Blocked -> ConditionReason.Blocked;
      case Error -> ConditionReason.AzureError;
      case Contested -> ConditionReason.Contested;
      case Drifted -> ConditionReason.Drifted;
      case Updating -> ConditionReason.Updating;
      default -> ConditionReason.Pending;
    };
  }

  private static int rank(TargetStatus t) {
    if (t.getState() == null) {
      return 9;
    }
    return switch (t.getState()) {
      case Blocked -> 0;
      case Error -> 1;
      case Contested -> 2;
      case Drifted -> 2;
      case Updating -> 3;
      case Pending -> 4;
      default -> 5;
    };
  }

  private static String summary(List<TargetStatus> targets, int total) {
    long ok = targets.stream().filter(PolicyStatusBuilder::ready).count();
    return ok + "/" + total;
  }

  private static String name(TargetStatus t) {
    String id = t.getClusterId() == null ? "?" : t.getClusterId();
    return id.substring(id.lastIndexOf('/') + 1);
  }
}
