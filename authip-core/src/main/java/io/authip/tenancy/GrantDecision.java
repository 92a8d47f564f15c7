package io.authip.tenancy;

import io.authip.api.v1alpha1.GrantIdentity;

/** Whether a policy may change one cluster with the access it asks for, and through which grant. */
public sealed interface GrantDecision {

  /**
   * Allowed.
   *
   * @param grant the grant that allows it, or null when tenancy is open (no grants are consulted)
   * @param identity the Azure identity to use, or null for the operator's own
   */
  record Granted(String grant, GrantIdentity identity) implements GrantDecision {
  }

  /**
   * Not allowed: not a single Azure request is made for the cluster.
   *
   * @param message what is missing, and what an administrator would grant
   */
  record NotGranted(String message) implements GrantDecision {
  }
}
