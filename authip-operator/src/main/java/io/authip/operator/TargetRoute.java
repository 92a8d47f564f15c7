package io.authip.operator;

import io.authip.api.v1alpha1.TargetReason;
import io.authip.azure.AksGateway;

/** How authip may reach one cluster of a policy: through which gateway (identity), or not at all. */
public sealed interface TargetRoute {

  /**
   * Allowed.
   *
   * @param gateway the gateway of the identity to use
   * @param grant the TargetGrant that allows it, or null when tenancy is open
   */
  record Allowed(AksGateway gateway, String grant) implements TargetRoute {
  }

  /**
   * Refused before any Azure request.
   *
   * @param reason {@link TargetReason#NotGranted}, or {@link TargetReason#IdentityUnavailable} when the grant's
   *     identity cannot be used by this installation
   * @param message what is missing and what would be right
   */
  record Refused(TargetReason reason, String message) implements TargetRoute {
  }

  /** Routes every target of one policy. */
  @FunctionalInterface
  interface Router {
    /**
     * @param access the access authip would set on the cluster (the policy's, or on restore the captured one)
     */
    TargetRoute route(io.authip.api.v1alpha1.ClusterTarget target, io.authip.api.v1alpha1.Access access);
  }
}
