package io.authip.api.v1alpha1;

/**
 * The reasons authip writes into the conditions of {@code status.conditions} (policies: {@code Ready},
 * {@code Drifted}; range sets: {@code Valid}). The README's status section lists them; a test keeps both in step.
 * Status is tenant input: read a reason with {@link #is}, never assume it is one of these.
 */
public enum ConditionReason {
  /** Ready: every target is InSync. */
  InSync,
  /** Ready: every target is InSync or Propagating, at least one Propagating. */
  Propagating,
  /** Ready / Valid: the spec breaks a rule; nothing was sent to Azure. */
  InvalidSpec,
  /** Ready: a target is claimed by an older policy. */
  TargetConflict,
  /** Ready: a target is not granted to the policy's namespace (tenancy); nothing is sent to Azure for it. */
  NotGranted,
  /** Ready: the worst target is Blocked. */
  Blocked,
  /** Ready: the worst target is in Error. */
  AzureError,
  /** Ready: the worst target is Drifted (Observe mode). */
  Drifted,
  /** Ready: the worst target is Updating. */
  Updating,
  /** Ready: the worst target is Pending. */
  Pending,
  /** Ready: the worst target is Contested. */
  Contested,
  /** Ready: a target selector could not be resolved (its clusters cannot be listed, or it selects too many). */
  SelectorFailed,
  /** Ready: the policy has no target status (yet). */
  NoTargets,
  /** Ready / Valid: the reconcile threw something unexpected. */
  InternalError,
  /** Drifted: no cluster differs from the policy. */
  NoDrift,
  /** Drifted: a cluster differs from the policy and is not being changed. */
  DriftDetected,
  /** Drifted: the spec is invalid, so drift was not looked at. */
  NotEvaluated,
  /** Valid: the range set's entries are valid. */
  Valid,
  /** Valid: a source of the range set has never been read successfully; the set is not used until it is. */
  SourceUnavailable,
  /** SourceStale: every source's last read succeeded. */
  Fresh,
  /** SourceStale: a source's last read failed; its last good content stays in use. */
  Stale,
  /** ShrinkHeld: no refresh is held back. */
  NotHeld,
  /** ShrinkHeld: a refresh that removes too much is held back until approved or confirmed. */
  Held,
  /** ApiServerReachable: every checked target's API server answered the operator's latest check. */
  Reachable,
  /** ApiServerReachable: a checked target's API server did not answer the operator's latest check. */
  Unreachable,
  /** ApiServerReachable: no target has been checked yet. */
  NotChecked;

  /** Whether {@code reason} (as read from status, possibly null or anything) is this one. */
  public boolean is(String reason) {
    return name().equals(reason);
  }
}
