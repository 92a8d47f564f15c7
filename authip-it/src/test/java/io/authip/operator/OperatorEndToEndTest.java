package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.DeletionPolicy;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.IpRangeSetSpec;
import io.authip.api.v1alpha1.Mode;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.api.v1alpha1.RangeSetRef;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.emulator.ArmEmulator;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.Fault;
import io.authip.emulator.FaultTarget;
import io.authip.emulator.PutInvariants;
import io.authip.emulator.RequestKind;
import io.authip.kubeapi.Rbac;
import io.authip.sandbox.LocalEnvironment;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator in-process against the fabric8 mock API server and the ARM emulator over HTTPS, through the real
 * Azure SDK. One environment for the class; every test uses its own namespace and clusters.
 */
class OperatorEndToEndTest {

  static final String SUB = "0b3c5d7e-1a2b-4c3d-8e9f-a0b1c2d3e4f5";
  static final Duration WAIT = Duration.ofSeconds(30);
  static final AtomicInteger COUNTER = new AtomicInteger();
  static LocalEnvironment env;

  String ns;
  KubernetesClient k8s;
  ArmEmulator arm;

  @BeforeAll
  static void startEnvironment() {
    // Leader election on, as in a pod: the Lease verbs go through the RBAC front too.
    env = LocalEnvironment.start(LocalEnvironment.Options.forTesting().withOperator(OperatorConfig.forTesting()
        .withLeaderElection(Rbac.OPERATOR_NAMESPACE, "authip-leader")));
    env.grantAll(SUB);
    env.startOperator();
  }

  @AfterAll
  static void stopEnvironment() {
    if (env != null) {
      System.out.println(env.kube().rbac().report());
      env.close();
    }
  }

  @Test
  void theOperatorLeadsThroughTheLeaseUnderTheShippedRbac() {
    await().atMost(WAIT).until(() -> env.kube().rbac().used().keySet().stream()
        .anyMatch(u -> u.toString().equals("patch coordination.k8s.io/leases in authip-system")));
    var lease = k8s.resources(io.fabric8.kubernetes.api.model.coordination.v1.Lease.class)
        .inNamespace(Rbac.OPERATOR_NAMESPACE).withName("authip-leader").get();
    assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();
  }

  @Test
  void aListOverTheLimitIsCoveredWithinItsBudgetAndStaysInSync() {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks1"));
    // 250 /24s, every other one: 250 entries plus the egress, over AKS's 200. Any block that takes several of them
    // takes as many free /24s between them.
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      many.add("73." + (100 + i / 128) + "." + (2 * (i % 128)) + ".0/24");
    }
    AuthorizedIpPolicy spec = policy("p", List.of(c), many.toArray(String[]::new));
    io.authip.api.v1alpha1.Overflow overflow = new io.authip.api.v1alpha1.Overflow();
    overflow.setStrategy(io.authip.api.v1alpha1.OverflowStrategy.Supernet);
    overflow.setMaxExtraPercent(50.0);
    spec.getSpec().setOverflow(overflow);
    AuthorizedIpPolicy p = create(spec);

