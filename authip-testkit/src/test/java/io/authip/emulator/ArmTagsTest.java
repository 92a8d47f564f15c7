package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.emulator.ArmTestClient.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Azure tags on clusters: from fixtures, seed files and the emulator's methods; kept, replaced and checked by PUTs. */
class ArmTagsTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;

  private ArmEmulator arm;
  private ArmTestClient client;
  private ClusterFixture fixture;

  @BeforeEach
  void start() {
    arm = ArmEmulator.builder().operationDuration(Duration.ZERO).start();
    client = new ArmTestClient(arm);
    fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "aks")
        .withTags(Map.of("team", "payments")).withTag("tier", "gold");
    arm.seed(fixture);
  }

  @AfterEach
  void stop() {
    arm.close();
  }

  @Test
  void fixtureTagsAreServedByGetAndList() {
    assertThat(fixture.tags()).containsExactly(Map.entry("team", "payments"), Map.entry("tier", "gold"));
    assertThat(client.get(fixture.clusterId()).body().get("tags").toString())
        .isEqualTo("{\"team\":\"payments\",\"tier\":\"gold\"}");
    assertThat(client.get("/subscriptions/" + SUB + "/providers/Microsoft.ContainerService/managedClusters").body()
        .at("/value/0/tags/tier").asText()).isEqualTo("gold");
    assertThat(ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "x").tags()).containsKeys("environment",
        "costCenter", "owner");
  }

  @Test
  void tagAndUntagChangeTheTagsOutOfBandWithANewETag() {
    String before = arm.eTag(fixture.clusterId());

    String tagged = arm.tagCluster(fixture.clusterId(), Map.of("TEAM", "identity", "ring", "1"));
    assertThat(tagged).isNotEqualTo(before).isEqualTo(arm.eTag(fixture.clusterId()));
    assertThat(arm.tags(fixture.clusterId())).containsOnly(Map.entry("tier", "gold"), Map.entry("TEAM", "identity"),
        Map.entry("ring", "1"));

    String untagged = arm.untagCluster(fixture.clusterId(), "team", "absent");
    assertThat(untagged).isNotEqualTo(tagged);
    assertThat(arm.tags(fixture.clusterId())).containsOnly(Map.entry("tier", "gold"), Map.entry("ring", "1"));
    assertThatThrownBy(() -> arm.tagCluster(fixture.clusterId(), Map.of("a/b", "c")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a/b");
  }

  @Test
  void aPutReplacesTheTagsAsSentAndOneWithoutTagsLeavesNone() {
    ObjectNode body = (ObjectNode) client.get(fixture.clusterId()).body();
    body.putObject("tags").put("owner", "someone-else");

    assertThat(client.put(fixture.clusterId(), body, null).status()).isEqualTo(200);
    assertThat(arm.tags(fixture.clusterId())).containsExactly(Map.entry("owner", "someone-else"));

    body.remove("tags");
    assertThat(client.put(fixture.clusterId(), body, null).status()).isEqualTo(200);
    assertThat(arm.cluster(fixture.clusterId()).orElseThrow().has("tags")).isFalse();
  }

  @Test
  void tagsAzureWouldRefuseAre400AndChangeNothing() {
    ObjectNode read = (ObjectNode) client.get(fixture.clusterId()).body();
    String eTag = arm.eTag(fixture.clusterId());
    Map<String, ObjectNode> bad = new LinkedHashMap<>();
    ObjectNode notString = read.deepCopy();
    notString.putObject("tags").put("count", 3);
    bad.put("InvalidRequestContent", notString);
    ObjectNode slash = read.deepCopy();
    slash.putObject("tags").put("authip.io/owner", "x");
    bad.put("InvalidTagName", slash);
    ObjectNode tooMany = read.deepCopy();
    ObjectNode many = tooMany.putObject("tags");
    for (int i = 0; i < 51; i++) {
      many.put("t" + i, "v");
    }
    bad.put("InvalidTag", tooMany);
    ObjectNode longValue = read.deepCopy();
    longValue.putObject("tags").put("note", "x".repeat(257));
    bad.put("InvalidTagValue", longValue);

    bad.forEach((code, body) -> {
      Reply reply = client.put(fixture.clusterId(), body, null);
      assertThat(reply.status()).as(code).isEqualTo(400);
      assertThat(reply.body().at("/error/code").asText()).isEqualTo(code);
    });
    ObjectNode patch = ArmTestClient.JSON.createObjectNode();
    patch.putObject("tags").put("n", 1);
    assertThat(client.patch(fixture.clusterId(), patch, null).status()).isEqualTo(400);
    assertThat(arm.eTag(fixture.clusterId())).isEqualTo(eTag);
  }

  @Test
  void aSeedFileGivesFixtureEntriesTagsWithTheirIndex(@TempDir Path dir) throws Exception {
    Path seed = dir.resolve("seed.yaml");
    Files.writeString(seed, """
        managedClusters:
          - fixture: managedNatGateway
            resourceGroup: rg-seed
            name: aks-{i}
            count: 2
            tags: {team: payments, ring: "{i}", replicas: 3}
        """);

    assertThat(arm.seed(seed).clusters()).isEqualTo(2);

    assertThat(arm.tags(ResourceIds.managedClusterId(SUB, "rg-seed", "aks-2")))
        .containsExactly(Map.entry("team", "payments"), Map.entry("ring", "2"), Map.entry("replicas", "3"));
    Files.writeString(seed, """
        managedClusters:
          - {fixture: managedNatGateway, resourceGroup: rg-seed, name: bad, tags: [a]}
        """);
    assertThatThrownBy(() -> arm.seed(seed)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tags must be a mapping");
  }

  @Test
  void aFleetIsMadeAcrossSubscriptionsAndResourceGroupsWithTags() {
    List<ClusterFixture> fleet = ClusterFixture.fleet(ClusterFixture.Kind.LOAD_BALANCER_MANAGED_OUTBOUND,
        List.of("sub-a", "sub-b"), List.of("rg-1", "rg-2", "rg-3"), 12, "aks-{i}", Map.of("fleet", "bench"));

    assertThat(arm.seedAll(fleet)).isEqualTo(72);

    assertThat(fleet.get(0).clusterId()).isEqualTo(ResourceIds.managedClusterId("sub-a", "rg-1", "aks-01"));
    assertThat(fleet.get(71).clusterId()).isEqualTo(ResourceIds.managedClusterId("sub-b", "rg-3", "aks-12"));
    assertThat(arm.tags(fleet.get(40).clusterId())).containsExactly(Map.entry("fleet", "bench"));
    assertThat(client.get("/subscriptions/sub-b/resourceGroups/rg-2/providers/Microsoft.ContainerService/"
        + "managedClusters").body().get("value")).hasSize(12);
    assertThatThrownBy(() -> ClusterFixture.fleet(ClusterFixture.Kind.LOAD_BALANCER_MANAGED_OUTBOUND,
        List.of("s"), List.of("g"), 2, "aks", null)).isInstanceOf(IllegalArgumentException.class);
  }
}
