package io.authip.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.emulator.ClusterFixture;
import io.authip.emulator.PutInvariants;
import io.authip.kubeapi.KubeFaults;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults on the Kubernetes side: the status patch refused (409 conflict, 503), watches dropped, the API server
 * unavailable for a while. Every case converges to the spec with exactly the PUTs the changes need: a status that
 * could not be written must never make authip change a cluster twice.
 */
class KubernetesFaultsTest {

  static final List<String> RANGES = List.of("73.140.245.0/24", "52.160.96.17");
  static final List<String> EDITED = List.of("73.140.245.0/24", "20.42.0.0/23");
  static final AtomicInteger COUNTER = new AtomicInteger();
  static Harness h;

  String ns;
  ClusterFixture c;
  KubeFaults faults;

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
    ns = "k" + COUNTER.incrementAndGet();
    c = h.seed(ClusterFixture.loadBalancerManagedOutbound(Harness.SUB, ns, "aks"));
    faults = h.env.kube().faults();
    faults.clear();
  }

  @AfterEach
  void invariants() {
    faults.clear();
    PutInvariants.check(h.arm());
    h.env.requireNoForbiddenRequests();
    h.deletePolicies(ns);
  }

  String statusPath() {
    return ".*/namespaces/" + ns + "/authorizedippolicies/p/status.*";
  }

  @Test
  void statusWritesAnsweredUnavailableAreRetriedByTheClient() {
    // The client retries a 503 itself (up to 10 times, with backoff): the status writes are late, not lost.
    faults.fail("PUT", statusPath(), 503, 3);
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));

    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(faults.pending()).isZero();
    assertThat(h.acceptedPuts(c)).isEqualTo(1);
    PutInvariants.assertPutBudget(h.arm(), c.clusterId(), 1, 0);
  }

  @Test
  void statusWriteConflictsMoreOftenThanJosdkRetriesByDefaultAreStillRetried() {
    // The client does not retry a 409 itself. The status write that records the PUT's operation is among those
    // refused: the next pass must not PUT again. JOSDK's default retry gave up after 5 attempts, and then nothing but
    // an edit of the policy reconciled it again: its drift checks stopped.
    faults.fail("PUT", statusPath(), 409, 7);
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));

    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(faults.pending()).isZero();
    assertThat(h.acceptedPuts(c)).isEqualTo(1);
  }

  @Test
  void droppedWatchesAreReopenedAndLaterEditsArrive() {
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(faults.disconnectWatches()).isPositive();

    h.edit(ns, "p", s -> s.setRanges(Harness.entries(EDITED)));

    h.awaitConverged(ns, "p", c, EDITED);
    await().atMost(Harness.WAIT).until(() -> faults.openWatches() > 0);
    assertThat(h.acceptedPuts(c)).isEqualTo(2);
    PutInvariants.assertPutBudget(h.arm(), c.clusterId(), 2, 0);
  }

  @Test
  void theApiServerUnavailableForAWhile() {
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    faults.unavailableFor(Duration.ofSeconds(3));

    h.awaitConverged(ns, "p", c, RANGES);
    h.edit(ns, "p", s -> s.setRanges(Harness.entries(EDITED)));
    h.awaitConverged(ns, "p", c, EDITED);
    assertThat(h.acceptedPuts(c)).isEqualTo(2);
    PutInvariants.assertPutBudget(h.arm(), c.clusterId(), 2, 0);
    assertThat(h.env.operator().live()).isTrue();
  }

  @Test
  void capturesThatCannotBeRecordedForAPassOfSeveralTargetsSendNothingToAny() {
    // A pass of several targets records their captures and lists together before any PUT: while the capture
    // ConfigMaps cannot be written, no cluster is changed, and each target says why.
    ClusterFixture d = h.seed(ClusterFixture.loadBalancerManagedOutbound(Harness.SUB, ns, "aks2"));
    faults.fail("POST", ".*/namespaces/authip-system/configmaps.*", 500, 1_000);
    faults.fail("PUT", ".*/namespaces/authip-system/configmaps/.*", 500, 1_000);
    h.create(Harness.policy(ns, "p", List.of(c, d), RANGES));

    await().atMost(Harness.WAIT).until(() -> {
      var status = h.get(ns, "p").getStatus();
      return status != null && status.getTargets() != null && status.getTargets().size() == 2
          && status.getTargets().stream().allMatch(t -> "IntentNotRecorded".equals(t.getReason())
              && t.getPendingOperation() == null);
    });
    assertThat(h.puts(c)).isZero();
    assertThat(h.puts(d)).isZero();
    assertThat(h.get(ns, "p").getStatus().getTargets().get(0).getMessage())
        .contains("cannot record the pre-takeover state in ConfigMap authip-system/authip-capture-")
        .endsWith("; nothing was sent to Azure");

    faults.clear();
    h.awaitConverged(ns, "p", Map.of(c, Harness.expected(c, RANGES), d, Harness.expected(d, RANGES)));
    assertThat(h.acceptedPuts(c)).isEqualTo(1);
    assertThat(h.acceptedPuts(d)).isEqualTo(1);
  }
}
