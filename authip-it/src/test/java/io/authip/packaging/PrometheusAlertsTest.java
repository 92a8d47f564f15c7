package io.authip.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chart's PrometheusRule (and its plain copy in deploy/prometheus) alert on what the brief asks for. */
class PrometheusAlertsTest {

  /** The metrics the operator exports (the operator contract); an alert on any other name would never fire. */
  static final Set<String> OPERATOR_METRICS = Set.of(
      "authip_policy_ready", "authip_target_in_sync", "authip_target_drifted", "authip_target_ranges",
      "authip_target_ranges_limit",
      "authip_target_contested", "authip_target_not_granted", "authip_grant_valid", "authip_grant_policies",
      "authip_drift_corrections_total", "authip_azure_requests_total",
      "authip_azure_request_duration_seconds_bucket", "authip_azure_request_duration_seconds_count",
      "authip_azure_request_duration_seconds_sum", "authip_reconcile_duration_seconds_bucket",
      "authip_reconcile_duration_seconds_count", "authip_reconcile_duration_seconds_sum", "authip_leader",
      "authip_policies", "authip_azure_paced_total", "authip_azure_throttled_total", "authip_cluster_lists_total",
      "authip_cluster_list_pages_total", "authip_source_available", "authip_source_stale",
      "authip_source_shrink_held", "authip_source_age_seconds");

  static final Pattern METRIC = Pattern.compile("\\bauthip_[a-z_]+");

  static Manifests monitoring;
  static Map<String, JsonNode> alerts;

  @BeforeAll
  static void render() {
    monitoring = HelmChart.template("""
        serviceMonitor:
          enabled: true
        prometheusRule:
          enabled: true
        """);
    alerts = alertsByName(monitoring.one("PrometheusRule"));
  }

  static Map<String, JsonNode> alertsByName(JsonNode rule) {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    for (JsonNode group : rule.path("spec").path("groups")) {
      for (JsonNode alert : group.path("rules")) {
        assertThat(byName.put(alert.path("alert").asText(), alert)).as("duplicate alert").isNull();
      }
    }
    return byName;
  }

  @Test
  void everyAlertOfTheBriefExists() {
    assertThat(alerts).containsOnlyKeys("AuthipTargetDrifted", "AuthipPolicyNotReady", "AuthipAzureThrottling",
        "AuthipAzureErrors", "AuthipRangesNearLimit", "AuthipMetricsAbsent", "AuthipNoLeader",
        "AuthipLeaderNotReconciling", "AuthipTargetContested", "AuthipTargetNotGranted", "AuthipGrantInvalid",
        "AuthipSourceStale", "AuthipSourceShrinkHeld");
  }

  @Test
  void targetNotGrantedFiresAfterFifteenMinutesAndNamesThePolicyAndCluster() {
    assertThat(expr(alerts.get("AuthipTargetNotGranted")))
        .isEqualTo("max by (namespace, policy, cluster) (authip_target_not_granted) == 1");
    Map<String, String> series = new java.util.HashMap<>(REPLICA_A);
    series.putAll(Map.of("namespace", "payments", "policy", "web", "cluster", "sub/rg-web/aks-web"));
    Map<String, String> granted = new java.util.HashMap<>(series);
    granted.put("cluster", "sub/rg-payments/aks-pay");
    // Not granted from minute 5 (the grant was narrowed) to minute 40 (widened again); the other target always is.
    PromQl.Tsdb db = new PromQl.Tsdb()
        .scrape("authip_target_not_granted", series, 0, 60 * MINUTE, t -> t >= 5 * MINUTE && t < 40 * MINUTE ? 1.0 : 0.0)
        .scrape("authip_target_not_granted", granted, 0, 60 * MINUTE, t -> 0.0);
    var firing = run("AuthipTargetNotGranted", db, 60 * MINUTE);
    assertThat(firing.floorEntry(20 * MINUTE - 1).getValue()).as("within the hold time").isEmpty();
    assertThat(firing.get(20 * MINUTE)).containsExactly(
        Map.of("namespace", "payments", "policy", "web", "cluster", "sub/rg-web/aks-web"));
    assertThat(firing.get(45 * MINUTE)).as("granted again").isEmpty();
  }

