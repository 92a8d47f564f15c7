package io.authip.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.IpRangeSetSpec;
import io.authip.api.v1alpha1.Mode;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.Fault;
import io.authip.emulator.FaultTarget;
import io.authip.kubeapi.Kubectl;
import io.authip.operator.OperatorConfig;
import io.authip.sandbox.LocalEnvironment;
import io.authip.testing.Edits;
import io.authip.testing.Policies;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What ArgoCD and Flux say about authip's resources, from the statuses the operator actually writes: the operator runs
 * against the ARM emulator and the embedded Kubernetes API, each test drives a policy (or range set) into one state,
 * and the object as the API serves it is handed to the shipped ArgoCD Lua health check (deploy/argocd/health) and to
 * kstatus's rules (Flux's health checks). {@code kubectl wait --for=condition=Ready} is run for real on two of them.
 */
class GitOpsHealthTest {

  static final String SUB = "3c1d5e7f-2a4b-4c6d-8e0f-1a2b3c4d5e6f";
  /** A subscription no TargetGrant covers. */
  static final String UNGRANTED = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";
  static final Duration WAIT = Duration.ofSeconds(60);
  static final Path PROJECT = Path.of(System.getProperty("authip.projectDir", ".")).toAbsolutePath().normalize();
  static final ArgoHealth POLICY_HEALTH =
      new ArgoHealth(PROJECT.resolve("deploy/argocd/health/authip.io_AuthorizedIpPolicy.lua"));
  static final ArgoHealth SET_HEALTH = new ArgoHealth(PROJECT.resolve("deploy/argocd/health/authip.io_IpRangeSet.lua"));
  static final ObjectMapper JSON = new ObjectMapper();
  static final AtomicInteger COUNTER = new AtomicInteger();

  static LocalEnvironment env;
  /** What each state looked like to ArgoCD and kstatus, printed at the end (docs/gitops.md's table). */
  static final Map<String, String> SEEN = new LinkedHashMap<>();

  KubernetesClient k8s;
  String ns;

  @BeforeAll
  static void start() {
    // Propagation of 2 s so that Propagating can be seen; everything else as in the other end-to-end tests.
    env = LocalEnvironment.start(LocalEnvironment.Options.forTesting().withOperator(OperatorConfig.forTesting()
        .withTimings(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(1))));
    env.grantAll(SUB);
    env.startOperator();
  }

  @AfterAll
  static void stop() {
    SEEN.forEach((state, verdicts) -> System.out.println("health " + state + ": " + verdicts));
    if (env != null) {
      env.close();
    }
  }

  @BeforeEach
  void namespace() {
    ns = "gitops" + COUNTER.incrementAndGet();
    k8s = env.kube().client();
    env.arm().clearFaults();
    env.arm().operationDuration(Duration.ofMillis(300));
    if (env.operator() == null) {
      env.startOperator();
    }
  }

  @AfterEach
  void noForbiddenRequests() {
    env.arm().clearFaults();
    env.requireNoForbiddenRequests();
  }

  // ---- policies --------------------------------------------------------------------------------------------------

  @Test
  void inSyncIsHealthyCurrentAndReadyForKubectlWait(@TempDir Path dir) {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks"));
    create(policy("p", List.of(c), "73.140.245.0/24"));
    JsonNode p = awaitPolicy("p", t -> t.getState() == TargetState.InSync);
    expect("InSync", p, "Healthy", Kstatus.Status.Current);
    assertThat(POLICY_HEALTH.evaluate(p).message()).isEqualTo("1/1 targets have the desired ranges");
    assertThat(conditionTypes(p)).containsExactly("Ready", "Drifted");

    Kubectl kubectl = kubectl(dir);
    Kubectl.Result wait = kubectl.run("wait", "--for=condition=Ready", "--timeout=20s", "-n", ns,
        "authorizedippolicy/p");
    assertThat(wait.exit()).as(wait.err()).isZero();
    assertThat(wait.out()).contains("condition met");
    // In force everywhere, not only accepted: Ready's reason is InSync (Propagating while AKS takes the change up).
    Kubectl.Result inSync = kubectl.run("wait", "--for=jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}"
        + "=InSync", "--timeout=20s", "-n", ns, "authorizedippolicy/p");
    assertThat(inSync.exit()).as(inSync.err()).isZero();
    assertThat(inSync.out()).contains("condition met");
  }

