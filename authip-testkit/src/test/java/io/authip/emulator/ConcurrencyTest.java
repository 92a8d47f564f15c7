package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Many clients at once, as the operator with many clusters and the benchmark drive it. */
class ConcurrencyTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;
  private ArmEmulator arm;
  private ArmTestClient client;
  private ExecutorService pool;

  @BeforeEach
  void start() {
    arm = ArmEmulator.builder().operationDuration(Duration.ofMinutes(5)).start();
    client = new ArmTestClient(arm);
    pool = Executors.newFixedThreadPool(16);
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
    arm.close();
  }

  @Test
  void manyClustersReadAndUpdatedInParallelAreEachCountedOnce() throws Exception {
    int clusters = 100;
    List<ClusterFixture> fixtures = new ArrayList<>();
    for (int i = 0; i < clusters; i++) {
      ClusterFixture fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-bench", "aks-" + i);
      arm.seed(fixture);
      fixtures.add(fixture);
    }
    String token = client.token();
    HttpClient http = HttpClient.newBuilder().sslContext(arm.clientSslContext()).build();
    List<Future<Integer>> results = new ArrayList<>();
    for (ClusterFixture fixture : fixtures) {
      results.add(pool.submit(() -> {
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(client.uri(fixture.clusterId()))
            .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = ArmTestClient.JSON.readTree(get.body());
        ((ObjectNode) body.at("/properties/apiServerAccessProfile")).putArray("authorizedIPRanges")
            .add("20.30.40.0/24");
        return http.send(HttpRequest.newBuilder(client.uri(fixture.clusterId()))
            .header("Authorization", "Bearer " + token).header("If-Match", body.get("eTag").asText())
            .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
      }));
    }
    for (Future<Integer> result : results) {
      assertThat(result.get()).isEqualTo(200);
    }

    assertThat(arm.requestCount(RequestKind.CLUSTER_GET)).isEqualTo(clusters);
    assertThat(arm.requestCount(RequestKind.CLUSTER_PUT)).isEqualTo(clusters);
    for (ClusterFixture fixture : fixtures) {
      assertThat(arm.requestCount(fixture.clusterId(), "PUT")).isEqualTo(1);
      assertThat(arm.cluster(fixture.clusterId()).orElseThrow().at("/properties/provisioningState").asText())
          .isEqualTo("Updating");
    }
  }

  @Test
  void racingPutsOnOneClusterLetExactlyOneThrough() throws Exception {
    ClusterFixture fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-race", "aks");
    arm.seed(fixture);
    JsonNode read = client.get(fixture.clusterId()).body();
    List<Future<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      results.add(pool.submit(() -> client.put(fixture.clusterId(), read, read.get("eTag").asText()).status()));
    }
    List<Integer> statuses = new ArrayList<>();
    for (Future<Integer> result : results) {
      statuses.add(result.get());
    }

    // Stale writes alternate between AKS's two answers (412 PreconditionFailed, 409 EtagMismatch) by default.
    assertThat(statuses).containsOnlyOnce(200).containsOnly(200, 412, 409).contains(412, 409);
  }
}
