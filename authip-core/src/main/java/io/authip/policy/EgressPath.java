package io.authip.policy;

import java.util.List;

/**
 * Where the nodes of one subnet reach the internet (and so the cluster's public API server), as far as authip can
 * tell from Azure: the subnet's default route and NAT gateway. Found by {@link EgressChain}; planned from by
 * {@link TargetPlanner}.
 */
public sealed interface EgressPath {

  /** How a subnet's egress leaves. */
  enum Via {
    /** A NAT gateway attached to the subnet (it takes precedence over the load balancer's outbound rules). */
    NAT_GATEWAY,
    /** An Azure Firewall the subnet's default route sends everything to. */
    AZURE_FIREWALL
  }

  /**
   * Through these public IP addresses and prefixes.
   *
   * @param via what they belong to
   * @param resourceId the NAT gateway's or firewall's ARM ID, for messages
   * @param publicIpResourceIds Public IP address and Public IP prefix IDs, as Azure returned them
   */
  record Addresses(Via via, String resourceId, List<String> publicIpResourceIds) implements EgressPath {
    public Addresses {
      publicIpResourceIds = List.copyOf(publicIpResourceIds);
    }
  }

  /**
   * Neither a NAT gateway nor a default route elsewhere: the cluster's own outbound (load balancer) applies.
   *
   * @param why what was found, for a message when the outbound type expects more (userAssignedNATGateway,
   *     userDefinedRouting)
   */
  record Default(String why) implements EgressPath {
  }

  /**
   * Through something authip cannot resolve to addresses: a network virtual appliance that is no Azure Firewall
   * authip can read, a virtual network gateway, a route that drops traffic.
   *
   * @param why what was found and why it is not enough, naming the resources
   */
  record Unknown(String why) implements EgressPath {
  }
}
