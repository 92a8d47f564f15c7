package io.authip.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.CapturedAccess;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.PutAudit;
import io.authip.emulator.PutInvariants;
import io.authip.kubeapi.KubeFaults;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Write-ahead intent: the status write at each step of a change is refused, with and without the operator being
 * stopped right after the refusal. Each time: no intent is lost, {@code previous} is the cluster's genuine state before
 * the takeover, no PUT sends a list nobody asked for, and a fault costs at most one repeated PUT.
 */
class WriteAheadTest {

  static final List<String> RANGES = List.of("73.140.245.0/24", "52.160.96.17");
  static final String BEFORE = "40.112.0.0/16";
  static final AtomicInteger COUNTER = new AtomicInteger();
  static Harness h;

  String ns;
  ClusterFixture c;

  /** The status writes of one change, told apart by what they carry. */
  enum Step {
    /** The intent, written before the PUT: a pending operation without poll URL. */
    BEFORE_THE_PUT("\"pendingOperation\":\\{\"startedAt\""),
    /** After the PUT was accepted: the pending operation with its poll URL. */
    AFTER_THE_PUT("\"pendingOperation\":\\{\"pollUrl\""),
    /** After the poll found the operation done: no pending operation, the target applied. */
    AFTER_THE_POLL("\\A(?!.*\"pendingOperation\").*\"state\":\"(Propagating|InSync)\"");

    final String body;

    Step(String body) {
      this.body = body;
    }
  }

  @BeforeAll
  static void start() {
    h = Harness.start();
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      System.out.println("authip write-ahead: " + h.env.kube().faults().answered()
          + " status writes refused (409), every change converged with its genuine capture");
      h.close();
    }
  }

  @BeforeEach
  void cluster() {
    ns = "w" + COUNTER.incrementAndGet();
    c = h.seed(ClusterFixture.loadBalancerManagedOutbound(Harness.SUB, ns, "aks").withAuthorizedIpRanges(BEFORE));
    h.arm().operationDuration(Duration.ofMillis(300));
  }

  @AfterEach
  void invariants() {
    faults().clear();
    PutInvariants.check(h.arm());
    h.deletePolicies(ns);
  }

  KubeFaults faults() {
    return h.env.kube().faults();
  }

  String statusPath() {
    return ".*/namespaces/" + ns + "/authorizedippolicies/p/status.*";
  }

  @ParameterizedTest
  @EnumSource(Step.class)
  void aRefusedStatusWriteLosesNothing(Step step) {
    faults().failWhenBody("PUT", statusPath(), step.body, 409, 1);
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));

    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(faults().pending()).as("the refusal happened").isZero();
    assertGenuineCaptureAndOnlyAskedForLists();
    assertThat(h.acceptedPuts(c)).isEqualTo(1);
    PutInvariants.assertPutBudget(h.arm(), c.clusterId(), 1, 1);
  }

  @ParameterizedTest
  @EnumSource(Step.class)
  void aRefusedStatusWriteThenACrashLosesNothing(Step step) {
    int before = faults().answered();
    faults().failWhenBody("PUT", statusPath(), step.body, 409, 1);
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    await().atMost(Harness.WAIT).pollInterval(Duration.ofMillis(5)).until(() -> faults().answered() > before);
    crashAndRestart();

    h.awaitConverged(ns, "p", c, RANGES);
    assertGenuineCaptureAndOnlyAskedForLists();
    // The old process's SDK may resend the PUT it was making with its revoked token: refused, not accepted.
    assertThat(h.acceptedPuts(c)).isBetween(1L, 2L);
    PutInvariants.assertPutBudget(h.arm(), c.clusterId(), 1, 2);
  }

  @Test
  void noPutIsSentWhileTheIntentCannotBeWritten() {
    faults().failWhenBody("PUT", statusPath(), Step.BEFORE_THE_PUT.body, 409, 1_000);
    int before = faults().answered();
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    // JOSDK retries with backoff: several passes each planned a change and each was stopped by the refused intent.
    await().atMost(Harness.WAIT).until(() -> faults().answered() >= before + 3);
    assertThat(h.puts(c)).as("PUTs while the intent is refused").isZero();

    faults().clear();
    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(h.acceptedPuts(c)).isEqualTo(1);
    assertGenuineCaptureAndOnlyAskedForLists();
  }

  @Test
  void aPlantedPreviousIsIgnoredAndReplacedByAuthipsOwnRecord() {
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    h.awaitConverged(ns, "p", c, RANGES);
    var p = h.get(ns, "p");
    p.getStatus().getTargets().get(0).setPrevious(new CapturedAccess(Access.Restricted, List.of(), "2020-01-01T00:00:00Z"));
    h.k8s().resource(p).updateStatus();

    await().atMost(Harness.WAIT).untilAsserted(() -> assertThat(
        h.get(ns, "p").getStatus().getTargets().get(0).getPrevious().getRanges()).containsExactly(BEFORE));
    assertThat(h.k8s().v1().events().inNamespace(ns).list().getItems())
        .anyMatch(e -> "CaptureMismatch".equals(e.getReason()) && "Warning".equals(e.getType()));
    assertThat(h.acceptedPuts(c)).isEqualTo(1);
  }

  void crashAndRestart() {
    h.arm().revokeTokens();
    h.env.stopOperator();
    h.env.startOperator();
  }

  void assertGenuineCaptureAndOnlyAskedForLists() {
    CapturedAccess previous = h.get(ns, "p").getStatus().getTargets().get(0).getPrevious();
    assertThat(previous.getAccess()).isEqualTo(Access.Restricted);
    assertThat(previous.getRanges()).as("the state before the takeover").containsExactly(BEFORE);
    Set<String> asked = Harness.expected(c, RANGES);
    for (PutAudit a : h.arm().putAudits()) {
      if (a.isFor(c.clusterId())) {
        Set<String> sent = new TreeSet<>();
        a.sent().at("/properties/apiServerAccessProfile/authorizedIPRanges").forEach(n -> sent.add(n.asText()));
        assertThat(sent).as("every PUT sends the policy's list").isEqualTo(asked);
      }
    }
  }
}
