package io.authip.policy;

import io.authip.api.v1alpha1.TargetReason;

/** What authip should do with one target cluster: drive it to {@link Desired}, or refuse to touch it. */
public sealed interface TargetPlan {

  /**
   * @param access the complete desired access
   * @param egressCount how many blocks came from the cluster's own egress (for messages)
   */
  record Desired(ApiServerAccess access, int egressCount) implements TargetPlan {
  }

  /**
   * @param reason one CamelCase word
   * @param message what is wrong and what would make it right
   */
  record Blocked(TargetReason reason, String message) implements TargetPlan {
  }
}
