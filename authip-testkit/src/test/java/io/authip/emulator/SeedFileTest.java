package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedFileTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;
  /** The subscription every example under deploy/examples names. */
  private static final String EXAMPLES_SUB = "6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b";

  @TempDir
  Path dir;
  private ArmEmulator arm;

  @BeforeEach
  void start() {
    arm = ArmEmulator.start();
  }

  @AfterEach
  void stop() {
    arm.close();
  }

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void loadsFixturesWithCountsExplicitResourcesAndRawBodies() throws Exception {
    String rawId = ResourceIds.managedClusterId("11111111-2222-3333-4444-555555555555", "rg-raw", "raw");
    Path seed = write("seed.yaml", """
        subscription: %s
        location: northeurope
        publicIPAddresses:
          - id: /subscriptions/%s/resourceGroups/net/providers/Microsoft.Network/publicIPAddresses/office
            ipAddress: 20.50.60.70
        publicIPPrefixes:
          - id: /subscriptions/%s/resourceGroups/net/providers/Microsoft.Network/publicIPPrefixes/ci
            ipPrefix: 20.50.61.0/28
        managedClusters:
          - fixture: managed_nat_gateway
            resourceGroup: rg-a
            name: aks-{i}
            count: 2
            authorizedIPRanges: [20.50.60.70/32]
          - fixture: privateCluster
            subscription: 99999999-2222-3333-4444-555555555555
            resourceGroup: rg-b
            name: private
            location: eastus
          - body:
              id: %s
              location: westus
              eTag: fixed-etag
              properties:
                kubernetesVersion: "1.32"
        """.formatted(SUB, SUB, SUB, rawId));

    SeedFile.Summary summary = arm.seed(seed);

    assertThat(summary).isEqualTo(new SeedFile.Summary(4, 7, 1));
    var first = arm.cluster(ResourceIds.managedClusterId(SUB, "rg-a", "aks-1")).orElseThrow();
    assertThat(first.get("location").asText()).isEqualTo("northeurope");
    assertThat(first.at("/properties/networkProfile/outboundType").asText()).isEqualTo("managedNATGateway");
    assertThat(first.at("/properties/apiServerAccessProfile/authorizedIPRanges/0").asText())
        .isEqualTo("20.50.60.70/32");
    assertThat(arm.cluster(ResourceIds.managedClusterId(SUB, "rg-a", "aks-2"))).isPresent();
    assertThat(arm.cluster(ResourceIds.managedClusterId("99999999-2222-3333-4444-555555555555", "rg-b", "private"))
        .orElseThrow().get("location").asText()).isEqualTo("eastus");
    var raw = arm.cluster(rawId).orElseThrow();
    assertThat(raw.get("eTag").asText()).isEqualTo("fixed-etag");
    assertThat(raw.at("/properties/provisioningState").asText()).isEqualTo("Succeeded");

    ArmTestClient client = new ArmTestClient(arm);
    assertThat(client.get("/subscriptions/" + SUB + "/resourcegroups/NET/providers/microsoft.network/"
        + "publicipaddresses/OFFICE").body().at("/properties/ipAddress").asText()).isEqualTo("20.50.60.70");
    assertThat(client.get("/subscriptions/" + SUB + "/resourceGroups/net/providers/Microsoft.Network/"
        + "publicIPPrefixes/ci").body().at("/properties/ipPrefix").asText()).isEqualTo("20.50.61.0/28");
  }

  @Test
  void clustersCanShareEgress() throws Exception {
    String shared = ResourceIds.publicIpId(SUB, "rg-net", "shared-egress");
    Path seed = write("shared.yaml", """
        managedClusters:
          - fixture: loadBalancerManagedOutbound
            resourceGroup: rg
            name: aks-{i}
            count: 50
            effectiveOutboundIPs:
              - {id: %s, ipAddress: 20.50.62.1}
        """.formatted(shared));

    SeedFile.Summary summary = arm.seed(seed);

    assertThat(summary.clusters()).isEqualTo(50);
    assertThat(arm.cluster(ResourceIds.managedClusterId(SUB, "rg", "aks-37")).orElseThrow()
        .at("/properties/networkProfile/loadBalancerProfile/effectiveOutboundIPs/0/id").asText()).isEqualTo(shared);
    assertThat(new ArmTestClient(arm).get(shared).body().at("/properties/ipAddress").asText())
        .isEqualTo("20.50.62.1");
  }

  @Test
  void jsonIsAcceptedToo() throws Exception {
    Path seed = write("seed.json", """
        {"managedClusters": [{"fixture": "basicLoadBalancer", "resourceGroup": "rg", "name": "basic"}]}
        """);

    assertThat(arm.seed(seed).clusters()).isEqualTo(1);
    assertThat(arm.cluster(ResourceIds.managedClusterId(SUB, "rg", "basic"))).isPresent();
  }

  @Test
  void theShippedExampleLoads() {
    Path shipped = Path.of(System.getProperty("authip.projectDir", "."), "deploy/emulator/seed.yaml");

    SeedFile.Summary summary = arm.seed(shipped);

    assertThat(summary.clusters()).isEqualTo(14);
    assertThat(arm.cluster(ResourceIds.managedClusterId(EXAMPLES_SUB, "rg-prod", "aks-prod-3")).orElseThrow()
        .at("/properties/apiServerAccessProfile/authorizedIPRanges").size()).isEqualTo(2);
    assertThat(arm.cluster(ResourceIds.managedClusterId(EXAMPLES_SUB, "rg-legacy", "aks-basic")).orElseThrow()
        .at("/properties/networkProfile/loadBalancerSku").asText()).isEqualTo("basic");
  }

  @Test
  void theShippedSeedHasTheExamplesSubscriptionAndEveryClusterTheExamplesName() throws Exception {
    Path root = Path.of(System.getProperty("authip.projectDir", "."));
    JsonNode seed = new YAMLMapper().readTree(root.resolve("deploy/emulator/seed.yaml").toFile());
    List<JsonNode> targets = new ArrayList<>();
    try (Stream<Path> files = Files.list(root.resolve("deploy/examples"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        try (var docs = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(f.toFile())) {
          docs.readAll().forEach(d -> d.path("spec").path("targets").forEach(targets::add));
        }
      }
    }
    assertThat(targets).hasSizeGreaterThanOrEqualTo(5);
    assertThat(targets).extracting(t -> t.path("subscriptionId").asText()).containsOnly(EXAMPLES_SUB);
    assertThat(seed.path("subscription").asText()).isEqualTo(EXAMPLES_SUB);

    arm.seed(root.resolve("deploy/emulator/seed.yaml"));
    for (JsonNode t : targets) {
      assertThat(arm.cluster(ResourceIds.managedClusterId(t.path("subscriptionId").asText(),
          t.path("resourceGroup").asText(), t.path("clusterName").asText()))).as(t.toString()).isPresent();
    }
  }

  @Test
  void mistakesAreErrorsThatNameTheEntry() throws Exception {
    assertThatThrownBy(() -> arm.seed(write("a.yaml", "managedClusters:\n  - fixture: huge\n    resourceGroup: rg\n"
        + "    name: x\n"))).hasMessageContaining("managedClusters[0]: unknown fixture 'huge'");
    assertThatThrownBy(() -> arm.seed(write("b.yaml", "managedClusters:\n  - fixture: privateCluster\n"
        + "    resourceGroup: rg\n    name: x\n    count: 3\n"))).hasMessageContaining("the name needs {i}");
    assertThatThrownBy(() -> arm.seed(write("c.yaml", "managedClusters:\n  - body: {location: x}\n")))
        .hasMessageContaining("managedClusters[0]: a managed cluster body needs an \"id\"");
    assertThatThrownBy(() -> arm.seed(write("d.yaml", "publicIPAddresses:\n  - id: /subscriptions/s/resourceGroups/r/"
        + "providers/Microsoft.Network/publicIPPrefixes/p\n    ipAddress: 20.1.2.3\n")))
        .hasMessageContaining("expected a Microsoft.Network/publicIPAddresses ID");
    assertThatThrownBy(() -> arm.seed(write("e.yaml", "clusters: []\n")))
        .hasMessageContaining("unknown key 'clusters'");
    assertThatThrownBy(() -> arm.seed(write("f.yaml", "managedClusters:\n  - fixture: privateCluster\n    name: x\n")))
        .hasMessageContaining("managedClusters[0]: 'resourceGroup' is required");
    assertThatThrownBy(() -> arm.seed(dir.resolve("missing.yaml"))).hasMessageContaining("cannot read seed file");
  }
}
