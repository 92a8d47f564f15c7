package io.authip.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.IpRangeSetSpec;
import io.authip.api.v1alpha1.RangeSource;
import io.authip.api.v1alpha1.ServiceTagSource;
import io.authip.api.v1alpha1.GrantTarget;
import io.authip.api.v1alpha1.Mode;
import io.authip.api.v1alpha1.TargetGrant;
import io.authip.api.v1alpha1.TargetGrantSpec;
import io.authip.api.v1alpha1.TargetState;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.Fault;
import io.authip.emulator.FaultTarget;
import io.authip.kubeapi.Rbac;
import io.authip.operator.OperatorConfig;
import io.authip.sandbox.LocalEnvironment;
import io.authip.testing.Edits;
import io.authip.testing.Policies;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped alerting rules and dashboard against a real Prometheus (Debian's package): Prometheus scrapes the
 * operator's /metrics every second with the chart's rules, hold times shortened by chart values, and the test
 * produces each alert's situation for real against the ARM emulator and the embedded Kubernetes API (drift in Observe
 * mode, a private cluster, a cluster no grant covers, a list near the limit, a second writer, an invalid grant, Azure
 * answering 500 and 429, a Lease held by someone else, the operator gone) and waits for Prometheus's API to report
 * each alert firing, with the labels it should carry; while every Azure answer hangs, the leader keeps reconciling
 * and its not-reconciling alert stays silent (authip never waits for Azure on a reconcile thread). Every query of the Grafana
 * dashboard is evaluated on the same data and must return some. The times each alert took are printed
 * ({@code alert <name>: firing after ...}) and recorded in docs/alerting.md.
 */
class PrometheusEndToEndTest {

  static final String SUB = "4d2e6f80-3b5c-4d7e-9f10-2b3c4d5e6f70";
  static final String UNGRANTED = "8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b";
  static final String NS = "alerts";
  static final String JOB = "authip";
  static final Duration WAIT = Duration.ofSeconds(90);
  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** The hold times of the test's rules (chart values). */
  static final String RULE_VALUES = """
      prometheusRule:
        enabled: true
        rules:
          targetDrifted: {for: 5s}
          policyNotReady: {for: 5s}
          azureThrottling: {for: 5s}
          azureErrors: {for: 5s}
          rangesNearLimit: {for: 5s}
          metricsAbsent: {for: 8s}
          noLeader: {for: 5s}
          leaderNotReconciling: {window: 10s, for: 3s}
          targetContested: {for: 5s}
          targetNotGranted: {for: 5s}
          grantInvalid: {for: 5s}
          sourceStale: {for: 5s}
          sourceShrinkHeld: {for: 5s}
      """;

  static Path dir;
  static LocalEnvironment env;
  static Process prometheus;
  static int prometheusPort;
  static int metricsPort;
  static Path prometheusLog;
  /** Alert name to "firing after N s (for F)", printed at the end. */
  static final Map<String, String> TIMES = new LinkedHashMap<>();

