package io.authip.cli;

import io.authip.policy.Durations;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Command-line durations in the grammar of {@link Durations} ({@code 90s}, {@code 2m}, {@code 1m30s}); a bare whole
 * number still means seconds, as the options taking one documented before. Zero and negative values are refused.
 */
public final class DurationOption implements CommandLine.ITypeConverter<Duration> {

  @Override
  public Duration convert(String value) {
    String v = value == null ? "" : value.strip();
    try {
      return v.matches("[0-9]{1,9}") ? Durations.parsePositive(v + "s") : Durations.parsePositive(v);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage().replace("'" + v + "s'", "'" + v + "'"));
    }
  }
}