  @Test
  void noStatusYetIsProgressingForArgoCdButCurrentForKstatus() {
    env.stopOperator();
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks"));
    create(policy("p", List.of(c), "73.140.245.0/24"));
    JsonNode p = raw("AuthorizedIpPolicy", "p");
    assertThat(p.path("status").isMissingNode() || p.path("status").isEmpty()).isTrue();
    // kstatus cannot tell "not looked at yet" from "fine" without status (its documented corner case): Current.
    expect("no status yet", p, "Progressing", Kstatus.Status.Current);
    assertThat(POLICY_HEALTH.evaluate(p).message()).isEqualTo("Waiting for authip to reconcile the policy");
  }

  @Test
  void aSpecEditAuthipHasNotSeenIsProgressingForBoth(@TempDir Path dir) {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks"));
    create(policy("p", List.of(c), "73.140.245.0/24"));
    awaitPolicy("p", t -> t.getState() == TargetState.InSync);
    env.stopOperator();
    edit("p", s -> s.setRanges(entries("73.140.245.0/24", "20.42.0.0/24")));
    JsonNode p = raw("AuthorizedIpPolicy", "p");
    assertThat(p.path("metadata").path("generation").asLong()).isEqualTo(2);
    expect("observedGeneration behind", p, "Progressing", Kstatus.Status.InProgress);
    assertThat(Kstatus.compute(p).message())
        .isEqualTo("AuthorizedIpPolicy generation is 2, but latest observed generation is 1");
    assertThat(POLICY_HEALTH.evaluate(p).message()).isEqualTo("Waiting for authip to reconcile generation 2 (observed 1)");

    // kubectl compares the condition's observedGeneration with the generation: a Ready of the old spec does not count.
    Kubectl.Result wait = kubectl(dir).run("wait", "--for=condition=Ready", "--timeout=2s", "-n", ns,
        "authorizedippolicy/p");
    assertThat(wait.exit()).as("kubectl wait on a spec authip has not seen: %s", wait.out()).isNotZero();
  }

  @Test
  void updatingIsProgressingAndReconciling() {
    env.arm().operationDuration(Duration.ofSeconds(20));
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks"));
    create(policy("p", List.of(c), "73.140.245.0/24"));
    JsonNode p = awaitPolicy("p", t -> t.getState() == TargetState.Updating);
    expect("Updating", p, "Progressing", Kstatus.Status.InProgress);
    assertThat(POLICY_HEALTH.evaluate(p).message()).isEqualTo("1 of 1 targets being changed: aks Updating");
    assertThat(condition(p, "Reconciling").path("reason").asText()).isEqualTo("Updating");
  }

  @Test
  void pendingBehindAnotherOperationIsProgressingAndReconciling() {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks"));
    env.arm().beginExternalOperation(c.clusterId(), Duration.ofSeconds(30));
    create(policy("p", List.of(c), "73.140.245.0/24"));
    JsonNode p = awaitPolicy("p", t -> t.getState() == TargetState.Pending && t.getReason() != null);
    expect("Pending", p, "Progressing", Kstatus.Status.InProgress);
    assertThat(condition(p, "Reconciling").path("reason").asText()).isEqualTo("Pending");
  }

  @Test
  void propagatingIsReadyButStillProgressingAndReconciling() {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks"));
    create(policy("p", List.of(c), "73.140.245.0/24"));
    JsonNode p = awaitPolicy("p", t -> t.getState() == TargetState.Propagating);
    assertThat(condition(p, "Ready").path("status").asText()).isEqualTo("True");
    expect("Propagating", p, "Progressing", Kstatus.Status.InProgress);
    assertThat(condition(p, "Reconciling").path("reason").asText()).isEqualTo("Propagating");
  }

