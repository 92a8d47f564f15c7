package io.authip.policy;

import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.policy.ApiServerAccess;
import io.authip.policy.ProvisioningState;
import java.util.List;

/**
 * What authip needs of one managed cluster, as read.
 *
 * @param target what was asked for
 * @param clusterId the ARM ID as Azure returned it
 * @param eTag sent back as {@code If-Match}
 * @param provisioningState e.g. Succeeded, Updating
 * @param privateCluster {@code apiServerAccessProfile.enablePrivateCluster} (rule R8)
 * @param vnetIntegration {@code apiServerAccessProfile.enableVnetIntegration}: API Server VNet Integration, for which
 *     AKS documents a limit of 2,000 authorized ranges instead of 200
 * @param loadBalancerSku {@code networkProfile.loadBalancerSku}, lower or mixed case as Azure returns it (R9)
 * @param outboundType {@code networkProfile.outboundType}
 * @param access the current authorized ranges, canonical
 * @param lbEffectiveOutboundIpIds load balancer effective outbound IPs (Public IP IDs)
 * @param lbOutboundIpIds load balancer custom outbound IPs (Public IP IDs)
 * @param lbOutboundIpPrefixIds load balancer outbound IP prefixes (Public IP prefix IDs)
 * @param natGatewayEffectiveOutboundIpIds managed NAT gateway effective outbound IPs (Public IP IDs)
 * @param agentPools the node pools
 * @param rawBody the cluster's JSON exactly as this read returned it, so that {@link AksGateway#apply} can send it
 *     back with only the authorized ranges changed without reading it a second time (the PUT's If-Match on
 *     {@link #eTag} refuses it if the cluster changed since); null when not kept, and apply then reads it again
 * @param fqdn {@code properties.fqdn}, the API server's public name (for the reachability check), or null
 */
