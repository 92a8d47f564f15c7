package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.resourcemanager.containerservice.fluent.models.ManagedClusterInner;
import com.azure.resourcemanager.containerservice.models.ManagedClusterAgentPoolProfile;
import com.azure.resourcemanager.containerservice.models.ResourceReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ClusterFixtureTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;

  private static ManagedClusterInner typed(ClusterFixture fixture) throws IOException {
    try (JsonReader reader = JsonProviders.createReader(fixture.body().toString())) {
      return ManagedClusterInner.fromJson(reader);
    }
  }

  private static List<String> ids(List<ResourceReference> refs) {
    return refs == null ? List.of() : refs.stream().map(ResourceReference::id).toList();
  }

  @ParameterizedTest
  @EnumSource(ClusterFixture.Kind.class)
  void everyKindIsReadableByTheSdkAndCarriesFieldsAuthipMustLeaveAlone(ClusterFixture.Kind kind) throws IOException {
    ClusterFixture fixture = ClusterFixture.of(kind, SUB, "rg", "aks-" + kind.name().toLowerCase());
    ManagedClusterInner cluster = typed(fixture);

    assertThat(cluster.id()).isEqualTo(fixture.clusterId());
    assertThat(cluster.location()).isEqualTo("westeurope");
    assertThat(cluster.kubernetesVersion()).isNotBlank();
    assertThat(cluster.dnsPrefix()).isNotBlank();
    assertThat(cluster.identity().type()).isNotNull();
    assertThat(cluster.sku().tier()).isNotNull();
    assertThat(cluster.tags()).hasSizeGreaterThanOrEqualTo(3);
    assertThat(cluster.addonProfiles()).containsKeys("azurepolicy", "omsagent");
    assertThat(cluster.agentPoolProfiles()).hasSize(2);
    assertThat(cluster.provisioningState()).isEqualTo("Succeeded");
    assertThat(countLeaves(fixture.body())).isGreaterThan(120);
    // Every resource a body refers to is provided, and nothing else: the cluster's and its network resources'
    // references (their own child IDs, such as a route's, aside).
    Set<String> referenced = new HashSet<>();
    collectIds(fixture.body(), referenced);
    fixture.networkResources().forEach(r -> collectIds(r, referenced));
    Set<String> provided = new HashSet<>(fixture.publicIps().keySet());
    provided.addAll(fixture.publicIpPrefixes().keySet());
    fixture.networkResources().forEach(r -> provided.add(r.path("id").asText()));
    referenced.removeIf(id -> provided.stream().anyMatch(p -> id.startsWith(p + "/")));
    assertThat(referenced).containsExactlyInAnyOrderElementsOf(provided);
    assertThat(fixture.networkResources().isEmpty()).isEqualTo(fixture.nodeSubnetId() == null);
  }

  @Test
  void loadBalancerManagedOutbound() throws IOException {
    ClusterFixture fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "aks");
    var lb = typed(fixture).networkProfile().loadBalancerProfile();

    assertThat(typed(fixture).networkProfile().outboundType().toString()).isEqualTo("loadBalancer");
    assertThat(lb.managedOutboundIPs().count()).isEqualTo(2);
    assertThat(ids(lb.effectiveOutboundIPs())).hasSize(2).containsExactlyElementsOf(fixture.publicIps().keySet())
        .allSatisfy(id -> assertThat(id).contains("/resourcegroups/MC_rg_aks_westeurope/"));
    assertThat(fixture.publicIpPrefixes()).isEmpty();
  }

  @Test
  void loadBalancerCustomOutbound() throws IOException {
    ClusterFixture fixture = ClusterFixture.loadBalancerCustomOutbound(SUB, "rg", "aks");
    var lb = typed(fixture).networkProfile().loadBalancerProfile();

    assertThat(ids(lb.outboundIPs().publicIPs())).hasSize(2).containsExactlyElementsOf(fixture.publicIps().keySet());
    assertThat(ids(lb.outboundIpPrefixes().publicIpPrefixes())).containsExactlyElementsOf(
        fixture.publicIpPrefixes().keySet());
    assertThat(fixture.publicIpPrefixes().values()).singleElement().asString().endsWith("/28");
  }

  @Test
  void managedNatGateway() throws IOException {
    ClusterFixture fixture = ClusterFixture.managedNatGateway(SUB, "rg", "aks");
    var network = typed(fixture).networkProfile();

    assertThat(network.outboundType().toString()).isEqualTo("managedNATGateway");
    assertThat(network.loadBalancerProfile()).isNull();
    assertThat(ids(network.natGatewayProfile().effectiveOutboundIPs())).hasSize(2)
        .containsExactlyElementsOf(fixture.publicIps().keySet());
  }

  @Test
  void nodePoolsWithAndWithoutAPublicIpPrefix() throws IOException {
    ClusterFixture withPrefix = ClusterFixture.nodePublicIpPrefix(SUB, "rg", "aks");
    ClusterFixture without = ClusterFixture.nodePublicIpWithoutPrefix(SUB, "rg", "aks2");

    ManagedClusterAgentPoolProfile edge = typed(withPrefix).agentPoolProfiles().get(1);
    assertThat(edge.enableNodePublicIp()).isTrue();
    assertThat(edge.nodePublicIpPrefixId()).isEqualTo(withPrefix.publicIpPrefixes().keySet().iterator().next());
    ManagedClusterAgentPoolProfile bare = typed(without).agentPoolProfiles().get(1);
    assertThat(bare.enableNodePublicIp()).isTrue();
    assertThat(bare.nodePublicIpPrefixId()).isNull();
    assertThat(typed(without).agentPoolProfiles().get(0).enableNodePublicIp()).isFalse();
  }

  @Test
  void privateAndBasicLoadBalancerClusters() throws IOException {
    ManagedClusterInner privateCluster = typed(ClusterFixture.privateCluster(SUB, "rg", "aks"));
    ManagedClusterInner basic = typed(ClusterFixture.basicLoadBalancer(SUB, "rg", "aks2"));

    assertThat(privateCluster.apiServerAccessProfile().enablePrivateCluster()).isTrue();
    assertThat(privateCluster.privateFqdn()).isNotBlank();
    assertThat(privateCluster.fqdn()).isNull();
    assertThat(basic.networkProfile().loadBalancerSku().toString()).isEqualTo("basic");
    assertThat(basic.networkProfile().loadBalancerProfile()).isNull();
  }

  @Test
  void addressesArePublicAlignedAndStablePerCluster() {
    ClusterFixture a = ClusterFixture.nodePublicIpPrefix(SUB, "rg", "aks");
    ClusterFixture again = ClusterFixture.nodePublicIpPrefix(SUB, "RG", "aks");

    assertThat(a.egressCidrs()).isEqualTo(again.egressCidrs());
    assertThat(a.egressCidrs()).hasSize(3).allSatisfy(cidr -> {
      assertThat(cidr).startsWith("20.");
      int second = Integer.parseInt(cidr.split("\\.")[1]);
      assertThat(second).isBetween(64, 127);
    });
    String prefix = a.publicIpPrefixes().values().iterator().next();
    int last = Integer.parseInt(prefix.substring(prefix.lastIndexOf('.') + 1, prefix.indexOf('/')));
    assertThat(last % 16).isZero();
  }

  @Test
  void variations() throws IOException {
    String shared = ResourceIds.publicIpId(SUB, "rg-net", "shared-egress");
    ClusterFixture fixture = ClusterFixture.managedNatGateway(SUB, "rg", "aks")
        .withAuthorizedIpRanges("20.30.40.0/24", "20.50.60.70")
        .withLocation("northeurope")
        .withEffectiveOutboundIps(Map.of(shared, "20.99.0.1"))
        .withEdit(body -> body.with("tags").put("extra", "yes"));

    ManagedClusterInner cluster = typed(fixture);
    assertThat(cluster.apiServerAccessProfile().authorizedIpRanges()).containsExactly("20.30.40.0/24", "20.50.60.70");
    assertThat(cluster.location()).isEqualTo("northeurope");
    assertThat(ids(cluster.networkProfile().natGatewayProfile().effectiveOutboundIPs())).containsExactly(shared);
    assertThat(fixture.publicIps()).containsExactly(Map.entry(shared, "20.99.0.1"));
    assertThat(cluster.tags()).containsEntry("extra", "yes");
    assertThat(typed(fixture.withoutAuthorizedIpRanges()).apiServerAccessProfile().authorizedIpRanges()).isNull();
    assertThatThrownBy(() -> ClusterFixture.basicLoadBalancer(SUB, "rg", "b").withEffectiveOutboundIps(Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClusterFixture.basicLoadBalancer(SUB, "rg/x", "b"))
        .hasMessageContaining("resourceGroup must be a non-blank name without '/'");
  }

  @Test
  void bodyIsACopy() {
    ClusterFixture fixture = ClusterFixture.privateCluster(SUB, "rg", "aks");
    ObjectNode body = fixture.body();
    body.put("location", "elsewhere");

    assertThat(fixture.body().get("location").asText()).isEqualTo("westeurope");
  }

  private static int countLeaves(JsonNode node) {
    if (node.isContainerNode()) {
      int n = 0;
      for (JsonNode child : node) {
        n += countLeaves(child);
      }
      return n;
    }
    return 1;
  }

  private static void collectIds(JsonNode node, Set<String> out) {
    node.fields().forEachRemaining(e -> {
      if ((e.getKey().equals("id") || e.getKey().equals("nodePublicIPPrefixID") || e.getKey().equals("vnetSubnetID"))
          && e.getValue().isTextual()
          && e.getValue().asText().contains("/Microsoft.Network/")) {
        out.add(e.getValue().asText());
      }
    });
    List<JsonNode> children = new ArrayList<>();
    node.elements().forEachRemaining(children::add);
    children.forEach(child -> collectIds(child, out));
  }
}
