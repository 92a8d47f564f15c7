package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.authip.metrics.AuthipMetrics;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Lease timings and holder name from the environment, and the {@code authip_leader} gauge's callbacks. */
class LeaderElectionConfigTest {

  static OperatorConfig config(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("AUTHIP_LEADER_ELECTION", "true");
    env.put("POD_NAMESPACE", "authip-system");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return OperatorConfig.fromEnvironment(env);
  }

  @Test
  void defaultsAreJosdksAndTheHolderIsThePod() {
    OperatorConfig.Lease lease = config("POD_NAME", "authip-7d9f-abc", "HOSTNAME", "other").lease();
    assertThat(lease).isEqualTo(new OperatorConfig.Lease("authip-7d9f-abc", Duration.ofSeconds(15),
        Duration.ofSeconds(10), Duration.ofSeconds(2)));
    assertThat(lease.leaseDuration()).isEqualTo(LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE);
    assertThat(lease.renewDeadline()).isEqualTo(LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE);
    assertThat(lease.retryPeriod()).isEqualTo(LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE);
    assertThat(config("HOSTNAME", "authip-host").lease().identity()).isEqualTo("authip-host");
    assertThat(config("POD_NAME", " ", "HOSTNAME", "authip-host").lease().identity()).isEqualTo("authip-host");
    assertThat(config().lease().identity()).isNull();
    assertThat(config("POD_NAME", "authip-0").describe()).contains("leaseIdentity=authip-0")
        .contains("leaseDuration=PT15S");
  }

  @Test
  void timingsAreReadWithTheDurationGrammar() {
    OperatorConfig.Lease lease = config("AUTHIP_LEASE_DURATION", "6s", "AUTHIP_LEASE_RENEW_DEADLINE", "4000ms",
        "AUTHIP_LEASE_RETRY_PERIOD", "1s").lease();
    assertThat(lease.leaseDuration()).isEqualTo(Duration.ofSeconds(6));
    assertThat(lease.renewDeadline()).isEqualTo(Duration.ofSeconds(4));
    assertThat(lease.retryPeriod()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config("AUTHIP_LEASE_DURATION", "1m").lease().leaseDuration()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void zeroNegativeAndUnparsableTimingsAreRefusedWithTheirName() {
    assertThatThrownBy(() -> config("AUTHIP_LEASE_DURATION", "0s", "AUTHIP_LEASE_RENEW_DEADLINE", "-5s",
        "AUTHIP_LEASE_RETRY_PERIOD", "soon"))
        .hasMessageContaining("AUTHIP_LEASE_DURATION='0s' must be longer than zero, e.g. 15s")
        .hasMessageContaining("AUTHIP_LEASE_RENEW_DEADLINE='-5s' is negative; durations have no sign")
        .hasMessageContaining("AUTHIP_LEASE_RETRY_PERIOD='soon' is not a duration");
  }

  @Test
  void theRenewDeadlineMustBeShorterThanTheLeaseAndLongerThanTwoRetries() {
    assertThatThrownBy(() -> config("AUTHIP_LEASE_DURATION", "10s"))
        .hasMessageContaining("AUTHIP_LEASE_RENEW_DEADLINE=10s must be shorter than AUTHIP_LEASE_DURATION=10s")
        .hasMessageContaining("lower the renew deadline or raise the lease duration");
    assertThatThrownBy(() -> config("AUTHIP_LEASE_RENEW_DEADLINE", "4s", "AUTHIP_LEASE_RETRY_PERIOD", "2s"))
        .hasMessageContaining("AUTHIP_LEASE_RENEW_DEADLINE=4s must be longer than 2.2 x "
            + "AUTHIP_LEASE_RETRY_PERIOD=2s")
        .hasMessageContaining("lower the retry period or raise the renew deadline");
    // 2.2 x 2 s = 4.4 s: 4.5 s is the shortest accepted deadline here, and what fabric8 accepts too.
    assertThat(config("AUTHIP_LEASE_RENEW_DEADLINE", "4500ms", "AUTHIP_LEASE_RETRY_PERIOD", "2s").lease()
        .renewDeadline()).isEqualTo(Duration.ofMillis(4500));
  }

  @Test
  void theGaugeFollowsTheLeaseAndLosingItExitsUnlessStopping() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AuthipMetrics metrics = new AuthipMetrics(registry);
    AtomicBoolean closing = new AtomicBoolean();
    AtomicInteger exits = new AtomicInteger();
    CountDownLatch exited = new CountDownLatch(1);
    OperatorConfig config = config("POD_NAME", "authip-0", "AUTHIP_LEASE_DURATION", "6s",
        "AUTHIP_LEASE_RENEW_DEADLINE", "4s", "AUTHIP_LEASE_RETRY_PERIOD", "1s");
    LeaderElectionConfiguration le = AuthipOperator.leaderElection(config, "authip-0", metrics, new AtomicBoolean(),
        closing, () -> {
      exits.incrementAndGet();
      exited.countDown();
    });
    assertThat(le.getLeaseName()).isEqualTo("authip-leader");
    assertThat(le.getLeaseNamespace()).contains("authip-system");
    assertThat(le.getIdentity()).contains("authip-0");
    assertThat(le.getLeaseDuration()).isEqualTo(Duration.ofSeconds(6));
    assertThat(le.getRenewDeadline()).isEqualTo(Duration.ofSeconds(4));
    assertThat(le.getRetryPeriod()).isEqualTo(Duration.ofSeconds(1));
    // JOSDK's own exit would run inside the shutdown hook on a graceful stop, where System.exit never returns.
    assertThat(le.isExitOnStopLeading()).isFalse();

    assertThat(leader(registry)).isEqualTo(0.0);
    le.getLeaderCallbacks().orElseThrow().onStartLeading();
    assertThat(leader(registry)).isEqualTo(1.0);
    le.getLeaderCallbacks().orElseThrow().onNewLeader("authip-0");
    le.getLeaderCallbacks().orElseThrow().onStopLeading();
    assertThat(leader(registry)).isEqualTo(0.0);
    assertThat(exited.await(10, TimeUnit.SECONDS)).as("a deposed leader exits").isTrue();

    closing.set(true);
    le.getLeaderCallbacks().orElseThrow().onStartLeading();
    le.getLeaderCallbacks().orElseThrow().onStopLeading();
    assertThat(leader(registry)).isEqualTo(0.0);
    assertThat(exits).as("no exit when the election ends because the operator stops").hasValue(1);
  }

  @Test
  void withoutLeaderElectionTheProcessCountsAsLeader() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AuthipMetrics metrics = new AuthipMetrics(registry);
    Config nowhere = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:9").build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(nowhere)
        .withHttpClientFactory(new JdkHttpClientFactory()).build()) {
      // Not started: nothing is known about policies yet (the end-to-end tests count them once started).
      new AuthipOperator(client, null, OperatorConfig.forTesting(), registry, metrics, Clock.systemUTC());
      assertThat(leader(registry)).isEqualTo(1.0);
      assertThat(registry.scrape()).contains("authip_leader 1.0").contains("authip_policies NaN");
    }
    PrometheusMeterRegistry elected = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(nowhere)
        .withHttpClientFactory(new JdkHttpClientFactory()).build()) {
      new AuthipOperator(client, null, config(), elected, new AuthipMetrics(elected), Clock.systemUTC());
      assertThat(leader(elected)).as("a process waiting for the Lease").isEqualTo(0.0);
    }
  }

  static double leader(PrometheusMeterRegistry registry) {
    return registry.get(AuthipMetrics.LEADER).gauge().value();
  }
}