  @Test
  void sourceAlertsFireAfterTheirHoldTimesAndNameTheSetAndSource() {
    assertThat(expr(alerts.get("AuthipSourceStale")))
        .isEqualTo("max by (namespace, iprangeset, source) (authip_source_stale) == 1");
    assertThat(expr(alerts.get("AuthipSourceShrinkHeld")))
        .isEqualTo("max by (namespace, iprangeset, source) (authip_source_shrink_held) == 1");
    Map<String, String> feed = new java.util.HashMap<>(REPLICA_A);
    feed.putAll(Map.of("namespace", "platform", "iprangeset", "partners", "source", "https://partner.example.com/x"));
    Map<String, String> tag = new java.util.HashMap<>(REPLICA_A);
    tag.putAll(Map.of("namespace", "platform", "iprangeset", "devops", "source", "service tag AzureDevOps"));
    // The feed fails from minute 10 on; the tag's refresh is held from minute 5 to minute 30 (then approved).
    PromQl.Tsdb db = new PromQl.Tsdb()
        .scrape("authip_source_stale", feed, 0, 120 * MINUTE, t -> t >= 10 * MINUTE ? 1.0 : 0.0)
        .scrape("authip_source_stale", tag, 0, 120 * MINUTE, t -> 0.0)
        .scrape("authip_source_shrink_held", tag, 0, 120 * MINUTE,
            t -> t >= 5 * MINUTE && t < 30 * MINUTE ? 1.0 : 0.0)
        .scrape("authip_source_shrink_held", feed, 0, 120 * MINUTE, t -> 0.0);
    var stale = run("AuthipSourceStale", db, 120 * MINUTE);
    assertThat(stale.floorEntry(70 * MINUTE - 1).getValue()).as("within the hold time").isEmpty();
    assertThat(stale.get(70 * MINUTE)).containsExactly(Map.of("namespace", "platform", "iprangeset", "partners",
        "source", "https://partner.example.com/x"));
    var held = run("AuthipSourceShrinkHeld", db, 120 * MINUTE);
    assertThat(held.floorEntry(15 * MINUTE - 1).getValue()).as("within the hold time").isEmpty();
    assertThat(held.get(15 * MINUTE)).containsExactly(Map.of("namespace", "platform", "iprangeset", "devops",
        "source", "service tag AzureDevOps"));
    assertThat(held.get(35 * MINUTE)).as("approved").isEmpty();
  }

  @Test
  void grantInvalidFiresAfterFiveMinutesAndNamesTheGrant() {
    assertThat(expr(alerts.get("AuthipGrantInvalid"))).isEqualTo("max by (grant) (authip_grant_valid) == 0");
    Map<String, String> bad = new java.util.HashMap<>(REPLICA_A);
    bad.put("grant", "team-payments");
    Map<String, String> good = new java.util.HashMap<>(REPLICA_A);
    good.put("grant", "team-web");
    PromQl.Tsdb db = new PromQl.Tsdb()
        .scrape("authip_grant_valid", bad, 0, 30 * MINUTE, t -> t >= 2 * MINUTE ? 0.0 : 1.0)
        .scrape("authip_grant_valid", good, 0, 30 * MINUTE, t -> 1.0);
    var firing = run("AuthipGrantInvalid", db, 30 * MINUTE);
    assertThat(firing.floorEntry(7 * MINUTE - 1).getValue()).as("within the hold time").isEmpty();
    assertThat(firing.get(7 * MINUTE)).containsExactly(Map.of("grant", "team-payments"));
  }

  @Test
  void targetContestedFiresAfterAMinuteOfAContestedClusterAndNamesIt() {
    assertThat(expr(alerts.get("AuthipTargetContested")))
        .isEqualTo("max by (namespace, policy, cluster) (authip_target_contested) == 1");
    Map<String, String> series = new java.util.HashMap<>(REPLICA_A);
    series.putAll(Map.of("namespace", "platform", "policy", "production", "cluster", "sub/rg/aks-prod"));
    Map<String, String> calm = new java.util.HashMap<>(series);
    calm.put("cluster", "sub/rg/aks-calm");
    // Contested from minute 10 to minute 40 (the flap window), then corrected again; another cluster never.
    PromQl.Tsdb db = new PromQl.Tsdb()
        .scrape("authip_target_contested", series, 0, 60 * MINUTE, t -> t >= 10 * MINUTE && t < 40 * MINUTE ? 1.0 : 0.0)
        .scrape("authip_target_contested", calm, 0, 60 * MINUTE, t -> 0.0);
    var firing = run("AuthipTargetContested", db, 60 * MINUTE);
    assertThat(firing.floorEntry(11 * MINUTE - 1).getValue()).as("within the hold time").isEmpty();
    assertThat(firing.get(11 * MINUTE)).containsExactly(
        Map.of("namespace", "platform", "policy", "production", "cluster", "sub/rg/aks-prod"));
    assertThat(firing.get(45 * MINUTE)).as("corrected again after the window").isEmpty();
  }

