package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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

    assertThat(summary.clusters()).isEqualTo(21);
    ClusterFixture natgw = ClusterFixture.userAssignedNatGateway(EXAMPLES_SUB, "rg-spoke", "aks-spoke-natgw");
    assertThat(arm.cluster(natgw.clusterId()).orElseThrow().at("/properties/agentPoolProfiles/0/vnetSubnetID")
        .asText()).isEqualTo(natgw.nodeSubnetId());
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
          docs.readAll().stream().filter(d -> "AuthorizedIpPolicy".equals(d.path("kind").asText()))
              .forEach(d -> d.path("spec").path("targets").forEach(targets::add));
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

  @Test
  void identitiesGetFederatedCredentialsAndScopes() throws Exception {
    String issuer = "https://oidc.cluster.example/abc";
    String clusterA = ResourceIds.managedClusterId(SUB, "rg-team-a", "aks-a");
    Path seed = write("identities.yaml", """
        managedClusters:
          - {fixture: privateCluster, resourceGroup: rg-team-a, name: aks-a}
          - {fixture: privateCluster, resourceGroup: rg-team-b, name: aks-b}
        identities:
          - clientId: 11111111-1111-4111-8111-111111111111
            federatedCredentials:
              - {issuer: %s, subject: "system:serviceaccount:team-a:authip-tenant"}
            scopes: [/subscriptions/%s/resourceGroups/rg-team-a]
          - clientId: 22222222-2222-4222-8222-222222222222
            scopes: []
        """.formatted(issuer, SUB));
    var keys = TestJwts.rsaKeyPair();
    arm.trustIssuer(issuer, keys.getPublic());

    SeedFile.Summary summary = arm.seed(seed);

    assertThat(summary.identities()).isEqualTo(2);
    assertThat(summary.clusters()).isEqualTo(2);
    ArmTestClient client = new ArmTestClient(arm);
    Function<String, HttpRequest.Builder> exchange = assertion ->
        HttpRequest.newBuilder(URI.create(arm.baseUrl() + "/" + arm.tenantId()
            + "/oauth2/v2.0/token")).header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(ArmTestClient.form(Map.of(
                "grant_type", "client_credentials", "client_id", "11111111-1111-4111-8111-111111111111",
                "scope", "https://management.azure.com/.default", "client_assertion", assertion,
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"))));
    var token = client.send(exchange.apply(TestJwts.sign(TestJwts.serviceAccountClaims(issuer, "team-a",
        "authip-tenant", arm.clock().instant()), keys.getPrivate())));
    assertThat(token.status()).as("the default audience is api://AzureADTokenExchange").isEqualTo(200);
    String bearer = "Bearer " + token.body().get("access_token").asText();
    assertThat(client.send(HttpRequest.newBuilder(client.uri(clusterA)).header("Authorization", bearer)
        .GET()).status()).isEqualTo(200);
    assertThat(client.send(HttpRequest.newBuilder(client.uri(ResourceIds.managedClusterId(SUB,
        "rg-team-b", "aks-b"))).header("Authorization", bearer).GET()).status()).isEqualTo(403);
    assertThat(client.send(exchange.apply(TestJwts.sign(TestJwts.serviceAccountClaims(issuer, "team-b",
        "authip-tenant", arm.clock().instant()), keys.getPrivate()))).status()).isEqualTo(400);
  }

  @Test
  void identityMistakesAreErrorsThatNameTheEntry() throws Exception {
    assertThatThrownBy(() -> arm.seed(write("i1.yaml", "identities:\n  - scopes: [/subscriptions/s]\n")))
        .hasMessageContaining("identities[0]: 'clientId' is required");
    assertThatThrownBy(() -> arm.seed(write("i2.yaml", "identities:\n  - clientId: c\n    role: Owner\n")))
        .hasMessageContaining("identities[0]: unknown key 'role'");
    assertThatThrownBy(() -> arm.seed(write("i3.yaml", "identities:\n  - clientId: c\n")))
        .hasMessageContaining("identities[0]: an identity needs federatedCredentials, scopes or both");
    assertThatThrownBy(() -> arm.seed(write("i4.yaml", "identities:\n  - clientId: c\n    scopes: [rg-team-a]\n")))
        .hasMessageContaining("identities[0].scopes: a scope is an ARM ID").hasMessageContaining("'rg-team-a'");
    assertThatThrownBy(() -> arm.seed(write("i5.yaml", "identities:\n  - clientId: c\n    scopes: /subscriptions/s\n")))
        .hasMessageContaining("identities[0]: scopes must be a list");
    assertThatThrownBy(() -> arm.seed(write("i6.yaml", "identities:\n  - clientId: c\n    federatedCredentials:\n"
        + "      - {issuer: http://plain.example, subject: s}\n")))
        .hasMessageContaining("identities[0].federatedCredentials[0]: issuer 'http://plain.example' must be an "
            + "https URL");
    assertThatThrownBy(() -> arm.seed(write("i7.yaml", "identities:\n  - clientId: c\n    federatedCredentials:\n"
        + "      - {issuer: https://o.example, subject: s, aud: x}\n")))
        .hasMessageContaining("identities[0].federatedCredentials[0]: unknown key 'aud'");
    assertThatThrownBy(() -> arm.seed(write("i8.yaml", "identities:\n  - {clientId: C, scopes: []}\n"
        + "  - {clientId: c, scopes: []}\n"))).hasMessageContaining("identities[1]: clientId 'c' appears twice");
    StringBuilder many = new StringBuilder("identities:\n  - clientId: c\n    federatedCredentials:\n");
    for (int i = 0; i <= 20; i++) {
      many.append("      - {issuer: https://o.example, subject: s").append(i).append("}\n");
    }
    assertThatThrownBy(() -> arm.seed(write("i9.yaml", many.toString())))
        .hasMessageContaining("identities[0].federatedCredentials[20]:").hasMessageContaining("at most 20");
  }
}
