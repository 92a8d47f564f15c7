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
      "authip_drift_corrections_total", "authip_azure_requests_total",
      "authip_azure_request_duration_seconds_bucket", "authip_azure_request_duration_seconds_count",
      "authip_azure_request_duration_seconds_sum", "authip_reconcile_duration_seconds_bucket",
      "authip_reconcile_duration_seconds_count", "authip_reconcile_duration_seconds_sum");

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
        "AuthipAzureErrors", "AuthipRangesNearLimit", "AuthipMetricsAbsent");
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
  void rangesNearTheLimitOf200() {
    assertThat(expr(alerts.get("AuthipRangesNearLimit"))).contains("authip_target_ranges").endsWith(">= 180");
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
              threshold: 190
            azureErrors:
              ratio: 0.2
        """).one("PrometheusRule"));
    assertThat(tuned.get("AuthipTargetDrifted").path("for").asText()).isEqualTo("30m");
    assertThat(expr(tuned.get("AuthipRangesNearLimit"))).endsWith(">= 190");
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
    });
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

  static String expr(JsonNode alert) {
    return alert.path("expr").asText().replaceAll("\\s+", " ").trim();
  }
}
