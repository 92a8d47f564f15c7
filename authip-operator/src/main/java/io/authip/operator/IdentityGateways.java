package io.authip.operator;

import io.authip.api.v1alpha1.GrantIdentity;
import io.authip.azure.AksGateway;

/** The gateway that acts as a TargetGrant's Azure identity for the policies of one namespace. */
@FunctionalInterface
public interface IdentityGateways {

  /**
   * @param namespace the policy's namespace: the ServiceAccount whose token is exchanged lives there
   * @param identity the grant's identity
   */
  AksGateway gateway(String namespace, GrantIdentity identity);

  /** Forgets the gateways of every identity not among {@code inUse}: no grant names them any more. */
  default void retain(java.util.Set<GrantIdentity> inUse) {
  }
}
