package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.authip.azure.AzureConfig;
import io.authip.policy.Durations;
import io.authip.policy.ResyncInterval;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({"90s,90000", "1m30s,90000", "2h,7200000", "1h30m,5400000", "500ms,500", "1h2m3s4ms,3723004",
      "0s,0", "PT10S,10000", "pt1m30s,90000", " 5m ,300000"})
  void readsTheOneGrammar(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-5s", "soon", "5", "1.5s", "30s1m", "1d", "5 m", "1h-1m", "ms", "PT", "10S", "1m1m",
      "PT-5S", "PT1M-90S", "P-1D"})
  void refusesEverythingElseQuotingTheTextWithAnExample(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'" + text + "' is ")
        .hasMessageContaining("90s, 1m30s, 2h or 500ms");
  }

  @Test
  void zeroIsRefusedWhereItMakesNoSense() {
    assertThatThrownBy(() -> Durations.parsePositive("0s")).hasMessage(
        "'0s' is zero; it must be longer than zero, e.g. 90s, 1m30s, 2h or 500ms");
    assertThat(Durations.parsePositive("1ms")).isEqualTo(Duration.ofMillis(1));
  }

  @Test
  void formatWritesWhatParseReads() {
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Durations.format(Duration.ofMillis(800))).isEqualTo("800ms");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    long seed = 20261201L;
    Random random = new Random(seed);
    for (int i = 0; i < 2000; i++) {
      Duration d = Duration.ofMillis(Math.floorMod(random.nextLong(), 400L * 3_600_000));
      assertThat(Durations.parse(Durations.format(d))).as("seed %d, %s", seed, d).isEqualTo(d);
    }
  }

  @Test
  void theOperatorsVariablesUseItAndRefuseZeroAndNegativeIntervals() {
    OperatorConfig ok = OperatorConfig.fromEnvironment(Map.of("AUTHIP_POLL_INTERVAL", "1m30s",
        "AUTHIP_RESTORE_TIMEOUT", "1h30m", "AUTHIP_FLAP_WINDOW", "PT45M", "AUTHIP_PROPAGATION_DELAY", "0s"));
    assertThat(ok.pollInterval()).isEqualTo(Duration.ofSeconds(90));
    assertThat(ok.restoreTimeout()).isEqualTo(Duration.ofMinutes(90));
    assertThat(ok.flapWindow()).isEqualTo(Duration.ofMinutes(45));
    assertThat(ok.propagationDelay()).isZero();
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("AUTHIP_POLL_INTERVAL", "0s",
        "AUTHIP_BUSY_RETRY", "-5s", "AUTHIP_RESYNC_CAP", "0ms", "AUTHIP_FLAP_WINDOW", "30 minutes")))
        .hasMessageContaining("AUTHIP_POLL_INTERVAL='0s' must be longer than zero, e.g. 10s")
        .hasMessageContaining("AUTHIP_BUSY_RETRY='-5s' is negative; durations have no sign")
        .hasMessageContaining("AUTHIP_RESYNC_CAP='0ms' must be longer than zero, e.g. 90s, 1m30s, 2h or 500ms")
        .hasMessageContaining("AUTHIP_FLAP_WINDOW='30 minutes' is not a duration; write it like 90s");
  }

  @Test
  void theAzureVariablesUseTheSameGrammar() {
    AzureConfig c = AzureConfig.fromEnvironment(Map.of("AUTHIP_AZURE_HTTP_TIMEOUT", "1m30s",
        "AUTHIP_AZURE_RETRY_DELAY", "250ms", "AUTHIP_RESOLVE_CACHE_TTL", "PT2M"));
    assertThat(c.httpTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.retryDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.resolveCacheTtl()).isEqualTo(Duration.ofMinutes(2));
    assertThatThrownBy(() -> AzureConfig.fromEnvironment(Map.of("AUTHIP_AZURE_HTTP_TIMEOUT", "-1s")))
        .isInstanceOfSatisfying(AzureConfig.Invalid.class, e -> assertThat(e.problems()).containsExactly(
            "AUTHIP_AZURE_HTTP_TIMEOUT='-1s' is negative; durations have no sign: write one such as "
                + "90s, 1m30s, 2h or 500ms"));
  }

  @Test
  void theResyncIntervalIsTheSameGrammarNarrowedToTheCrdPattern() {
    assertThat(ResyncInterval.parse("1m30s")).contains(Duration.ofSeconds(90));
    assertThat(ResyncInterval.parse("500ms")).isEmpty();
    assertThat(ResyncInterval.parse("PT5M")).isEmpty();
    assertThat(ResyncInterval.problem("0s")).contains("'0s' is out of range; the interval must be between 1m and 24h");
  }
}
