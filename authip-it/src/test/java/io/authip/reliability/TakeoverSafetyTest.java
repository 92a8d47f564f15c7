package io.authip.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.CapturedAccess;
import io.authip.api.v1alpha1.DeletionPolicy;
import io.authip.api.v1alpha1.Mode;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.Fault;
import io.authip.emulator.FaultTarget;
import io.authip.emulator.PutInvariants;
import io.authip.operator.AuthorizedIpPolicyReconciler;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a tenant who can write a policy and its status can and cannot make authip do, and what a restore on deletion
 * may do: Restore uses authip's own record of the pre-takeover state, only for clusters of the spec that the policy
 * owns and that still hold authip's list, bounded in time. Ownership goes to valid Enforce policies only; a cluster
 * someone keeps changing back becomes Contested instead of being flipped forever.
 */
class TakeoverSafetyTest {

  static final List<String> RANGES = List.of("73.140.245.0/24", "52.160.96.17");
  static final String BEFORE = "40.112.0.0/16";
  static final String FOREIGN = "8.8.8.0/24";
  static final Duration RESTORE_TIMEOUT = Duration.ofSeconds(4);
  static final AtomicInteger COUNTER = new AtomicInteger();
  static Harness h;

  String ns;
  ClusterFixture c;

  @BeforeAll
  static void start() {
    h = Harness.start(Harness.fastConfig().withGuards(3, Duration.ofMinutes(30), RESTORE_TIMEOUT));
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  @BeforeEach
  void cluster() {
    ns = "t" + COUNTER.incrementAndGet();
    c = h.seed(ClusterFixture.loadBalancerManagedOutbound(Harness.SUB, ns, "aks").withAuthorizedIpRanges(BEFORE));
    h.arm().operationDuration(Duration.ofMillis(300));
    if (h.env.operator() == null) {
      h.env.startOperator();
    }
  }

  @AfterEach
  void invariants() {
    h.arm().clearFaults();
    PutInvariants.check(h.arm());
    h.deletePolicies(ns);
  }

  static AuthorizedIpPolicy restorePolicy(String ns, String name, List<ClusterFixture> clusters) {
    AuthorizedIpPolicy p = Harness.policy(ns, name, clusters, RANGES);
    p.getSpec().setDeletionPolicy(DeletionPolicy.Restore);
    return p;
  }

  void deleteAndAwaitGone(String name) {
    h.k8s().resources(AuthorizedIpPolicy.class).inNamespace(ns).withName(name).delete();
    await().atMost(Harness.WAIT).until(() -> h.get(ns, name) == null);
  }

  List<Event> events(String reason) {
    return h.k8s().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason())).toList();
  }

  // ---- restore ---------------------------------------------------------------------------------------------------

  @Test
  void aPlantedStatusCannotSteerARestore() {
    ClusterFixture other = h.seed(ClusterFixture.loadBalancerManagedOutbound(Harness.SUB, ns, "other"));
    h.create(Harness.policy(ns, "q", List.of(other), RANGES));
    h.awaitConverged(ns, "q", other, RANGES);
    h.create(restorePolicy(ns, "p", List.of(c)));
    h.awaitConverged(ns, "p", c, RANGES);

    // A tenant plants "previous: Restricted, no ranges" on p's own cluster and on another policy's cluster.
    AuthorizedIpPolicy p = h.get(ns, "p");
    p.getStatus().getTargets().get(0).setPrevious(new CapturedAccess(Access.Restricted, List.of(), "2020-01-01T00:00:00Z"));
    TargetStatus planted = new TargetStatus();
    planted.setClusterId(other.clusterId());
    planted.setState(TargetState.InSync);
    planted.setPrevious(new CapturedAccess(Access.Restricted, List.of(), "2020-01-01T00:00:00Z"));
    p.getStatus().getTargets().add(planted);
    h.k8s().resource(p).updateStatus();
    long otherPuts = h.acceptedPuts(other);
    deleteAndAwaitGone("p");

    assertThat(h.ranges(c)).as("the genuine capture is put back").containsExactly(BEFORE);
    assertThat(h.acceptedPuts(other)).as("another policy's cluster is never touched").isEqualTo(otherPuts);
    assertThat(h.ranges(other)).isEqualTo(Harness.expected(other, RANGES));
    assertThat(h.acceptedPuts(c)).isEqualTo(2);
  }

  @Test
  void aClusterChangedSinceAuthipAppliedItsListIsLeftAsItIs() {
    h.create(restorePolicy(ns, "p", List.of(c)));
    h.awaitConverged(ns, "p", c, RANGES);
    h.env.stopOperator();
    h.setRangesOutOfBand(c, FOREIGN);
    h.k8s().resources(AuthorizedIpPolicy.class).inNamespace(ns).withName("p").delete();
    h.env.startOperator();
    await().atMost(Harness.WAIT).until(() -> h.get(ns, "p") == null);

    assertThat(h.ranges(c)).containsExactly(FOREIGN);
    assertThat(h.acceptedPuts(c)).isEqualTo(1);
    assertThat(events("RestoreSkipped")).singleElement().satisfies(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getMessage()).contains("changed since authip applied them").contains(BEFORE);
    });
  }

  @Test
  void aClusterThatBecamePrivateIsLeftAndTheFinalizerReleased() {
    h.create(restorePolicy(ns, "p", List.of(c)));
    h.awaitConverged(ns, "p", c, RANGES);
    h.env.stopOperator();
    h.arm().editCluster(c.clusterId(), b -> ((com.fasterxml.jackson.databind.node.ObjectNode) b.path("properties")
        .path("apiServerAccessProfile")).put("enablePrivateCluster", true));
    int puts = h.puts(c);
    h.k8s().resources(AuthorizedIpPolicy.class).inNamespace(ns).withName("p").delete();
    h.env.startOperator();
    await().atMost(Harness.WAIT).until(() -> h.get(ns, "p") == null);

    assertThat(h.puts(c)).as("no PUT to a private cluster").isEqualTo(puts);
    assertThat(events("RestoreSkipped")).singleElement()
        .satisfies(e -> assertThat(e.getMessage()).contains("now private"));
  }

  @Test
  void aRestoreThatCannotSucceedGivesUpAfterTheTimeoutAndReleasesTheFinalizer() {
    h.create(restorePolicy(ns, "p", List.of(c)));
    h.awaitConverged(ns, "p", c, RANGES);
    FaultTarget puts = FaultTarget.resource(c.clusterId()).method("PUT");
    h.arm().injectFault(puts, Fault.status(400, "BadRequest", "refused by the test"), 1_000);
    int before = h.puts(c);
    long start = System.nanoTime();
    deleteAndAwaitGone("p");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    // The deletion timestamp the API server sets has whole seconds: the timeout may end up to 1 s before it.
    assertThat(took).as("released after the restore timeout, not before")
        .isGreaterThanOrEqualTo(RESTORE_TIMEOUT.minusSeconds(1));
    assertThat(events("RestoreFailed")).singleElement().satisfies(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getMessage()).contains("gave up restoring after PT4S").contains("aks");
    });
    // Backoff 200 ms doubling: about 5 attempts in 4 s, where a fixed 300 ms retry made 13 and never stopped.
    assertThat(h.puts(c) - before).as("restore attempts").isBetween(1, 8);
    assertThat(h.ranges(c)).isEqualTo(Harness.expected(c, RANGES));
  }

  @Test
  void onlyRestorePoliciesCarryTheFinalizerAndAnUpgradedRetainPolicyLosesIt() {
    AuthorizedIpPolicy retain = Harness.policy(ns, "retain", List.of(c), RANGES);
    retain.getMetadata().setFinalizers(new ArrayList<>(List.of(AuthorizedIpPolicyReconciler.FINALIZER)));
    h.create(retain);
    ClusterFixture second = h.seed(ClusterFixture.loadBalancerManagedOutbound(Harness.SUB, ns, "second")
        .withAuthorizedIpRanges(BEFORE));
    h.create(restorePolicy(ns, "restore", List.of(second)));
    AuthorizedIpPolicy observe = restorePolicy(ns, "observe", List.of(second));
    observe.getSpec().setMode(Mode.Observe);
    h.create(observe);

    await().atMost(Harness.WAIT).untilAsserted(() -> {
      assertThat(h.get(ns, "retain").getMetadata().getFinalizers()).as("retain").isEmpty();
      assertThat(h.get(ns, "restore").getMetadata().getFinalizers()).as("restore")
          .containsExactly(AuthorizedIpPolicyReconciler.FINALIZER);
    });
    h.awaitConverged(ns, "observe", second, RANGES);
    assertThat(h.get(ns, "observe").getMetadata().getFinalizers()).as("observe").isEmpty();
    // Without a finalizer, deletion needs no operator at all.
    h.env.stopOperator();
    h.k8s().resources(AuthorizedIpPolicy.class).inNamespace(ns).withName("retain").delete();
    h.k8s().resources(AuthorizedIpPolicy.class).inNamespace(ns).withName("observe").delete();
    await().atMost(Harness.WAIT).until(() -> h.get(ns, "retain") == null && h.get(ns, "observe") == null);
    h.env.startOperator();
  }

  // ---- ownership -------------------------------------------------------------------------------------------------

  @Test
  void anInvalidOrObservePolicyCannotSquatACluster() {
    AuthorizedIpPolicy invalid = Harness.policy(ns, "a-invalid", List.of(c), List.of("10.0.0.0/8"));
    invalid.getSpec().setMode(Mode.Observe);
    h.create(invalid);
    h.create(Harness.policy(ns, "b-observe", List.of(c), List.of("20.42.0.0/24")));
    h.edit(ns, "b-observe", s -> s.setMode(Mode.Observe));
    await().atMost(Harness.WAIT).until(() -> h.get(ns, "b-observe").getStatus() != null);
    h.create(Harness.policy(ns, "c-enforce", List.of(c), RANGES));

    h.awaitConverged(ns, "c-enforce", c, RANGES);
    // The Observe policy, older, is not blocked by the Enforce one either: it reports its own difference.
    await().atMost(Harness.WAIT).untilAsserted(() -> {
      TargetStatus t = h.get(ns, "b-observe").getStatus().getTargets().get(0);
      assertThat(t.getState()).isEqualTo(TargetState.Drifted);
      assertThat(t.getReason()).isNotEqualTo("TargetConflict");
    });
    assertThat(h.get(ns, "a-invalid").getStatus().getConditions().get(0).getReason()).isEqualTo("InvalidSpec");
  }

  // ---- flap guard ------------------------------------------------------------------------------------------------

  @Test
  void aClusterSomeoneKeepsChangingBackBecomesContestedUntilTheSpecChanges() throws Exception {
    h.create(Harness.policy(ns, "p", List.of(c), RANGES));
    h.awaitConverged(ns, "p", c, RANGES);
    Set<String> wanted = Harness.expected(c, RANGES);
    AtomicBoolean fighting = new AtomicBoolean(true);
    AtomicInteger undone = new AtomicInteger();
    // Another writer (a second install, Terraform, the portal) puts its own list back whenever authip's is there.
    Thread fighter = new Thread(() -> {
      while (fighting.get()) {
        if (h.ranges(c).equals(wanted) && "Succeeded".equals(h.provisioningState(c))) {
          h.setRangesOutOfBand(c, FOREIGN);
          undone.incrementAndGet();
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "fighter");
    fighter.start();
    try {
      await().atMost(Harness.WAIT).untilAsserted(() -> assertThat(h.get(ns, "p").getStatus().getTargets().get(0)
          .getState()).isEqualTo(TargetState.Contested));
      long putsWhenContested = h.acceptedPuts(c);
      assertThat(putsWhenContested).as("the first change and three corrections").isEqualTo(4);
      TargetStatus t = h.get(ns, "p").getStatus().getTargets().get(0);
      assertThat(t.getMessage()).contains(FOREIGN).contains("not corrected until");
      assertThat(events("Contested")).singleElement().satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
      assertThat(h.env.registry().get("authip.target.contested").tag("namespace", ns).gauge().value())
          .isEqualTo(1.0);
      // Several resyncs later (one a second), still no PUT: the fight has stopped.
      int reads = h.arm().requestCount(c.clusterId(), "GET");
      await().atMost(Harness.WAIT).until(() -> h.arm().requestCount(c.clusterId(), "GET") >= reads + 3);
      assertThat(h.acceptedPuts(c)).isEqualTo(putsWhenContested);
    } finally {
      fighting.set(false);
      fighter.join();
    }
    // A spec change resumes enforcement at once.
    List<String> edited = List.of("73.140.245.0/24", "20.42.0.0/24");
    h.edit(ns, "p", s -> s.setRanges(new ArrayList<>(Harness.entries(edited))));
    h.awaitConverged(ns, "p", c, edited);
    assertThat(h.get(ns, "p").getStatus().getTargets().get(0).getRecentCorrections()).isNull();
  }
}
