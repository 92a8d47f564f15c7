package io.authip.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Realistic managed cluster bodies (shaped like the AKS 2025-07-01 REST examples, with many fields besides the ones
 * authip reads, so that "everything else is sent back unchanged" can be checked by comparing JSON trees), together
 * with the public IP and prefix resources they refer to. Immutable; {@code with*} return a new fixture.
 *
 * <p>Addresses are derived from the cluster ID: each cluster gets its own /26 inside {@code 20.64.0.0/10} (public,
 * globally reachable): outbound IPs at .1, .2, .3, an outbound prefix at .16/28 and a node prefix at .32/28.
 */
public final class ClusterFixture {

  /** A subscription for examples and tests. */
  public static final String DEFAULT_SUBSCRIPTION = "3f2b8c1d-5e6a-4b7c-8d9e-0a1b2c3d4e5f";
  public static final String DEFAULT_LOCATION = "westeurope";
  public static final String KUBERNETES_VERSION = "1.32.7";

  /** The egress and network shapes authip must handle. */
  public enum Kind {
    /** Standard LB, outboundType loadBalancer, managed outbound IPs listed in {@code effectiveOutboundIPs}. */
    LOAD_BALANCER_MANAGED_OUTBOUND,
    /** Standard LB with custom {@code outboundIPs} and {@code outboundIPPrefixes}. */
    LOAD_BALANCER_CUSTOM_OUTBOUND,
    /** outboundType managedNATGateway, {@code natGatewayProfile.effectiveOutboundIPs}. */
    MANAGED_NAT_GATEWAY,
    /** Managed LB egress plus a node pool with {@code enableNodePublicIP} and {@code nodePublicIPPrefixID}. */
    NODE_PUBLIC_IP_PREFIX,
    /** Managed LB egress plus a node pool with node public IPs but no prefix (cannot be authorized, rule R10). */
    NODE_PUBLIC_IP_WITHOUT_PREFIX,
    /** {@code apiServerAccessProfile.enablePrivateCluster: true} (rule R8). */
    PRIVATE_CLUSTER,
    /** {@code loadBalancerSku: basic}: no outbound IP profile (rule R9). */
    BASIC_LOAD_BALANCER,
    /**
     * outboundType userAssignedNATGateway: the node pools in subnet {@code nodes} of the customer's virtual network,
     * whose NAT gateway has a public IP (.1) and a public IP prefix (.16/28).
     */
    USER_ASSIGNED_NAT_GATEWAY,
    /**
     * outboundType userDefinedRouting: the node subnet's route table sends 0.0.0.0/0 to an Azure Firewall (in the
     * same resource group) with two public IPs (.1, .2).
     */
    USER_DEFINED_ROUTING_FIREWALL,
    /**
     * outboundType userDefinedRouting: the node subnet's route table sends 0.0.0.0/0 to a third-party virtual
     * appliance, no Azure Firewall: egress nobody can resolve from Azure.
     */
    USER_DEFINED_ROUTING_APPLIANCE;

    /** Whether the nodes are in a subnet of the customer's virtual network (a vnetSubnetID). */
    boolean ownSubnet() {
      return this == USER_ASSIGNED_NAT_GATEWAY || this == USER_DEFINED_ROUTING_FIREWALL
          || this == USER_DEFINED_ROUTING_APPLIANCE;
    }
  }

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final Kind kind;
  private final String subscription;
  private final String resourceGroup;
  private final String name;
  private final String location;
  private final List<String> authorizedIpRanges;
  private final Map<String, String> effectiveOutboundIpsOverride;
  private final List<Consumer<ObjectNode>> edits;
  private final ObjectNode body;
  private final Map<String, String> publicIps = new LinkedHashMap<>();
  private final Map<String, String> prefixes = new LinkedHashMap<>();
  private final List<ObjectNode> network = new ArrayList<>();

