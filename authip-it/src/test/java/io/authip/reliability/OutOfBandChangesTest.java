package io.authip.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.TargetState;
import io.authip.emulator.ClusterFixture;
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
 * Changes made by someone else, at each step of authip's own change: before it reads, while its operation runs, and
 * after it is done. Someone else's change to another field is never overwritten; a change to the ranges is
 * corrected; an edit of the policy in the middle of a change is applied after it, not lost.
 */
class OutOfBandChangesTest {

  static final List<String> RANGES = List.of("73.140.245.0/24", "52.160.96.17");
  static final List<String> EDITED = List.of("73.140.245.0/24", "20.42.0.0/23");
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
    ns = "o" + COUNTER.incrementAndGet();
    c = h.seed(ClusterFixture.loadBalancerManagedOutbound(Harness.SUB, ns, "aks")
        .withAuthorizedIpRanges("40.112.0.0/16"));
    h.arm().operationDuration(Duration.ofMillis(300));
  }

  @AfterEach
  void invariants() {
    PutInvariants.check(h.arm());
    h.env.requireNoForbiddenRequests();
    h.deletePolicies(ns);
  }

  /** Waits until authip's operation is running on the cluster (its status says Updating). */
  void awaitOwnOperation() {
    await().atMost(Harness.WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
      AuthorizedIpPolicy p = h.get(ns, "p");
      return p != null && p.getStatus() != null && !p.getStatus().getTargets().isEmpty()
          && p.getStatus().getTargets().get(0).getState() == TargetState.Updating;
    });
  }

  @Test
  void rangesSomeoneElseSetBeforeAuthipCameAreReplacedAndRecordedAsPrevious() {
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));

    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(h.get(ns, "p").getStatus().getTargets().get(0).getPrevious().getRanges())
        .containsExactly("40.112.0.0/16");
    assertThat(h.acceptedPuts(c)).isEqualTo(1);
  }

  @Test
  void rangesChangedWhileAuthipsOperationRunsAreCorrectedAfterIt() {
    h.arm().operationDuration(Duration.ofSeconds(1));
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    awaitOwnOperation();
    h.setRangesOutOfBand(c, "8.8.8.0/24");

    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(h.acceptedPuts(c)).isEqualTo(2);
    PutInvariants.assertPutBudget(h.arm(), c.clusterId(), 2, 1);
  }

  @Test
  void tagsChangedWhileAuthipsOperationRunsAreKept() {
    h.arm().operationDuration(Duration.ofSeconds(1));
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    awaitOwnOperation();
    h.arm().editCluster(c.clusterId(), b -> b.with("tags").put("owner", "portal-user"));

    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(h.arm().cluster(c.clusterId()).orElseThrow().at("/tags/owner").asText()).isEqualTo("portal-user");
    assertThat(h.acceptedPuts(c)).isEqualTo(1);
  }

  @Test
  void aPolicyEditWhileAuthipsOperationRunsIsAppliedAfterIt() {
    h.arm().operationDuration(Duration.ofSeconds(1));
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    awaitOwnOperation();
    h.edit(ns, "p", s -> s.setRanges(Harness.entries(EDITED)));

    h.awaitConverged(ns, "p", c, EDITED);
    assertThat(h.acceptedPuts(c)).isEqualTo(2);
    PutInvariants.assertPutBudget(h.arm(), c.clusterId(), 2, 0);
  }

  @Test
  void anIpRangeSetEditWhileAuthipsOperationRunsIsAppliedAfterIt() {
    h.arm().operationDuration(Duration.ofSeconds(1));
    h.putRangeSet(ns, "ci", List.of("20.42.0.0/24"));
    var policy = Harness.policy(ns, "p", List.of(c), RANGES);
    policy.getSpec().getRangeSetRefs().add(Harness.ref("ci"));
    h.create(policy);
    awaitOwnOperation();
    h.putRangeSet(ns, "ci", List.of("20.42.0.0/24", "20.42.1.0/24"));

    h.awaitConverged(ns, "p", c, List.of("73.140.245.0/24", "52.160.96.17", "20.42.0.0/23"));
    assertThat(h.acceptedPuts(c)).isEqualTo(2);
    PutInvariants.assertPutBudget(h.arm(), c.clusterId(), 2, 0);
  }

  @Test
  void driftAfterwardsIsCorrectedOnceAndAnUnrelatedEditCostsNoPut() {
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    h.awaitConverged(ns, "p", c, RANGES);
    h.arm().editCluster(c.clusterId(), b -> b.with("tags").put("owner", "portal-user"));
    h.setRangesOutOfBand(c, "8.8.8.0/24");

    await().atMost(Harness.WAIT).until(() -> h.acceptedPuts(c) == 2);
    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(h.arm().cluster(c.clusterId()).orElseThrow().at("/tags/owner").asText()).isEqualTo("portal-user");
    PutInvariants.assertPutBudget(h.arm(), c.clusterId(), 2, 0);
  }

  @Test
  void aClusterThatDisappearsIsReportedAndPickedUpAgainWhenItIsBack() {
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    h.awaitConverged(ns, "p", c, RANGES);
    h.arm().removeCluster(c.clusterId());

    await().atMost(Harness.WAIT).until(() -> {
      AuthorizedIpPolicy p = h.get(ns, "p");
      return "ClusterNotFound".equals(p.getStatus().getTargets().get(0).getReason());
    });
    h.seed(c);
    h.awaitConverged(ns, "p", c, RANGES);
    assertThat(h.acceptedPuts(c)).isEqualTo(2);
  }
}
