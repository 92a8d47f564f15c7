package io.authip.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alerting rules checked and unit-tested by Prometheus's own promtool: deploy/prometheus/rules/authip.rules.yaml (the
 * plain rule file, identical to the chart's rendering) passes {@code promtool check rules}, and
 * deploy/prometheus/tests/authip.rules.test.yaml passes {@code promtool test rules}, where every alert is shown silent
 * one evaluation before its hold time has passed and firing at it.
 */
class PromtoolRulesTest {

  static final Path RULES = Project.DIR.resolve("deploy/prometheus/rules/authip.rules.yaml");
  static final Path TESTS = Project.DIR.resolve("deploy/prometheus/tests/authip.rules.test.yaml");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  record Run(int exit, String output) {
  }

  static Map<String, JsonNode> alerts() {
    return PrometheusAlertsTest.alertsByName(HelmChart.template("prometheusRule:\n  enabled: true\n")
        .one("PrometheusRule"));
  }

  @Test
  void thePlainRuleFileIsTheChartsRendering() throws Exception {
    JsonNode fromChart = HelmChart.template("prometheusRule:\n  enabled: true\n").one("PrometheusRule")
        .path("spec").path("groups");
    assertThat(YAML.readTree(RULES.toFile()).path("groups")).as("%s (regenerate it from the chart's spec.groups)",
        Project.DIR.relativize(RULES)).isEqualTo(fromChart);
  }

  @Test
  void promtoolChecksTheRules() throws Exception {
    Run run = run(PrometheusTools.promtool().toString(), "check", "rules", RULES.toString());
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("SUCCESS: " + alerts().size() + " rules found");
  }

  @Test
  void promtoolUnitTestsOfEveryAlertPass() throws Exception {
    Run run = run(PrometheusTools.promtool().toString(), "test", "rules", TESTS.toString());
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("SUCCESS");
  }

  @Test
  void everyAlertIsSilentJustBeforeItsHoldTimeAndFiringAtIt() throws Exception {
    JsonNode tests = YAML.readTree(TESTS.toFile());
    Duration interval = duration(tests.path("evaluation_interval").asText());
    Map<String, List<String>> shown = new TreeMap<>();
    for (JsonNode group : tests.path("tests")) {
      Map<String, List<Duration>> silent = new TreeMap<>();
      Map<String, List<Duration>> firing = new TreeMap<>();
      for (JsonNode t : group.path("alert_rule_test")) {
        String alert = t.path("alertname").asText();
        Duration at = duration(t.path("eval_time").asText());
        (t.path("exp_alerts").isEmpty() ? silent : firing).computeIfAbsent(alert, k -> new ArrayList<>()).add(at);
        if (!t.path("exp_alerts").isEmpty()) {
          // Annotations are expected too: their templates are checked as rendered.
          t.path("exp_alerts").forEach(a -> assertThat(a.path("exp_annotations").path("description").asText())
              .as("%s: exp_annotations", group.path("name").asText()).isNotBlank());
        }
      }
      firing.forEach((alert, times) -> {
        Duration first = times.stream().min(Duration::compareTo).orElseThrow();
        if (silent.getOrDefault(alert, List.of()).contains(first.minus(interval))) {
          shown.computeIfAbsent(alert, k -> new ArrayList<>()).add(group.path("name").asText());
        }
      });
    }
    assertThat(shown.keySet()).as("alerts shown silent one evaluation before firing")
        .isEqualTo(new java.util.TreeSet<>(alerts().keySet()));
  }

  static Duration duration(String promDuration) {
    // promtool's eval_time and evaluation_interval here are whole minutes or seconds.
    if (promDuration.endsWith("m")) {
      return Duration.ofMinutes(Long.parseLong(promDuration.substring(0, promDuration.length() - 1)));
    }
    return Duration.ofSeconds(Long.parseLong(promDuration.substring(0, promDuration.length() - 1)));
  }

  static Run run(String... command) throws Exception {
    Path out = Files.createTempFile("promtool", ".txt");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within 120 s");
      }
      return new Run(p.exitValue(), Files.readString(out));
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