  @Test
  void anInvalidSpecIsDegradedAndStalledWithTheFieldNamed(@TempDir Path dir) {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks"));
    create(policy("p", List.of(c), "10.0.0.0/8"));
    JsonNode p = awaitCondition("AuthorizedIpPolicy", "p", "Ready", "InvalidSpec");
    expect("InvalidSpec", p, "Degraded", Kstatus.Status.Failed);
    assertThat(POLICY_HEALTH.evaluate(p).message()).startsWith("InvalidSpec: spec.ranges[0]");
    assertThat(Kstatus.compute(p).message()).startsWith("spec.ranges[0]");

    Kubectl.Result wait = kubectl(dir).run("wait", "--for=condition=Ready", "--timeout=2s", "-n", ns,
        "authorizedippolicy/p");
    assertThat(wait.exit()).as("kubectl wait on a policy that is not Ready").isNotZero();
  }

  @Test
  void aBlockedTargetIsDegradedAndStalled() {
    ClusterFixture c = cluster(ClusterFixture.privateCluster(SUB, ns, "aks"));
    create(policy("p", List.of(c), "73.140.245.0/24"));
    JsonNode p = awaitPolicy("p", t -> t.getState() == TargetState.Blocked);
    expect("Blocked", p, "Degraded", Kstatus.Status.Failed);
    assertThat(POLICY_HEALTH.evaluate(p).message()).startsWith("Blocked: ");
  }

  @Test
  void anAzureErrorIsDegradedAndStalled() {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks"));
    env.arm().injectFault(FaultTarget.resource(c.clusterId()).method("PUT"),
        Fault.status(400, "InvalidParameter", "the request is invalid"), 1000);
    create(policy("p", List.of(c), "73.140.245.0/24"));
    JsonNode p = awaitPolicy("p", t -> t.getState() == TargetState.Error);
    expect("AzureError", p, "Degraded", Kstatus.Status.Failed);
    assertThat(POLICY_HEALTH.evaluate(p).message()).startsWith("AzureError: ").contains("InvalidParameter");
  }

