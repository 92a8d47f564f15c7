package io.authip.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicyStatus;
import io.authip.api.v1alpha1.PendingOperation;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.PutInvariants;
import io.authip.emulator.RequestKind;
import io.authip.reliability.BadInputCorpus.Bad;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus applied to the running operator, as raw JSON posted to the API server (which, being the
 * schema-less mock, stores all of it). Each resource gets its own specific status message; none of them makes authip
 * read or write the cluster they name; and the operator keeps running and serving a valid policy created before
 * them and edited after them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputTest {

  static final String NS = "bad";
  static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> CANARY_RANGES = List.of("73.140.245.0/24");
  static final List<String> CANARY_EDITED = List.of("73.140.245.0/24", "20.42.0.0/23");
  static Harness h;
  static ClusterFixture canary;
  static ClusterFixture target;
  static ClusterFixture planted;
  static HttpClient http;

  @BeforeAll
  static void applyTheCorpus() throws Exception {
    h = Harness.start();
    // The corpus is what a cluster can hold although the CRD's rules would refuse it now (stored before the rules,
    // or by a server older than 1.31): the operator must refuse it on its own.
    h.env.kube().admission(false);
    http = HttpClient.newHttpClient();
    canary = h.seed(ClusterFixture.loadBalancerManagedOutbound(Harness.SUB, "canary", "aks"));
    target = h.seed(ClusterFixture.loadBalancerManagedOutbound(Harness.SUB, BadInputCorpus.RG,
        BadInputCorpus.CLUSTER));
    h.create(Harness.policy("canary", "canary", List.of(canary), CANARY_RANGES));
    h.awaitConverged("canary", "canary", canary, CANARY_RANGES);
    for (Bad bad : BadInputCorpus.all()) {
      HttpResponse<String> r = post(bad);
      assertThat(r.statusCode()).as("the mock API server stores %s", bad).isEqualTo(201);
    }
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  static Stream<Bad> corpus() {
    return BadInputCorpus.all().stream();
  }

  @Test
  @Order(0)
  void theCorpusHasAtLeastAHundredResources() {
    assertThat(BadInputCorpus.all()).hasSizeGreaterThanOrEqualTo(100);
    assertThat(BadInputCorpus.all()).extracting(Bad::name).doesNotHaveDuplicates();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @Order(1)
  void eachGetsItsOwnStatusMessage(Bad bad) {
    await().atMost(Harness.WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      JsonNode condition = condition(bad);
      assertThat(condition.path("reason").asText()).as("%s condition of %s", bad.kind().condition, bad)
          .isEqualTo("InvalidSpec");
      assertThat(condition.path("status").asText()).isEqualTo("False");
      assertThat(condition.path("message").asText()).as("message of %s", bad).contains(bad.expect());
    });
  }

  @Test
  @Order(2)
  void aPollUrlPlantedInStatusIsNeverCalledAndDoesNotBlockTheTarget() {
    // Whoever may write status could point the pending operation at their own server to catch authip's token.
    planted = h.seed(ClusterFixture.loadBalancerManagedOutbound(Harness.SUB, "planted", "aks"));
    h.env.stopOperator();
    try {
      AuthorizedIpPolicy p = h.create(Harness.policy("planted", "planted", List.of(planted),
          List.of("73.140.245.0/24")));
      TargetStatus t = new TargetStatus();
      t.setClusterId(planted.clusterId());
      t.setState(TargetState.Updating);
      t.setPendingOperation(new PendingOperation("https://attacker.invalid/collect", "2025-01-01T00:00:00Z",
          Access.Restricted, List.of("73.140.245.0/24")));
      p.setStatus(new AuthorizedIpPolicyStatus());
      p.getStatus().setTargets(new ArrayList<>(List.of(t)));
      h.k8s().resource(p).updateStatus();
    } finally {
      h.env.startOperator();
    }

    h.awaitConverged("planted", "planted", planted, List.of("73.140.245.0/24"));
    assertThat(h.k8s().v1().events().inNamespace("planted").list().getItems())
        .anySatisfy(e -> assertThat(e.getMessage()).contains("UntrustedPollUrl"));
  }

  @Test
  @Order(3)
  void nothingWasSentToAzureAndTheOperatorStillServesValidPolicies() throws Exception {
    assertThat(h.arm().requestCount(target.clusterId(), "GET")).as("reads of the cluster the corpus names").isZero();
    assertThat(h.arm().requestCount(target.clusterId(), "PUT")).as("writes to the cluster the corpus names").isZero();
    assertThat(h.arm().requests()).filteredOn(r -> r.kind() == RequestKind.CLUSTER_PUT)
        .extracting(r -> r.resourceKey()).as("the only clusters written: the valid policies'")
        .containsOnly(canary.clusterId().toLowerCase(), planted.clusterId().toLowerCase());

    h.edit("canary", "canary", s -> s.setRanges(Harness.entries(CANARY_EDITED)));
    h.awaitConverged("canary", "canary", canary, CANARY_EDITED);
    assertThat(h.env.operator().live()).isTrue();
    assertThat(h.env.operator().ready()).isTrue();
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + h.env.operator().httpPort() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    PutInvariants.check(h.arm());
    h.env.requireNoForbiddenRequests();
  }

  static HttpResponse<String> post(Bad bad) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(h.env.kube().url() + "/apis/authip.io/v1alpha1/namespaces/"
        + NS + "/" + bad.kind().plural)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(bad.json(NS))).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The resource's Ready (policy) or Valid (IpRangeSet) condition, read as raw JSON. */
  static JsonNode condition(Bad bad) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(h.env.kube().url()
        + "/apis/authip.io/v1alpha1/namespaces/" + NS + "/" + bad.kind().plural + "/" + bad.name())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    for (JsonNode c : JSON.readTree(r.body()).path("status").path("conditions")) {
      if (c.path("type").asText().equals(bad.kind().condition)) {
        return c;
      }
    }
    return JSON.createObjectNode();
  }
}
