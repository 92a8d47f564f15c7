package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.emulator.ArmTestClient.Reply;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultInjectionTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;

  private final SettableClock clock = new SettableClock(Instant.parse("2025-09-01T10:00:00Z"));
  private ArmEmulator arm;
  private ArmTestClient client;
  private ClusterFixture cluster;
  private ClusterFixture other;

  @BeforeEach
  void start() {
    arm = ArmEmulator.builder().clock(clock).operationDuration(Duration.ofSeconds(10)).threads(2).start();
    client = new ArmTestClient(arm);
    client.token();
    cluster = ClusterFixture.managedNatGateway(SUB, "rg-faults", "aks-a").withAuthorizedIpRanges("20.30.40.0/24");
    other = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-faults", "aks-b");
    arm.seed(cluster);
    arm.seed(other);
  }

  @AfterEach
  void stop() {
    arm.close();
  }

  private Reply readAndPut(ClusterFixture fixture) {
    JsonNode read = client.get(fixture.clusterId()).body();
    return client.put(fixture.clusterId(), read, read.get("eTag").asText());
  }

  @Test
  void throttlesTheNextNMatchingCallsWithRetryAfterThenAnswersNormally() {
    arm.injectFault(FaultTarget.resource(cluster.clusterId()).method("PUT"), Fault.throttled(17), 2);
    JsonNode read = client.get(cluster.clusterId()).body();

    Reply first = client.put(cluster.clusterId(), read, read.get("eTag").asText());
    Reply second = client.put(cluster.clusterId(), read, read.get("eTag").asText());
    Reply third = client.put(cluster.clusterId(), read, read.get("eTag").asText());

    assertThat(first.status()).isEqualTo(429);
    assertThat(first.header("Retry-After")).isEqualTo("17");
    assertThat(first.body().at("/error/code").asText()).isEqualTo("TooManyRequests");
    assertThat(second.status()).isEqualTo(429);
    assertThat(third.status()).isEqualTo(200);
    assertThat(arm.pendingFaults()).isZero();
    assertThat(arm.requestCount(cluster.clusterId(), "PUT")).isEqualTo(3);
    assertThat(arm.requests()).filteredOn(r -> r.kind() == RequestKind.CLUSTER_PUT)
        .extracting(RecordedRequest::status).containsExactly(429, 429, 200);
  }

  @Test
  void aResourceFaultLeavesOtherResourcesAndMethodsAlone() {
    arm.injectFault(FaultTarget.resource(cluster.clusterId().toUpperCase().replace("SUBSCRIPTIONS", "subscriptions"))
        .method("PUT"), Fault.internalServerError(), 1);

    assertThat(client.get(cluster.clusterId()).status()).isEqualTo(200);
    assertThat(readAndPut(other).status()).isEqualTo(200);
    assertThat(readAndPut(cluster).status()).isEqualTo(500);
    assertThat(readAndPut(cluster).status()).isEqualTo(200);
  }

  @Test
  void errorFaultsHaveArmShapes() {
    arm.injectFault(FaultTarget.kind(RequestKind.CLUSTER_GET), Fault.operationNotAllowed(), 1);
    arm.injectFault(FaultTarget.kind(RequestKind.CLUSTER_GET), Fault.preconditionFailed(), 1);
    arm.injectFault(FaultTarget.kind(RequestKind.CLUSTER_GET), Fault.internalServerError(), 1);
    arm.injectFault(FaultTarget.kind(RequestKind.CLUSTER_GET), Fault.serviceUnavailable(3), 1);
    arm.injectFault(FaultTarget.kind(RequestKind.CLUSTER_GET), Fault.status(403, "AuthorizationFailed", "no"), 1);

    Reply busy = client.get(cluster.clusterId());
    Reply precondition = client.get(cluster.clusterId());
    Reply internal = client.get(cluster.clusterId());
    Reply unavailable = client.get(cluster.clusterId());
    Reply forbidden = client.get(cluster.clusterId());

    assertThat(busy.status()).isEqualTo(409);
    assertThat(busy.body().at("/error/code").asText()).isEqualTo("OperationNotAllowed");
    assertThat(precondition.status()).isEqualTo(412);
    assertThat(precondition.body().at("/error/code").asText()).isEqualTo("PreconditionFailed");
    assertThat(internal.status()).isEqualTo(500);
    assertThat(internal.header("Retry-After")).isNull();
    assertThat(unavailable.status()).isEqualTo(503);
    assertThat(unavailable.header("Retry-After")).isEqualTo("3");
    assertThat(forbidden.body().at("/error/code").asText()).isEqualTo("AuthorizationFailed");
    assertThat(client.get(cluster.clusterId()).status()).isEqualTo(200);
  }

  @Test
  void connectionResetClosesWithoutAnAnswer() {
    // A PUT, because the JDK client silently retries a GET once when the connection drops.
    arm.injectFault(FaultTarget.kind(RequestKind.CLUSTER_PUT), Fault.connectionReset(), 1);
    JsonNode read = client.get(cluster.clusterId()).body();

    assertThatThrownBy(() -> client.sendOrThrow(client.authorized(cluster.clusterId())
        .header("Content-Type", "application/json")
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(read.toString()))))
        .isInstanceOf(IOException.class);
    assertThat(client.put(cluster.clusterId(), read, read.get("eTag").asText()).status()).isEqualTo(200);
    assertThat(arm.requests()).filteredOn(r -> r.kind() == RequestKind.CLUSTER_PUT)
        .extracting(RecordedRequest::status).containsExactly(0, 200);
  }

  @Test
  void aDelayedAnswerDoesNotHoldAServerThread() throws Exception {
    arm.injectFault(FaultTarget.resource(cluster.clusterId()), Fault.delay(Duration.ofMillis(1500)), 3);
    HttpClient http = HttpClient.newBuilder().sslContext(arm.clientSslContext()).build();
    long start = System.nanoTime();
    // Three delayed requests on a two-thread server, then an undelayed one that must not wait behind them.
    CompletableFuture<?>[] delayed = new CompletableFuture<?>[3];
    for (int i = 0; i < 3; i++) {
      delayed[i] = http.sendAsync(client.authorized(cluster.clusterId()).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    }
    Reply quick = client.get(other.clusterId());
    long quickMillis = (System.nanoTime() - start) / 1_000_000;
    CompletableFuture.allOf(delayed).get(10, TimeUnit.SECONDS);
    long allMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(quick.status()).isEqualTo(200);
    assertThat(quickMillis).isLessThan(1400);
    assertThat(allMillis).isGreaterThanOrEqualTo(1500);
    for (CompletableFuture<?> f : delayed) {
      assertThat(((HttpResponse<?>) f.get()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void anyTargetSparesTheTokenEndpointWhichCanBeTargetedByKind() {
    arm.injectFault(FaultTarget.any(), Fault.serviceUnavailable(-1), 1);
    arm.injectFault(FaultTarget.kind(RequestKind.TOKEN), Fault.throttled(1), 1);

    Reply token = new ArmTestClient(arm).send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(arm.baseUrl() + "/" + arm.tenantId() + "/oauth2/v2.0/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=a"
            + "&client_secret=b")));
    Reply arm503 = client.get(other.clusterId());

    assertThat(token.status()).isEqualTo(429);
    assertThat(arm503.status()).isEqualTo(503);
    assertThat(arm.pendingFaults()).isZero();
  }

  @Test
  void anOperationPollUrlCanBeFaulted() {
    Reply put = readAndPut(cluster);
    String pollUrl = put.header("Azure-AsyncOperation");
    arm.injectFault(FaultTarget.resource(pollUrl), Fault.internalServerError(), 1);

    assertThat(client.get(pollUrl).status()).isEqualTo(500);
    assertThat(client.get(pollUrl).body().get("status").asText()).isEqualTo("InProgress");
    assertThat(arm.requestCount(pollUrl, "GET")).isEqualTo(2);
  }

  @Test
  void operationsCanEndFailedOrCanceled() {
    arm.failNextOperation(cluster.clusterId(), "ReconcileVMSSAgentPoolFailed", "The VM scale set failed.");
    String failedUrl = readAndPut(cluster).header("Azure-AsyncOperation");
    clock.advance(Duration.ofSeconds(10));

    JsonNode failed = client.get(failedUrl).body();
    assertThat(failed.get("status").asText()).isEqualTo("Failed");
    assertThat(failed.at("/error/code").asText()).isEqualTo("ReconcileVMSSAgentPoolFailed");
    assertThat(failed.at("/error/message").asText()).isEqualTo("The VM scale set failed.");
    assertThat(client.get(cluster.clusterId()).body().at("/properties/provisioningState").asText())
        .isEqualTo("Failed");

    arm.cancelNextOperation(cluster.clusterId());
    String canceledUrl = readAndPut(cluster).header("Azure-AsyncOperation");
    clock.advance(Duration.ofSeconds(10));

    JsonNode canceled = client.get(canceledUrl).body();
    assertThat(canceled.get("status").asText()).isEqualTo("Canceled");
    assertThat(canceled.at("/error/code").asText()).isEqualTo("OperationCanceled");
    assertThat(client.get(cluster.clusterId()).body().at("/properties/provisioningState").asText())
        .isEqualTo("Canceled");
    assertThat(client.get(failedUrl).body().get("status").asText()).isEqualTo("Failed");

    String nextUrl = readAndPut(cluster).header("Azure-AsyncOperation");
    clock.advance(Duration.ofSeconds(10));
    assertThat(client.get(nextUrl).body().get("status").asText()).isEqualTo("Succeeded");
  }

  @Test
  void someoneElsesOperationMakesTheClusterBusy() {
    String before = arm.eTag(cluster.clusterId());
    String url = arm.beginExternalOperation(cluster.clusterId(), Duration.ofSeconds(60));
    JsonNode read = client.get(cluster.clusterId()).body();

    assertThat(read.at("/properties/provisioningState").asText()).isEqualTo("Updating");
    assertThat(read.get("eTag").asText()).isNotEqualTo(before);
    assertThat(client.put(cluster.clusterId(), read, read.get("eTag").asText()).status()).isEqualTo(409);
    assertThat(client.get(url).body().get("status").asText()).isEqualTo("InProgress");

    clock.advance(Duration.ofSeconds(60));

    assertThat(readAndPut(cluster).status()).isEqualTo(200);
  }

  @Test
  void aChangeBetweenOurGetAndPutMakesThePutFailAndSurvives() {
    arm.mutateAfterNextGet(cluster.clusterId(),
        c -> ((ObjectNode) c.at("/properties/agentPoolProfiles/1")).put("count", 7));

    JsonNode read = client.get(cluster.clusterId()).body();
    ObjectNode ours = read.deepCopy();
    ((ObjectNode) ours.at("/properties/apiServerAccessProfile")).putArray("authorizedIPRanges").add("20.30.41.0/24");
    Reply put = client.put(cluster.clusterId(), ours, read.get("eTag").asText());

    assertThat(read.at("/properties/agentPoolProfiles/1/count").asInt()).isEqualTo(4);
    assertThat(put.status()).isEqualTo(412);
    ObjectNode now = arm.cluster(cluster.clusterId()).orElseThrow();
    assertThat(now.at("/properties/agentPoolProfiles/1/count").asInt()).isEqualTo(7);
    assertThat(now.at("/properties/apiServerAccessProfile/authorizedIPRanges/0").asText()).isEqualTo("20.30.40.0/24");
    assertThat(client.get(cluster.clusterId()).body().get("eTag").asText()).isEqualTo(now.get("eTag").asText());
  }

  @Test
  void rulesFireInOrderAndCanBeCleared() {
    arm.injectFault(FaultTarget.any(), Fault.status(418, "Teapot", "first"), 1);
    arm.injectFault(FaultTarget.any(), Fault.status(451, "Unavailable", "second"), 5);

    assertThat(client.get(cluster.clusterId()).status()).isEqualTo(418);
    assertThat(client.get(cluster.clusterId()).status()).isEqualTo(451);
    assertThat(arm.pendingFaults()).isEqualTo(4);
    arm.clearFaults();
    assertThat(client.get(cluster.clusterId()).status()).isEqualTo(200);
  }
}
