package io.authip.operator;

/** Reasons of the Kubernetes Events authip emits. */
public enum EventReason {
  InvalidSpec(true),
  Updating(false),
  Applied(false),
  DriftDetected(true),
  DriftCorrected(false),
  Blocked(true),
  TargetConflict(true),
  AzureError(true),
  OperationFailed(true),
  Restored(false),
  Retained(false),
  /** An unexpected exception in a reconcile (status: Ready=False, reason InternalError). */
  InternalError(true);

  private final boolean warning;

  EventReason(boolean warning) {
    this.warning = warning;
  }

  public boolean warning() {
    return warning;
  }
}