  @Test
  void targetDriftedForMoreThanTenMinutes() {
    JsonNode alert = alerts.get("AuthipTargetDrifted");
    assertThat(expr(alert)).contains("authip_target_drifted").endsWith("== 1");
    assertThat(alert.path("for").asText()).isEqualTo("10m");
  }

  @Test
  void policyNotReadyForMoreThanFifteenMinutes() {
    JsonNode alert = alerts.get("AuthipPolicyNotReady");
    assertThat(expr(alert)).contains("authip_policy_ready").endsWith("== 0");
    assertThat(alert.path("for").asText()).isEqualTo("15m");
  }

  @Test
  void azureThrottlingAndServerErrors() {
    assertThat(expr(alerts.get("AuthipAzureThrottling")))
        .contains("rate(authip_azure_requests_total{code=\"429\"}[5m])").endsWith("> 0");
    assertThat(expr(alerts.get("AuthipAzureErrors")))
        .contains("rate(authip_azure_requests_total{code=~\"5..\"}[5m])")
        .contains("/ sum by (operation) (rate(authip_azure_requests_total[5m]))")
        .endsWith("> 0.05");
  }

  @Test
  void rangesNearTheLimitFollowTheExportedLimit() {
    // A ratio of the exported per-target limit, not a count: AUTHIP_MAX_RANGES may differ from AKS's 200.
    assertThat(expr(alerts.get("AuthipRangesNearLimit")))
        .contains("max by (namespace, policy, cluster) (authip_target_ranges)")
        .contains("/ max by (namespace, policy, cluster) (authip_target_ranges_limit)").endsWith(">= 0.9");
  }

  @Test
  void metricsAbsentWatchesTheScrapeJobOfTheService() {
    // The Prometheus Operator names the job after the Service the ServiceMonitor selects.
    String service = monitoring.one("Service").path("metadata").path("name").asText();
    assertThat(expr(alerts.get("AuthipMetricsAbsent")))
        .isEqualTo("absent(up{job=\"" + service + "\", namespace=\"" + HelmChart.NAMESPACE + "\"} == 1)");
  }

  @Test
  void thresholdsAndHoldTimesComeFromValues() {
    Map<String, JsonNode> tuned = alertsByName(HelmChart.template("""
        prometheusRule:
          enabled: true
          runbookBaseUrl: https://wiki.example.org/authip
          rules:
            targetDrifted:
              for: 30m
            rangesNearLimit:
              ratio: 0.95
            azureErrors:
              ratio: 0.2
        """).one("PrometheusRule"));
    assertThat(tuned.get("AuthipTargetDrifted").path("for").asText()).isEqualTo("30m");
    assertThat(expr(tuned.get("AuthipRangesNearLimit"))).endsWith(">= 0.95");
    assertThat(expr(tuned.get("AuthipAzureErrors"))).endsWith("> 0.2");
    assertThat(tuned.get("AuthipPolicyNotReady").path("annotations").path("runbook_url").asText())
        .isEqualTo("https://wiki.example.org/authip#authippolicynotready");
  }

  @Test
  void everyAlertHasSeveritySummaryDescriptionAndRunbook() {
    alerts.forEach((name, alert) -> {
      assertThat(alert.path("labels").path("severity").asText()).as(name).isIn("warning", "critical");
      JsonNode annotations = alert.path("annotations");
      assertThat(annotations.path("summary").asText()).as(name).isNotBlank();
      assertThat(annotations.path("description").asText()).as(name).hasSizeGreaterThan(40);
      // Each alert has a section in docs/alerting.md whose anchor is its lower-cased name.
      assertThat(annotations.path("runbook_url").asText()).as(name)
          .isEqualTo("docs/alerting.md#" + name.toLowerCase());
      assertThat(Project.read(Project.DIR.resolve("docs/alerting.md"))).as("docs/alerting.md").contains("## " + name);
      // ... and the anchor is one that GitHub (and Grafana, Alertmanager templates linking to it) resolves.
      String anchor = annotations.path("runbook_url").asText().substring("docs/alerting.md#".length());
      assertThat(headingAnchors(Project.read(Project.DIR.resolve("docs/alerting.md")))).as(name).contains(anchor);
    });
  }

