package io.authip.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResyncIntervalTest {

  @ParameterizedTest(name = "[{index}] {0} = {1}")
  @CsvSource(textBlock = """
      1m, PT1M
      60s, PT1M
      90s, PT1M30S
      5m, PT5M
      1h30m, PT1H30M
      1h0m0s, PT1H
      90m, PT1H30M
      24h, PT24H
      23h59m59s, PT23H59M59S
      1440m, PT24H
      86400s, PT24H
      """)
  void acceptsDurationsFromOneMinuteToOneDay(String text, Duration expected) {
    assertThat(ResyncInterval.parse(text)).contains(expected);
    assertThat(ResyncInterval.problem(text)).isEmpty();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"59s", "0s", "0m", "0h", "24h1s", "25h", "1441m", "86401s", "999999h"})
  void refusesDurationsOutOfBounds(String text) {
    assertThat(ResyncInterval.parse(text)).isPresent();
    assertThat(ResyncInterval.problem(text))
        .contains("'" + text + "' is out of range; the interval must be between 1m and 24h");
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @ValueSource(strings = {"", "5", "5 m", "5M", "1d", "PT5M", "m", "30m1h", "-5m", "1.5h", " 5m", "5m ", "5ms",
      "99999999999999999999h"})
  void refusesWhatIsNotADuration(String text) {
    assertThat(ResyncInterval.parse(text)).isEmpty();
    assertThat(ResyncInterval.problem(text)).contains("'" + text + "' is not a duration; write it like 30m, 2h or 1h30m");
  }
}
