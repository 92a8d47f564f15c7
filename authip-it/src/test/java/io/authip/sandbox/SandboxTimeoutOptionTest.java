package io.authip.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code sandbox --timeout} reads the one duration grammar (io.authip.cli.DurationOption). */
class SandboxTimeoutOptionTest {

  @Test
  void theSandboxTimeoutUsesTheDurationGrammar() {
    SandboxCommand c = new SandboxCommand();
    new CommandLine(c).parseArgs("--timeout", "1m30s");
    assertThat(c.timeout).isEqualTo(Duration.ofSeconds(90));
    assertThatThrownBy(() -> new CommandLine(new SandboxCommand()).parseArgs("--timeout", "0s"))
        .hasMessageContaining("'0s' is zero");
  }
}
