package io.authip.api.v1alpha1;

public enum TargetState {
  /** Not yet read, waiting to be changed (busy, throttled), or a change recorded and about to be sent. */
  Pending,
  /** A change was accepted by Azure and its long-running operation is being polled. */
  Updating,
  /** The change succeeded; AKS takes up to 2 minutes to enforce it. */
  Propagating,
  /** Actual equals desired. */
  InSync,
  /** Actual differs from desired and is not being changed (Observe mode, or before correction). */
  Drifted,
  /** authip refuses to touch this target (see reason). */
  Blocked,
  /** Azure answered with an error; retried with backoff. */
  Error,
  /**
   * Someone else keeps changing the cluster back (another install, Terraform, the portal): authip corrected it too
   * often within the flap window and stops correcting until the window ends or the spec changes.
   */
  Contested
}
