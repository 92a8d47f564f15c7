package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.emulator.ArmTestClient.Reply;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The service's checks of authorizedIPRanges on PUT, over HTTPS. */
class AuthorizedRangesValidationTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;
  private static ArmEmulator arm;
  private static ArmTestClient client;

  @BeforeAll
  static void start() {
    arm = ArmEmulator.builder().operationDuration(Duration.ZERO).start();
    client = new ArmTestClient(arm);
  }

  @AfterAll
  static void stop() {
    arm.close();
  }

  /** Seeds a fresh cluster, PUTs it back with these ranges, returns the answer. */
  private static Reply putRanges(ClusterFixture fixture, List<String> ranges) {
    arm.seed(fixture);
    JsonNode read = client.get(fixture.clusterId()).body();
    ObjectNode body = read.deepCopy();
    ArrayNode array = ((ObjectNode) body.at("/properties/apiServerAccessProfile")).putArray("authorizedIPRanges");
    ranges.forEach(array::add);
    return client.put(fixture.clusterId(), body, read.get("eTag").asText());
  }

  private static ClusterFixture standard(String name) {
    return ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-validation", name);
  }

  private static void assertRejected(Reply reply, String messagePart) {
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.body().at("/error/code").asText()).isEqualTo("InvalidParameter");
    assertThat(reply.body().at("/error/message").asText()).contains(messagePart);
  }

  @Test
  void acceptsValidRangesAndStoresBareAddressesAsSlash32() {
    ClusterFixture fixture = standard("ok");
    Reply reply = putRanges(fixture, List.of("20.30.40.0/24", "52.1.2.3", "10.0.0.0/8"));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(arm.cluster(fixture.clusterId()).orElseThrow().at("/properties/apiServerAccessProfile/authorizedIPRanges")
        .toString()).isEqualTo("[\"20.30.40.0/24\",\"52.1.2.3/32\",\"10.0.0.0/8\"]");
  }

  @Test
  void r2RefusesHostBitsAndSaysWhichRangeWasMeant() {
    assertRejected(putRanges(standard("r2"), List.of("137.117.106.90/29")),
        "'137.117.106.90/29' is invalid: a CIDR must start with the first address of its range, e.g. "
            + "'137.117.106.88/29'");
  }

  @Test
  void r4RefusesMoreThan200Entries() {
    List<String> ranges = IntStream.range(0, 201).mapToObj(i -> "20.40." + i + ".0/24").toList();

    assertRejected(putRanges(standard("r4"), ranges),
        "The number of APIServer Authorized IP Ranges is greater than the allowed value 200");
    assertThat(putRanges(standard("r4-ok"), ranges.subList(0, 200)).status()).isEqualTo(200);
  }

  @Test
  void vnetIntegratedClustersAccept2000EntriesAndNoMore() {
    List<String> ranges = IntStream.range(0, 2001)
        .mapToObj(i -> "20." + (40 + i / 256) + "." + (i % 256) + ".0/24").toList();
    ClusterFixture vnet = standard("vnet").withVnetIntegration();

    assertThat(putRanges(vnet, ranges.subList(0, 2000)).status()).isEqualTo(200);
    assertThat(arm.cluster(vnet.clusterId()).orElseThrow()
        .at("/properties/apiServerAccessProfile/authorizedIPRanges").size()).isEqualTo(2000);
    assertRejected(putRanges(standard("vnet-over").withVnetIntegration(), ranges),
        "The number of APIServer Authorized IP Ranges is greater than the allowed value 2000");
    assertRejected(putRanges(standard("no-vnet"), ranges.subList(0, 201)),
        "The number of APIServer Authorized IP Ranges is greater than the allowed value 200.");
  }

  @Test
  void r5RefusesLoadBalancerOnlyWithOtherRanges() {
    assertRejected(putRanges(standard("r5"), List.of("0.0.0.0/32", "20.30.40.0/24")),
        "Setting apiServerAuthorizedIPRange to 0.0.0.0/32 is not allowed with other IP ranges");
    assertThat(putRanges(standard("r5-ok"), List.of("0.0.0.0/32")).status()).isEqualTo(200);
  }

  @Test
  void r8RefusesRangesOnAPrivateCluster() {
    assertRejected(putRanges(ClusterFixture.privateCluster(SUB, "rg-validation", "r8"), List.of("20.30.40.0/24")),
        "Private cluster cannot be enabled with AuthorizedIPRanges");
    assertThat(putRanges(ClusterFixture.privateCluster(SUB, "rg-validation", "r8-empty"), List.of()).status())
        .isEqualTo(200);
  }

  @Test
  void r9RefusesNewlyEnablingRangesOnBasicLoadBalancerButKeepsExistingOnesChangeable() {
    assertRejected(putRanges(ClusterFixture.basicLoadBalancer(SUB, "rg-validation", "r9"), List.of("20.30.40.0/24")),
        "Basic SKU load balancer");
    ClusterFixture restricted = ClusterFixture.basicLoadBalancer(SUB, "rg-validation", "r9-existing")
        .withAuthorizedIpRanges("20.30.40.0/24");
    assertThat(putRanges(restricted, List.of("20.30.41.0/24")).status()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2001:db8::/32", "::1", "garbage", "20.30.40", "20.30.40.0/33", "256.1.1.1", "020.1.2.3",
      "20.30.40.0/", " 20.30.40.0/24", "AzureCloud"})
  void refusesAnythingButIpv4(String entry) {
    Reply reply = putRanges(standard("bad-" + Integer.toHexString(entry.hashCode())), List.of(entry));

    assertRejected(reply, "'" + entry + "' is invalid");
  }

  @Test
  void refusesNonStringEntriesAndNonArrays() {
    ClusterFixture fixture = standard("types");
    arm.seed(fixture);
    JsonNode read = client.get(fixture.clusterId()).body();
    ObjectNode body = read.deepCopy();
    ((ObjectNode) body.at("/properties/apiServerAccessProfile")).put("authorizedIPRanges", "20.30.40.0/24");

    assertRejected(client.put(fixture.clusterId(), body, null), "must be an array");
    ((ObjectNode) body.at("/properties/apiServerAccessProfile")).putArray("authorizedIPRanges").add(42);
    assertRejected(client.put(fixture.clusterId(), body, null), "must be a string");
  }

  @Test
  void anEmptyListSwitchesTheRestrictionOffAsInAzure() {
    ClusterFixture fixture = standard("empty").withAuthorizedIpRanges("20.30.40.0/24");

    assertThat(putRanges(fixture, List.of()).status()).isEqualTo(200);
    assertThat(arm.cluster(fixture.clusterId()).orElseThrow()
        .at("/properties/apiServerAccessProfile/authorizedIPRanges").isEmpty()).isTrue();
  }

  @Test
  void refusesBodiesThatAreNotClusters() {
    ClusterFixture fixture = standard("shape");
    arm.seed(fixture);
    ObjectNode noLocation = fixture.body();
    noLocation.remove("location");
    ObjectNode moved = fixture.body().put("location", "eastus");

    assertThat(client.put(fixture.clusterId(), noLocation, null).body().at("/error/code").asText())
        .isEqualTo("LocationRequired");
    assertThat(client.put(fixture.clusterId(), moved, null).status()).isEqualTo(400);
    Reply notJson = client.send(client.authorized(fixture.clusterId()).header("Content-Type", "application/json")
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{not json")));
    assertThat(notJson.body().at("/error/code").asText()).isEqualTo("InvalidRequestContent");
  }
}