  private ClusterFixture(Kind kind, String subscription, String resourceGroup, String name, String location,
      List<String> authorizedIpRanges, Map<String, String> effectiveOutboundIpsOverride,
      List<Consumer<ObjectNode>> edits) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.subscription = requireName(subscription, "subscription");
    this.resourceGroup = requireName(resourceGroup, "resourceGroup");
    this.name = requireName(name, "name");
    this.location = requireName(location, "location");
    this.authorizedIpRanges = authorizedIpRanges == null ? null : List.copyOf(authorizedIpRanges);
    this.effectiveOutboundIpsOverride = effectiveOutboundIpsOverride == null ? null
        : Collections.unmodifiableMap(new LinkedHashMap<>(effectiveOutboundIpsOverride));
    this.edits = List.copyOf(edits);
    this.body = build();
    for (Consumer<ObjectNode> edit : this.edits) {
      edit.accept(body);
    }
  }

  private static String requireName(String value, String what) {
    if (value == null || value.isBlank() || value.contains("/")) {
      throw new IllegalArgumentException(what + " must be a non-blank name without '/', got '" + value + "'");
    }
    return value;
  }

  public static ClusterFixture of(Kind kind, String subscription, String resourceGroup, String name) {
    return new ClusterFixture(kind, subscription, resourceGroup, name, DEFAULT_LOCATION, null, null, List.of());
  }

  public static ClusterFixture loadBalancerManagedOutbound(String subscription, String resourceGroup, String name) {
    return of(Kind.LOAD_BALANCER_MANAGED_OUTBOUND, subscription, resourceGroup, name);
  }

  public static ClusterFixture loadBalancerCustomOutbound(String subscription, String resourceGroup, String name) {
    return of(Kind.LOAD_BALANCER_CUSTOM_OUTBOUND, subscription, resourceGroup, name);
  }

  public static ClusterFixture managedNatGateway(String subscription, String resourceGroup, String name) {
    return of(Kind.MANAGED_NAT_GATEWAY, subscription, resourceGroup, name);
  }

  public static ClusterFixture nodePublicIpPrefix(String subscription, String resourceGroup, String name) {
    return of(Kind.NODE_PUBLIC_IP_PREFIX, subscription, resourceGroup, name);
  }

  public static ClusterFixture nodePublicIpWithoutPrefix(String subscription, String resourceGroup, String name) {
    return of(Kind.NODE_PUBLIC_IP_WITHOUT_PREFIX, subscription, resourceGroup, name);
  }

  public static ClusterFixture privateCluster(String subscription, String resourceGroup, String name) {
    return of(Kind.PRIVATE_CLUSTER, subscription, resourceGroup, name);
  }

  public static ClusterFixture basicLoadBalancer(String subscription, String resourceGroup, String name) {
    return of(Kind.BASIC_LOAD_BALANCER, subscription, resourceGroup, name);
  }

  /** See {@link Kind#USER_ASSIGNED_NAT_GATEWAY}. */
  public static ClusterFixture userAssignedNatGateway(String subscription, String resourceGroup, String name) {
    return of(Kind.USER_ASSIGNED_NAT_GATEWAY, subscription, resourceGroup, name);
  }

  /** See {@link Kind#USER_DEFINED_ROUTING_FIREWALL}. */
  public static ClusterFixture userDefinedRoutingFirewall(String subscription, String resourceGroup, String name) {
    return of(Kind.USER_DEFINED_ROUTING_FIREWALL, subscription, resourceGroup, name);
  }

  /** See {@link Kind#USER_DEFINED_ROUTING_APPLIANCE}. */
  public static ClusterFixture userDefinedRoutingAppliance(String subscription, String resourceGroup, String name) {
    return of(Kind.USER_DEFINED_ROUTING_APPLIANCE, subscription, resourceGroup, name);
  }

  // ---------------------------------------------------------------- variations

  /** The cluster with these authorized ranges, stored as given (the service's own form is CIDR). */
  public ClusterFixture withAuthorizedIpRanges(List<String> ranges) {
    return new ClusterFixture(kind, subscription, resourceGroup, name, location, ranges,
        effectiveOutboundIpsOverride, edits);
  }

  public ClusterFixture withAuthorizedIpRanges(String... ranges) {
    return withAuthorizedIpRanges(List.of(ranges));
  }

  /** No {@code authorizedIPRanges} at all (the default): the API server is open. */
  public ClusterFixture withoutAuthorizedIpRanges() {
    return new ClusterFixture(kind, subscription, resourceGroup, name, location, null, effectiveOutboundIpsOverride,
        edits);
  }

  public ClusterFixture withLocation(String newLocation) {
    return new ClusterFixture(kind, subscription, resourceGroup, name, newLocation, authorizedIpRanges,
        effectiveOutboundIpsOverride, edits);
  }

  /**
   * Replaces the effective outbound IPs (load balancer or NAT gateway, by kind) with these public IP IDs and
   * addresses, e.g. to let many clusters share the same egress.
   */
  public ClusterFixture withEffectiveOutboundIps(Map<String, String> idToAddress) {
    if (kind == Kind.BASIC_LOAD_BALANCER || kind == Kind.LOAD_BALANCER_CUSTOM_OUTBOUND) {
      throw new IllegalArgumentException(kind + " has no managed effective outbound IPs to replace");
    }
    return new ClusterFixture(kind, subscription, resourceGroup, name, location, authorizedIpRanges, idToAddress,
        edits);
  }

  /**
   * The cluster with exactly these Azure tags (string to string), replacing the fixture's default tags
   * ({@code environment}, {@code costCenter}, {@code owner}); an empty map leaves it an empty {@code tags} object.
   */
  public ClusterFixture withTags(Map<String, String> tags) {
    Map<String, String> copy = new LinkedHashMap<>(Objects.requireNonNull(tags, "tags"));
    copy.forEach((k, v) -> Objects.requireNonNull(v, "the value of tag " + k));
    return withEdit(body -> {
      ObjectNode t = body.putObject("tags");
      copy.forEach(t::put);
    });
  }

  /** The cluster with this tag added to (or replacing the same name in) its tags. */
  public ClusterFixture withTag(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    return withEdit(body -> body.with("tags").put(name, value));
  }

  /**
   * Many clusters of one kind for benchmarks: in every subscription, in every resource group, {@code perGroup}
   * clusters named {@code namePattern} with {@code {i}} replaced by 1..perGroup (zero-padded to the width of
   * perGroup, so that names sort as numbers), each with {@code tags} (null keeps the default tags). Seed them with
   * {@link ArmEmulator#seedAll}.
   */
  public static List<ClusterFixture> fleet(Kind kind, List<String> subscriptions, List<String> resourceGroups,
      int perGroup, String namePattern, Map<String, String> tags) {
    if (perGroup < 1) {
      throw new IllegalArgumentException("perGroup must be at least 1, got " + perGroup);
    }
    if (perGroup > 1 && !namePattern.contains("{i}")) {
      throw new IllegalArgumentException("with " + perGroup + " clusters per group the name needs {i}, e.g. aks-{i}");
    }
    String format = "%0" + Integer.toString(perGroup).length() + "d";
    List<ClusterFixture> out = new ArrayList<>(subscriptions.size() * resourceGroups.size() * perGroup);
    for (String subscription : subscriptions) {
      for (String group : resourceGroups) {
        for (int i = 1; i <= perGroup; i++) {
          ClusterFixture f = of(kind, subscription, group, namePattern.replace("{i}", String.format(format, i)));
          out.add(tags == null ? f : f.withTags(tags));
        }
      }
    }
    return out;
  }

  /**
   * The cluster with API Server VNet Integration ({@code apiServerAccessProfile.enableVnetIntegration: true} and the
   * delegated API server subnet in {@code subnetId}): AKS documents up to 2,000 authorized ranges for it, and the
   * emulator accepts as many.
   */
  public ClusterFixture withVnetIntegration() {
    String subnet = "/subscriptions/" + subscription + "/resourceGroups/" + resourceGroup
        + "/providers/Microsoft.Network/virtualNetworks/" + name + "-vnet/subnets/apiserver";
    return withEdit(b -> ((ObjectNode) b.path("properties").path("apiServerAccessProfile"))
        .put("enableVnetIntegration", true).put("subnetId", subnet));
  }

  /** Any further change to the body, applied after it is built (and after earlier edits). */
  public ClusterFixture withEdit(Consumer<ObjectNode> edit) {
    List<Consumer<ObjectNode>> more = new ArrayList<>(edits);
    more.add(Objects.requireNonNull(edit, "edit"));
    return new ClusterFixture(kind, subscription, resourceGroup, name, location, authorizedIpRanges,
        effectiveOutboundIpsOverride, more);
  }

  // ---------------------------------------------------------------- accessors

  public Kind kind() {
    return kind;
  }

  public String subscription() {
    return subscription;
  }

  public String resourceGroup() {
    return resourceGroup;
  }

  public String name() {
    return name;
  }

  public String location() {
    return location;
  }

  /** The ARM ID as the service spells it ({@code resourcegroups} lower-case). */
  public String clusterId() {
    return ResourceIds.managedClusterId(subscription, resourceGroup, name);
  }

  /** A fresh copy of the cluster body as a GET returns it (without {@code eTag}; the emulator adds one). */
  public ObjectNode body() {
    return body.deepCopy();
  }

  /** The body's Azure tags, in order (empty when it has none). */
  public Map<String, String> tags() {
    Map<String, String> out = new LinkedHashMap<>();
    body.path("tags").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return Collections.unmodifiableMap(out);
  }

  /** Public IP address resources the body refers to: ID to address. */
  public Map<String, String> publicIps() {
    return Collections.unmodifiableMap(publicIps);
  }

  /** Public IP prefix resources the body refers to: ID to CIDR. */
  public Map<String, String> publicIpPrefixes() {
    return Collections.unmodifiableMap(prefixes);
  }

  /**
   * The subnet, NAT gateway, route table and Azure Firewall resources the cluster's node subnet leads to (copies),
   * for {@link ArmEmulator#putNetworkResource}; empty for clusters in the AKS-managed network.
   */
  public List<ObjectNode> networkResources() {
    return network.stream().map(ObjectNode::deepCopy).toList();
  }

  /** The node pools' subnet ({@code vnetSubnetID}), or null in the AKS-managed network. */
  public String nodeSubnetId() {
    return kind.ownSubnet() ? networkId("virtualNetworks/" + name + "-vnet/subnets/nodes") : null;
  }

  /** Every egress block of the cluster (addresses as /32): what its authorized ranges must include (R10, R11). */
  public List<String> egressCidrs() {
    List<String> out = new ArrayList<>();
    publicIps.values().forEach(a -> out.add(a + "/32"));
    out.addAll(prefixes.values());
    return out;
  }

  // ---------------------------------------------------------------- the body

  private ObjectNode build() {
    String id = clusterId();
    String nodeResourceGroup = "MC_" + resourceGroup + "_" + name + "_" + location;
    long block = addressBlock(id);
    String hash = Long.toHexString(block & 0xFFFFFFL);

    ObjectNode c = JSON.objectNode();
    c.put("id", id);
    c.put("location", location);
    c.put("name", name);
    ObjectNode tags = c.putObject("tags");
    tags.put("environment", "production");
    tags.put("costCenter", "platform-" + (block % 97));
    tags.put("owner", "team-kubernetes");
    c.put("type", "Microsoft.ContainerService/ManagedClusters");
    c.put("kind", "Base");
    ObjectNode sku = c.putObject("sku");
    sku.put("name", "Base");
    sku.put("tier", kind == Kind.BASIC_LOAD_BALANCER ? "Free" : "Standard");
    ObjectNode identity = c.putObject("identity");
    identity.put("type", "SystemAssigned");
    identity.put("principalId", guid(id, "principal"));
    identity.put("tenantId", ArmEmulator.DEFAULT_TENANT_ID);

    ObjectNode p = c.putObject("properties");
    p.put("provisioningState", "Succeeded");
    p.putObject("powerState").put("code", "Running");
    p.put("maxAgentPools", 100);
    p.put("kubernetesVersion", KUBERNETES_VERSION.substring(0, KUBERNETES_VERSION.lastIndexOf('.')));
    p.put("currentKubernetesVersion", KUBERNETES_VERSION);
    p.put("dnsPrefix", name + "-dns");
    if (kind == Kind.PRIVATE_CLUSTER) {
      p.put("privateFQDN", name + "-dns-" + hash + "." + guid(id, "privatelink") + ".privatelink." + location
          + ".azmk8s.io");
    } else {
      p.put("fqdn", name + "-dns-" + hash + ".hcp." + location + ".azmk8s.io");
      p.put("azurePortalFQDN", name + "-dns-" + hash + ".portal.hcp." + location + ".azmk8s.io");
    }
    ArrayNode pools = p.putArray("agentPoolProfiles");
    pools.add(agentPool("system", "System", 3, "Standard_D4ds_v5", false, null));
    switch (kind) {
      case NODE_PUBLIC_IP_PREFIX: {
        String prefixId = ResourceIds.publicIpPrefixId(subscription, resourceGroup, name + "-nodes-prefix");
        prefixes.put(prefixId, address(block + 32) + "/28");
        pools.add(agentPool("edge", "User", 2, "Standard_D8ds_v5", true, prefixId));
        break;
      }
      case NODE_PUBLIC_IP_WITHOUT_PREFIX:
        pools.add(agentPool("edge", "User", 2, "Standard_D8ds_v5", true, null));
        break;
      default:
        pools.add(agentPool("user", "User", 4, "Standard_D8ds_v5", false, null));
    }
    if (kind.ownSubnet()) {
      pools.forEach(pool -> ((ObjectNode) pool).put("vnetSubnetID", nodeSubnetId()));
      buildNetwork(block);
    }
    ObjectNode linux = p.putObject("linuxProfile");
    linux.put("adminUsername", "azureuser");
    linux.putObject("ssh").putArray("publicKeys").addObject()
        .put("keyData", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + hash + " azureuser@" + name);
    p.putObject("windowsProfile").put("adminUsername", "azureuser").put("enableCSIProxy", true);
    p.putObject("servicePrincipalProfile").put("clientId", "msi");
    ObjectNode addons = p.putObject("addonProfiles");
    addons.putObject("azurepolicy").put("enabled", true).putNull("config");
    ObjectNode oms = addons.putObject("omsagent");
    oms.put("enabled", true);
    oms.putObject("config").put("logAnalyticsWorkspaceResourceID", "/subscriptions/" + subscription
        + "/resourceGroups/monitoring/providers/Microsoft.OperationalInsights/workspaces/logs-" + location)
        .put("useAADAuth", "true");
    ObjectNode kv = addons.putObject("azureKeyvaultSecretsProvider");
    kv.put("enabled", true);
    kv.putObject("config").put("enableSecretRotation", "true").put("rotationPollInterval", "2m");
    kv.putObject("identity").put("resourceId", "/subscriptions/" + subscription + "/resourcegroups/"
        + nodeResourceGroup + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/"
        + "azurekeyvaultsecretsprovider-" + name).put("clientId", guid(id, "kv-client"))
        .put("objectId", guid(id, "kv-object"));
    p.put("nodeResourceGroup", nodeResourceGroup);
    p.putObject("nodeResourceGroupProfile").put("restrictionLevel", "Unrestricted");
    p.put("enableRBAC", true);
    p.put("supportPlan", "KubernetesOfficial");
    p.put("disableLocalAccounts", true);
    ObjectNode aad = p.putObject("aadProfile");
    aad.put("managed", true);
    aad.put("enableAzureRBAC", true);
    aad.putArray("adminGroupObjectIDs").add(guid(id, "admins"));
    aad.put("tenantID", ArmEmulator.DEFAULT_TENANT_ID);
    p.set("networkProfile", networkProfile(id, nodeResourceGroup, block));
    ObjectNode autoScaler = p.putObject("autoScalerProfile");
    autoScaler.put("balance-similar-node-groups", "false");
    autoScaler.put("expander", "random");
    autoScaler.put("max-graceful-termination-sec", "600");
    autoScaler.put("scan-interval", "10s");
    autoScaler.put("scale-down-delay-after-add", "10m");
    autoScaler.put("scale-down-unneeded-time", "10m");
    autoScaler.put("skip-nodes-with-system-pods", "true");
    ObjectNode upgrade = p.putObject("autoUpgradeProfile");
    upgrade.put("upgradeChannel", "patch");
    upgrade.put("nodeOSUpgradeChannel", "NodeImage");
    p.set("apiServerAccessProfile", apiServerAccessProfile());
    ObjectNode kubelet = p.putObject("identityProfile").putObject("kubeletidentity");
    kubelet.put("resourceId", "/subscriptions/" + subscription + "/resourcegroups/" + nodeResourceGroup
        + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + name + "-agentpool");
    kubelet.put("clientId", guid(id, "kubelet-client"));
    kubelet.put("objectId", guid(id, "kubelet-object"));
    ObjectNode security = p.putObject("securityProfile");
    security.putObject("imageCleaner").put("enabled", true).put("intervalHours", 168);
    security.putObject("workloadIdentity").put("enabled", true);
    ObjectNode storage = p.putObject("storageProfile");
    storage.putObject("diskCSIDriver").put("enabled", true);
    storage.putObject("fileCSIDriver").put("enabled", true);
    storage.putObject("snapshotController").put("enabled", true);
    ObjectNode oidc = p.putObject("oidcIssuerProfile");
    oidc.put("enabled", true);
    oidc.put("issuerURL", "https://" + location + ".oic.prod-aks.azure.com/" + ArmEmulator.DEFAULT_TENANT_ID + "/"
        + guid(id, "oidc") + "/");
    p.putObject("workloadAutoScalerProfile").putObject("keda").put("enabled", false);
    p.putObject("metricsProfile").putObject("costAnalysis").put("enabled", false);
    p.put("resourceUID", hash + "0123456789abcdef");
    p.putObject("nodeProvisioningProfile").put("mode", "Manual").put("defaultNodePools", "Auto");
    p.putObject("bootstrapProfile").put("artifactSource", "Direct");
    // Fields of a newer api-version than the SDK's model (AKS returns them): a client must send them back as read.
    ObjectNode future = p.putObject("futureProfile");
    future.put("enabled", true);
    future.putArray("modes").add("Preview").add("Managed");
    c.put("futureTopLevelField", "kept");
    return c;
  }

  private ObjectNode agentPool(String poolName, String mode, int count, String vmSize, boolean nodePublicIp,
      String nodePublicIpPrefixId) {
    ObjectNode a = JSON.objectNode();
    a.put("name", poolName);
    a.put("count", count);
    a.put("vmSize", vmSize);
    a.put("osDiskSizeGB", 128);
    a.put("osDiskType", "Ephemeral");
    a.put("kubeletDiskType", "OS");
    a.put("maxPods", 110);
    a.put("type", "VirtualMachineScaleSets");
    a.putArray("availabilityZones").add("1").add("2").add("3");
    a.put("enableAutoScaling", !mode.equals("System"));
    if (!mode.equals("System")) {
      a.put("minCount", 1);
      a.put("maxCount", 10);
    }
    a.put("scaleDownMode", "Delete");
    a.putObject("powerState").put("code", "Running");
    a.put("orchestratorVersion", KUBERNETES_VERSION);
    a.put("currentOrchestratorVersion", KUBERNETES_VERSION);
    a.put("enableNodePublicIP", nodePublicIp);
    if (nodePublicIpPrefixId != null) {
      a.put("nodePublicIPPrefixID", nodePublicIpPrefixId);
    }
    a.put("mode", mode);
    a.put("osType", "Linux");
    a.put("osSKU", "Ubuntu");
    a.put("nodeImageVersion", "AKSUbuntu-2204gen2containerd-202507.21.0");
    a.putObject("upgradeSettings").put("maxSurge", "33%").put("maxUnavailable", "0");
    a.put("provisioningState", "Succeeded");
    a.put("enableFIPS", false);
    a.put("enableEncryptionAtHost", false);
    a.put("enableUltraSSD", false);
    ObjectNode labels = a.putObject("nodeLabels");
    labels.put("workload", mode.toLowerCase(Locale.ROOT));
    if (mode.equals("System")) {
      a.putArray("nodeTaints").add("CriticalAddonsOnly=true:NoSchedule");
    } else {
      a.putArray("nodeTaints");
    }
    a.putObject("securityProfile").put("enableVTPM", false).put("enableSecureBoot", false);
    return a;
  }

  private ObjectNode networkProfile(String id, String nodeResourceGroup, long block) {
    ObjectNode n = JSON.objectNode();
    boolean basic = kind == Kind.BASIC_LOAD_BALANCER;
    n.put("networkPlugin", basic ? "kubenet" : "azure");
    if (!basic) {
      n.put("networkPluginMode", "overlay");
      n.put("networkPolicy", "cilium");
      n.put("networkDataplane", "cilium");
    }
    n.put("podCidr", "10.244.0.0/16");
    n.put("serviceCidr", "10.0.0.0/16");
    n.put("dnsServiceIP", "10.0.0.10");
    n.put("outboundType", switch (kind) {
      case MANAGED_NAT_GATEWAY -> "managedNATGateway";
      case USER_ASSIGNED_NAT_GATEWAY -> "userAssignedNATGateway";
      case USER_DEFINED_ROUTING_FIREWALL, USER_DEFINED_ROUTING_APPLIANCE -> "userDefinedRouting";
      default -> "loadBalancer";
    });
    n.put("loadBalancerSku", basic ? "basic" : "standard");
    switch (kind) {
      case BASIC_LOAD_BALANCER, USER_ASSIGNED_NAT_GATEWAY, USER_DEFINED_ROUTING_FIREWALL,
          USER_DEFINED_ROUTING_APPLIANCE:
        // No outbound rules: egress is the subnet's NAT gateway or route.
        break;
      case MANAGED_NAT_GATEWAY: {
        ObjectNode nat = n.putObject("natGatewayProfile");
        nat.putObject("managedOutboundIPProfile").put("count", 2);
        nat.put("idleTimeoutInMinutes", 4);
        nat.set("effectiveOutboundIPs", references(effectiveIps(id, nodeResourceGroup, block)));
        break;
      }
      case LOAD_BALANCER_CUSTOM_OUTBOUND: {
        ObjectNode lb = n.putObject("loadBalancerProfile");
        Map<String, String> custom = new LinkedHashMap<>();
        custom.put(ResourceIds.publicIpId(subscription, resourceGroup, name + "-egress-1"), address(block + 1));
        custom.put(ResourceIds.publicIpId(subscription, resourceGroup, name + "-egress-2"), address(block + 2));
        publicIps.putAll(custom);
        String prefixId = ResourceIds.publicIpPrefixId(subscription, resourceGroup, name + "-egress-prefix");
        prefixes.put(prefixId, address(block + 16) + "/28");
        lb.putObject("outboundIPs").set("publicIPs", references(custom.keySet()));
        lb.putObject("outboundIPPrefixes").set("publicIPPrefixes", references(List.of(prefixId)));
        lb.set("effectiveOutboundIPs", references(custom.keySet()));
        lb.put("allocatedOutboundPorts", 0);
        lb.put("idleTimeoutInMinutes", 30);
        lb.put("backendPoolType", "NodeIPConfiguration");
        break;
      }
      default: {
        ObjectNode lb = n.putObject("loadBalancerProfile");
        lb.putObject("managedOutboundIPs").put("count", 2);
        lb.set("effectiveOutboundIPs", references(effectiveIps(id, nodeResourceGroup, block)));
        lb.put("allocatedOutboundPorts", 0);
        lb.put("idleTimeoutInMinutes", 30);
        lb.put("backendPoolType", "NodeIPConfiguration");
      }
    }
    n.putArray("podCidrs").add("10.244.0.0/16");
    n.putArray("serviceCidrs").add("10.0.0.0/16");
    n.putArray("ipFamilies").add("IPv4");
    return n;
  }

  private List<String> effectiveIps(String id, String nodeResourceGroup, long block) {
    Map<String, String> ips = effectiveOutboundIpsOverride;
    if (ips == null) {
      ips = new LinkedHashMap<>();
      ips.put(ResourceIds.publicIpId(subscription, nodeResourceGroup, guid(id, "outbound-1")), address(block + 1));
      ips.put(ResourceIds.publicIpId(subscription, nodeResourceGroup, guid(id, "outbound-2")), address(block + 2));
    }
    publicIps.putAll(ips);
    return List.copyOf(ips.keySet());
  }

  private ObjectNode apiServerAccessProfile() {
    ObjectNode a = JSON.objectNode();
    if (authorizedIpRanges != null) {
      ArrayNode ranges = a.putArray("authorizedIPRanges");
      authorizedIpRanges.forEach(ranges::add);
    }
    a.put("enablePrivateCluster", kind == Kind.PRIVATE_CLUSTER);
    if (kind == Kind.PRIVATE_CLUSTER) {
      a.put("privateDNSZone", "system");
      a.put("enablePrivateClusterPublicFQDN", false);
    }
    a.put("disableRunCommand", false);
    return a;
  }

  private String networkId(String typeAndName) {
    return "/subscriptions/" + subscription + "/resourceGroups/" + resourceGroup + "/providers/Microsoft.Network/"
        + typeAndName;
  }

  /** The node subnet and what it leads to, by kind; addresses from this cluster's /26, private ones from 10/8. */
  private void buildNetwork(long block) {
    int h = (int) ((block - (20L << 24 | 64L << 16)) / 64);
    String vnet = "virtualNetworks/" + name + "-vnet";
    ObjectNode subnet = JSON.objectNode();
    subnet.put("id", nodeSubnetId());
    subnet.put("name", "nodes");
    subnet.put("type", "Microsoft.Network/virtualNetworks/subnets");
    ObjectNode sp = subnet.putObject("properties");
    sp.put("addressPrefix", "10." + (h >>> 8 & 255) + "." + (h & 255) + ".0/25");
    sp.put("privateEndpointNetworkPolicies", "Disabled");
    network.add(subnet);
    if (kind == Kind.USER_ASSIGNED_NAT_GATEWAY) {
      String natId = networkId("natGateways/" + name + "-natgw");
      String ip = ResourceIds.publicIpId(subscription, resourceGroup, name + "-natgw-ip");
      String prefix = ResourceIds.publicIpPrefixId(subscription, resourceGroup, name + "-natgw-prefix");
      publicIps.put(ip, address(block + 1));
      prefixes.put(prefix, address(block + 16) + "/28");
      sp.putObject("natGateway").put("id", natId);
      ObjectNode nat = JSON.objectNode();
      nat.put("id", natId);
      nat.put("location", location);
      nat.putObject("sku").put("name", "Standard");
      ObjectNode np = nat.putObject("properties");
      np.put("idleTimeoutInMinutes", 4);
      np.set("publicIpAddresses", references(List.of(ip)));
      np.set("publicIpPrefixes", references(List.of(prefix)));
      np.set("subnets", references(List.of(nodeSubnetId())));
      network.add(nat);
      return;
    }
    String applianceIp = "10." + (h >>> 8 & 255) + "." + (h & 255) + "."
        + (kind == Kind.USER_DEFINED_ROUTING_FIREWALL ? 132 : 200);
    String tableId = networkId("routeTables/" + name + "-udr");
    sp.putObject("routeTable").put("id", tableId);
    ObjectNode table = JSON.objectNode();
    table.put("id", tableId);
    table.put("location", location);
    ObjectNode tp = table.putObject("properties");
    tp.put("disableBgpRoutePropagation", true);
    ArrayNode routes = tp.putArray("routes");
    ObjectNode route = routes.addObject();
    route.put("name", "default-egress");
    route.put("id", tableId + "/routes/default-egress");
    route.putObject("properties").put("addressPrefix", "0.0.0.0/0").put("nextHopType", "VirtualAppliance")
        .put("nextHopIpAddress", applianceIp);
    tp.set("subnets", references(List.of(nodeSubnetId())));
    network.add(table);
    if (kind == Kind.USER_DEFINED_ROUTING_FIREWALL) {
      String fwId = networkId("azureFirewalls/" + name + "-fw");
      String ip1 = ResourceIds.publicIpId(subscription, resourceGroup, name + "-fw-ip-1");
      String ip2 = ResourceIds.publicIpId(subscription, resourceGroup, name + "-fw-ip-2");
      publicIps.put(ip1, address(block + 1));
      publicIps.put(ip2, address(block + 2));
      ObjectNode fw = JSON.objectNode();
      fw.put("id", fwId);
      fw.put("location", location);
      ObjectNode fp = fw.putObject("properties");
      fp.putObject("sku").put("name", "AZFW_VNet").put("tier", "Standard");
      fp.put("threatIntelMode", "Alert");
      ArrayNode configs = fp.putArray("ipConfigurations");
      ObjectNode first = configs.addObject();
      first.put("name", "fw-ipconfig-1");
      first.put("id", fwId + "/azureFirewallIpConfigurations/fw-ipconfig-1");
      first.putObject("properties").put("privateIPAddress", applianceIp)
          .<ObjectNode>set("subnet", JSON.objectNode().put("id", networkId(vnet + "/subnets/AzureFirewallSubnet")))
          .set("publicIPAddress", JSON.objectNode().put("id", ip1));
      ObjectNode second = configs.addObject();
      second.put("name", "fw-ipconfig-2");
      second.put("id", fwId + "/azureFirewallIpConfigurations/fw-ipconfig-2");
      second.putObject("properties").set("publicIPAddress", JSON.objectNode().put("id", ip2));
      network.add(fw);
      ObjectNode firewallSubnet = JSON.objectNode();
      firewallSubnet.put("id", networkId(vnet + "/subnets/AzureFirewallSubnet"));
      firewallSubnet.put("name", "AzureFirewallSubnet");
      firewallSubnet.putObject("properties").put("addressPrefix", "10." + (h >>> 8 & 255) + "." + (h & 255)
          + ".128/26");
      network.add(firewallSubnet);
    }
  }

  private static ArrayNode references(Iterable<String> ids) {
    ArrayNode array = JSON.arrayNode();
    ids.forEach(id -> array.addObject().put("id", id));
    return array;
  }

  /** The first address of this cluster's /26 inside 20.64.0.0/10. */
  private static long addressBlock(String clusterId) {
    int h = clusterId.toLowerCase(Locale.ROOT).hashCode() & 0xFFFF;
    return (20L << 24 | 64L << 16) + h * 64L;
  }

  private static String address(long a) {
    return (a >>> 24 & 255) + "." + (a >>> 16 & 255) + "." + (a >>> 8 & 255) + "." + (a & 255);
  }

  private static String guid(String clusterId, String purpose) {
    return UUID.nameUUIDFromBytes((clusterId.toLowerCase(Locale.ROOT) + "#" + purpose)
        .getBytes(StandardCharsets.UTF_8)).toString();
  }
}
