package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster's own egress addresses belong in its authorized ranges (nodes and in-cluster tooling call the API
 * server through them), so every source is on unless switched off.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Egress {

  @Default("true")
  @JsonPropertyDescription("Add the load balancer's effective outbound IPs, outbound IPs and outbound IP prefixes "
      + "(default true).")
  private Boolean loadBalancer;

  @Default("true")
  @JsonPropertyDescription("Add the NAT gateways' public IPs and prefixes (default true): the managed NAT gateway's "
      + "effective outbound IPs, and those of a NAT gateway attached to a node pool's subnet (vnetSubnetID), "
      + "whatever the cluster's outboundType.")
  private Boolean natGateway;

  @Default("true")
  @JsonPropertyDescription("Add the public IP prefixes of node pools that have node public IPs (default true). A "
      + "node pool with node public IPs but no prefix cannot be authorized and blocks the target.")
  private Boolean nodePublicIpPrefixes;

  @Size(max = 100)
  @JsonPropertyDescription("Extra Public IP address or Public IP prefix ARM resource IDs to add, e.g. an Azure "
      + "Firewall's or a jump box's.")
  private List<String> publicIpResourceIds = new ArrayList<>();

  @Default("false")
  @JsonPropertyDescription("Let authip change the cluster even when part of its egress cannot be resolved (default "
      + "false: such a target is Blocked with reason EgressUnknown). Unknown egress is a node subnet whose default "
      + "route goes to a network virtual appliance that is not an Azure Firewall authip can read, to a virtual "
      + "network gateway (VPN, ExpressRoute) or nowhere, or a cluster with outboundType userAssignedNATGateway or "
      + "userDefinedRouting whose subnet has no NAT gateway or default route. List that egress's public IPs or "
      + "prefixes in publicIpResourceIds first, or set this only when the nodes do not need the API server.")
  private Boolean allowUnknown;

  @JsonPropertyDescription("Add the egress of the cluster authip itself runs in (the operator's "
      + "AUTHIP_SELF_CLUSTER_ID, resolved through ARM like a target's), so that GitOps agents and tools running "
      + "next to authip keep their access (default false).")
  private Boolean managementCluster;

  public Boolean getManagementCluster() {
    return managementCluster;
  }

  public void setManagementCluster(Boolean managementCluster) {
    this.managementCluster = managementCluster;
  }

  public boolean managementClusterEnabled() {
    return managementCluster != null && managementCluster;
  }

  public Boolean getLoadBalancer() {
    return loadBalancer;
  }

  public void setLoadBalancer(Boolean loadBalancer) {
    this.loadBalancer = loadBalancer;
  }

  public Boolean getNatGateway() {
    return natGateway;
  }

  public void setNatGateway(Boolean natGateway) {
    this.natGateway = natGateway;
  }

  public Boolean getNodePublicIpPrefixes() {
    return nodePublicIpPrefixes;
  }

  public void setNodePublicIpPrefixes(Boolean nodePublicIpPrefixes) {
    this.nodePublicIpPrefixes = nodePublicIpPrefixes;
  }

  public List<String> getPublicIpResourceIds() {
    return publicIpResourceIds;
  }

  public void setPublicIpResourceIds(List<String> publicIpResourceIds) {
    this.publicIpResourceIds = publicIpResourceIds;
  }

  public Boolean getAllowUnknown() {
    return allowUnknown;
  }

  public void setAllowUnknown(Boolean allowUnknown) {
    this.allowUnknown = allowUnknown;
  }

  public boolean unknownAllowed() {
    return allowUnknown != null && allowUnknown;
  }

  public boolean loadBalancerEnabled() {
    return loadBalancer == null || loadBalancer;
  }

  public boolean natGatewayEnabled() {
    return natGateway == null || natGateway;
  }

  public boolean nodePublicIpPrefixesEnabled() {
    return nodePublicIpPrefixes == null || nodePublicIpPrefixes;
  }

  public List<String> publicIpResourceIdsOrEmpty() {
    return publicIpResourceIds == null ? List.of() : publicIpResourceIds;
  }
}
