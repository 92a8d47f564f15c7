package io.authip.azure;

import com.azure.resourcemanager.containerservice.fluent.models.ManagedClusterInner;
import com.azure.resourcemanager.containerservice.models.ContainerServiceNetworkProfile;
import com.azure.resourcemanager.containerservice.models.ManagedClusterAgentPoolProfile;
import com.azure.resourcemanager.containerservice.models.ManagedClusterApiServerAccessProfile;
import com.azure.resourcemanager.containerservice.models.ManagedClusterLoadBalancerProfile;
import com.azure.resourcemanager.containerservice.models.ResourceReference;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.policy.ApiServerAccess;
import io.authip.policy.ClusterSnapshot;
import java.util.ArrayList;
import java.util.List;

/** Extracts a {@link ClusterSnapshot} from the SDK's model of a managed cluster. Pure. */
final class SnapshotMapper {

  private SnapshotMapper() {
  }

  /**
   * @param rawBody the JSON {@code c} was read from, kept for the write; may be null
   */
  static ClusterSnapshot from(ClusterTarget target, ManagedClusterInner c, String rawBody) {
    ManagedClusterApiServerAccessProfile access = c.apiServerAccessProfile();
    ContainerServiceNetworkProfile net = c.networkProfile();
    ManagedClusterLoadBalancerProfile lb = net == null ? null : net.loadBalancerProfile();

    List<String> lbEffective = lb == null ? List.of() : ids(lb.effectiveOutboundIPs());
    List<String> lbOutbound = lb == null || lb.outboundIPs() == null ? List.of() : ids(lb.outboundIPs().publicIPs());
    List<String> lbPrefixes = lb == null || lb.outboundIpPrefixes() == null ? List.of()
        : ids(lb.outboundIpPrefixes().publicIpPrefixes());
    List<String> nat = net == null || net.natGatewayProfile() == null ? List.of()
        : ids(net.natGatewayProfile().effectiveOutboundIPs());

    List<ClusterSnapshot.AgentPool> pools = new ArrayList<>();
    if (c.agentPoolProfiles() != null) {
      for (ManagedClusterAgentPoolProfile p : c.agentPoolProfiles()) {
        pools.add(new ClusterSnapshot.AgentPool(p.name(), Boolean.TRUE.equals(p.enableNodePublicIp()),
            p.nodePublicIpPrefixId(), p.vnetSubnetId()));
      }
    }

    return new ClusterSnapshot(
        target,
        c.id(),
        c.etag(),
        c.provisioningState(),
        access != null && Boolean.TRUE.equals(access.enablePrivateCluster()),
        access != null && Boolean.TRUE.equals(access.enableVnetIntegration()),
        net == null || net.loadBalancerSku() == null ? null : net.loadBalancerSku().toString(),
        net == null || net.outboundType() == null ? null : net.outboundType().toString(),
        ApiServerAccess.fromAks(access == null ? null : access.authorizedIpRanges()),
        lbEffective,
        lbOutbound,
        lbPrefixes,
        nat,
        pools,
        rawBody,
        c.fqdn());
  }

  private static List<String> ids(List<ResourceReference> refs) {
    if (refs == null) {
      return List.of();
    }
    // A reference without an ID stays in as "" so that resolving it fails: an egress address is never dropped.
    return refs.stream().map(r -> r == null || r.id() == null ? "" : r.id()).toList();
  }
}
