package io.authip.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.IpRangeSetSpec;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.api.v1alpha1.RangeSetRef;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.azure.AzureConfig;
import io.authip.emulator.ArmEmulator;
import io.authip.emulator.ClusterFixture;
import io.authip.operator.OperatorConfig;
import io.authip.ranges.CidrSet;
import io.authip.sandbox.LocalEnvironment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * One {@link LocalEnvironment} with the operator running, fast timings, and the few verbs every reliability test
 * needs: seed clusters, write policies, and wait until every cluster holds exactly what its policy says. The operator
 * runs as its ServiceAccount under the shipped RBAC; a forbidden request fails the test ({@link #close()}).
 */
final class Harness implements AutoCloseable {

  static final String SUB = "5a1c2e3f-4b6d-4e8f-9a0b-1c2d3e4f5a6b";
  static final Duration WAIT = Duration.ofSeconds(60);
  /** Short enough that a 3 s answer times out, long enough that a loaded 2-core machine does not time out. */
  static final Duration HTTP_TIMEOUT = Duration.ofSeconds(2);

  final LocalEnvironment env;

  private Harness(LocalEnvironment env) {
    this.env = env;
  }

  /** Fast timings: 100 ms polls, 200 ms propagation, 200 ms busy retries, a re-read every second. */
  static OperatorConfig fastConfig() {
    return OperatorConfig.forTesting().withTimings(Duration.ofMillis(100), Duration.ofMillis(200),
        Duration.ofMillis(200), Duration.ofSeconds(1));
  }

  /**
   * Starts the emulator, the Kubernetes API and the operator. Azure: HTTP timeout {@link #HTTP_TIMEOUT}, and a 429
   * is retried inside the SDK only when its Retry-After is at most 1 s (longer ones reach the operator).
   */
  static Harness start() {
    return start(fastConfig());
  }

  static Harness start(OperatorConfig config) {
    LocalEnvironment env = LocalEnvironment.start(LocalEnvironment.Options.forTesting()
        .withOperator(config)
        .withOperationDuration(Duration.ofMillis(300))
        .withAzureSetting(AzureConfig.HTTP_TIMEOUT, HTTP_TIMEOUT.toMillis() + "ms")
        .withAzureSetting(AzureConfig.MAX_RETRY_AFTER, "1s"));
    try {
      env.grantAll(SUB);
      env.startOperator();
      return new Harness(env);
    } catch (RuntimeException e) {
      env.close();
      throw e;
    }
  }

  ArmEmulator arm() {
    return env.arm();
  }

  KubernetesClient k8s() {
    return env.kube().client();
  }

  /** Stops everything; fails when the shipped RBAC forbade any request of the operator during the run. */
  @Override
  public void close() {
    try {
      System.out.println(env.kube().rbac().report());
      env.requireNoForbiddenRequests();
    } finally {
      env.close();
    }
  }

  // ---- Azure side ------------------------------------------------------------------------------------------------

  ClusterFixture seed(ClusterFixture fixture) {
    arm().seed(fixture);
    return fixture;
  }

  /** The cluster's authorized ranges as stored in the emulator now. */
  Set<String> ranges(ClusterFixture c) {
    JsonNode ranges = arm().cluster(c.clusterId()).orElseThrow().path("properties").path("apiServerAccessProfile")
        .path("authorizedIPRanges");
    Set<String> out = new TreeSet<>();
    ranges.forEach(n -> out.add(n.asText()));
    return out;
  }

  String provisioningState(ClusterFixture c) {
    return arm().cluster(c.clusterId()).orElseThrow().path("properties").path("provisioningState").asText();
  }

  void setRangesOutOfBand(ClusterFixture c, String... ranges) {
    arm().editCluster(c.clusterId(), body -> {
      ArrayNode list = ((ObjectNode) body.path("properties")).with("apiServerAccessProfile")
          .putArray("authorizedIPRanges");
      for (String r : ranges) {
        list.add(r);
      }
    });
  }

  int puts(ClusterFixture c) {
    return arm().requestCount(c.clusterId(), "PUT");
  }

  /** PUTs the emulator accepted (answered or not) for the cluster. */
  long acceptedPuts(ClusterFixture c) {
    return arm().putAudits().stream().filter(a -> a.isFor(c.clusterId()) && a.accepted()).count();
  }

  /** What a Restricted policy with {@code ranges} and default egress puts on the cluster, canonical. */
  static Set<String> expected(ClusterFixture c, Collection<String> ranges) {
    List<String> all = new ArrayList<>(ranges);
    all.addAll(c.egressCidrs());
    return new TreeSet<>(CidrSet.parse(all).toStrings());
  }

  // ---- Kubernetes side -------------------------------------------------------------------------------------------

  static List<RangeEntry> entries(Collection<String> cidrs) {
    return io.authip.testing.Policies.entries(cidrs.toArray(String[]::new));
  }

  static AuthorizedIpPolicy policy(String ns, String name, List<ClusterFixture> clusters, Collection<String> ranges) {
    return io.authip.testing.Policies.policy(ns, name, clusters, ranges.toArray(String[]::new));
  }

  AuthorizedIpPolicy create(AuthorizedIpPolicy p) {
    return k8s().resource(p).create();
  }

  AuthorizedIpPolicy get(String ns, String name) {
    return k8s().resources(AuthorizedIpPolicy.class).inNamespace(ns).withName(name).get();
  }

  /** Edits the spec; returns the new generation. */
  long edit(String ns, String name, Consumer<AuthorizedIpPolicySpec> change) {
    return io.authip.testing.Edits.edit(k8s().resources(AuthorizedIpPolicy.class).inNamespace(ns).withName(name), r -> {
      change.accept(r.getSpec());
      return r;
    }).getMetadata().getGeneration();
  }

  void putRangeSet(String ns, String name, Collection<String> ranges) {
    IpRangeSet set = k8s().resources(IpRangeSet.class).inNamespace(ns).withName(name).get();
    if (set == null) {
      set = new IpRangeSet();
      set.getMetadata().setName(name);
      set.getMetadata().setNamespace(ns);
      set.setSpec(new IpRangeSetSpec());
      set.getSpec().setRanges(entries(ranges));
      k8s().resource(set).create();
    } else {
      io.authip.testing.Edits.edit(k8s().resources(IpRangeSet.class).inNamespace(ns).withName(name), s -> {
        s.getSpec().setRanges(entries(ranges));
        return s;
      });
    }
  }

  static RangeSetRef ref(String name) {
    return new RangeSetRef(name);
  }

  /** Deletes every policy of the namespace (Retain) and waits until their finalizers are gone. */
  void deletePolicies(String ns) {
    k8s().resources(AuthorizedIpPolicy.class).inNamespace(ns).delete();
    await().atMost(WAIT).until(() -> k8s().resources(AuthorizedIpPolicy.class).inNamespace(ns).list().getItems()
        .isEmpty());
  }

  // ---- convergence -----------------------------------------------------------------------------------------------

  /**
   * Waits until the policy has observed its latest generation, every target is InSync with no pending operation, and
   * every cluster holds exactly its expected ranges with no operation running.
   */
  void awaitConverged(String ns, String name, Map<ClusterFixture, Set<String>> expected) {
    awaitConverged(ns, name, expected, WAIT);
  }

  void awaitConverged(String ns, String name, Map<ClusterFixture, Set<String>> expected, Duration atMost) {
    // Exceptions are ignored: tests that make the Kubernetes API unavailable make these reads fail for a while.
    await().atMost(atMost).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .untilAsserted(() -> assertThat(mismatch(ns, name, expected)).as("%s/%s converged", ns, name).isNull());
  }

  void awaitConverged(String ns, String name, ClusterFixture c, Collection<String> ranges) {
    awaitConverged(ns, name, Map.of(c, expected(c, ranges)));
  }

  /** Why the policy has not converged, or null when it has. */
  String mismatch(String ns, String name, Map<ClusterFixture, Set<String>> expected) {
    AuthorizedIpPolicy p = get(ns, name);
    if (p == null) {
      return "the policy does not exist";
    }
    if (p.getStatus() == null || !p.getMetadata().getGeneration().equals(p.getStatus().getObservedGeneration())) {
      return "generation " + p.getMetadata().getGeneration() + " not observed yet (status "
          + (p.getStatus() == null ? "none" : p.getStatus().getObservedGeneration()) + ")";
    }
    Map<String, TargetStatus> targets = new LinkedHashMap<>();
    p.getStatus().getTargets().forEach(t -> targets.put(t.getClusterId().toLowerCase(), t));
    for (Map.Entry<ClusterFixture, Set<String>> e : expected.entrySet()) {
      ClusterFixture c = e.getKey();
      TargetStatus t = targets.get(c.clusterId().toLowerCase());
      if (t == null || t.getState() != TargetState.InSync || t.getPendingOperation() != null) {
        return c.name() + ": target " + (t == null ? "missing" : t.getState() + " (" + t.getReason() + ") "
            + t.getMessage() + (t.getPendingOperation() == null ? "" : ", operation pending"));
      }
      Set<String> actual = ranges(c);
      if (!actual.equals(e.getValue())) {
        return c.name() + ": cluster has " + actual + ", expected " + e.getValue();
      }
      String state = provisioningState(c);
      if (!state.equals("Succeeded")) {
        return c.name() + ": cluster provisioningState " + state;
      }
    }
    return null;
  }
}