public record ClusterSnapshot(
    ClusterTarget target,
    String clusterId,
    String eTag,
    String provisioningState,
    boolean privateCluster,
    boolean vnetIntegration,
    String loadBalancerSku,
    String outboundType,
    ApiServerAccess access,
    List<String> lbEffectiveOutboundIpIds,
    List<String> lbOutboundIpIds,
    List<String> lbOutboundIpPrefixIds,
    List<String> natGatewayEffectiveOutboundIpIds,
    List<AgentPool> agentPools,
    String rawBody,
    String fqdn) {

  /**
   * A snapshot of a cluster without API Server VNet Integration and without the raw body: {@link AksGateway#apply}
   * reads the cluster again before changing it.
   */
  public ClusterSnapshot(ClusterTarget target, String clusterId, String eTag, String provisioningState,
      boolean privateCluster, String loadBalancerSku, String outboundType, ApiServerAccess access,
      List<String> lbEffectiveOutboundIpIds, List<String> lbOutboundIpIds, List<String> lbOutboundIpPrefixIds,
      List<String> natGatewayEffectiveOutboundIpIds, List<AgentPool> agentPools) {
    this(target, clusterId, eTag, provisioningState, privateCluster, false, loadBalancerSku, outboundType, access,
        lbEffectiveOutboundIpIds, lbOutboundIpIds, lbOutboundIpPrefixIds, natGatewayEffectiveOutboundIpIds, agentPools,
        null, null);
  }

  /** The same cluster with API Server VNet Integration on or off. */
  public ClusterSnapshot withVnetIntegration(boolean on) {
    return new ClusterSnapshot(target, clusterId, eTag, provisioningState, privateCluster, on, loadBalancerSku,
        outboundType, access, lbEffectiveOutboundIpIds, lbOutboundIpIds, lbOutboundIpPrefixIds,
        natGatewayEffectiveOutboundIpIds, agentPools, rawBody, fqdn);
  }

  /** The same cluster with another {@code properties.fqdn}. */
  public ClusterSnapshot withFqdn(String name) {
    return new ClusterSnapshot(target, clusterId, eTag, provisioningState, privateCluster, vnetIntegration,
        loadBalancerSku, outboundType, access, lbEffectiveOutboundIpIds, lbOutboundIpIds, lbOutboundIpPrefixIds,
        natGatewayEffectiveOutboundIpIds, agentPools, rawBody, name);
  }

  /** The same cluster with other node pools. */
  public ClusterSnapshot withAgentPools(List<AgentPool> pools) {
    return new ClusterSnapshot(target, clusterId, eTag, provisioningState, privateCluster, vnetIntegration,
        loadBalancerSku, outboundType, access, lbEffectiveOutboundIpIds, lbOutboundIpIds, lbOutboundIpPrefixIds,
        natGatewayEffectiveOutboundIpIds, pools, rawBody, fqdn);
  }

  /** The same cluster with another {@code networkProfile.outboundType}. */
  public ClusterSnapshot withOutboundType(String type) {
    return new ClusterSnapshot(target, clusterId, eTag, provisioningState, privateCluster, vnetIntegration,
        loadBalancerSku, type, access, lbEffectiveOutboundIpIds, lbOutboundIpIds, lbOutboundIpPrefixIds,
        natGatewayEffectiveOutboundIpIds, agentPools, rawBody, fqdn);
  }

  public ClusterSnapshot {
    lbEffectiveOutboundIpIds = List.copyOf(lbEffectiveOutboundIpIds);
    lbOutboundIpIds = List.copyOf(lbOutboundIpIds);
    lbOutboundIpPrefixIds = List.copyOf(lbOutboundIpPrefixIds);
    natGatewayEffectiveOutboundIpIds = List.copyOf(natGatewayEffectiveOutboundIpIds);
    agentPools = List.copyOf(agentPools);
  }

  /**
   * The cluster as it is once a change of its authorized ranges to {@code applied} has succeeded: the same in every
   * other respect. Without an eTag or body, neither of which is known then, so that it can never be written back.
   */
  public ClusterSnapshot afterChange(ApiServerAccess applied) {
    return new ClusterSnapshot(target, clusterId, null, ProvisioningState.Succeeded.name(), privateCluster,
        vnetIntegration, loadBalancerSku, outboundType,
        applied, lbEffectiveOutboundIpIds, lbOutboundIpIds, lbOutboundIpPrefixIds, natGatewayEffectiveOutboundIpIds,
        agentPools, null, fqdn);
  }

  /** Without the raw body, which is long and of no use in a log line. */
  @Override
  public String toString() {
    return "ClusterSnapshot[" + clusterId + ", eTag " + eTag + ", " + provisioningState + ", "
        + (access == null ? "access unknown" : access.describe()) + "]";
  }

  /**
   * A node pool as far as rule R10 and egress are concerned.
   *
   * @param vnetSubnetId {@code vnetSubnetID}: the subnet of the pool's nodes in the customer's virtual network, whose
   *     NAT gateway or route table decides the nodes' egress; null or blank in the AKS-managed network
   */
  public record AgentPool(String name, boolean enableNodePublicIp, String nodePublicIpPrefixId, String vnetSubnetId) {

    /** A pool in the AKS-managed virtual network. */
    public AgentPool(String name, boolean enableNodePublicIp, String nodePublicIpPrefixId) {
      this(name, enableNodePublicIp, nodePublicIpPrefixId, null);
    }
  }

  public boolean basicLoadBalancer() {
    return "basic".equalsIgnoreCase(loadBalancerSku);
  }

  /** Node pools with node public IPs but no prefix: their addresses cannot be authorized (rule R10). */
  public List<AgentPool> poolsWithNodePublicIpWithoutPrefix() {
    return agentPools.stream()
        .filter(p -> p.enableNodePublicIp() && (p.nodePublicIpPrefixId() == null || p.nodePublicIpPrefixId().isBlank()))
        .toList();
  }

  /** A provisioning state in which a PUT would be refused as busy. */
  public boolean operationInProgress() {
    return provisioningState != null && !ProvisioningState.isTerminal(provisioningState);
  }
}
