package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.emulator.ArmTestClient.Reply;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Opt-in automatic throttling and stored range order. */
class ThrottlingTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;
  private final SettableClock clock = new SettableClock(Instant.parse("2025-09-01T10:00:00Z"));

  @Test
  void readsRunOutPerSubscriptionAndRefillWithTime() {
    try (ArmEmulator arm = ArmEmulator.builder().clock(clock)
        .throttling(new Throttling(3, 0.5, 0, null)).start()) {
      ClusterFixture fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "aks");
      ClusterFixture elsewhere = ClusterFixture.loadBalancerManagedOutbound("another-subscription", "rg", "aks");
      arm.seed(fixture);
      arm.seed(elsewhere);
      ArmTestClient client = new ArmTestClient(arm);

      for (int i = 0; i < 3; i++) {
        assertThat(client.get(fixture.clusterId()).status()).isEqualTo(200);
      }
      Reply throttled = client.get(fixture.clusterId());
      assertThat(throttled.status()).isEqualTo(429);
      assertThat(throttled.header("Retry-After")).isEqualTo("2");
      assertThat(throttled.body().at("/error/code").asText()).isEqualTo("SubscriptionRequestsThrottled");
      assertThat(client.get(elsewhere.clusterId()).status()).isEqualTo(200);

      clock.advance(Duration.ofSeconds(2));
      assertThat(client.get(fixture.clusterId()).status()).isEqualTo(200);
      assertThat(client.get(fixture.clusterId()).status()).isEqualTo(429);
    }
  }

  @Test
  void clusterPutsRunOutPerClusterAsInAks() {
    try (ArmEmulator arm = ArmEmulator.builder().clock(clock).operationDuration(Duration.ZERO)
        .throttling(Throttling.azureLike()).start()) {
      ClusterFixture fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "aks");
      arm.seed(fixture);
      ArmTestClient client = new ArmTestClient(arm);
      JsonNode body = client.get(fixture.clusterId()).body();

      for (int i = 0; i < 20; i++) {
        assertThat(client.put(fixture.clusterId(), body, null).status()).isEqualTo(200);
      }
      Reply throttled = client.put(fixture.clusterId(), body, null);

      assertThat(throttled.status()).isEqualTo(429);
      assertThat(throttled.header("Retry-After")).isEqualTo("60");
      clock.advance(Duration.ofMinutes(1));
      assertThat(client.put(fixture.clusterId(), body, null).status()).isEqualTo(200);
    }
  }

  @Test
  void storedRangesCanComeBackInAnotherOrder() {
    for (RangeOrder order : RangeOrder.values()) {
      try (ArmEmulator arm = ArmEmulator.builder().operationDuration(Duration.ZERO).rangeOrder(order).start()) {
        ClusterFixture fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "aks");
        arm.seed(fixture);
        ArmTestClient client = new ArmTestClient(arm);
        ObjectNode body = (ObjectNode) client.get(fixture.clusterId()).body();
        ((ObjectNode) body.at("/properties/apiServerAccessProfile")).putArray("authorizedIPRanges")
            .add("20.30.40.7").add("52.1.0.0/16").add("20.30.40.0/24");

        JsonNode stored = client.put(fixture.clusterId(), body, null).body()
            .at("/properties/apiServerAccessProfile/authorizedIPRanges");

        String expected = switch (order) {
          case AS_SENT -> "[\"20.30.40.7/32\",\"52.1.0.0/16\",\"20.30.40.0/24\"]";
          case SORTED -> "[\"20.30.40.0/24\",\"20.30.40.7/32\",\"52.1.0.0/16\"]";
          case REVERSED -> "[\"20.30.40.0/24\",\"52.1.0.0/16\",\"20.30.40.7/32\"]";
        };
        assertThat(stored.toString()).as(order.name()).isEqualTo(expected);
      }
    }
  }

  @Test
  void policiesAreChecked() {
    assertThatThrownBy(() -> new Throttling(5, 0, 0, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Throttling(0, 0, 5, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
