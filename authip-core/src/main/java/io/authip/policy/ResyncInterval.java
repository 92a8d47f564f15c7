package io.authip.policy;

import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.ranges.RangeParser;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code spec.resyncInterval} ({@code 90s}, {@code 5m}, {@code 1h30m}) with {@link Durations}, restricted to
 * the CRD's pattern (whole seconds), and enforces its bounds.
 */
public final class ResyncInterval {

  public static final Duration MIN = Duration.ofMinutes(1);
  public static final Duration MAX = Duration.ofHours(24);
  private static final Pattern FORMAT = Pattern.compile(AuthorizedIpPolicySpec.RESYNC_PATTERN);

  private ResyncInterval() {
  }

  /** The duration, or empty when the text is not of the form {@code 1h30m}. */
  public static Optional<Duration> parse(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = FORMAT.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    // the CRD's pattern (no milliseconds, no ISO-8601) narrows the one grammar of Durations
    return Durations.tryParse(text);
  }

  /** Why the text is not acceptable, or empty. */
  public static Optional<String> problem(String text) {
    Optional<Duration> d = parse(text);
    if (d.isEmpty()) {
      return Optional.of(RangeParser.quote(text) + " is not a duration; write it like 30m, 2h or 1h30m");
    }
    if (d.get().compareTo(MIN) < 0 || d.get().compareTo(MAX) > 0) {
      return Optional.of(RangeParser.quote(text) + " is out of range; the interval must be between 1m and 24h");
    }
    return Optional.empty();
  }
}