  @BeforeAll
  static void start(@TempDir Path tmp) throws Exception {
    Path prometheusBinary = PrometheusTools.prometheus();
    dir = tmp;
    metricsPort = freePort();
    Map<String, String> settings = new HashMap<>(Map.of("AUTHIP_HTTP_PORT", String.valueOf(metricsPort),
        "AUTHIP_POLL_INTERVAL", "200ms", "AUTHIP_PROPAGATION_DELAY", "1s", "AUTHIP_BUSY_RETRY", "300ms",
        "AUTHIP_ERROR_BACKOFF", "200ms", "AUTHIP_MAX_BACKOFF", "2s", "AUTHIP_RESYNC_CAP", "1s",
        "AUTHIP_DEFAULT_SUBSCRIPTION", SUB));
    OperatorConfig config = OperatorConfig.fromEnvironment(settings)
        .withLeaderElection(Rbac.OPERATOR_NAMESPACE, "authip-leader");
    env = LocalEnvironment.start(LocalEnvironment.Options.forTesting().withOperator(config)
        .withOperationDuration(Duration.ofMillis(200)));
    env.grantAll(SUB);
    env.startOperator();

    // The chart's rules as a plain rule file, and a scrape of the operator as the ServiceMonitor does it: job
    // "authip", namespace "authip-system" as target label, honor_labels so the policies' namespace label wins.
    JsonNode groups = HelmChart.template(RULE_VALUES).one("PrometheusRule").path("spec").path("groups");
    ObjectNode rules = JSON.createObjectNode();
    rules.set("groups", groups);
    Files.writeString(dir.resolve("rules.yaml"), YAML.writeValueAsString(rules));
    Files.writeString(dir.resolve("prometheus.yml"), """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        rule_files:
          - %s
        scrape_configs:
          - job_name: %s
            honor_labels: true
            static_configs:
              - targets: ['127.0.0.1:%d']
                labels:
                  namespace: %s
        """.formatted(dir.resolve("rules.yaml"), JOB, metricsPort, HelmChart.NAMESPACE));
    prometheusPort = freePort();
    prometheusLog = dir.resolve("prometheus.log");
    prometheus = new ProcessBuilder(prometheusBinary.toString(),
        "--config.file=" + dir.resolve("prometheus.yml"), "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + prometheusPort, "--storage.tsdb.retention.time=1h")
        .redirectErrorStream(true).redirectOutput(prometheusLog.toFile()).start();
    await().atMost(WAIT).ignoreExceptions().until(() -> get("/-/ready").statusCode() == 200);
    await().atMost(WAIT).ignoreExceptions()
        .until(() -> query("up{job=\"" + JOB + "\"} == 1").path("data").path("result").size() == 1);
  }

  @AfterAll
  static void stop() throws IOException {
    TIMES.forEach((alert, time) -> System.out.println("alert " + alert + ": " + time));
    if (prometheus != null) {
      prometheus.destroy();
      try {
        prometheus.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      prometheus.destroyForcibly();
      if (prometheus.exitValue() != 0 && prometheus.exitValue() != 143) {
        System.out.println(Files.readString(prometheusLog));
      }
    }
    if (env != null) {
      env.close();
    }
  }

  @Test
  void everyAlertFiresInARealPrometheusAndEveryDashboardQueryReturnsData() throws Exception {
    // ---- situations that last: all at once ---------------------------------------------------------------------
    Instant began = Instant.now();
    // Observe mode; the cluster starts as the policy wants, then someone changes it behind authip's back.
    ClusterFixture staging = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, "staging", "aks-staging"));
    List<String> wanted = new ArrayList<>(staging.egressCidrs());
    wanted.add("73.140.245.0/24");
    env.arm().editCluster(staging.clusterId(), c -> {
      var list = c.with("properties").with("apiServerAccessProfile").putArray("authorizedIPRanges");
      wanted.forEach(list::add);
    });
    AuthorizedIpPolicy observe = policy("staging", staging, "73.140.245.0/24");
    observe.getSpec().setMode(Mode.Observe);
    create(observe);
    // A private cluster: Blocked, the policy never Ready.
    create(policy("internal", cluster(ClusterFixture.privateCluster(SUB, "internal", "aks-internal")),
        "73.140.245.0/24"));
    // A cluster in a subscription no grant covers.
    create(policy("elsewhere", cluster(ClusterFixture.loadBalancerManagedOutbound(UNGRANTED, "other", "aks-other")),
        "73.140.245.0/24"));
    // 182 separate /24s plus the cluster's egress: above 90 % of AKS's 200.
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 182; i++) {
      many.add("20." + (i / 128) + "." + (2 * (i % 128)) + ".0/24");
    }
    create(policy("big", cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, "big", "aks-big")),
        many.toArray(String[]::new)));
    // Azure answers every PUT of one cluster with 500.
    ClusterFixture flaky = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, "flaky", "aks-flaky"));
    env.arm().injectFault(FaultTarget.resource(flaky.clusterId()).method("PUT"),
        Fault.status(500, "InternalServerError", "emulated server error"), 100_000);
    create(policy("flaky", flaky, "73.140.245.0/24"));
    // An invalid grant.
    TargetGrant bad = new TargetGrant();
    bad.getMetadata().setName("broken");
    TargetGrantSpec grantSpec = new TargetGrantSpec();
    grantSpec.setNamespaces(new ArrayList<>(List.of(NS)));
    grantSpec.setTargets(new ArrayList<>(List.of(new GrantTarget("not-a-subscription", null, null))));
    bad.setSpec(grantSpec);
    env.kube().client().resource(bad).create();
    // A second writer that puts its own list back after every correction.
    ClusterFixture fought = cluster(ClusterFixture.loadBalancerManagedOutbound(SUB, "fought", "aks-fought"));
    create(policy("fought", fought, "73.140.245.0/24"));
    AtomicBoolean fighting = new AtomicBoolean(true);
    Thread writer = new Thread(() -> secondWriter(fought, fighting), "second-writer");
    // Two IpRangeSets with a service tag each: one whose reads will fail, one whose refresh will remove too much.
    env.arm().serviceTag("AlertsStale", "", List.of("20.61.0.0/24"));
    env.arm().serviceTag("AlertsShrink", "", List.of("20.62.0.0/24", "20.62.2.0/24"));
    env.kube().client().resource(tagSet("stale", "AlertsStale", SUB)).create();
    env.kube().client().resource(tagSet("shrinking", "AlertsShrink", UNGRANTED)).create();
    await().atMost(WAIT).until(() -> sourceRanges("stale") == 1 && sourceRanges("shrinking") == 2);
    Instant sourcesBroke = Instant.now();
    env.arm().injectFault(FaultTarget.resource("/subscriptions/" + SUB + "/providers/Microsoft.Network/locations/"
        + "westeurope/serviceTagDetails"), Fault.status(503, "ServiceUnavailable", "emulated outage"), 100_000);
    env.arm().serviceTag("AlertsShrink", "", List.of("20.62.0.0/24"));
    for (String set : List.of("stale", "shrinking")) {
      Edits.edit(env.kube().client().resources(IpRangeSet.class).inNamespace(NS).withName(set), s -> {
        s.getMetadata().getAnnotations().put("authip.io/refresh", "now");
        return s;
      });
    }
    await().atMost(WAIT).until(() -> state("fought") == TargetState.InSync);
    writer.start();
    await().atMost(WAIT).until(() -> state("staging") == TargetState.InSync);
    Instant changed = Instant.now();
    env.arm().editCluster(staging.clusterId(), c -> c.with("properties").with("apiServerAccessProfile")
        .withArray("authorizedIPRanges").add("198.51.100.7/32"));

    try {
      // Drift: pending first, then firing.
      await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> alert("AuthipTargetDrifted", "pending", Map.of("policy", "staging")) != null);
      Duration pendingAfter = Duration.between(changed, Instant.now());
      expect("AuthipTargetDrifted", Map.of("namespace", NS, "policy", "staging", "cluster",
          SUB + "/staging/aks-staging", "severity", "warning"), changed, "5s");
      TIMES.put("AuthipTargetDrifted", TIMES.get("AuthipTargetDrifted") + "; seen pending "
          + pendingAfter.toMillis() / 1000.0 + " s after");
      expect("AuthipPolicyNotReady", Map.of("namespace", NS, "policy", "internal", "severity", "critical"), began,
          "5s");
      expect("AuthipTargetNotGranted", Map.of("namespace", NS, "policy", "elsewhere", "cluster",
          UNGRANTED + "/other/aks-other"), began, "5s");
      expect("AuthipRangesNearLimit", Map.of("namespace", NS, "policy", "big", "cluster", SUB + "/big/aks-big"),
          began, "5s");
      expect("AuthipAzureErrors", Map.of("operation", "cluster.put"), began, "5s");
      expect("AuthipGrantInvalid", Map.of("grant", "broken"), began, "5s");
      expect("AuthipSourceStale", Map.of("namespace", NS, "iprangeset", "stale", "source", "service tag AlertsStale"),
          sourcesBroke, "5s");
      expect("AuthipSourceShrinkHeld", Map.of("namespace", NS, "iprangeset", "shrinking", "source",
          "service tag AlertsShrink"), sourcesBroke, "5s");
      expect("AuthipTargetContested", Map.of("namespace", NS, "policy", "fought", "cluster",
          SUB + "/fought/aks-fought"), began, "5s");
      // Healthy targets raise nothing: only the clusters made to differ are named (the contested one differs too).
      assertThat(firing("AuthipTargetDrifted")).extracting(a -> a.path("labels").path("policy").asText())
          .contains("staging").isSubsetOf("staging", "fought");
      assertThat(firing("AuthipTargetNotGranted")).hasSize(1);
    } finally {
      fighting.set(false);
      writer.join();
    }

    // ---- Azure throttling --------------------------------------------------------------------------------------
    Instant throttled = Instant.now();
    env.arm().injectFault(FaultTarget.any(), Fault.throttled(1), 40);
    expect("AuthipAzureThrottling", Map.of("severity", "warning"), throttled, "5s");
    env.arm().clearFaults();

    // ---- the dashboard, on everything above --------------------------------------------------------------------
    JsonNode dashboard = JSON.readTree(Project.DIR.resolve("deploy/grafana/authip-dashboard.json").toFile());
    int queries = 0;
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText().replace("$__rate_interval", "1m");
        JsonNode answer = query(expr);
        assertThat(answer.path("status").asText()).as("%s: %s", panel.path("title").asText(), expr)
            .isEqualTo("success");
        assertThat(answer.path("data").path("result")).as("data for panel '%s': %s", panel.path("title").asText(),
            expr).isNotEmpty();
        queries++;
      }
    }
    assertThat(queries).isGreaterThanOrEqualTo(12);
    TIMES.put("(dashboard)", queries + " queries of " + dashboard.path("panels").size() + " panels, each with data");

    // ---- every Azure answer hangs: reconciles go on (they never wait for Azure), so the leader is not "stuck" ----
    env.arm().injectFault(FaultTarget.any(), Fault.delay(Duration.ofSeconds(120)), 100_000);
    Instant hung = Instant.now();
    double before = value("sum(authip_reconcile_duration_seconds_count)");
    // The rule's window (10 s) and hold (3 s) have passed, and more.
    await().pollDelay(Duration.ofSeconds(16)).atMost(WAIT).until(() -> true);
    assertThat(alert("AuthipLeaderNotReconciling", "pending", Map.of())).isNull();
    assertThat(alert("AuthipLeaderNotReconciling", "firing", Map.of())).isNull();
    assertThat(value("sum(authip_reconcile_duration_seconds_count)")).as("reconciles finished while Azure hung")
        .isGreaterThan(before);
    TIMES.put("AuthipLeaderNotReconciling", "silent for " + Duration.between(hung, Instant.now()).toSeconds()
        + " s while every Azure answer hung (window 10s, for 3s): reconciles went on");
    env.arm().clearFaults();

    // ---- no leader: the Lease is held by a replica Prometheus does not see -----------------------------------
    env.stopOperator();
    holdLeaseElsewhere();
    env.startOperator();
    Instant standby = Instant.now();
    expect("AuthipNoLeader", Map.of("job", JOB, "namespace", HelmChart.NAMESPACE, "severity", "critical"), standby,
        "5s");

    // ---- the operator gone --------------------------------------------------------------------------------------
    env.stopOperator();
    Instant gone = Instant.now();
    expect("AuthipMetricsAbsent", Map.of("severity", "critical"), gone, "8s");
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  /** Waits until {@code alert} fires with {@code labels} among its labels; records how long after {@code since}. */
  static void expect(String alert, Map<String, String> labels, Instant since, String hold) throws Exception {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> alert(alert, "firing", labels) != null);
    JsonNode firing = alert(alert, "firing", labels);
    // activeAt: the evaluation that first found the condition (pending from then, firing once the hold has passed).
    Duration pending = Duration.between(since, Instant.parse(firing.path("activeAt").asText()));
    TIMES.put(alert, "condition seen " + pending.toMillis() / 1000.0 + " s after the cause, firing after that plus "
        + "for: " + hold + "; checked firing " + Duration.between(since, Instant.now()).toMillis() / 1000.0 + " s after");
    assertThat(firing.path("annotations").path("runbook_url").asText()).endsWith("#" + alert.toLowerCase());
    assertThat(firing.path("annotations").path("summary").asText()).doesNotContain("{{").doesNotContain("<no value>");
  }

  static JsonNode alert(String name, String state, Map<String, String> labels) throws Exception {
    for (JsonNode a : alerts()) {
      if (a.path("labels").path("alertname").asText().equals(name) && a.path("state").asText().equals(state)
          && labels.entrySet().stream().allMatch(e -> e.getValue().equals(a.path("labels").path(e.getKey())
              .asText()))) {
        return a;
      }
    }
    return null;
  }

  static List<JsonNode> firing(String name) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode a : alerts()) {
      if (a.path("labels").path("alertname").asText().equals(name) && a.path("state").asText().equals("firing")) {
        out.add(a);
      }
    }
    return out;
  }

  static JsonNode alerts() throws Exception {
    return JSON.readTree(get("/api/v1/alerts").body()).path("data").path("alerts");
  }

  static double value(String promql) throws Exception {
    JsonNode result = query(promql).path("data").path("result");
    assertThat(result).as(promql).hasSize(1);
    return Double.parseDouble(result.get(0).path("value").get(1).asText());
  }

  static JsonNode query(String promql) throws Exception {
    return JSON.readTree(get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).body());
  }

  static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static void secondWriter(ClusterFixture cluster, AtomicBoolean fighting) {
    while (fighting.get()) {
      try {
        env.arm().editCluster(cluster.clusterId(), c -> c.with("properties").with("apiServerAccessProfile")
            .putArray("authorizedIPRanges").add("198.51.100.0/24"));
        Thread.sleep(300);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // busy with authip's correction: again
      }
    }
  }

  /** A Lease renewed just now by another replica, for an hour: this operator waits as a standby. */
  static void holdLeaseElsewhere() {
    var leases = env.kube().client().resources(Lease.class).inNamespace(Rbac.OPERATOR_NAMESPACE);
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    Lease held = new LeaseBuilder().withNewMetadata().withName("authip-leader")
        .withNamespace(Rbac.OPERATOR_NAMESPACE).endMetadata().withNewSpec().withHolderIdentity("replica-elsewhere")
        .withLeaseDurationSeconds(3600).withAcquireTime(now).withRenewTime(now).withLeaseTransitions(7).endSpec()
        .build();
    Lease existing = leases.withName("authip-leader").get();
    if (existing == null) {
      leases.resource(held).create();
    } else {
      held.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
      leases.resource(held).update();
    }
  }

  static ClusterFixture cluster(ClusterFixture c) {
    env.arm().seed(c);
    return c;
  }

  static AuthorizedIpPolicy policy(String name, ClusterFixture c, String... ranges) {
    AuthorizedIpPolicy p = Policies.policy(NS, name, List.of(c), ranges);
    p.getSpec().setAccess(Access.Restricted);
    return p;
  }

  /** An IpRangeSet whose one source is the service tag {@code tag}, read in {@code subscription}. */
  static IpRangeSet tagSet(String name, String tag, String subscription) {
    ServiceTagSource t = new ServiceTagSource();
    t.setName(tag);
    t.setLocation("westeurope");
    t.setSubscriptionId(subscription);
    RangeSource source = new RangeSource();
    source.setAzureServiceTag(t);
    IpRangeSet set = new IpRangeSet();
    set.getMetadata().setName(name);
    set.getMetadata().setNamespace(NS);
    set.setSpec(new IpRangeSetSpec());
    set.getSpec().setSources(new ArrayList<>(List.of(source)));
    return set;
  }

  /** Blocks of a set's first source's content in use; -1 while it has none. */
  static int sourceRanges(String set) {
    IpRangeSet s = env.kube().client().resources(IpRangeSet.class).inNamespace(NS).withName(set).get();
    return s == null || s.getStatus() == null || s.getStatus().getSources() == null
        || s.getStatus().getSources().isEmpty() || s.getStatus().getSources().get(0).getRangeCount() == null ? -1
        : s.getStatus().getSources().get(0).getRangeCount();
  }

  static void create(AuthorizedIpPolicy p) {
    env.kube().client().resource(p).create();
  }

  static TargetState state(String policy) {
    AuthorizedIpPolicy p = env.kube().client().resources(AuthorizedIpPolicy.class).inNamespace(NS).withName(policy)
        .get();
    return p == null || p.getStatus() == null || p.getStatus().getTargets().isEmpty() ? null
        : p.getStatus().getTargets().get(0).getState();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
