package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.emulator.ArmTestClient.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ArmEmulatorTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;

  private final SettableClock clock = new SettableClock(Instant.parse("2025-09-01T10:00:00Z"));
  private ArmEmulator arm;
  private ArmTestClient client;
  private ClusterFixture fixture;

  @BeforeEach
  void start() {
    arm = ArmEmulator.builder().clock(clock).operationDuration(Duration.ofSeconds(30)).start();
    client = new ArmTestClient(arm);
    fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-prod", "aks-prod-1")
        .withAuthorizedIpRanges("20.30.40.0/24");
    arm.seed(fixture);
  }

  @AfterEach
  void stop() {
    arm.close();
  }

  @Test
  void servesHttpsOnLoopbackWithTheAdvertisedCertificate() throws Exception {
    assertThat(arm.baseUrl()).isEqualTo("https://127.0.0.1:" + arm.port());
    assertThat(arm.certificate().getSubjectAlternativeNames())
        .anySatisfy(san -> assertThat(san).isEqualTo(java.util.List.of(7, "127.0.0.1")))
        .anySatisfy(san -> assertThat(san).isEqualTo(java.util.List.of(2, "localhost")));
    assertThat(arm.certificatePem()).startsWith("-----BEGIN CERTIFICATE-----\n");
  }

  @Test
  void getReturnsTheBodyWithETagAndHeaders() {
    Reply reply = client.get(fixture.clusterId());

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().get("eTag").asText()).isNotBlank().isEqualTo(arm.eTag(fixture.clusterId()));
    assertThat(reply.body().at("/properties/provisioningState").asText()).isEqualTo("Succeeded");
    ObjectNode withoutETag = ((ObjectNode) reply.body()).deepCopy();
    withoutETag.remove("eTag");
    assertThat(withoutETag).isEqualTo(fixture.body());
    assertThat(reply.header("x-ms-request-id")).isNotBlank();
    assertThat(reply.header("x-ms-ratelimit-remaining-subscription-reads")).isEqualTo("250");
  }

  @Test
  void armCallsWithoutATokenItIssuedGet401() {
    Reply none = client.send(HttpRequest.newBuilder(client.uri(fixture.clusterId())).GET());
    Reply forged = client.send(HttpRequest.newBuilder(client.uri(fixture.clusterId()))
        .header("Authorization", "Bearer not-issued-here").GET());

    assertThat(none.status()).isEqualTo(401);
    assertThat(none.body().at("/error/code").asText()).isEqualTo("InvalidAuthenticationToken");
    assertThat(none.header("WWW-Authenticate")).startsWith("Bearer authorization_uri=");
    assertThat(forged.status()).isEqualTo(401);
  }

  @Test
  void idsAreCaseInsensitive() {
    String shouted = fixture.clusterId().replace("resourcegroups", "resourceGroups").toUpperCase()
        .replace("SUBSCRIPTIONS", "subscriptions");

    assertThat(client.get(shouted).status()).isEqualTo(200);
    assertThat(arm.requestCount(fixture.clusterId().toUpperCase(), "get")).isEqualTo(1);
  }

  @Test
  void putWithMatchingIfMatchStartsAnOperationThatSucceedsLater() {
    Reply read = client.get(fixture.clusterId());
    ObjectNode body = (ObjectNode) read.body();
    ((ObjectNode) body.at("/properties/apiServerAccessProfile")).putArray("authorizedIPRanges")
        .add("20.30.40.0/24").add("20.50.60.70");

    Reply put = client.put(fixture.clusterId(), body, read.body().get("eTag").asText());

    assertThat(put.status()).isEqualTo(200);
    assertThat(put.body().at("/properties/provisioningState").asText()).isEqualTo("Updating");
    assertThat(put.body().get("eTag").asText()).isNotEqualTo(read.body().get("eTag").asText());
    assertThat(put.body().at("/properties/apiServerAccessProfile/authorizedIPRanges").toString())
        .isEqualTo("[\"20.30.40.0/24\",\"20.50.60.70/32\"]");
    assertThat(put.header("x-ms-ratelimit-remaining-subscription-writes")).isEqualTo("200");
    String pollUrl = put.header("Azure-AsyncOperation");
    assertThat(pollUrl).startsWith(arm.baseUrl() + "/subscriptions/" + SUB
        + "/providers/Microsoft.ContainerService/locations/westeurope/operations/")
        .matches(".*/operations/[0-9a-f-]{36}\\?api-version=2016-03-30&t=[0-9]+&c=[A-Za-z0-9_-]+&s=[A-Za-z0-9_-]+"
            + "&h=[A-Za-z0-9_-]+");
    assertThat(put.header("Location")).contains("/operationresults/");

    Reply polled = client.get(pollUrl);
    assertThat(polled.body().get("status").asText()).isEqualTo("InProgress");
    assertThat(polled.body().has("endTime")).isFalse();
    assertThat(client.get(put.header("Location")).status()).isEqualTo(202);
    assertThat(client.get(fixture.clusterId()).body().at("/properties/provisioningState").asText())
        .isEqualTo("Updating");

    clock.advance(Duration.ofSeconds(30));

    polled = client.get(pollUrl);
    assertThat(polled.body().get("status").asText()).isEqualTo("Succeeded");
    assertThat(polled.body().get("startTime").asText()).isEqualTo("2025-09-01T10:00:00Z");
    assertThat(polled.body().get("endTime").asText()).isEqualTo("2025-09-01T10:00:30Z");
    assertThat(client.get(put.header("Location")).status()).isEqualTo(204);
    assertThat(client.get(fixture.clusterId()).body().at("/properties/provisioningState").asText())
        .isEqualTo("Succeeded");
    assertThat(arm.lastPutBody(fixture.clusterId())).contains(body);
  }

  @Test
  void operationUrlsWorkForANewClient() {
    Reply read = client.get(fixture.clusterId());
    Reply put = client.put(fixture.clusterId(), read.body(), read.body().get("eTag").asText());
    clock.advance(Duration.ofMinutes(1));

    Reply polled = new ArmTestClient(arm).get(put.header("Azure-AsyncOperation"));

    assertThat(polled.body().get("status").asText()).isEqualTo("Succeeded");
  }

  @Test
  void zeroDurationOperationsEndAtOnce() {
    arm.operationDuration(Duration.ZERO);
    Reply read = client.get(fixture.clusterId());
    Reply put = client.put(fixture.clusterId(), read.body(), read.body().get("eTag").asText());

    assertThat(client.get(put.header("Azure-AsyncOperation")).body().get("status").asText()).isEqualTo("Succeeded");
    assertThat(client.put(fixture.clusterId(), read.body(), null).status()).isEqualTo(200);
  }

  @Test
  void staleIfMatchGets412AndChangesNothing() {
    Reply read = client.get(fixture.clusterId());
    String current = arm.editCluster(fixture.clusterId(), c -> c.with("tags").put("editedBy", "portal"));

    Reply put = client.put(fixture.clusterId(), read.body(), read.body().get("eTag").asText());

    assertThat(put.status()).isEqualTo(412);
    assertThat(put.body().at("/error/code").asText()).isEqualTo("PreconditionFailed");
    assertThat(arm.eTag(fixture.clusterId())).isEqualTo(current);
    assertThat(arm.cluster(fixture.clusterId()).orElseThrow().at("/tags/editedBy").asText()).isEqualTo("portal");
  }

  @Test
  void ifMatchAcceptsQuotedETagsAndStar() {
    Reply read = client.get(fixture.clusterId());
    arm.operationDuration(Duration.ZERO);

    assertThat(client.put(fixture.clusterId(), read.body(), "\"" + read.body().get("eTag").asText() + "\"").status())
        .isEqualTo(200);
    assertThat(client.put(fixture.clusterId(), read.body(), "*").status()).isEqualTo(200);
    String missing = ResourceIds.managedClusterId(SUB, "rg-prod", "nope");
    assertThat(client.put(missing, read.body(), "*").status()).isEqualTo(412);
  }

  @Test
  void ifNoneMatchStarCreatesOnlyWhenAbsent() {
    ObjectNode body = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-new", "fresh").body();

    Reply created = client.putIfNoneMatch(ResourceIds.managedClusterId(SUB, "rg-new", "fresh"), body, "*");
    Reply again = client.putIfNoneMatch(fixture.clusterId(), fixture.body(), "*");

    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body().at("/properties/provisioningState").asText()).isEqualTo("Creating");
    assertThat(again.status()).isEqualTo(412);
  }

  @Test
  void putWhileAnOperationRunsGets409() {
    Reply read = client.get(fixture.clusterId());
    Reply first = client.put(fixture.clusterId(), read.body(), null);
    Reply second = client.put(fixture.clusterId(), first.body(), first.body().get("eTag").asText());

    assertThat(first.status()).isEqualTo(200);
    assertThat(second.status()).isEqualTo(409);
    assertThat(second.body().at("/error/code").asText()).isEqualTo("OperationNotAllowed");
  }

  @Test
  void patchChangesTagsOnly() {
    Reply read = client.get(fixture.clusterId());
    ObjectNode patch = ArmTestClient.JSON.createObjectNode();
    patch.putObject("tags").put("team", "blue");
    patch.putObject("properties").putObject("apiServerAccessProfile").putArray("authorizedIPRanges");

    Reply patched = client.patch(fixture.clusterId(), patch, read.body().get("eTag").asText());

    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.body().get("tags").toString()).isEqualTo("{\"team\":\"blue\"}");
    assertThat(patched.body().at("/properties/apiServerAccessProfile/authorizedIPRanges").toString())
        .isEqualTo("[\"20.30.40.0/24\"]");
    assertThat(patched.body().get("eTag").asText()).isNotEqualTo(read.body().get("eTag").asText());
  }

  @Test
  void servesPublicIpsAndPrefixes() {
    ClusterFixture custom = ClusterFixture.loadBalancerCustomOutbound(SUB, "rg-net", "aks-custom");
    arm.seed(custom);
    String ipId = custom.publicIps().keySet().iterator().next();
    String prefixId = custom.publicIpPrefixes().keySet().iterator().next();

    Reply ip = client.get(ipId + "?api-version=2024-07-01");
    Reply prefix = client.get(prefixId.replace("resourcegroups", "resourceGroups") + "?api-version=2024-07-01");
    Reply missing = client.get(ResourceIds.publicIpId(SUB, "rg-net", "gone"));
    Reply noGroup = client.get(ResourceIds.publicIpId(SUB, "rg-unknown", "gone"));

    assertThat(ip.body().at("/properties/ipAddress").asText()).isEqualTo(custom.publicIps().get(ipId));
    assertThat(prefix.body().at("/properties/ipPrefix").asText()).isEqualTo(custom.publicIpPrefixes().get(prefixId));
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body().at("/error/code").asText()).isEqualTo("ResourceNotFound");
    assertThat(noGroup.body().at("/error/code").asText()).isEqualTo("ResourceGroupNotFound");
    assertThat(arm.requestCount(RequestKind.PUBLIC_IP_GET)).isEqualTo(3);
    assertThat(arm.requestCount(RequestKind.PUBLIC_IP_PREFIX_GET)).isEqualTo(1);
    assertThat(arm.apiVersions()).containsExactly("2024-07-01", "2025-07-01");
  }

  @Test
  void countsRequestsByResourceMethodAndKindAndResets() {
    client.get(fixture.clusterId());
    client.get(fixture.clusterId());
    client.put(fixture.clusterId(), fixture.body(), null);

    assertThat(arm.requestCount(fixture.clusterId(), "GET")).isEqualTo(2);
    assertThat(arm.requestCount(fixture.clusterId(), "PUT")).isEqualTo(1);
    assertThat(arm.requestCount(RequestKind.CLUSTER_GET)).isEqualTo(2);
    assertThat(arm.requestCount(RequestKind.TOKEN)).isEqualTo(1);
    assertThat(arm.requests()).extracting(RecordedRequest::method).containsExactly("POST", "GET", "GET", "PUT");
    RecordedRequest token = arm.requests().get(0);
    assertThat(token.body()).contains("client_secret=***").doesNotContain("s3cret");
    assertThat(arm.requests().get(1).header("Authorization")).contains("Bearer ***");

    arm.resetCounters();

    assertThat(arm.requestCount(fixture.clusterId(), "GET")).isZero();
    assertThat(arm.requests()).isEmpty();
  }

  @Test
  void closingTwiceIsHarmlessAndStopsServing() {
    ArmEmulator other = ArmEmulator.start();
    ArmTestClient otherClient = new ArmTestClient(other);
    otherClient.token();

    other.close();
    other.close();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> otherClient.sendOrThrow(
        otherClient.authorized(fixture.clusterId()).GET())).isInstanceOf(java.io.IOException.class);
  }

  @Test
  void everyClusterPutIsAuditedWithTheBodyStoredJustBefore() {
    Reply read = client.get(fixture.clusterId());
    String eTag = read.body().get("eTag").asText();
    ObjectNode changed = ((ObjectNode) read.body()).deepCopy();
    changed.with("tags").put("team", "blue");
    arm.injectFault(FaultTarget.resource(fixture.clusterId()).method("PUT"), Fault.throttled(3), 1);

    assertThat(client.put(fixture.clusterId(), changed, eTag).status()).isEqualTo(429);
    assertThat(client.put(fixture.clusterId(), changed, eTag).status()).isEqualTo(200);
    assertThat(client.put(fixture.clusterId(), changed, eTag).status()).isEqualTo(412);

    java.util.List<PutAudit> audits = arm.putAudits();
    assertThat(audits).extracting(PutAudit::status).containsExactly(429, 200, 412);
    assertThat(audits).allSatisfy(a -> {
      assertThat(a.isFor(fixture.clusterId().toUpperCase())).isTrue();
      assertThat(a.ifMatch()).isEqualTo(eTag);
      assertThat(a.sent()).isEqualTo(changed);
    });
    assertThat(audits.get(0).before()).isEqualTo(read.body());
    assertThat(audits.get(1).before()).isEqualTo(read.body());
    assertThat(audits.get(1).ifMatchCurrent()).isTrue();
    assertThat(audits.get(2).ifMatchCurrent()).isFalse();
    assertThat(audits.get(2).before().at("/tags/team").asText()).isEqualTo("blue");
    assertThat(audits.get(2).eTagBefore()).contains(arm.eTag(fixture.clusterId()));

    arm.resetCounters();
    assertThat(arm.putAudits()).isEmpty();
  }

  @Test
  void operationFaultsTargetOneClustersPollsWhateverTheirUrl() {
    ClusterFixture other = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-prod", "aks-prod-2");
    arm.seed(other);
    FaultTarget polls = FaultTarget.operationsOf(fixture.clusterId());
    arm.injectFault(polls, Fault.serviceUnavailable(1), 1);
    Reply otherPut = client.put(other.clusterId(), client.get(other.clusterId()).body(), null);
    Reply put = client.put(fixture.clusterId(), client.get(fixture.clusterId()).body(), null);

    assertThat(client.get(otherPut.header("Azure-AsyncOperation")).status()).isEqualTo(200);
    assertThat(arm.pendingFaults(polls)).isEqualTo(1);
    assertThat(client.get(put.header("Azure-AsyncOperation")).status()).isEqualTo(503);
    assertThat(arm.pendingFaults(polls)).isZero();
    assertThat(client.get(put.header("Azure-AsyncOperation")).status()).isEqualTo(200);
  }

  @Test
  void aLostResponseIsCarriedOutButNeverAnswered() {
    Reply read = client.get(fixture.clusterId());
    ObjectNode body = ((ObjectNode) read.body()).deepCopy();
    body.with("tags").put("team", "blue");
    arm.injectFault(FaultTarget.resource(fixture.clusterId()).method("PUT"), Fault.lostResponse(), 1);

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.sendOrThrow(client.authorized(fixture.clusterId())
        .header("Content-Type", "application/json").header("If-Match", read.body().get("eTag").asText())
        .PUT(HttpRequest.BodyPublishers.ofString(body.toString())))).isInstanceOf(java.io.IOException.class);

    assertThat(arm.cluster(fixture.clusterId()).orElseThrow().at("/tags/team").asText()).isEqualTo("blue");
    assertThat(arm.eTag(fixture.clusterId())).isNotEqualTo(read.body().get("eTag").asText());
    assertThat(arm.requests().get(arm.requests().size() - 1).status()).isZero();
    assertThat(arm.putAudits()).singleElement().satisfies(a -> assertThat(a.status()).isEqualTo(200));
  }

  @Test
  void missingApiVersionIsRefused() {
    Reply reply = client.send(client.authorized(arm.baseUrl() + fixture.clusterId()).GET());

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.body().at("/error/code").asText()).isEqualTo("MissingApiVersionParameter");
  }

  @Test
  void unknownPathsAre404() {
    Reply reply = client.get("/subscriptions/" + SUB + "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(URI.create(arm.baseUrl()).getHost()).isEqualTo("127.0.0.1");
  }
}
