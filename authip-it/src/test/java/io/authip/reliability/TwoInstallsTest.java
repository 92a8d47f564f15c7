package io.authip.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.TargetState;
import io.authip.azure.AzureAksGateway;
import io.authip.azure.AzureConfig;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.PutInvariants;
import io.authip.metrics.AuthipMetrics;
import io.authip.operator.AuthipOperator;
import io.authip.operator.OperatorConfig;
import io.authip.sandbox.LocalEnvironment;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two installs sharded by label selector, each with a policy naming the same cluster with other ranges: neither sees
 * the other's policy, so ownership cannot settle it. 0.1 flipped the cluster's list every few seconds, forever; with
 * the flap guard the first install to correct three times within the window stands down and reports the target
 * Contested, and the other's list stays.
 */
class TwoInstallsTest {

  static final String NS = "installs";

  static OperatorConfig install(String label) {
    Map<String, String> env = new HashMap<>(Map.of("AUTHIP_HTTP_PORT", "0", "AUTHIP_LABEL_SELECTOR", "install=" + label,
        "AUTHIP_POLL_INTERVAL", "100ms", "AUTHIP_PROPAGATION_DELAY", "200ms", "AUTHIP_BUSY_RETRY", "200ms",
        "AUTHIP_ERROR_BACKOFF", "200ms", "AUTHIP_MAX_BACKOFF", "2s", "AUTHIP_RESYNC_CAP", "1s"));
    return OperatorConfig.fromEnvironment(env);
  }

  @Test
  void twoInstallsOverOneClusterStopFightingAndSaySo() {
    try (LocalEnvironment env = LocalEnvironment.start(LocalEnvironment.Options.forTesting()
        .withOperator(install("a")).withOperationDuration(Duration.ofMillis(200)))) {
      env.grantAll(Harness.SUB);
      env.startOperator();
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      AuthipMetrics metrics = new AuthipMetrics(registry);
      AzureAksGateway gateway = AzureAksGateway.create(AzureConfig.fromEnvironment(env.azureEnvironment()),
          (op, code, duration, headers) -> metrics.azureCall(op, code, duration));
      try (AuthipOperator second = new AuthipOperator(env.kube().client(), gateway, install("b"), registry, metrics,
          Clock.systemUTC()).start("127.0.0.1")) {
        ClusterFixture c = ClusterFixture.loadBalancerManagedOutbound(Harness.SUB, NS, "shared");
        env.arm().seed(c);
        AuthorizedIpPolicy a = Harness.policy(NS, "a", List.of(c), List.of("73.140.245.0/24"));
        a.getMetadata().setLabels(Map.of("install", "a"));
        AuthorizedIpPolicy b = Harness.policy(NS, "b", List.of(c), List.of("20.42.0.0/24"));
        b.getMetadata().setLabels(Map.of("install", "b"));
        env.kube().client().resource(a).create();
        env.kube().client().resource(b).create();

        // The first to reach its limit stands down; the other's last correction then stays: the fight is over.
        await().atMost(Harness.WAIT).untilAsserted(() -> assertThat(java.util.Arrays.asList(state(env, "a"), state(env, "b")))
            .containsExactlyInAnyOrder(TargetState.Contested, TargetState.InSync));
        long puts = accepted(env, c);
        // Each install: its first change, then at most three corrections.
        assertThat(puts).isBetween(2L, 8L);
        int reads = env.arm().requestCount(c.clusterId(), "GET");
        await().atMost(Harness.WAIT).until(() -> env.arm().requestCount(c.clusterId(), "GET") >= reads + 6);
        assertThat(accepted(env, c)).as("no PUT once one install stood down").isEqualTo(puts);
        assertThat(java.util.Arrays.asList(state(env, "a"), state(env, "b")))
            .containsExactlyInAnyOrder(TargetState.Contested, TargetState.InSync);
        PutInvariants.check(env.arm());
      }
    }
  }

  static TargetState state(LocalEnvironment env, String name) {
    AuthorizedIpPolicy p = env.kube().client().resources(AuthorizedIpPolicy.class).inNamespace(NS).withName(name)
        .get();
    return p == null || p.getStatus() == null || p.getStatus().getTargets().isEmpty() ? null
        : p.getStatus().getTargets().get(0).getState();
  }

  static long accepted(LocalEnvironment env, ClusterFixture c) {
    return env.arm().putAudits().stream().filter(x -> x.isFor(c.clusterId()) && x.accepted()).count();
  }
}