    TargetStatus t = awaitTarget(p, TargetState.InSync);
    List<String> actual = authorizedRanges(c);
    assertThat(actual).hasSizeLessThanOrEqualTo(200);
    assertThat(t.getSupernet()).isNotNull();
    assertThat(t.getSupernet().getBlocks()).isEqualTo(actual.size());
    assertThat(t.getSupernet().getEntries()).isEqualTo(250 + c.egressCidrs().size());
    // What status says is what the cluster got: the list's addresses minus the policy's own.
    long own = 250L * 256 + io.authip.ranges.CidrSet.parse(c.egressCidrs()).addressCount();
    assertThat(t.getSupernet().getExtraAddresses())
        .isEqualTo(io.authip.ranges.CidrSet.parse(actual).addressCount() - own);
    assertThat(t.getSupernet().getExtraPercent()).isEqualTo(String.format(java.util.Locale.ROOT, "%.2f",
        100.0 * t.getSupernet().getExtraAddresses() / own));
    // Better than pairing neighbours into /22s (52 x 512): wider blocks take more entries per free /24.
    assertThat(t.getSupernet().getExtraAddresses()).isLessThan(52L * 512);
    assertThat(t.getSupernet().getWidestAdded()).isNotEmpty().hasSizeLessThanOrEqualTo(5);
    for (String egress : c.egressCidrs()) {
      assertThat(actual).contains(egress);
    }
    // Never silent: the change's event says what the cover admits.
    String said = "overflow: Supernet covers the " + t.getSupernet().getEntries() + " entries with "
        + t.getSupernet().getBlocks() + " blocks, admitting " + t.getSupernet().getExtraAddresses()
        + " extra addresses (" + t.getSupernet().getExtraPercent() + " %)";
    await().atMost(WAIT).untilAsserted(() -> assertThat(k8s.v1().events().inNamespace(ns).list().getItems())
        .anySatisfy(e -> {
          assertThat(e.getReason()).isEqualTo("Updating");
          assertThat(e.getMessage()).contains(said);
        }));
    // The covered list is the desired one: later resyncs see no drift and send nothing.
    int puts = puts(c);
    await().atMost(WAIT).until(() -> arm.requestCount(c.clusterId(), "GET") > 0);
    await().pollDelay(Duration.ofSeconds(3)).atMost(WAIT).until(() -> true);
    assertThat(puts(c)).isEqualTo(puts);
    assertThat(get(p).getStatus().getTargets().get(0).getState()).isEqualTo(TargetState.InSync);
  }

  @Test
  void aGracefulStopHandsTheLeaseOverAtOnce() {
    await().atMost(WAIT).until(() -> lease().getSpec().getHolderIdentity() != null);
    String before = lease().getSpec().getHolderIdentity();
    env.stopOperator();
    // Released as client-go's ReleaseOnCancel does: no holder, a lease of 1 s.
    var released = lease();
    assertThat(released.getSpec().getHolderIdentity()).isNull();
    assertThat(released.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
    long started = System.nanoTime();
    env.startOperator();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(() -> lease().getSpec().getHolderIdentity() != null);
    Duration takeover = Duration.ofNanos(System.nanoTime() - started);
    System.out.println("lease taken over " + takeover.toMillis() + " ms after the restart (was held by " + before
        + ")");
    // Without the release the new process waits the old holder's full lease duration (15 s).
    assertThat(takeover).isLessThan(io.authip.operator.OperatorConfig.Lease.DEFAULT_DURATION);
  }

  static io.fabric8.kubernetes.api.model.coordination.v1.Lease lease() {
    return env.kube().client().resources(io.fabric8.kubernetes.api.model.coordination.v1.Lease.class)
        .inNamespace(Rbac.OPERATOR_NAMESPACE).withName("authip-leader").get();
  }

  @BeforeEach
  void namespace() {
    ns = "t" + COUNTER.incrementAndGet();
    k8s = env.kube().client();
    arm = env.arm();
    arm.clearFaults();
    if (env.operator() == null) {
      env.startOperator();
    }
  }

  @AfterEach
  void invariants() {
    PutInvariants.check(arm);
    // The operator ran as its ServiceAccount under the shipped RBAC: nothing it asked may have been refused.
    env.requireNoForbiddenRequests();
  }

  // ---- scenarios -------------------------------------------------------------------------------------------------

  @Test
  void createReachesInSyncWithExactlyOnePutAndOnlyTheOneFieldChanged() {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks1"));
    AuthorizedIpPolicy p = create(policy("p", List.of(c), "73.140.245.0/24", "137.117.106.88/29"));

    TargetStatus t = awaitTarget(p, TargetState.InSync);
    assertThat(puts(c)).isEqualTo(1);
    List<String> actual = authorizedRanges(c);
    assertThat(actual).contains("73.140.245.0/24", "137.117.106.88/29");
    assertThat(actual).hasSizeGreaterThan(2); // the load balancer's outbound IP was added
    assertThat(t.getAppliedRanges()).containsExactlyElementsOf(actual);
    assertThat(t.getPrevious().getAccess()).isEqualTo(Access.Unrestricted);
    AuthorizedIpPolicy read = get(p);
    assertThat(read.getStatus().getObservedGeneration()).isEqualTo(read.getMetadata().getGeneration());
    assertThat(condition(read, "Ready")).hasValueSatisfying(r -> {
      assertThat(r.getStatus()).isEqualTo("True");
      assertThat(r.getReason()).isEqualTo("InSync");
    });
    assertThat(condition(read, "Drifted")).hasValueSatisfying(d -> assertThat(d.getStatus()).isEqualTo("False"));
    assertThat(read.getStatus().getTargetsInSync()).isEqualTo("1/1");
  }

  @Test
  void equivalentEditMakesNoPutAndRealEditMakesOne() {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks1"));
    AuthorizedIpPolicy p = create(policy("p", List.of(c), "73.140.245.0/24", "52.160.96.17"));
    awaitTarget(p, TargetState.InSync);
    assertThat(puts(c)).isEqualTo(1);

    // The same addresses written differently: split halves, /32 spelled out, other order.
    long generation = edit(p, s -> s.setRanges(entries("52.160.96.17/32", "73.140.245.128/25", "73.140.245.0/25")));
    awaitObserved(p, generation);
    awaitTarget(p, TargetState.InSync);
    assertThat(puts(c)).isEqualTo(1);

    edit(p, s -> s.setRanges(entries("73.140.245.0/24", "20.42.0.0/23")));
    await().atMost(WAIT).until(() -> authorizedRanges(c).contains("20.42.0.0/23"));
    awaitTarget(p, TargetState.InSync);
    assertThat(puts(c)).isEqualTo(2);
    assertThat(authorizedRanges(c)).doesNotContain("52.160.96.17/32");
  }

  @Test
  void ipRangeSetEditPropagatesToThePoliciesThatReferenceIt() {
    ClusterFixture c = cluster(ClusterFixture.managedNatGateway(SUB, ns, "aks1"));
    IpRangeSet set = new IpRangeSet();
    set.getMetadata().setName("ci");
    set.getMetadata().setNamespace(ns);
    set.setSpec(new IpRangeSetSpec());
    set.getSpec().setRanges(entries("20.42.0.0/24"));
    k8s.resource(set).create();
    AuthorizedIpPolicy spec = policy("p", List.of(c), "73.140.245.0/24");
    spec.getSpec().setRangeSetRefs(new ArrayList<>(List.of(new RangeSetRef("ci"))));
    AuthorizedIpPolicy p = create(spec);
    awaitTarget(p, TargetState.InSync);
    assertThat(authorizedRanges(c)).contains("20.42.0.0/24");

    io.authip.testing.Edits.edit(k8s.resources(IpRangeSet.class).inNamespace(ns).withName("ci"), s -> {
      s.getSpec().setRanges(entries("20.42.0.0/24", "20.42.1.0/24"));
      return s;
    });
    await().atMost(WAIT).until(() -> authorizedRanges(c).contains("20.42.0.0/23"));
    awaitTarget(p, TargetState.InSync);
    assertThat(puts(c)).isEqualTo(2);
    await().atMost(WAIT).until(() -> {
      IpRangeSet s = k8s.resources(IpRangeSet.class).inNamespace(ns).withName("ci").get();
      return s.getStatus() != null && Integer.valueOf(1).equals(s.getStatus().getRangeCount());
    });
  }

  @Test
  void outOfBandChangeIsCorrectedInEnforceAndReportedInObserve() throws Exception {
    ClusterFixture enforced = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "enforced"));
    ClusterFixture observed = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "observed"));
    AuthorizedIpPolicy pe = create(policy("enforce", List.of(enforced), "73.140.245.0/24"));
    AuthorizedIpPolicy observeSpec = policy("observe", List.of(observed), "73.140.245.0/24");
    observeSpec.getSpec().setMode(Mode.Observe);
    AuthorizedIpPolicy po = create(observeSpec);
    awaitTarget(pe, TargetState.InSync);
    awaitTarget(po, TargetState.Drifted); // Observe never writes: the cluster was open to begin with
    assertThat(puts(observed)).isZero();

    double before = Math.max(0, metric("authip_drift_corrections_total", "policy=\"enforce\""));
    setRangesOutOfBand(enforced, "8.8.8.0/24");
    await().atMost(WAIT).until(() -> puts(enforced) == 2);
    awaitTarget(pe, TargetState.InSync);
    assertThat(authorizedRanges(enforced)).contains("73.140.245.0/24").doesNotContain("8.8.8.0/24");
    await().atMost(WAIT).until(() -> metric("authip_drift_corrections_total", "policy=\"enforce\"") == before + 1);

    AuthorizedIpPolicy read = get(po);
    assertThat(condition(read, "Drifted")).hasValueSatisfying(d -> assertThat(d.getStatus()).isEqualTo("True"));
    assertThat(read.getStatus().getTargets().get(0).getMessage()).startsWith("Observe mode: Enforce would change +").contains("73.140.245.0/24");
    assertThat(puts(observed)).isZero();
    await().atMost(WAIT).until(() -> metric("authip_target_drifted", "policy=\"observe\"") == 1.0);
  }

  @Test
  void invalidSpecWritesNothingAndSaysWhy() {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks1"));
    // the CRD's rules refuse the host bits at apply time; a cluster can still hold such a policy (stored before
    // the rules, or by a server older than 1.31), and the operator must refuse it on its own
    AuthorizedIpPolicy p;
    env.kube().admission(false);
    try {
      p = create(policy("p", List.of(c), "137.117.106.90/29", "10.0.0.0/8"));
    } finally {
      env.kube().admission(true);
    }
    await().atMost(WAIT).until(() -> condition(get(p), "Ready").map(Condition::getReason).orElse("")
        .equals("InvalidSpec"));
    Condition ready = condition(get(p), "Ready").orElseThrow();
    assertThat(ready.getMessage())
        .contains("spec.ranges[0].cidr: 137.117.106.90/29 is not the first address of its range; did you mean "
            + "137.117.106.88/29?")
        .contains("spec.ranges[1].cidr: 10.0.0.0/8 is not a public range");
    assertThat(arm.requestCount(c.clusterId(), "GET")).isZero();
    assertThat(puts(c)).isZero();
    assertThat(k8s.v1().events().inNamespace(ns).list().getItems())
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("InvalidSpec"));
  }

  @Test
  void privateBasicAndConflictingTargetsAreBlockedWithTheirReason() {
    ClusterFixture priv = cluster(ClusterFixture.privateCluster(SUB, ns, "private"));
    ClusterFixture basic = cluster(ClusterFixture.basicLoadBalancer(SUB, ns, "basic"));
    ClusterFixture noPrefix = cluster(ClusterFixture.nodePublicIpWithoutPrefix(SUB, ns, "noprefix"));
    ClusterFixture shared = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "shared"));
    AuthorizedIpPolicy older = create(policy("older", List.of(shared), "73.140.245.0/24"));
    awaitTarget(older, TargetState.InSync);
    AuthorizedIpPolicy p = create(policy("newer", List.of(priv, basic, noPrefix, shared), "20.42.0.0/24"));

    await().atMost(WAIT).until(() -> {
      AuthorizedIpPolicy r = get(p);
      return r.getStatus() != null && r.getStatus().getTargets().size() == 4
          && r.getStatus().getTargets().stream().allMatch(t -> t.getState() == TargetState.Blocked);
    });
    List<TargetStatus> targets = get(p).getStatus().getTargets();
    assertThat(targets).extracting(TargetStatus::getReason)
        .containsExactly("PrivateCluster", "BasicLoadBalancer", "NodePublicIpWithoutPrefix", "TargetConflict");
    assertThat(condition(get(p), "Ready")).hasValueSatisfying(r -> {
      assertThat(r.getStatus()).isEqualTo("False");
      assertThat(r.getReason()).isEqualTo("TargetConflict");
    });
    for (ClusterFixture c : List.of(priv, basic, noPrefix)) {
      assertThat(puts(c)).as(c.name()).isZero();
    }
    assertThat(puts(shared)).isEqualTo(1);
    assertThat(authorizedRanges(shared)).doesNotContain("20.42.0.0/24");
  }

  @Test
  void throttlingBusyConcurrentChangeAndFailedOperationAreRecoveredWithoutLosingAnUpdate() {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks1"));
    // ARM's write bucket, not AKS's per-cluster one: after AKS's, the cluster's next PUTs would come a minute apart.
    arm.injectFault(FaultTarget.resource(c.clusterId()).method("PUT"), Fault.subscriptionThrottled(1), 1);
    arm.injectFault(FaultTarget.resource(c.clusterId()).method("PUT"), Fault.operationNotAllowed(), 1);
    arm.failNextOperation(c.clusterId(), "InternalOperationError", "simulated failure");
    // Someone edits the tags through the portal between authip's GET and PUT: the 412 must not overwrite it.
    arm.mutateAfterNextGet(c.clusterId(), body -> body.with("tags").put("owner", "portal-user"));
    AuthorizedIpPolicy p = create(policy("p", List.of(c), "73.140.245.0/24"));

    awaitTarget(p, TargetState.InSync);
    assertThat(authorizedRanges(c)).contains("73.140.245.0/24");
    assertThat(arm.cluster(c.clusterId()).orElseThrow().path("tags").path("owner").asText())
        .isEqualTo("portal-user");
    assertThat(arm.pendingFaults()).isZero();
  }

  @Test
  void operatorStoppedDuringAnOperationConvergesAfterRestartWithAtMostOneExtraPut() {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks1"));
    arm.operationDuration(Duration.ofSeconds(3));
    try {
      AuthorizedIpPolicy p = create(policy("p", List.of(c), "73.140.245.0/24"));
      assertThat(awaitTarget(p, TargetState.Updating).getPendingOperation()).isNotNull();
      env.stopOperator();
      env.startOperator();
      awaitTarget(p, TargetState.InSync);
      assertThat(puts(c)).isBetween(1, 2);
    } finally {
      arm.operationDuration(Duration.ofMillis(300));
    }
  }

  @Test
  void deleteWithRetainKeepsRangesAndWithRestorePutsBackWhatWasThere() {
    ClusterFixture kept = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "kept"));
    ClusterFixture restored = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "restored")
        .withAuthorizedIpRanges("52.160.96.17/32", "20.30.40.0/24"));
    AuthorizedIpPolicy retain = create(policy("retain", List.of(kept), "73.140.245.0/24"));
    AuthorizedIpPolicy restoreSpec = policy("restore", List.of(restored), "73.140.245.0/24");
    restoreSpec.getSpec().setDeletionPolicy(DeletionPolicy.Restore);
    AuthorizedIpPolicy restore = create(restoreSpec);
    awaitTarget(retain, TargetState.InSync);
    awaitTarget(restore, TargetState.InSync);
    List<String> keptRanges = authorizedRanges(kept);

    k8s.resource(retain).delete();
    k8s.resource(restore).delete();
    await().atMost(WAIT).until(() -> get(retain) == null && get(restore) == null);
    assertThat(authorizedRanges(kept)).isEqualTo(keptRanges);
    assertThat(authorizedRanges(restored)).containsExactlyInAnyOrder("52.160.96.17/32", "20.30.40.0/24");
  }

  @Test
  void metricsAndHealthAreServed() throws Exception {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks1"));
    AuthorizedIpPolicy p = create(policy("p", List.of(c), "73.140.245.0/24"));
    awaitTarget(p, TargetState.InSync);
    String cluster = "cluster=\"" + (SUB + "/" + ns + "/aks1").toLowerCase() + "\"";
    await().atMost(WAIT).until(() -> metric("authip_target_in_sync", cluster) == 1.0);
    String text = scrape();
    assertThat(text).contains("authip_policy_ready{namespace=\"" + ns + "\",policy=\"p\"} 1.0");
    assertThat(metric("authip_target_drifted", cluster)).isEqualTo(0.0);
    assertThat(metric("authip_target_ranges", cluster)).isEqualTo(get(p).getStatus().getTargets().get(0)
        .getRangeCount().doubleValue());
    // The limit the near-limit alert divides by: the operator's AUTHIP_MAX_RANGES (AKS's 200 here).
    assertThat(metric("authip_target_ranges_limit", cluster)).isEqualTo(200.0);
    assertThat(text).contains("authip_azure_requests_total{code=\"200\",operation=\"cluster.get\"}")
        .contains("authip_azure_request_duration_seconds_bucket").contains("authip_reconcile_duration_seconds_count");
    assertThat(http("/healthz").statusCode()).isEqualTo(200);
    assertThat(http("/readyz").statusCode()).isEqualTo(200);
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  ClusterFixture cluster(ClusterFixture fixture) {
    arm.seed(fixture);
    return fixture;
  }

  static List<RangeEntry> entries(String... cidrs) {
    return io.authip.testing.Policies.entries(cidrs);
  }

  AuthorizedIpPolicy policy(String name, List<ClusterFixture> clusters, String... ranges) {
    return io.authip.testing.Policies.policy(ns, name, clusters, ranges);
  }

  AuthorizedIpPolicy create(AuthorizedIpPolicy p) {
    return k8s.resource(p).create();
  }

  AuthorizedIpPolicy get(AuthorizedIpPolicy p) {
    return k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName(p.getMetadata().getName()).get();
  }

  long edit(AuthorizedIpPolicy p, java.util.function.Consumer<AuthorizedIpPolicySpec> change) {
    return io.authip.testing.Edits.edit(k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns)
        .withName(p.getMetadata().getName()), r -> {
          change.accept(r.getSpec());
          return r;
        }).getMetadata().getGeneration();
  }

  void awaitObserved(AuthorizedIpPolicy p, long generation) {
    await().atMost(WAIT).until(() -> {
      AuthorizedIpPolicy r = get(p);
      return r.getStatus() != null && Long.valueOf(generation).equals(r.getStatus().getObservedGeneration());
    });
  }

  /** The first target as read when every target was first seen in {@code state}. */
  TargetStatus awaitTarget(AuthorizedIpPolicy p, TargetState state) {
    return await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> get(p), r -> r != null
        && r.getStatus() != null && !r.getStatus().getTargets().isEmpty()
        && r.getStatus().getTargets().stream().allMatch(t -> t.getState() == state)).getStatus().getTargets().get(0);
  }

  static Optional<Condition> condition(AuthorizedIpPolicy p, String type) {
    return p.getStatus() == null ? Optional.empty() : Conditions.find(p.getStatus().getConditions(), type);
  }

  int puts(ClusterFixture c) {
    return arm.requestCount(c.clusterId(), "PUT");
  }

  List<String> authorizedRanges(ClusterFixture c) {
    JsonNode ranges = arm.cluster(c.clusterId()).orElseThrow().path("properties").path("apiServerAccessProfile")
        .path("authorizedIPRanges");
    List<String> out = new ArrayList<>();
    ranges.forEach(n -> out.add(n.asText()));
    return out;
  }

  void setRangesOutOfBand(ClusterFixture c, String... ranges) {
    arm.editCluster(c.clusterId(), body -> {
      ObjectNode profile = ((ObjectNode) body.path("properties")).with("apiServerAccessProfile");
      ArrayNode list = profile.putArray("authorizedIPRanges");
      for (String r : ranges) {
        list.add(r);
      }
    });
  }

  static HttpResponse<String> http(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + env.operator().httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String scrape() throws Exception {
    return http("/metrics").body();
  }

  /** The value of the first series of {@code name} whose labels contain {@code labelFragment}, or -1. */
  static double metric(String name, String labelFragment) throws Exception {
    for (String line : scrape().split("\n")) {
      if (line.startsWith(name + "{") && line.contains(labelFragment)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  static int count(ArmEmulator arm, RequestKind kind) {
    return arm.requestCount(kind);
  }
}
