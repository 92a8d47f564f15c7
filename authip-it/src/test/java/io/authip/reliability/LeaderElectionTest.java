package io.authip.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.TargetState;
import io.authip.bench.OperatorChild;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.PutInvariants;
import io.authip.emulator.RecordedRequest;
import io.authip.emulator.RequestKind;
import io.authip.emulator.ResourceIds;
import io.authip.sandbox.LocalEnvironment;
import io.authip.testing.Edits;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Leader election between two real operator processes: two JVMs each running exactly {@code authip run} with leader
 * election on, against the ARM emulator and the embedded Kubernetes API in this JVM, each authenticated by a
 * kubeconfig that carries a bearer token.
 *
 * <ol>
 *   <li>Exactly one leads: the Lease names it, its {@code authip_leader} is 1 and the other's 0; both are ready.</li>
 *   <li>For {@link #RENEW_PHASE} the leader renews (renewTime advances, holder and acquireTime unchanged) while the
 *       standby makes no reconcile and no Azure request.</li>
 *   <li>The leader is killed with SIGKILL (no graceful stop, no Lease release) and the policy is edited at once. The
 *       standby takes the Lease only after it expired (never overlapping the old holder) and within lease duration +
 *       renew deadline; the edit reaches the emulated cluster within lease duration + renew deadline + one
 *       reconcile ({@link #RECONCILE_ALLOWANCE}).</li>
 *   <li>A third replica joins as standby; every Lease write is refused (403): the leader, unable to renew, exits with
 *       status 1 within lease duration + renew deadline; once writes are allowed again the new standby leads.</li>
 *   <li>The last leader, stopped with SIGTERM, ends within the pod's grace period (no SIGKILL needed).</li>
 * </ol>
 * Every PUT carries one of the two lists the policy asked for, and the emulator's PUT invariants hold.
 */
class LeaderElectionTest {

  /**
   * The bearer token of the operator's ServiceAccount in the test world: the embedded API authorizes it with the
   * shipped RBAC (deploy/base/rbac.yaml), SelfSubjectRulesReviews included.
   */
  static final String SERVICE_ACCOUNT_TOKEN = io.authip.kubeapi.Rbac.OPERATOR_TOKEN;
  static final String LEASE_NAMESPACE = "authip-system";
  static final String LEASE_NAME = "authip-leader";
  static final String NS = "platform";
  static final String SUB = "5a1c2e3f-4b6d-4e8f-9a0b-1c2d3e4f5a6b";

  static final Duration LEASE_DURATION = Duration.ofSeconds(6);
  static final Duration RENEW_DEADLINE = Duration.ofSeconds(4);
  static final Duration RETRY_PERIOD = Duration.ofSeconds(1);
  static final Duration RENEW_PHASE = Duration.ofSeconds(30);
  /**
   * One reconcile of the edited policy: a cluster GET, its egress lookups, a PUT, a 300 ms operation polled every
   * 200 ms. Well under a second on an idle machine; 10 s leaves room for a loaded 2-core one and for the new leader's
   * informers delivering the policy once event processing starts.
   */
  static final Duration RECONCILE_ALLOWANCE = Duration.ofSeconds(10);
  /** The chart's terminationGracePeriodSeconds. */
  static final Duration GRACE_PERIOD = Duration.ofSeconds(30);
  /** Starting two JVMs and the first convergence on a loaded machine. */
  static final Duration START_WAIT = Duration.ofSeconds(120);

  static final List<String> RANGES = List.of("73.140.245.0/24", "52.160.96.17");
  static final List<String> EDITED = List.of("73.140.245.0/24", "20.42.0.0/23");

  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  LocalEnvironment env;
  Path work;
  final List<OperatorChild> children = new ArrayList<>();

  /** One operator process and what the test knows about it. */
  record Replica(String name, OperatorChild process, int port, Path log) {
  }

  @AfterEach
  void stop() {
    children.forEach(OperatorChild::close);
    if (env != null) {
      env.close();
    }
  }

  @Test
  void oneLeadsRenewsAndTheOtherTakesOverAfterSigkill() throws Exception {
    work = Files.createTempDirectory("authip-leader");
    // No operator in this JVM: the two replicas are the children.
    env = LocalEnvironment.start(new LocalEnvironment.Options(0, 0, Duration.ofMillis(300),
        io.authip.operator.OperatorConfig.forTesting(), work));
    env.grantAll(SUB);
    KubernetesClient k8s = env.kube().client();
    // The lease namespace comes with the embedded API (the operator's namespace).
    k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    ClusterFixture c = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-leader", "aks-leader");
    env.arm().seed(c);
    k8s.resource(Harness.policy(NS, "p", List.of(c), RANGES)).create();
    Path kubeconfig = writeKubeconfig(work.resolve("operator.kubeconfig"));

    Map<String, Replica> replicas = new LinkedHashMap<>();
    for (String name : List.of("authip-0", "authip-1")) {
      start(name, kubeconfig, replicas);
    }

    // 1. Exactly one leads.
    await().atMost(START_WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
      Lease lease = lease(k8s);
      assertThat(lease).as("Lease %s/%s", LEASE_NAMESPACE, LEASE_NAME).isNotNull();
      assertThat(replicas).containsKey(lease.getSpec().getHolderIdentity());
      for (Replica r : replicas.values()) {
        assertThat(r.process().alive()).as("%s alive", r.name()).isTrue();
        assertThat(status(r, "/readyz")).as("%s /readyz", r.name()).isEqualTo(200);
        boolean holder = r.name().equals(lease.getSpec().getHolderIdentity());
        assertThat(metric(r, "authip_leader")).as("%s authip_leader", r.name()).isEqualTo(holder ? 1.0 : 0.0);
        assertThat(metric(r, "authip_policies")).as("%s authip_policies", r.name()).isEqualTo(1.0);
      }
    });
    Lease first = lease(k8s);
    Replica leader = replicas.get(first.getSpec().getHolderIdentity());
    Replica standby = replicas.values().stream().filter(r -> r != leader).findFirst().orElseThrow();
    assertThat(first.getSpec().getLeaseDurationSeconds()).isEqualTo((int) LEASE_DURATION.toSeconds());
    await().atMost(START_WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> converged(k8s, c, RANGES));
    System.out.println("leader election: " + leader.name() + " leads, " + standby.name() + " stands by");

    // 2. The leader renews; the standby does nothing.
    int putsBefore = env.arm().requestCount(c.clusterId(), "PUT");
    Set<ZonedDateTime> renewals = new TreeSet<>();
    long phaseEnd = System.nanoTime() + RENEW_PHASE.toNanos();
    Lease last = first;
    while (System.nanoTime() < phaseEnd) {
      last = lease(k8s);
      assertThat(last.getSpec().getHolderIdentity()).as("holder during the renew phase")
          .isEqualTo(leader.name());
      assertThat(last.getSpec().getAcquireTime()).isEqualTo(first.getSpec().getAcquireTime());
      assertThat(last.getSpec().getLeaseTransitions()).isEqualTo(first.getSpec().getLeaseTransitions());
      renewals.add(last.getSpec().getRenewTime());
      assertThat(leader.process().alive() && standby.process().alive()).as("both processes alive").isTrue();
      Thread.sleep(500);
    }
    Duration renewedOver = Duration.between(first.getSpec().getRenewTime(), last.getSpec().getRenewTime());
    System.out.printf(Locale.ROOT, "leader election: %d renewals seen over %d s, renewTime advanced %.1f s%n",
        renewals.size(), RENEW_PHASE.toSeconds(), renewedOver.toMillis() / 1000.0);
    // A holder that did not renew within its deadline would have exited, and one that did not renew within the lease
    // duration would have been replaced: renewTime keeps up with the clock.
    assertThat(renewedOver).isGreaterThanOrEqualTo(RENEW_PHASE.minus(LEASE_DURATION));
    assertThat(renewals.size()).isGreaterThanOrEqualTo((int) (RENEW_PHASE.toSeconds() / RENEW_DEADLINE.toSeconds()));
    assertThat(metric(leader, "authip_reconcile_duration_seconds_count")).as("leader reconciles").isPositive();
    assertThat(metric(standby, "authip_reconcile_duration_seconds_count")).as("standby reconciles").isZero();
    assertThat(sum(standby, "authip_azure_requests_total")).as("standby's Azure requests").isZero();
    assertThat(metric(standby, "authip_leader")).isZero();
    assertThat(metric(leader, "authip_leader")).isEqualTo(1.0);
    assertThat(status(standby, "/readyz")).as("a standby is ready to take over").isEqualTo(200);
    assertThat(env.arm().requestCount(c.clusterId(), "PUT")).as("PUTs in steady state").isEqualTo(putsBefore);

    // 3. SIGKILL the leader, edit the policy at once.
    long killed = System.nanoTime();
    leader.process().kill();
    Edits.edit(k8s.resources(AuthorizedIpPolicy.class).inNamespace(NS).withName("p"), p -> {
      p.getSpec().setRanges(Harness.entries(EDITED));
      return p;
    });
    Lease oldHolders = lease(k8s);
    Duration takeoverBound = LEASE_DURATION.plus(RENEW_DEADLINE);
    Duration appliedBound = takeoverBound.plus(RECONCILE_ALLOWANCE);
    Set<String> edited = Harness.expected(c, EDITED);
    long[] takeover = {-1};
    long[] applied = {-1};
    // Waits past the bounds so that a slow failover is measured and reported, not just timed out.
    await().atMost(appliedBound.multipliedBy(3)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
      long now = System.nanoTime();
      if (takeover[0] < 0 && standby.name().equals(lease(k8s).getSpec().getHolderIdentity())) {
        takeover[0] = now - killed;
      }
      if (applied[0] < 0 && ranges(c).equals(edited)) {
        applied[0] = now - killed;
      }
      return takeover[0] >= 0 && applied[0] >= 0;
    });
    Lease taken = lease(k8s);
    System.out.printf(Locale.ROOT, "leader election: failover after SIGKILL: new holder in %.2f s (bound %d s), edit "
            + "applied on the cluster in %.2f s (bound %d s); lease %d s, renew deadline %d s, retry %d s; "
            + "load average %s%n", takeover[0] / 1e9, takeoverBound.toSeconds(), applied[0] / 1e9,
        appliedBound.toSeconds(), LEASE_DURATION.toSeconds(), RENEW_DEADLINE.toSeconds(), RETRY_PERIOD.toSeconds(),
        loadAverage());
    assertThat(Duration.ofNanos(takeover[0])).as("kill -> new holder").isLessThanOrEqualTo(takeoverBound);
    assertThat(Duration.ofNanos(applied[0])).as("kill -> edit applied").isLessThanOrEqualTo(appliedBound);
    // No overlap: the standby took the Lease only once the dead holder's last renewal had expired.
    assertThat(taken.getSpec().getAcquireTime())
        .isAfterOrEqualTo(oldHolders.getSpec().getRenewTime().plus(LEASE_DURATION));
    assertThat(taken.getSpec().getLeaseTransitions()).isEqualTo(first.getSpec().getLeaseTransitions() + 1);
    assertThat(leader.process().exitCode()).as("the killed leader").hasValue(137);

    await().atMost(START_WAIT).pollInterval(Duration.ofMillis(200)).until(() -> converged(k8s, c, EDITED));
    assertThat(metric(standby, "authip_leader")).isEqualTo(1.0);
    assertThat(metric(standby, "authip_reconcile_duration_seconds_count")).isPositive();
    assertThat(standby.process().alive()).isTrue();

    // Two changes, two PUTs, each with a list the policy asked for.
    Set<Set<String>> asked = Set.of(Harness.expected(c, RANGES), edited);
    List<RecordedRequest> puts = env.arm().requests().stream()
        .filter(r -> r.kind() == RequestKind.CLUSTER_PUT && r.resourceKey().equals(ResourceIds.key(c.clusterId())))
        .toList();
    for (RecordedRequest put : puts) {
      assertThat(asked).as("PUT at %s sent a list nobody asked for", put.at()).contains(sentRanges(put));
    }
    PutInvariants.check(env.arm());
    PutInvariants.assertPutBudget(env.arm(), c.clusterId(), 2, 0);

    // 4. A leader that can no longer renew (every Lease write refused) exits by itself within its renew deadline,
    // and a new standby takes over once the refusals end.
    Replica third = start("authip-2", kubeconfig, replicas);
    await().atMost(START_WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
      assertThat(status(third, "/readyz")).isEqualTo(200);
      assertThat(metric(third, "authip_leader")).isZero();
      assertThat(metric(third, "authip_policies")).isEqualTo(1.0);
    });
    long refused = System.nanoTime();
    env.kube().faults().fail("PATCH", ".*/namespaces/" + LEASE_NAMESPACE + "/leases/" + LEASE_NAME + "(\\?.*)?", 403,
        1_000_000);
    await().atMost(takeoverBound.multipliedBy(3)).pollInterval(Duration.ofMillis(50))
        .until(() -> !standby.process().alive());
    double deposedAfter = (System.nanoTime() - refused) / 1e9;
    env.kube().faults().clear();
    System.out.printf(Locale.ROOT, "leader election: a leader whose renewals are refused exited after %.2f s "
        + "(renew deadline %d s), exit status %s%n", deposedAfter, RENEW_DEADLINE.toSeconds(),
        standby.process().exitCode());
    assertThat(standby.process().exitCode()).as("a deposed leader exits").hasValue(1);
    assertThat(deposedAfter).as("deposed leader's exit, s").isLessThanOrEqualTo(takeoverBound.toSeconds());
    assertThat(Files.readString(standby.log())).contains("lost the Lease");
    await().atMost(appliedBound.multipliedBy(3)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> third.name().equals(lease(k8s).getSpec().getHolderIdentity())
            && metric(third, "authip_leader") == 1.0 && metric(third, "authip_reconcile_duration_seconds_count") > 0);
    assertThat(converged(k8s, c, EDITED)).isTrue();
    PutInvariants.assertPutBudget(env.arm(), c.clusterId(), 2, 0);

    // A leader stopped as Kubernetes stops a pod (SIGTERM) ends within the grace period, without a SIGKILL.
    long stopping = System.nanoTime();
    boolean graceful = third.process().stop(GRACE_PERIOD);
    System.out.printf(Locale.ROOT, "leader election: the leader stopped on SIGTERM in %.2f s, exit status %s%n",
        (System.nanoTime() - stopping) / 1e9, third.process().exitCode());
    assertThat(graceful).as("the leader ended within %s of SIGTERM", GRACE_PERIOD).isTrue();
  }

  Replica start(String name, Path kubeconfig, Map<String, Replica> replicas) {
    int port = freePort();
    Path log = work.resolve(name + ".log");
    OperatorChild child = OperatorChild.startWithKubeconfig("256m", childEnvironment(name, port), kubeconfig, log);
    children.add(child);
    Replica r = new Replica(name, child, port, log);
    replicas.put(name, r);
    System.out.println("leader election: " + name + " is pid " + child.pid() + ", http port " + port + ", log " + log);
    return r;
  }

  // ---- the test world ------------------------------------------------------------------------------------------

  /** The mock server's own endpoint (WebSocket watches, as the operator's informers use), with the token. */
  Path writeKubeconfig(Path file) throws IOException {
    String server = env.kube().client().getMasterUrl().toString().replaceAll("/$", "");
    Files.writeString(file, String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: test",
        "  cluster:",
        "    server: " + server,
        "users:",
        "- name: authip",
        "  user:",
        "    token: " + SERVICE_ACCOUNT_TOKEN,
        "contexts:",
        "- name: authip",
        "  context:",
        "    cluster: test",
        "    user: authip",
        "    namespace: " + LEASE_NAMESPACE,
        "current-context: authip",
        ""), StandardCharsets.UTF_8);
    return file;
  }

  /** What the chart gives a replica (POD_NAME and POD_NAMESPACE from the downward API), with short timings. */
  Map<String, String> childEnvironment(String podName, int port) {
    Map<String, String> e = new LinkedHashMap<>(env.azureEnvironment());
    e.put("POD_NAME", podName);
    e.put("POD_NAMESPACE", LEASE_NAMESPACE);
    e.put("AUTHIP_LEADER_ELECTION", "true");
    e.put("AUTHIP_LEADER_ELECTION_NAMESPACE", LEASE_NAMESPACE);
    e.put("AUTHIP_LEASE_NAME", LEASE_NAME);
    e.put("AUTHIP_LEASE_DURATION", LEASE_DURATION.toSeconds() + "s");
    e.put("AUTHIP_LEASE_RENEW_DEADLINE", RENEW_DEADLINE.toSeconds() + "s");
    e.put("AUTHIP_LEASE_RETRY_PERIOD", RETRY_PERIOD.toSeconds() + "s");
    e.put("AUTHIP_HTTP_PORT", String.valueOf(port));
    e.put("AUTHIP_POLL_INTERVAL", "200ms");
    e.put("AUTHIP_PROPAGATION_DELAY", "0s");
    e.put("AUTHIP_BUSY_RETRY", "300ms");
    e.put("AUTHIP_ERROR_BACKOFF", "200ms");
    e.put("AUTHIP_MAX_BACKOFF", "2s");
    e.put("AUTHIP_RESYNC_CAP", "2s");
    return e;
  }

  static Lease lease(KubernetesClient k8s) {
    return k8s.resources(Lease.class).inNamespace(LEASE_NAMESPACE).withName(LEASE_NAME).get();
  }

  boolean converged(KubernetesClient k8s, ClusterFixture c, List<String> ranges) {
    AuthorizedIpPolicy p = k8s.resources(AuthorizedIpPolicy.class).inNamespace(NS).withName("p").get();
    return p != null && p.getStatus() != null
        && p.getMetadata().getGeneration().equals(p.getStatus().getObservedGeneration())
        && p.getStatus().getTargets().size() == 1
        && p.getStatus().getTargets().get(0).getState() == TargetState.InSync
        && ranges(c).equals(Harness.expected(c, ranges));
  }

  Set<String> ranges(ClusterFixture c) {
    Set<String> out = new TreeSet<>();
    env.arm().cluster(c.clusterId()).orElseThrow().path("properties").path("apiServerAccessProfile")
        .path("authorizedIPRanges").forEach(n -> out.add(n.asText()));
    return out;
  }

  static Set<String> sentRanges(RecordedRequest put) throws IOException {
    Set<String> out = new TreeSet<>();
    JsonNode body = JSON.readTree(put.body());
    body.path("properties").path("apiServerAccessProfile").path("authorizedIPRanges")
        .forEach(n -> out.add(n.asText()));
    return out;
  }

  // ---- the children's HTTP endpoints -----------------------------------------------------------------------------

  static int status(Replica r, String path) throws IOException, InterruptedException {
    return get(r, path).statusCode();
  }

  static HttpResponse<String> get(Replica r, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The value of the unlabelled series {@code name} on the replica's /metrics. */
  static double metric(Replica r, String name) throws IOException, InterruptedException {
    for (String line : get(r, "/metrics").body().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).strip());
      }
    }
    throw new AssertionError(r.name() + " exports no " + name);
  }

  /** The sum over every series of {@code name} (0 when there is none). */
  static double sum(Replica r, String name) throws IOException, InterruptedException {
    double sum = 0;
    for (String line : get(r, "/metrics").body().split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
