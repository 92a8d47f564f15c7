package io.authip.policy;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of authip, for environment variables, CRD fields and the command line: a sequence of
 * hours, minutes, seconds and milliseconds in that order, each at most once ({@code 90s}, {@code 1m30s}, {@code 2h},
 * {@code 1h30m}, {@code 500ms}). ISO-8601 ({@code PT10S}) is still read for backward compatibility of settings that
 * documented it; {@link #format} always writes the short form. Signs, spaces inside, fractions and other units are
 * refused.
 */
public final class Durations {

  /** The grammar as a regular expression (no sign, no fractions). */
  public static final String PATTERN = "([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?";
  private static final Pattern FORMAT = Pattern.compile(PATTERN);
  /** What a right value looks like, for messages. */
  public static final String EXAMPLES = "90s, 1m30s, 2h or 500ms";

  private Durations() {
  }

  /**
   * The duration written in {@code text}.
   *
   * @throws IllegalArgumentException whose message starts with the quoted text, says what is wrong and gives an
   *     example (the caller prefixes the variable or field: {@code NAME=} + message)
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("'" + (text == null ? "" : text) + "' is empty; write a duration such as "
          + EXAMPLES);
    }
    String t = text.strip();
    if (t.startsWith("-")) {
      throw new IllegalArgumentException("'" + text + "' is negative; durations have no sign: write one such as "
          + EXAMPLES);
    }
    if (t.startsWith("P") || t.startsWith("p")) {
      Duration iso;
      try {
        iso = Duration.parse(t.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException ex) {
        throw new IllegalArgumentException("'" + text + "' is not a duration; write it like " + EXAMPLES, ex);
      }
      if (iso.isNegative()) {
        // ISO-8601 allows signs inside (PT-5S, -PT5S is caught above); the grammar has none.
        throw new IllegalArgumentException("'" + text + "' is negative; durations have no sign: write one such as "
            + EXAMPLES);
      }
      return iso;
    }
    Matcher m = FORMAT.matcher(t);
    if (!m.matches() || t.isEmpty()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration; write it like " + EXAMPLES
          + " (units h, m, s, ms in that order)");
    }
    try {
      return Duration.ofHours(number(m.group(1), 1))
          .plusMinutes(number(m.group(2), 1))
          .plusSeconds(number(m.group(3), 1))
          .plusMillis(number(m.group(4), 2));
    } catch (NumberFormatException | ArithmeticException ex) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration", ex);
    }
  }

  /** {@link #parse}, refusing zero: for intervals, timeouts and windows where zero would loop or never wait. */
  public static Duration parsePositive(String text) {
    Duration d = parse(text);
    if (d.isZero()) {
      throw new IllegalArgumentException("'" + text + "' is zero; it must be longer than zero, e.g. " + EXAMPLES);
    }
    return d;
  }

  /** The duration, or empty when the text is not in the grammar (for callers that report their own message). */
  public static Optional<Duration> tryParse(String text) {
    try {
      return Optional.of(parse(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The short form that {@link #parse} reads back: {@code 1h30m}, {@code 1m30s}, {@code 250ms}, {@code 0s}. */
  public static String format(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("negative duration " + d);
    }
    if (d.isZero()) {
      return "0s";
    }
    long millis = d.toMillis();
    StringBuilder b = new StringBuilder();
    append(b, millis / 3_600_000, "h");
    append(b, millis / 60_000 % 60, "m");
    append(b, millis / 1000 % 60, "s");
    append(b, millis % 1000, "ms");
    return b.toString();
  }

  private static void append(StringBuilder b, long n, String unit) {
    if (n != 0) {
      b.append(n).append(unit);
    }
  }

  private static long number(String group, int unitLength) {
    return group == null ? 0 : Long.parseLong(group.substring(0, group.length() - unitLength));
  }
}
