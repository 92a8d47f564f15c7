package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.authip.emulator.ArmTestClient.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** {@code Retry-After} on a cluster PUT's answer and on operation polls: by time left, fixed, or absent. */
class ArmOperationRetryAfterTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;

  private record Seen(String put, String poll, String result) {
  }

  private static Seen run(UnaryOperator<ArmEmulator.Builder> options) {
    SettableClock clock = new SettableClock(Instant.parse("2025-09-01T10:00:00Z"));
    try (ArmEmulator arm = options.apply(ArmEmulator.builder().clock(clock)
        .operationDuration(Duration.ofSeconds(30))).start()) {
      ClusterFixture fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "aks");
      arm.seed(fixture);
      ArmTestClient client = new ArmTestClient(arm);
      JsonNode body = client.get(fixture.clusterId()).body();
      Reply put = client.put(fixture.clusterId(), body, null);
      assertThat(put.status()).isEqualTo(200);
      Reply poll = client.get(put.header("Azure-AsyncOperation"));
      Reply result = client.get(put.header("Location"));
      assertThat(poll.body().get("status").asText()).isEqualTo("InProgress");
      assertThat(result.status()).isEqualTo(202);
      clock.advance(Duration.ofSeconds(30));
      Reply done = client.get(put.header("Azure-AsyncOperation"));
      assertThat(done.body().get("status").asText()).isEqualTo("Succeeded");
      assertThat(done.header("Retry-After")).as("an ended operation asks for no more polls").isNull();
      return new Seen(put.header("Retry-After"), poll.header("Retry-After"), result.header("Retry-After"));
    }
  }

  @Test
  void byDefaultRetryAfterIsTheSecondsLeftUpToTen() {
    assertThat(run(b -> b)).isEqualTo(new Seen("10", "10", "10"));
  }

  @Test
  void aFixedRetryAfterIsOnThePutAndEveryPollWhileTheOperationRuns() {
    assertThat(run(b -> b.operationRetryAfter(17))).isEqualTo(new Seen("17", "17", "17"));
    assertThat(run(b -> b.operationRetryAfter(0))).isEqualTo(new Seen("0", "0", "0"));
  }

  @Test
  void retryAfterCanBeLeftOut() {
    assertThat(run(ArmEmulator.Builder::withoutOperationRetryAfter)).isEqualTo(new Seen(null, null, null));
  }

  @Test
  void aNegativeRetryAfterIsRefused() {
    assertThatThrownBy(() -> ArmEmulator.builder().operationRetryAfter(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ArmEmulator.builder().listPageSize(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
