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
  /** A target no TargetGrant of the policy's namespace covers, or an access the grant does not allow. */
  NotGranted(true),
  /** A grant's Azure identity cannot be used by this installation (its ServiceAccount name is not the one allowed). */
  IdentityUnavailable(true),
  AzureError(true),
  OperationFailed(true),
  Restored(false),
  Retained(false),
  /** A restore on deletion left a cluster as it was (it no longer had authip's list, or nothing was captured). */
  RestoreSkipped(true),
  /** A restore on deletion could not be completed within the restore timeout; the finalizer was released. */
  RestoreFailed(true),
  /** Someone else keeps changing a cluster back; authip stopped correcting it for the flap window. */
  Contested(true),
  /** What status says authip captured differs from authip's own record: the status value is ignored. */
  CaptureMismatch(true),
  /** A cluster a target selector took no longer matches it (or the selector is gone): left exactly as it is. */
  TargetReleased(false),
  /** An IpRangeSet source's content changed (first read included); the message has the diff. */
  SourceChanged(false),
  /** A source's refresh removes more than maxShrinkPercent: held back, the content in use stays. */
  ShrinkHeld(true),
  /** Held content was approved by annotation or returned again by the next refresh, and is now in use. */
  ShrinkApproved(false),
  /** A source could not be read (its last good content, if any, stays in use). */
  SourceFailed(true),
  /** A change locked the operator out of the API server: the previous list was put back (revertOnLockout). */
  LockoutPrevented(true),
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