  @Test
  void aTargetNotGrantedIsDegradedAndStalled() {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(UNGRANTED, ns, "aks"));
    create(policy("p", List.of(c), "73.140.245.0/24"));
    JsonNode p = awaitCondition("AuthorizedIpPolicy", "p", "Ready", "NotGranted");
    expect("NotGranted", p, "Degraded", Kstatus.Status.Failed);
    assertThat(POLICY_HEALTH.evaluate(p).message()).startsWith("NotGranted: ");
  }

  @Test
  void aTargetClaimedByAnOlderPolicyIsDegradedAndStalled() {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks"));
    create(policy("first", List.of(c), "73.140.245.0/24"));
    awaitPolicy("first", t -> t.getState() == TargetState.InSync);
    create(policy("second", List.of(c), "20.42.0.0/24"));
    JsonNode p = awaitCondition("AuthorizedIpPolicy", "second", "Ready", "TargetConflict");
    expect("TargetConflict", p, "Degraded", Kstatus.Status.Failed);
  }

  @Test
  void aContestedTargetIsDegradedAndStalled() throws Exception {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks"));
    create(policy("p", List.of(c), "73.140.245.0/24"));
    awaitPolicy("p", t -> t.getState() == TargetState.InSync);
    // A second writer puts its own list back whenever authip has corrected it, until authip stands down.
    AtomicBoolean fighting = new AtomicBoolean(true);
    Thread other = new Thread(() -> {
      while (fighting.get()) {
        try {
          env.arm().editCluster(c.clusterId(), cluster -> {
            var ranges = cluster.with("properties").with("apiServerAccessProfile").putArray("authorizedIPRanges");
            ranges.add("198.51.100.0/24");
          });
          Thread.sleep(300);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          // the cluster is busy with authip's correction: try again
        }
      }
    }, "second-writer");
    other.start();
    try {
      JsonNode p = awaitPolicy("p", t -> t.getState() == TargetState.Contested);
      expect("Contested", p, "Degraded", Kstatus.Status.Failed);
      assertThat(POLICY_HEALTH.evaluate(p).message()).startsWith("Contested: ");
    } finally {
      fighting.set(false);
      other.join();
    }
  }

  @Test
  void driftInObserveModeIsDegradedAndStalled() {
    ClusterFixture c = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks")
        .withAuthorizedIpRanges("198.51.100.0/24"));
    AuthorizedIpPolicy observe = policy("p", List.of(c), "73.140.245.0/24");
    observe.getSpec().setMode(Mode.Observe);
    create(observe);
    JsonNode p = awaitPolicy("p", t -> t.getState() == TargetState.Drifted);
    expect("Drifted (Observe)", p, "Degraded", Kstatus.Status.Failed);
    assertThat(POLICY_HEALTH.evaluate(p).message()).startsWith("drift in Observe mode: ");
    assertThat(env.arm().putAudits().stream().noneMatch(a -> a.isFor(c.clusterId()))).as("Observe sends nothing")
        .isTrue();
  }

  // ---- range sets ------------------------------------------------------------------------------------------------

  @Test
  void rangeSetsAreHealthyWhenValidAndDegradedWhenNot() {
    create(rangeSet("ok", "20.42.0.0/24", "20.42.1.0/24"));
    create(rangeSet("bad", "20.42.0.0/24", "192.168.0.0/16"));
    JsonNode ok = awaitCondition("IpRangeSet", "ok", "Valid", "Valid");
    JsonNode bad = awaitCondition("IpRangeSet", "bad", "Valid", "InvalidSpec");
    expectSet("IpRangeSet Valid", ok, "Healthy", Kstatus.Status.Current);
    assertThat(SET_HEALTH.evaluate(ok).message()).isEqualTo("1 ranges after merging");
    assertThat(conditionTypes(ok)).containsExactly("Valid", "Ready");
    expectSet("IpRangeSet InvalidSpec", bad, "Degraded", Kstatus.Status.Failed);
    assertThat(SET_HEALTH.evaluate(bad).message()).startsWith("InvalidSpec: spec.ranges[1]");

    env.stopOperator();
    Edits.edit(k8s.resources(IpRangeSet.class).inNamespace(ns).withName("ok"), s -> {
      s.getSpec().setRanges(entries("20.42.0.0/24"));
      return s;
    });
    JsonNode stale = raw("IpRangeSet", "ok");
    expectSet("IpRangeSet observedGeneration behind", stale, "Progressing", Kstatus.Status.InProgress);
    create(rangeSet("new", "20.42.0.0/24"));
    expectSet("IpRangeSet no status yet", raw("IpRangeSet", "new"), "Progressing", Kstatus.Status.Current);
  }

  @Test
  void aValidGrantIsReadyAndCurrent() {
    await().atMost(WAIT).until(() -> condition(grant(), "Ready").path("status").asText().equals("True"));
    JsonNode grant = grant();
    assertThat(condition(grant, "Ready").path("reason").asText()).isEqualTo("Valid");
    assertThat(Kstatus.compute(grant).status()).isEqualTo(Kstatus.Status.Current);
    SEEN.put("TargetGrant Valid", "kstatus " + Kstatus.compute(grant).status());
  }

  static JsonNode grant() {
    return JSON.valueToTree(env.kube().client().genericKubernetesResources("authip.io/v1alpha1", "TargetGrant")
        .withName(LocalEnvironment.GRANT_ALL).get());
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  void expect(String state, JsonNode policy, String argo, Kstatus.Status kstatus) {
    ArgoHealth.Verdict verdict = POLICY_HEALTH.evaluate(policy);
    Kstatus.Result result = Kstatus.compute(policy);
    SEEN.put(state, "ArgoCD " + verdict.status() + " (" + verdict.message() + "), kstatus " + result.status());
    assertThat(verdict.status()).as("ArgoCD health of %s: %s", state, verdict.message()).isEqualTo(argo);
    assertThat(result.status()).as("kstatus of %s: %s", state, result.message()).isEqualTo(kstatus);
  }

  void expectSet(String state, JsonNode set, String argo, Kstatus.Status kstatus) {
    ArgoHealth.Verdict verdict = SET_HEALTH.evaluate(set);
    Kstatus.Result result = Kstatus.compute(set);
    SEEN.put(state, "ArgoCD " + verdict.status() + " (" + verdict.message() + "), kstatus " + result.status());
    assertThat(verdict.status()).as("ArgoCD health of %s: %s", state, verdict.message()).isEqualTo(argo);
    assertThat(result.status()).as("kstatus of %s: %s", state, result.message()).isEqualTo(kstatus);
  }

  ClusterFixture cluster(ClusterFixture c) {
    env.arm().seed(c);
    return c;
  }

  static List<RangeEntry> entries(String... cidrs) {
    return Policies.entries(cidrs);
  }

  AuthorizedIpPolicy policy(String name, List<ClusterFixture> clusters, String... ranges) {
    return Policies.policy(ns, name, clusters, ranges);
  }

  IpRangeSet rangeSet(String name, String... ranges) {
    IpRangeSet set = new IpRangeSet();
    set.getMetadata().setName(name);
    set.getMetadata().setNamespace(ns);
    set.setSpec(new IpRangeSetSpec());
    set.getSpec().setRanges(entries(ranges));
    return set;
  }

  <T extends io.fabric8.kubernetes.api.model.HasMetadata> void create(T resource) {
    k8s.resource(resource).create();
  }

  void edit(String name, java.util.function.Consumer<AuthorizedIpPolicySpec> change) {
    Edits.edit(k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName(name), p -> {
      change.accept(p.getSpec());
      return p;
    });
  }

  /** The object as the API serves it (what ArgoCD and Flux read), as JSON. */
  JsonNode raw(String kind, String name) {
    var resource = k8s.genericKubernetesResources("authip.io/v1alpha1", kind).inNamespace(ns).withName(name).get();
    return JSON.valueToTree(resource);
  }

  /**
   * Waits until the policy's one target satisfies {@code state}, with a status of the current generation, and returns
   * that very read: the operator keeps working (a retry writes its intent as Pending before it sends), so a second
   * read could show the next state.
   */
  JsonNode awaitPolicy(String name, Predicate<TargetStatus> state) {
    java.util.concurrent.atomic.AtomicReference<JsonNode> seen = new java.util.concurrent.atomic.AtomicReference<>();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      JsonNode raw = raw("AuthorizedIpPolicy", name);
      AuthorizedIpPolicy p = k8s.getKubernetesSerialization().convertValue(raw, AuthorizedIpPolicy.class);
      seen.set(raw);
      return p.getStatus() != null && p.getStatus().getTargets().size() == 1
          && p.getMetadata().getGeneration().equals(p.getStatus().getObservedGeneration())
          && state.test(p.getStatus().getTargets().get(0));
    });
    return seen.get();
  }

  /** Waits until condition {@code type} has {@code reason}, and returns the read that showed it. */
  JsonNode awaitCondition(String kind, String name, String type, String reason) {
    java.util.concurrent.atomic.AtomicReference<JsonNode> seen = new java.util.concurrent.atomic.AtomicReference<>();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      seen.set(raw(kind, name));
      return reason.equals(condition(seen.get(), type).path("reason").asText());
    });
    return seen.get();
  }

  static JsonNode condition(JsonNode object, String type) {
    for (JsonNode c : object.path("status").path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  static List<String> conditionTypes(JsonNode object) {
    List<String> types = new ArrayList<>();
    object.path("status").path("conditions").forEach(c -> types.add(c.path("type").asText()));
    return types;
  }

  Kubectl kubectl(Path dir) {
    try {
      Path kubeconfig = env.kube().writeKubeconfig(dir.resolve("kubeconfig"));
      return new Kubectl(kubeconfig, Files.createDirectories(dir.resolve("cache")), dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
