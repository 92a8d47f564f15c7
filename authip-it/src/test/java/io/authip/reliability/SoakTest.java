package io.authip.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.emulator.ArmEmulator;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.Fault;
import io.authip.emulator.FaultTarget;
import io.authip.emulator.PutInvariants;
import io.authip.kubeapi.KubeFaults;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A randomized soak, bounded in time and seeded: random policy and IpRangeSet edits, out-of-band changes in Azure
 * (ranges and tags), injected ARM and Kubernetes faults and operator restarts, all while the operator works. At the
 * end every cluster holds exactly what its policy says, no tag written by "someone else" was lost, the PUT
 * invariants held for every PUT, and no cluster got more PUTs than the changes and faults that touched it.
 *
 * <p>The build runs it with a fixed seed (the {@code authip.soak.seed} property of authip-it/pom.xml), printed at the
 * start; {@code -Dauthip.soak.seed=N} replays another run's sequence of actions (the operator's timing still varies),
 * {@code -Dauthip.soak.seed=random} draws a new one; {@code -Dauthip.soak.seconds=N} sets its length (default 20,
 * what CI runs). For a long run: {@code ./mvnw verify -pl authip-it -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=SoakTest -Dauthip.soak.seconds=600 -Dauthip.soak.seed=random}.
 */
class SoakTest {

  static final String NS = "soak";
  static final List<String> POOL = List.of("73.140.245.0/24", "52.160.96.17", "137.117.106.88/29", "20.42.0.0/24",
      "20.42.1.0/24", "40.112.0.0/16", "13.64.0.0/16", "104.40.0.0/16", "51.105.0.0/16", "65.52.0.0/14",
      "23.96.0.0/13", "168.61.0.0/16", "191.232.0.0/13", "52.224.0.0/11", "4.150.0.0/15");
  static Harness h;

