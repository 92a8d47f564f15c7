package io.authip.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationOptionTest {

  private final DurationOption option = new DurationOption();

  @Test
  void readsTheOneGrammarAndBareSeconds() {
    assertThat(option.convert("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(option.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(option.convert("120")).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void refusesZeroNegativeAndNonsenseNamingTheValue() {
    assertThatThrownBy(() -> option.convert("0")).isInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessage("'0' is zero; it must be longer than zero, e.g. 90s, 1m30s, 2h or 500ms");
    assertThatThrownBy(() -> option.convert("-5s")).hasMessageStartingWith("'-5s' is negative");
    assertThatThrownBy(() -> option.convert("soon")).hasMessageStartingWith("'soon' is not a duration");
  }
}
