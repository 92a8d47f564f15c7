package io.authip.sources;

import io.authip.api.v1alpha1.IpRangeSetSpec;
import io.authip.ranges.RangeParser;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code spec.refreshInterval} of an IpRangeSet: days, hours and minutes ({@code 6h}, {@code 1d12h}), 15m to 7d. */
public final class RefreshInterval {

  public static final Duration MIN = Duration.ofMinutes(15);
  public static final Duration MAX = Duration.ofDays(7);
  public static final Duration DEFAULT = Duration.ofHours(6);
  private static final Pattern FORMAT = Pattern.compile(IpRangeSetSpec.REFRESH_PATTERN);

  private RefreshInterval() {
  }

  /** The interval of a spec value; the default when null. Only for values {@link #problem} accepts. */
  public static Duration of(String text) {
    return text == null ? DEFAULT : parse(text).orElse(DEFAULT);
  }

  static Optional<Duration> parse(String text) {
    Matcher m = FORMAT.matcher(text);
    if (text.length() < 2 || !m.matches()) {
      return Optional.empty();
    }
    Duration d = Duration.ZERO;
    if (m.group(1) != null) {
      d = d.plusDays(Long.parseLong(m.group(1).substring(0, m.group(1).length() - 1)));
    }
    if (m.group(2) != null) {
      d = d.plusHours(Long.parseLong(m.group(2).substring(0, m.group(2).length() - 1)));
    }
    if (m.group(3) != null) {
      d = d.plusMinutes(Long.parseLong(m.group(3).substring(0, m.group(3).length() - 1)));
    }
    return Optional.of(d);
  }

  /** Why the text is not an acceptable interval, or empty (null is acceptable: the default). */
  public static Optional<String> problem(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Optional<Duration> d = parse(text);
    if (d.isEmpty()) {
      return Optional.of(RangeParser.quote(text) + " is not an interval; write days, hours and minutes such as 30m, "
          + "6h or 1d12h");
    }
    if (d.get().compareTo(MIN) < 0 || d.get().compareTo(MAX) > 0) {
      return Optional.of(RangeParser.quote(text) + " is out of range; sources are refreshed every 15m to 7d");
    }
    return Optional.empty();
  }
}