  @BeforeAll
  static void start() {
    // The driver's out-of-band changes are a fight by design: the flap guard (TakeoverSafetyTest, TwoInstallsTest)
    // would rightly stand down and the end state would not be the policies'. Here it must never trip.
    h = Harness.start(Harness.fastConfig().withGuards(1_000_000, Duration.ofMinutes(30), Duration.ofMinutes(10)));
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  /** One policy, its clusters, and what it should hold. */
  static final class PolicyModel {
    final String name;
    final List<ClusterFixture> clusters;
    final List<String> sets;
    List<String> ranges;

    PolicyModel(String name, List<ClusterFixture> clusters, List<String> sets, List<String> ranges) {
      this.name = name;
      this.clusters = clusters;
      this.sets = sets;
      this.ranges = ranges;
    }
  }

  final Map<String, List<String>> setRanges = new TreeMap<>();
  final List<PolicyModel> policies = new ArrayList<>();
  final Map<String, Integer> changes = new HashMap<>();
  final Map<String, Integer> faults = new HashMap<>();
  final Map<String, String> tags = new HashMap<>();
  final Map<String, Integer> actions = new TreeMap<>();
  int restarts;

  @Test
  void everythingConvergesAndTheInvariantsHeldThroughout() throws Exception {
    long seed = seed(System.getProperty("authip.soak.seed"));
    int seconds = Integer.getInteger("authip.soak.seconds", 20);
    System.out.printf("authip soak: seed=%d seconds=%d (replay: -Dauthip.soak.seed=%d -Dauthip.soak.seconds=%d)%n",
        seed, seconds, seed, seconds);
    Random random = new Random(seed);
    buildFleet();

    Instant end = Instant.now().plusSeconds(seconds);
    while (Instant.now().isBefore(end)) {
      act(random);
      Thread.sleep(50 + random.nextInt(250));
    }

    h.arm().clearFaults();
    h.env.kube().faults().clear();
    if (h.env.operator() == null) {
      h.env.startOperator();
    }
    System.out.printf("authip soak: seed=%d, actions %s, restarts %d; waiting for convergence%n", seed, actions,
        restarts);
    // A cluster whose PUTs the soak used up (AKS: 20, then one a minute, which the operator's pacer honours) gets its
    // last correction up to a minute later, queued: convergence may take that minute on top of the usual wait.
    long waitFrom = System.nanoTime();
    for (PolicyModel p : policies) {
      Map<ClusterFixture, Set<String>> expected = new LinkedHashMap<>();
      for (ClusterFixture c : p.clusters) {
        expected.put(c, Harness.expected(c, desired(p)));
      }
      h.awaitConverged(NS, p.name, expected, Harness.WAIT.plus(AKS_PUT_REFILL));
    }
    System.out.printf("authip soak: converged %.1f s after the last action%n", (System.nanoTime() - waitFrom) / 1e9);
    for (PolicyModel p : policies) {
      for (ClusterFixture c : p.clusters) {
        for (String key : List.of("owner", "portal")) {
          String tag = tags.get(c.clusterId() + " " + key);
          if (tag != null) {
            // an edit queued for the next GET may still be waiting for the next resync
            await().atMost(Harness.WAIT).untilAsserted(() -> assertThat(h.arm().cluster(c.clusterId()).orElseThrow()
                .at("/tags/" + key).asText()).as("the tag someone else wrote on %s (seed %d)", c.name(), seed)
                .isEqualTo(tag));
          }
        }
        // A restart may cost each cluster one PUT; every other PUT is a change or a fault that touched the cluster.
        PutInvariants.assertPutBudget(h.arm(), c.clusterId(), changes.getOrDefault(c.clusterId(), 0),
            faults.getOrDefault(c.clusterId(), 0) + restarts);
      }
    }
    PutInvariants.check(h.arm());
    h.env.requireNoForbiddenRequests();
  }

  void buildFleet() {
    List<ClusterFixture> c = new ArrayList<>();
    int i = 0;
    for (ClusterFixture.Kind kind : List.of(ClusterFixture.Kind.LOAD_BALANCER_MANAGED_OUTBOUND,
        ClusterFixture.Kind.LOAD_BALANCER_CUSTOM_OUTBOUND, ClusterFixture.Kind.MANAGED_NAT_GATEWAY,
        ClusterFixture.Kind.NODE_PUBLIC_IP_PREFIX, ClusterFixture.Kind.LOAD_BALANCER_MANAGED_OUTBOUND,
        ClusterFixture.Kind.MANAGED_NAT_GATEWAY)) {
      c.add(h.seed(ClusterFixture.of(kind, Harness.SUB, NS, "aks" + (++i))));
    }
    setRanges.put("ci", List.of("20.42.0.0/24"));
    setRanges.put("office", List.of("73.140.245.0/24", "52.160.96.17"));
    setRanges.forEach((name, ranges) -> h.putRangeSet(NS, name, ranges));
    policies.add(new PolicyModel("p1", List.of(c.get(0), c.get(1)), List.of("ci"), List.of("40.112.0.0/16")));
    policies.add(new PolicyModel("p2", List.of(c.get(2)), List.of("office"), List.of("13.64.0.0/16")));
    policies.add(new PolicyModel("p3", List.of(c.get(3), c.get(4)), List.of("ci", "office"),
        List.of("104.40.0.0/16")));
    policies.add(new PolicyModel("p4", List.of(c.get(5)), List.of(), List.of("51.105.0.0/16")));
    for (PolicyModel p : policies) {
      var policy = Harness.policy(NS, p.name, p.clusters, p.ranges);
      p.sets.forEach(s -> policy.getSpec().getRangeSetRefs().add(Harness.ref(s)));
      h.create(policy);
      p.clusters.forEach(cl -> changed(cl));
    }
  }

  List<String> desired(PolicyModel p) {
    List<String> all = new ArrayList<>(p.ranges);
    p.sets.forEach(s -> all.addAll(setRanges.get(s)));
    return all;
  }

  /** AKS earns a cluster one more PUT a minute once its 20 are spent. */
  static final Duration AKS_PUT_REFILL = Duration.ofMinutes(1);

  void act(Random random) {
    PolicyModel p = policies.get(random.nextInt(policies.size()));
    ClusterFixture c = p.clusters.get(random.nextInt(p.clusters.size()));
    ArmEmulator arm = h.arm();
    KubeFaults kube = h.env.kube().faults();
    int dice = random.nextInt(100);
    if (dice < 20) {
      count("policy edit");
      List<String> ranges = sample(random);
      retrying(() -> h.edit(NS, p.name, s -> s.setRanges(Harness.entries(ranges))));
      p.ranges = ranges;
      p.clusters.forEach(this::changed);
    } else if (dice < 30) {
      count("IpRangeSet edit");
      String set = random.nextBoolean() ? "ci" : "office";
      List<String> ranges = sample(random);
      retrying(() -> h.putRangeSet(NS, set, ranges));
      setRanges.put(set, ranges);
      policies.stream().filter(q -> q.sets.contains(set)).forEach(q -> q.clusters.forEach(this::changed));
    } else if (dice < 40) {
      count("out-of-band ranges");
      h.setRangesOutOfBand(c, sample(random).toArray(String[]::new));
      changed(c);
      // landing between the operator's GET and PUT, it also costs a refused PUT (412)
      fault(c);
    } else if (dice < 47) {
      count("out-of-band tag");
      String value = "someone-" + random.nextInt(1000);
      arm.editCluster(c.clusterId(), b -> b.with("tags").put("owner", value));
      tags.put(c.clusterId() + " owner", value);
      fault(c);
    } else if (dice < 52) {
      count("tag edit between GET and PUT");
      String value = "portal-" + random.nextInt(1000);
      // Its own tag: queued edits land at the cluster's next GET, later than direct edits made after them.
      arm.mutateAfterNextGet(c.clusterId(), b -> b.with("tags").put("portal", value));
      tags.put(c.clusterId() + " portal", value);
      fault(c);
    } else if (dice < 80) {
      armFault(random, c);
    } else if (dice < 85) {
      count("busy with another operation");
      arm.beginExternalOperation(c.clusterId(), Duration.ofMillis(300 + random.nextInt(1000)));
      fault(c);
    } else if (dice < 92) {
      count("status write conflicts");
      kube.fail(null, ".*/namespaces/" + NS + "/authorizedippolicies/" + p.name + "/status.*", 409,
          1 + random.nextInt(3));
      p.clusters.forEach(this::fault);
    } else if (dice < 96) {
      count("watches dropped");
      kube.disconnectWatches();
    } else if (dice < 98) {
      count("API server unavailable");
      kube.unavailableFor(Duration.ofMillis(300 + random.nextInt(1200)));
      policies.forEach(q -> q.clusters.forEach(this::fault));
    } else if (restarts < 2) {
      count("operator restart");
      restarts++;
      h.env.stopOperator();
      h.env.startOperator();
    }
  }

  void armFault(Random random, ClusterFixture c) {
    FaultTarget[] targets = {
        FaultTarget.resource(c.clusterId()).method("GET"),
        FaultTarget.resource(c.clusterId()).method("PUT"),
        FaultTarget.operationsOf(c.clusterId()),
        FaultTarget.resource(c.publicIps().keySet().iterator().next())};
    String[] phases = {"read", "write", "poll", "resolve"};
    int phase = random.nextInt(targets.length);
    Fault[] faults = {Fault.throttled(1), Fault.throttled(2), Fault.internalServerError(),
        Fault.serviceUnavailable(5), Fault.connectionReset(), Fault.delay(Duration.ofMillis(300)),
        Fault.operationNotAllowed(), Fault.preconditionFailed(), Fault.lostResponse()};
    int which = random.nextInt(faults.length + 2);
    if (which == faults.length) {
      count("operation ends Failed");
      h.arm().failNextOperation(c.clusterId(), "InternalOperationError", "injected by the soak");
    } else if (which == faults.length + 1) {
      count("operation ends Canceled");
      h.arm().cancelNextOperation(c.clusterId());
    } else {
      int times = 1 + random.nextInt(3);
      count(phases[phase] + " fault");
      h.arm().injectFault(targets[phase], faults[which], times);
      for (int i = 0; i < times; i++) {
        fault(c);
      }
      return;
    }
    fault(c);
  }

  List<String> sample(Random random) {
    Set<String> out = new TreeSet<>();
    int n = 1 + random.nextInt(4);
    while (out.size() < n) {
      out.add(POOL.get(random.nextInt(POOL.size())));
    }
    return new ArrayList<>(out);
  }

  void changed(ClusterFixture c) {
    changes.merge(c.clusterId(), 1, Integer::sum);
  }

  void fault(ClusterFixture c) {
    faults.merge(c.clusterId(), 1, Integer::sum);
  }

  void count(String action) {
    actions.merge(action, 1, Integer::sum);
  }

  /** The driver's own Kubernetes calls fail too while the API server is "unavailable": try again. */
  static void retrying(Runnable kubernetesCall) {
    await().atMost(Harness.WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
        .ignoreException(KubernetesClientException.class)
        .until(() -> {
          kubernetesCall.run();
          return true;
        });
  }

  /**
   * The build passes a fixed seed (authip-it/pom.xml), so CI runs the same sequence every time; {@code random} (or no
   * property, as in an IDE) draws one, and the seed is printed either way.
   */
  static long seed(String property) {
    if (property == null || property.isBlank() || property.equals("random")) {
      return new Random().nextLong();
    }
    try {
      return Long.parseLong(property.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("authip.soak.seed: '" + property + "' is not a number; expected a long such as "
          + "20261201, or 'random'", e);
    }
  }
}
