package io.authip.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthipMetricsTest {

  @Test
  void theCountersTheAlertsRateExistAtZeroFromAnOperationsFirstRequest() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AuthipMetrics metrics = new AuthipMetrics(registry);
    metrics.azureCall("cluster.put", 200, Duration.ofMillis(5));
    String text = registry.scrape();
    // Without the zeros, a first burst of 429s would appear as a new series already at its count: no increase.
    assertThat(text).contains("authip_azure_requests_total{code=\"429\",operation=\"cluster.put\"} 0.0")
        .contains("authip_azure_requests_total{code=\"500\",operation=\"cluster.put\"} 0.0")
        .contains("authip_azure_requests_total{code=\"503\",operation=\"cluster.put\"} 0.0")
        .contains("authip_azure_requests_total{code=\"200\",operation=\"cluster.put\"} 1.0");
    metrics.azureCall("cluster.put", 429, Duration.ofMillis(5));
    assertThat(registry.scrape()).contains("authip_azure_requests_total{code=\"429\",operation=\"cluster.put\"} 1.0");
  }

  @Test
  void theRangeLimitIsExportedPerTargetWithTheConfiguredValue() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AuthipMetrics metrics = new AuthipMetrics(registry, 1000);
    TargetStatus t = new TargetStatus();
    t.setClusterId("/subscriptions/S/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/A");
    t.setState(TargetState.InSync);
    t.setRangeCount(185);
    metrics.recordPolicy("ns", "p", true, List.of(t));
    assertThat(registry.scrape())
        .contains("authip_target_ranges{cluster=\"s/rg/a\",namespace=\"ns\",policy=\"p\"} 185.0")
        .contains("authip_target_ranges_limit{cluster=\"s/rg/a\",namespace=\"ns\",policy=\"p\"} 1000.0");
    metrics.forgetPolicy("ns", "p");
    assertThat(registry.scrape()).doesNotContain("authip_target_ranges_limit{");
  }

  @Test
  void aClusterWithItsOwnLimitIsExportedWithIt() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AuthipMetrics metrics = new AuthipMetrics(registry, 200);
    TargetStatus vnet = new TargetStatus();
    vnet.setClusterId("/subscriptions/S/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/V");
    vnet.setState(TargetState.InSync);
    vnet.setRangeCount(450);
    vnet.setRangesLimit(2000);
    TargetStatus plain = new TargetStatus();
    plain.setClusterId("/subscriptions/S/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/P");
    plain.setState(TargetState.InSync);
    plain.setRangeCount(20);
    metrics.recordPolicy("ns", "p", true, List.of(vnet, plain));
    assertThat(registry.scrape())
        .contains("authip_target_ranges_limit{cluster=\"s/rg/v\",namespace=\"ns\",policy=\"p\"} 2000.0")
        .contains("authip_target_ranges_limit{cluster=\"s/rg/p\",namespace=\"ns\",policy=\"p\"} 200.0");
  }
}