  /** GitHub's anchors of a Markdown page's headings: lower case, punctuation dropped, spaces as hyphens. */
  static Set<String> headingAnchors(String markdown) {
    Set<String> anchors = new TreeSet<>();
    for (String line : markdown.split("\n")) {
      Matcher m = Pattern.compile("^#{1,6} (.+)$").matcher(line);
      if (m.matches()) {
        anchors.add(m.group(1).strip().toLowerCase().replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
      }
    }
    return anchors;
  }

  @Test
  void expressionsUseOnlyExportedMetricsAndBalancedBrackets() {
    alerts.forEach((name, alert) -> {
      String expr = expr(alert);
      Set<String> used = new TreeSet<>();
      Matcher matcher = METRIC.matcher(expr);
      while (matcher.find()) {
        used.add(matcher.group());
      }
      assertThat(OPERATOR_METRICS).as("metrics of %s", name).containsAll(used);
      for (String pair : new String[] {"()", "{}", "[]"}) {
        assertThat(expr.chars().filter(c -> c == pair.charAt(0)).count()).as("%s in %s", pair, name)
            .isEqualTo(expr.chars().filter(c -> c == pair.charAt(1)).count());
      }
    });
  }

  @Test
  void plainManifestsInDeployPrometheusEqualTheChartRendering() {
    Manifests plain = Manifests.parse(Project.read(Project.DIR.resolve("deploy/prometheus/prometheusrule.yaml"))
        + "\n---\n" + Project.read(Project.DIR.resolve("deploy/prometheus/servicemonitor.yaml")));
    for (String kind : new String[] {"PrometheusRule", "ServiceMonitor"}) {
      ObjectNode fromChart = Manifests.withoutRendererLabels(monitoring.one(kind));
      assertThat(plain.one(kind)).as("deploy/prometheus %s (regenerate it from the chart)", kind)
          .isEqualTo(fromChart);
    }
  }

  // ---- the leader alerts, evaluated on synthetic series ----------------------------------------------------------

  static final long MINUTE = 60;
  static final Map<String, String> REPLICA_A = target("authip", "10.244.0.7:8080", "authip-6c9d-a");
  static final Map<String, String> REPLICA_B = target("authip", "10.244.1.9:8080", "authip-6c9d-b");

  /** The labels the ServiceMonitor's scrape gives a replica's series (honorLabels: authip's own win). */
  static Map<String, String> target(String job, String instance, String pod) {
    return Map.of("job", job, "namespace", HelmChart.NAMESPACE, "instance", instance, "pod", pod,
        "service", job, "endpoint", "http");
  }

  /** Firing instances of the rendered alert at each evaluation up to {@code until}. */
  static java.util.NavigableMap<Long, Set<Map<String, String>>> run(String alert, PromQl.Tsdb db, long until) {
    JsonNode rule = alerts.get(alert);
    return PromQl.firing(rule.path("expr").asText(), rule.path("for").asText(), db, until);
  }

  static PromQl.Tsdb replica(PromQl.Tsdb db, Map<String, String> target, long from, long to,
      java.util.function.LongFunction<Double> leader, double policies,
      java.util.function.LongFunction<Double> reconciles) {
    return db.scrape("authip_leader", target, from, to, leader)
        .scrape("authip_policies", target, from, to, t -> policies)
        .scrape("authip_reconcile_duration_seconds_count", target, from, to, reconciles);
  }

  static void neverFires(String alert, PromQl.Tsdb db, long until) {
    run(alert, db, until).forEach((t, firing) -> assertThat(firing).as("%s at %d s", alert, t).isEmpty());
  }

  @Test
  void noLeaderAfterFiveMinutesWithoutAHolder() {
    assertThat(expr(alerts.get("AuthipNoLeader"))).isEqualTo("max by (namespace, job) (authip_leader) == 0");
    assertThat(alerts.get("AuthipNoLeader").path("for").asText()).isEqualTo("5m");
    // Two replicas running, neither holds the Lease (e.g. it cannot be renewed): pending, then firing at 5 min.
    PromQl.Tsdb none = new PromQl.Tsdb();
    replica(none, REPLICA_A, 0, 30 * MINUTE, t -> 0.0, 2, t -> 0.0);
    replica(none, REPLICA_B, 0, 30 * MINUTE, t -> 0.0, 2, t -> 0.0);
    var firing = run("AuthipNoLeader", none, 30 * MINUTE);
    assertThat(firing.floorEntry(5 * MINUTE - 1).getValue()).as("before 5 min").isEmpty();
    assertThat(firing.get(5 * MINUTE)).containsExactly(Map.of("job", "authip", "namespace", HelmChart.NAMESPACE));
    assertThat(firing.get(30 * MINUTE)).hasSize(1);
  }

  @Test
  void noLeaderIsSilentWithALeaderAFailoverOrNothingRunning() {
    // One leader, one standby, for an hour.
    PromQl.Tsdb healthy = new PromQl.Tsdb();
    replica(healthy, REPLICA_A, 0, 60 * MINUTE, t -> 1.0, 2, t -> (double) t);
    replica(healthy, REPLICA_B, 0, 60 * MINUTE, t -> 0.0, 2, t -> 0.0);
    neverFires("AuthipNoLeader", healthy, 60 * MINUTE);
    // The leader killed at 10 min (its series go stale), the standby leads 40 s later.
    PromQl.Tsdb failover = new PromQl.Tsdb();
    replica(failover, REPLICA_A, 0, 10 * MINUTE, t -> 1.0, 2, t -> (double) t);
    replica(failover, REPLICA_B, 0, 60 * MINUTE, t -> t < 10 * MINUTE + 40 ? 0.0 : 1.0, 2, t -> 0.0);
    neverFires("AuthipNoLeader", failover, 60 * MINUTE);
    // Leader election off: the one replica counts as leader.
    PromQl.Tsdb single = new PromQl.Tsdb();
    replica(single, REPLICA_A, 0, 60 * MINUTE, t -> 1.0, 2, t -> (double) t);
    neverFires("AuthipNoLeader", single, 60 * MINUTE);
    // Nothing running at all is AuthipMetricsAbsent's case, not this one's.
    neverFires("AuthipNoLeader", new PromQl.Tsdb(), 60 * MINUTE);
  }

  @Test
  void noLeaderNamesTheShardThatHasNone() {
    PromQl.Tsdb shards = new PromQl.Tsdb();
    replica(shards, target("authip-eu", "10.244.0.7:8080", "authip-eu-a"), 0, 20 * MINUTE, t -> 0.0, 2, t -> 0.0);
    replica(shards, target("authip-eu", "10.244.1.9:8080", "authip-eu-b"), 0, 20 * MINUTE, t -> 0.0, 2, t -> 0.0);
    replica(shards, target("authip-us", "10.244.2.3:8080", "authip-us-a"), 0, 20 * MINUTE, t -> 1.0, 2,
        t -> (double) t);
    replica(shards, target("authip-us", "10.244.2.4:8080", "authip-us-b"), 0, 20 * MINUTE, t -> 0.0, 2, t -> 0.0);
    assertThat(run("AuthipNoLeader", shards, 20 * MINUTE).get(20 * MINUTE))
        .containsExactly(Map.of("job", "authip-eu", "namespace", HelmChart.NAMESPACE));
  }

  @Test
  void leaderNotReconcilingFifteenMinutesAfterItsLastReconcile() {
    JsonNode alert = alerts.get("AuthipLeaderNotReconciling");
    assertThat(alert.path("for").asText()).isEqualTo("1m");
    assertThat(expr(alert)).contains("increase(authip_reconcile_duration_seconds_count[15m]) == 0")
        .contains("min_over_time(authip_policies[15m]) > 0").contains("(authip_leader offset 15m) == 1");
    // The leader reconciles every scrape interval until 10 min, then never again; the standby never reconciles.
    PromQl.Tsdb stuck = new PromQl.Tsdb();
    replica(stuck, REPLICA_A, 0, 60 * MINUTE, t -> 1.0, 3, t -> (double) Math.min(t, 10 * MINUTE));
    replica(stuck, REPLICA_B, 0, 60 * MINUTE, t -> 0.0, 3, t -> 0.0);
    var firing = run("AuthipLeaderNotReconciling", stuck, 60 * MINUTE);
    // The last reconcile falls between the scrapes at 9.5 and 10 min; from 24.5 min the 15-minute window holds only
    // flat samples; held for 1 min, the alert fires at 25.5 min, not before.
    firing.headMap(25 * MINUTE + 30, false).forEach((t, f) -> assertThat(f).as("at %d s", t).isEmpty());
    Map<String, String> leader = new java.util.TreeMap<>(REPLICA_A);
    assertThat(firing.get(25 * MINUTE + 30)).containsExactly(leader);
    assertThat(firing.get(60 * MINUTE)).containsExactly(leader);
  }

  @Test
  void leaderNotReconcilingIsSilentForStandbysIdleLeadersNewLeadersAndTheDead() {
    // Reconciling every 30 s for an hour; the standby never.
    PromQl.Tsdb healthy = new PromQl.Tsdb();
    replica(healthy, REPLICA_A, 0, 60 * MINUTE, t -> 1.0, 3, t -> (double) t);
    replica(healthy, REPLICA_B, 0, 60 * MINUTE, t -> 0.0, 3, t -> 0.0);
    neverFires("AuthipLeaderNotReconciling", healthy, 60 * MINUTE);
    // A leader with no policies has nothing to reconcile.
    PromQl.Tsdb empty = new PromQl.Tsdb();
    replica(empty, REPLICA_A, 0, 60 * MINUTE, t -> 1.0, 0, t -> 0.0);
    neverFires("AuthipLeaderNotReconciling", empty, 60 * MINUTE);
    // A leader that stopped reconciling at 10 min and was killed at 20 min: nothing to alert on once it is gone.
    PromQl.Tsdb dead = new PromQl.Tsdb();
    replica(dead, REPLICA_A, 0, 20 * MINUTE, t -> 1.0, 3, t -> (double) Math.min(t, 10 * MINUTE));
    replica(dead, REPLICA_B, 0, 60 * MINUTE, t -> t < 21 * MINUTE ? 0.0 : 1.0, 3,
        t -> t < 21 * MINUTE ? 0.0 : (double) t);
    neverFires("AuthipLeaderNotReconciling", dead, 60 * MINUTE);
    // A standby that takes over at 30 min and never reconciles gets the whole window as leader first.
    PromQl.Tsdb takeover = new PromQl.Tsdb();
    replica(takeover, REPLICA_A, 0, 30 * MINUTE, t -> 1.0, 3, t -> (double) t);
    replica(takeover, REPLICA_B, 0, 60 * MINUTE, t -> t < 30 * MINUTE ? 0.0 : 1.0, 3, t -> 0.0);
    var firing = run("AuthipLeaderNotReconciling", takeover, 60 * MINUTE);
    firing.headMap(46 * MINUTE, false).forEach((t, f) -> assertThat(f).as("at %d s", t).isEmpty());
    assertThat(firing.get(46 * MINUTE)).containsExactly(new java.util.TreeMap<>(REPLICA_B));
  }

  @Test
  void theLeaderNotReconcilingWindowIsAValue() {
    JsonNode tuned = alertsByName(HelmChart.template("""
        prometheusRule:
          enabled: true
          rules:
            noLeader:
              for: 10m
            leaderNotReconciling:
              window: 2h
              for: 5m
        """).one("PrometheusRule")).get("AuthipLeaderNotReconciling");
    assertThat(expr(tuned)).contains("[2h]").contains("offset 2h").doesNotContain("15m");
    assertThat(tuned.path("for").asText()).isEqualTo("5m");
  }

  @Test
  void theEvaluatorRefusesWhatItDoesNotKnow() {
    PromQl.Tsdb db = new PromQl.Tsdb();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PromQl.firing("rate(x[5m]) > 0", "1m", db, 60))
        .hasMessageContaining("unsupported function rate");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PromQl.firing("x or y", "1m", db, 60))
        .hasMessageContaining("unexpected 'or'");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PromQl.firing("x[5m] == 1", "1m", db, 60))
        .hasMessageContaining("range selector");
  }

  static String expr(JsonNode alert) {
    return alert.path("expr").asText().replaceAll("\\s+", " ").trim();
  }
}
