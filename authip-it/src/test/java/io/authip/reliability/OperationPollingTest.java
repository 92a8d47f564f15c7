package io.authip.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.emulator.ClusterFixture;
import io.authip.emulator.PutInvariants;
import io.authip.emulator.RoleScope;
import io.authip.emulator.StaleETagAnswer;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Azure answers that status cannot steer, end to end: operations the identity may not read (role at resource-group
 * scope), and the 409 EtagMismatch AKS gives a stale If-Match.
 */
class OperationPollingTest {

  static final List<String> RANGES = List.of("73.140.245.0/24", "52.160.96.17");
  static final AtomicInteger COUNTER = new AtomicInteger();
  static Harness h;

  String ns;
  ClusterFixture c;

  @BeforeAll
  static void start() {
    h = Harness.start();
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  @BeforeEach
  void cluster() {
    ns = "poll" + COUNTER.incrementAndGet();
    c = h.seed(ClusterFixture.loadBalancerManagedOutbound(Harness.SUB, ns, "aks")
        .withAuthorizedIpRanges("40.112.0.0/16"));
    h.arm().operationDuration(Duration.ofMillis(300));
  }

  @AfterEach
  void invariants() {
    h.arm().roleScope(RoleScope.SUBSCRIPTION);
    h.arm().staleETagAnswer(StaleETagAnswer.ALTERNATE);
    PutInvariants.check(h.arm());
    h.deletePolicies(ns);
  }

  private List<String> events() {
    return h.k8s().v1().events().inNamespace(ns).list().getItems().stream().map(Event::getMessage).toList();
  }

  /** Before: 403 Forbidden on every poll, the target in Error with its operation pending, forever. */
  @Test
  void operationsTheRoleCannotReadAreFollowedThroughTheClusterAndTheTargetConverges() {
    h.arm().roleScope(RoleScope.RESOURCE_GROUP);

    h.create(Harness.policy(ns, "p", List.of(c), RANGES));

    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(h.acceptedPuts(c)).isEqualTo(1);
    assertThat(events()).anySatisfy(m -> assertThat(m).contains("OperationForbidden", "subscription scope"));
    assertThat(h.arm().requests()).filteredOn(r -> r.kind() == io.authip.emulator.RequestKind.OPERATION_GET)
        .isNotEmpty().allSatisfy(r -> assertThat(r.status()).isEqualTo(403));
  }

  /** Before: 409 EtagMismatch was Rejected (Error, an AzureError event, backoff) although only a re-read was due. */
  @Test
  void a409EtagMismatchBetweenGetAndPutIsReReadAndRePlannedNotRejected() {
    h.arm().staleETagAnswer(StaleETagAnswer.ETAG_MISMATCH);
    h.arm().mutateAfterNextGet(c.clusterId(), b -> b.with("tags").put("editedBy", "portal"));

    h.create(Harness.policy(ns, "p", List.of(c), RANGES));

    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(h.arm().cluster(c.clusterId()).orElseThrow().at("/tags/editedBy").asText()).isEqualTo("portal");
    assertThat(h.acceptedPuts(c)).isEqualTo(1);
    assertThat(h.arm().putAudits()).filteredOn(a -> a.clusterId().equalsIgnoreCase(c.clusterId()))
        .extracting(a -> a.status()).containsExactly(409, 200);
    assertThat(events()).noneSatisfy(m -> assertThat(m).contains("Rejected"));
  }
}
