package io.authip.ranges;

import inet.ipaddr.IPAddressString;

/**
 * Strict IPv4 syntax. Only ASCII dotted decimal is accepted: no leading zeros (some parsers read {@code 010} as
 * octal 8), no short forms ({@code 10.1}), no Unicode digits that look like ASCII ones. What is refused says why.
 */
public final class RangeParser {

  /** The outcome of parsing one entry. */
  public sealed interface Parsed {
    record Ok(Cidr cidr) implements Parsed {
    }

    record Error(String message) implements Parsed {
    }
  }

  private RangeParser() {
  }

  public static Parsed parse(String raw) {
    long fast = raw == null ? -1 : parseCanonical(raw);
    if (fast >= 0) {
      return new Parsed.Ok(Cidr.of(fast >>> 6, (int) (fast & 63)));
    }
    return parseExplaining(raw);
  }

  /**
   * The common case without allocating, for the million-entry sets: exactly {@code a.b.c.d} or {@code a.b.c.d/n}
   * with no leading zeros, no surrounding space, octets up to 255, n up to 32 and no host bits. Returns
   * {@code start << 6 | prefix} (the encoding {@link CidrSet} sorts), or -1 for anything else, which
   * {@link #parseExplaining} then accepts or explains.
   */
  static long parseCanonical(String s) {
    int n = s.length();
    int i = 0;
    long address = 0;
    for (int octet = 0; octet < 4; octet++) {
      if (octet > 0) {
        if (i >= n || s.charAt(i) != '.') {
          return -1;
        }
        i++;
      }
      int start = i;
      int value = 0;
      while (i < n && i - start < 3 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        value = value * 10 + (s.charAt(i) - '0');
        i++;
      }
      if (i == start || value > 255 || (i - start > 1 && s.charAt(start) == '0')) {
        return -1;
      }
      address = (address << 8) | value;
    }
    int prefix = 32;
    if (i < n) {
      if (s.charAt(i) != '/') {
        return -1;
      }
      int start = ++i;
      int value = 0;
      while (i < n && i - start < 2 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        value = value * 10 + (s.charAt(i) - '0');
        i++;
      }
      if (i == start || i != n || value > 32 || (i - start > 1 && s.charAt(start) == '0')) {
        return -1;
      }
      prefix = value;
    }
    if ((address & Cidr.hostMask(prefix)) != 0) {
      return -1;
    }
    return (address << 6) | prefix;
  }

  /** The full parse with a message for every refusal; {@link #parse} gives the same answer, faster when valid. */
  static Parsed parseExplaining(String raw) {
    if (raw == null) {
      return new Parsed.Error("is missing; expected an IPv4 address or CIDR such as 73.140.245.0/24");
    }
    String text = raw.strip();
    if (text.isEmpty()) {
      return new Parsed.Error("is empty; expected an IPv4 address or CIDR such as 73.140.245.0/24");
    }
    for (int i = 0; i < text.length(); ) {
      // Code points, not chars: a digit outside the Basic Plane (e.g. U+1D7D5) is one character to the user.
      int c = text.codePointAt(i);
      if (c > 0x7e || c < 0x20) {
        return new Parsed.Error(quote(text) + " contains the character U+" + String.format("%04X", c)
            + (Character.isDigit(c) ? " (a non-ASCII digit)" : "")
            + "; only ASCII digits, dots and one slash are allowed");
      }
      i += Character.charCount(c);
    }
    if (text.indexOf(':') >= 0) {
      if (new IPAddressString(text).isIPv6()) {
        return new Parsed.Error(quote(text) + " is an IPv6 range; AKS authorized IP ranges accept IPv4 only");
      }
      return new Parsed.Error(quote(text) + " is not an IPv4 address or CIDR (expected a.b.c.d or a.b.c.d/n)");
    }
    int slash = text.indexOf('/');
    String addressPart = slash < 0 ? text : text.substring(0, slash);
    int prefix = 32;
    if (slash >= 0) {
      String prefixPart = text.substring(slash + 1);
      if (!isDecimal(prefixPart) || prefixPart.length() > 3) {
        return new Parsed.Error(quote(text) + " has an invalid prefix length " + quote(prefixPart)
            + "; expected a number from 0 to 32");
      }
      if (prefixPart.length() > 1 && prefixPart.charAt(0) == '0') {
        return new Parsed.Error(quote(text) + " has a leading zero in the prefix length '" + prefixPart
            + "'; write /" + Integer.parseInt(prefixPart));
      }
      prefix = Integer.parseInt(prefixPart);
      if (prefix > 32) {
        return new Parsed.Error(quote(text) + " has prefix length /" + prefix
            + ", which is out of range; an IPv4 prefix length is 0 to 32");
      }
    }
    String[] octets = addressPart.split("\\.", -1);
    if (octets.length != 4) {
      return new Parsed.Error(quote(text) + " is not an IPv4 address or CIDR (expected four dot-separated "
          + "numbers, a.b.c.d or a.b.c.d/n)");
    }
    long address = 0;
    for (String octet : octets) {
      if (!isDecimal(octet) || octet.length() > 3) {
        return new Parsed.Error(quote(text) + " is not an IPv4 address or CIDR: " + quote(octet)
            + " is not a number from 0 to 255");
      }
      int value = Integer.parseInt(octet);
      if (value > 255) {
        return new Parsed.Error(quote(text) + " is not an IPv4 address: " + value + " is greater than 255");
      }
      address = (address << 8) | value;
    }
    // Only once every octet is a number up to 255, so that the suggested spelling is an address.
    for (String octet : octets) {
      if (octet.length() > 1 && octet.charAt(0) == '0') {
        return new Parsed.Error(quote(text) + " has a leading zero in '" + octet
            + "' (ambiguous: some tools read it as octal); write " + canonicalWithoutLeadingZeros(octets, slash, prefix));
      }
    }
    long host = Cidr.hostMask(prefix);
    if ((address & host) != 0) {
      return new Parsed.Error(Cidr.formatAddress(address) + "/" + prefix
          + " is not the first address of its range; did you mean "
          + Cidr.of(address & ~host, prefix) + "?");
    }
    return new Parsed.Ok(Cidr.of(address, prefix));
  }

  private static String canonicalWithoutLeadingZeros(String[] octets, int slash, int prefix) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < octets.length; i++) {
      if (i > 0) {
        sb.append('.');
      }
      sb.append(Integer.parseInt(octets[i]));
    }
    if (slash >= 0) {
      sb.append('/').append(prefix);
    }
    return sb.toString();
  }

  private static boolean isDecimal(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** How much of a user's text a message quotes. */
  public static final int MAX_QUOTED = 256;

  /**
   * Quotes what a user wrote, for a message, shortened past {@link #MAX_QUOTED} characters: a message must stay
   * readable, and fit in a status, whatever was written.
   */
  public static String quote(String s) {
    return "'" + abbreviate(s, MAX_QUOTED) + "'";
  }

  /** At most {@code max} characters of {@code s} (never half a character), then how long it was. */
  public static String abbreviate(String s, int max) {
    if (s == null || s.codePointCount(0, s.length()) <= max) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, max)) + "... (" + s.length() + " characters)";
  }

  /** {@link #abbreviate(String, int)} to 200 characters, for messages that are not the user's own text. */
  public static String abbreviate(String s) {
    return abbreviate(s, 200);
  }
}
