package io.authip.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.emulator.ArmEmulator;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.Fault;
import io.authip.emulator.FaultTarget;
import io.authip.emulator.PutInvariants;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fault the ARM emulator can inject, at every phase of a change: read (cluster GET), resolve (public IP and
 * prefix GETs, of clusters read alone), write (cluster PUT) and poll (operation GET). Each case has its own cluster and policy; all cases
 * start together in one operator (faults are aimed at one cluster's requests), then each test waits for its case to
 * converge to the spec and checks that the fault fired and the PUTs stayed within budget.
 *
 * <p>The SDK retries 5xx, resets and timeouts 3 times inside one call ({@code AUTHIP_AZURE_MAX_RETRIES}); a fault
 * that fires 5 times therefore outlasts it and reaches the operator, which reschedules with backoff.
 */
class FaultMatrixTest {

  static final List<String> RANGES = List.of("73.140.245.0/24", "52.160.96.17");
  static final Duration SLOW = Duration.ofMillis(500);
  static final Duration SLOWER_THAN_TIMEOUT = Harness.HTTP_TIMEOUT.plusSeconds(1);

  /** Injects a case's faults for its cluster; returns the targets whose firings must all be used up. */
  @FunctionalInterface
  interface Injection {
    List<FaultTarget> inject(ArmEmulator arm, ClusterFixture c);
  }

  /**
   * @param forcedRetries PUTs beyond the one change that the fault may cause
   */
  record Case(String phase, String fault, ClusterFixture.Kind kind, int forcedRetries, Injection injection,
      BiConsumer<Harness, ClusterFixture> verify) {
    @Override
    public String toString() {
      return phase + ": " + fault;
    }
  }

  static Case of(String phase, String fault, int forcedRetries, Injection injection) {
    return new Case(phase, fault, ClusterFixture.Kind.LOAD_BALANCER_MANAGED_OUTBOUND, forcedRetries, injection, (h, c) -> { });
  }

  /** The same fault {@code times} times on the requests {@code target} picks for the cluster. */
  static Injection times(java.util.function.Function<ClusterFixture, FaultTarget> target, Fault fault, int times) {
    return (arm, c) -> {
      FaultTarget t = target.apply(c);
      arm.injectFault(t, fault, times);
      return List.of(t);
    };
  }

  static FaultTarget read(ClusterFixture c) {
    return FaultTarget.resource(c.clusterId()).method("GET");
  }

  static FaultTarget resolve(ClusterFixture c) {
    return FaultTarget.resource(c.publicIps().keySet().iterator().next());
  }

  static FaultTarget resolvePrefix(ClusterFixture c) {
    return FaultTarget.resource(c.publicIpPrefixes().keySet().iterator().next());
  }

  static FaultTarget write(ClusterFixture c) {
    return FaultTarget.resource(c.clusterId()).method("PUT");
  }

  static FaultTarget poll(ClusterFixture c) {
    return FaultTarget.operationsOf(c.clusterId());
  }

  static Stream<Case> cases() {
    List<Case> all = new ArrayList<>();
    Map<String, java.util.function.Function<ClusterFixture, FaultTarget>> phases = new LinkedHashMap<>();
    phases.put("read", FaultMatrixTest::read);
    phases.put("resolve", FaultMatrixTest::resolve);
    phases.put("write", FaultMatrixTest::write);
    phases.put("poll", FaultMatrixTest::poll);
    phases.forEach((phase, target) -> {
      // A retried PUT is one more PUT; faults on other phases never cost one.
      int perFiring = phase.equals("write") ? 1 : 0;
      all.add(of(phase, "429 Retry-After 1s (retried inside the SDK)", perFiring, times(target, Fault.throttled(1), 1)));
      all.add(of(phase, "429 Retry-After 2s (reaches the operator, which reschedules)", perFiring,
          times(target, Fault.throttled(2), 1)));
      all.add(of(phase, "500 once", perFiring, times(target, Fault.internalServerError(), 1)));
      all.add(of(phase, "500 five times (outlasts the SDK's retries)", 5 * perFiring,
          times(target, Fault.internalServerError(), 5)));
      all.add(of(phase, "503 with Retry-After 30s, twice", 2 * perFiring,
          times(target, Fault.serviceUnavailable(30), 2)));
      all.add(of(phase, "connection reset once", perFiring, times(target, Fault.connectionReset(), 1)));
      all.add(of(phase, "connection reset five times", 5 * perFiring, times(target, Fault.connectionReset(), 5)));
      all.add(of(phase, "slow answer (" + SLOW.toMillis() + " ms)", 0, times(target, Fault.delay(SLOW), 1)));
      all.add(of(phase, "answer slower than the HTTP timeout", perFiring,
          times(target, Fault.delay(SLOWER_THAN_TIMEOUT), 1)));
    });
    all.add(new Case("resolve", "prefix GET: 500 five times", ClusterFixture.Kind.LOAD_BALANCER_CUSTOM_OUTBOUND, 0,
        times(FaultMatrixTest::resolvePrefix, Fault.internalServerError(), 5), (h, c) -> { }));
    all.add(new Case("resolve", "prefix GET: 429 Retry-After 2s", ClusterFixture.Kind.LOAD_BALANCER_CUSTOM_OUTBOUND, 0,
        times(FaultMatrixTest::resolvePrefix, Fault.throttled(2), 1), (h, c) -> { }));

    all.add(of("read", "cluster busy with someone else's operation (provisioningState Updating)", 0, (arm, c) -> {
      arm.beginExternalOperation(c.clusterId(), Duration.ofSeconds(1));
      return List.of();
    }));
    all.add(of("write", "409 OperationNotAllowed (busy) twice", 2, times(FaultMatrixTest::write,
        Fault.operationNotAllowed(), 2)));
    all.add(of("write", "412 PreconditionFailed once", 1, times(FaultMatrixTest::write, Fault.preconditionFailed(),
        1)));
    all.add(of("write", "response lost after the PUT was carried out", 1, times(FaultMatrixTest::write,
        Fault.lostResponse(), 1)));
    // The PUT goes out with the eTag of the one GET it was planned from, so each concurrent edit costs one refused
    // (412) PUT: a fault that forced a retry, never an overwrite.
    all.add(new Case("write", "someone edits the tags between GET and PUT", ClusterFixture.Kind.LOAD_BALANCER_MANAGED_OUTBOUND,
        1, (arm, c) -> {
          arm.mutateAfterNextGet(c.clusterId(), b -> b.with("tags").put("owner", "portal-user"));
          return List.of();
        }, (h, c) -> assertThat(h.arm().cluster(c.clusterId()).orElseThrow().at("/tags/owner").asText())
            .isEqualTo("portal-user")));
    all.add(new Case("write", "the cluster changes between GET and PUT three reads in a row",
        ClusterFixture.Kind.LOAD_BALANCER_MANAGED_OUTBOUND, 3, (arm, c) -> {
          for (int i = 1; i <= 3; i++) {
            String value = "edit-" + i;
            arm.mutateAfterNextGet(c.clusterId(), b -> b.with("tags").put("edited", value));
          }
          return List.of();
        }, (h, c) -> assertThat(h.arm().cluster(c.clusterId()).orElseThrow().at("/tags/edited").asText())
            .isEqualTo("edit-3")));
    all.add(of("poll", "404 (the operation record is gone)", 0, times(FaultMatrixTest::poll,
        Fault.status(404, "NotFound", "Operation was not found."), 1)));
    all.add(of("poll", "operation ends Failed", 1, (arm, c) -> {
      arm.failNextOperation(c.clusterId(), "InternalOperationError", "injected by FaultMatrixTest");
      return List.of();
    }));
    all.add(of("poll", "operation ends Canceled", 1, (arm, c) -> {
      arm.cancelNextOperation(c.clusterId());
      return List.of();
    }));
    return all.stream();
  }

  static Harness h;
  static final Map<String, Running> RUNNING = new LinkedHashMap<>();

  record Running(String ns, ClusterFixture cluster, List<FaultTarget> targets) {
  }

  /** Every case starts at once: the operator works on all of them concurrently, as it would on a fleet. */
  @BeforeAll
  static void startEveryCase() {
    h = Harness.start();
    int i = 0;
    List<String> ownSubscriptions = new ArrayList<>(List.of(Harness.SUB));
    for (Case k : (Iterable<Case>) cases()::iterator) {
      String ns = "fm" + (++i);
      // The clusters of one subscription are observed by its list, and their addresses come with the subscription's
      // lists of public IPs and prefixes (faults on lists: FleetListTest). A cluster alone in its subscription is
      // read alone, and so are its addresses: each resolve case has a subscription of its own, so that its faults
      // hit the lookups of its addresses.
      String sub = k.phase().equals("resolve") ? String.format("5a1c2e3f-4b6d-4e8f-9a0b-%012d", i) : Harness.SUB;
      if (!sub.equals(Harness.SUB)) {
        ownSubscriptions.add(sub);
        h.env.grantAll(ownSubscriptions.toArray(String[]::new));
      }
      ClusterFixture c = h.seed(ClusterFixture.of(k.kind(), sub, ns, "aks"));
      List<FaultTarget> targets = k.injection().inject(h.arm(), c);
      h.create(Harness.policy(ns, "p", List.of(c), RANGES));
      RUNNING.put(k.toString(), new Running(ns, c, targets));
    }
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  @AfterEach
  void invariants() {
    PutInvariants.check(h.arm());
    h.env.requireNoForbiddenRequests();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void convergesToTheSpec(Case k) {
    Running r = RUNNING.get(k.toString());
    ClusterFixture c = r.cluster();

    h.awaitConverged(r.ns(), "p", c, RANGES);

    for (FaultTarget t : r.targets()) {
      assertThat(h.arm().pendingFaults(t)).as("the injected fault fired every time (%s)", t).isZero();
    }
    assertThat(h.acceptedPuts(c)).as("accepted PUTs").isBetween(1L, 1L + k.forcedRetries());
    PutInvariants.assertPutBudget(h.arm(), c.clusterId(), 1, k.forcedRetries());
    k.verify().accept(h, c);
  }
}
