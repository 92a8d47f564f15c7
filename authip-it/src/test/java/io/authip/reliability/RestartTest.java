package io.authip.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.Fault;
import io.authip.emulator.FaultTarget;
import io.authip.emulator.PutInvariants;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator stopped at every step of a change and a new one started: it converges without losing an update and
 * with at most one extra PUT.
 *
 * <p>How a crash is simulated: the old operator is held at the step (an answer the emulator delays), its Azure
 * token is revoked ({@code revokeTokens}), then it is stopped. JOSDK's graceful stop lets the reconcile in flight
 * finish, but with a revoked token it can no longer change anything in Azure: what Azure holds is exactly what a
 * process killed at that step would have left. The new operator gets a new token.
 */
class RestartTest {

  static final List<String> RANGES = List.of("73.140.245.0/24", "52.160.96.17");
  static final List<String> EDITED = List.of("73.140.245.0/24", "20.42.0.0/23");
  static final Duration HOLD = Duration.ofSeconds(2);
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
    ns = "r" + COUNTER.incrementAndGet();
    c = h.seed(ClusterFixture.loadBalancerManagedOutbound(Harness.SUB, ns, "aks"));
    h.arm().operationDuration(Duration.ofMillis(300));
  }

  @AfterEach
  void invariants() {
    PutInvariants.check(h.arm());
    h.env.requireNoForbiddenRequests();
    h.deletePolicies(ns);
  }

  void crashAndRestart() {
    h.arm().revokeTokens();
    h.env.stopOperator();
    h.env.startOperator();
  }

  @Test
  void afterTheClusterWasReadBeforeThePut() {
    FaultTarget resolve = FaultTarget.resource(c.publicIps().keySet().iterator().next());
    // Every lookup of the egress address is held past the HTTP timeout, retries included: the operator stays
    // between the GET and the PUT however long this test takes to get there.
    int firings = 1000;
    h.arm().injectFault(resolve, Fault.delay(HOLD), firings);
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    // The egress lookup comes after the cluster GET and before the PUT: the operator is held between them.
    await().atMost(Harness.WAIT).until(() -> h.arm().pendingFaults(resolve) < firings);
    assertThat(h.arm().requestCount(c.clusterId(), "GET")).isPositive();
    assertThat(h.puts(c)).isZero();

    h.arm().revokeTokens();
    h.env.stopOperator();
    h.arm().clearFaults();
    h.env.startOperator();

    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(h.acceptedPuts(c)).isEqualTo(1);
    PutInvariants.assertPutBudget(h.arm(), c.clusterId(), 1, 0);
  }

  @Test
  void afterThePutWasAcceptedBeforeTheOperatorHeardOfIt() {
    h.arm().injectFault(FaultTarget.resource(c.clusterId()).method("PUT"), Fault.lostResponse(HOLD), 1);
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    await().atMost(Harness.WAIT).until(() -> h.acceptedPuts(c) == 1);

    crashAndRestart();

    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(h.acceptedPuts(c)).isEqualTo(1);
    // The old operator's SDK retries the PUT whose answer it lost, with its revoked token: refused, one extra PUT.
    PutInvariants.assertPutBudget(h.arm(), c.clusterId(), 1, 1);
  }

  @Test
  void whileTheOperationIsBeingPolled() {
    h.arm().operationDuration(Duration.ofSeconds(2));
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    TargetStatus t = awaitTarget(TargetState.Updating);
    assertThat(t.getPendingOperation()).isNotNull();

    crashAndRestart();

    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(h.acceptedPuts(c)).isEqualTo(1);
    PutInvariants.assertPutBudget(h.arm(), c.clusterId(), 1, 0);
  }

  @Test
  void afterTheOperationEndedBeforeTheOperatorNoticed() {
    // Long enough that the old operator's first poll (after Retry-After, the time left) comes after the revoke.
    h.arm().operationDuration(Duration.ofSeconds(4));
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    awaitTarget(TargetState.Updating);
    // From here the old operator cannot poll: status keeps the pending operation while Azure finishes it.
    h.arm().revokeTokens();
    await().atMost(Harness.WAIT).until(() -> h.provisioningState(c).equals("Succeeded"));
    assertThat(h.get(ns, "p").getStatus().getTargets().get(0).getPendingOperation()).isNotNull();

    crashAndRestart();

    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(h.acceptedPuts(c)).isEqualTo(1);
    PutInvariants.assertPutBudget(h.arm(), c.clusterId(), 1, 0);
  }

  @Test
  void whileStoppedThePolicyAndTheClusterTagsWereEdited() {
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    h.awaitConverged(ns, "p", c, RANGES);
    h.env.stopOperator();
    h.edit(ns, "p", s -> s.setRanges(Harness.entries(EDITED)));
    h.arm().editCluster(c.clusterId(), b -> b.with("tags").put("owner", "portal-user"));
    h.env.startOperator();

    h.awaitConverged(ns, "p", c, EDITED);
    assertThat(h.arm().cluster(c.clusterId()).orElseThrow().at("/tags/owner").asText()).isEqualTo("portal-user");
    assertThat(h.acceptedPuts(c)).isEqualTo(2);
    PutInvariants.assertPutBudget(h.arm(), c.clusterId(), 2, 0);
  }

  /** The target as read when it was first seen in {@code state} (a second read may find the operator moved on). */
  TargetStatus awaitTarget(TargetState state) {
    return await().atMost(Harness.WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
      AuthorizedIpPolicy p = h.get(ns, "p");
      return p == null || p.getStatus() == null || p.getStatus().getTargets().isEmpty() ? null
          : p.getStatus().getTargets().get(0);
    }, t -> t != null && t.getState() == state);
  }
}
