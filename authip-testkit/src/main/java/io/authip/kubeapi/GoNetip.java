package io.authip.kubeapi;

import java.util.Optional;

/**
 * Go's {@code net/netip} parsing and formatting (Go 1.22, what Kubernetes 1.31 is built with), which the Kubernetes
 * CEL {@code ip}/{@code cidr} library is defined by: IPv4 is exactly four decimal octets without leading zeros;
 * IPv6 as RFC 4291 (with {@code ::}, an embedded IPv4 tail, and a zone for addresses); a prefix length without sign
 * or leading zero. Error messages are Go's, word for word.
 */
final class GoNetip {

  private GoNetip() {
  }

  /** An address: {@code bits} is 32 or 128; IPv4 uses {@code lo} only; zone empty when none. */
  record Addr(int bits, long hi, long lo, String zone) {

    boolean is4() {
      return bits == 32;
    }

    boolean is4In6() {
      return bits == 128 && hi == 0 && (lo >>> 32) == 0xffffL;
    }

    Addr withoutZone() {
      return zone.isEmpty() ? this : new Addr(bits, hi, lo, "");
    }

    /** The 16-bit group {@code i} (0..7) of an IPv6 address. */
    int group(int i) {
      long word = i < 4 ? hi : lo;
      return (int) ((word >>> (16 * (3 - (i % 4)))) & 0xffff);
    }

    boolean isUnspecified() {
      return hi == 0 && lo == 0 && zone.isEmpty();
    }

    boolean isLoopback() {
      return is4() ? (lo >>> 24) == 127 : hi == 0 && lo == 1;
    }

    boolean isMulticast() {
      return is4() ? (lo >>> 28) == 0xe : (hi >>> 56) == 0xff;
    }

    boolean isLinkLocalMulticast() {
      return is4() ? (lo >>> 8) == 0xe00000L : (group(0) & 0xff0f) == 0xff02;
    }

    boolean isLinkLocalUnicast() {
      return is4() ? (lo >>> 16) == 0xa9fe : (group(0) & 0xffc0) == 0xfe80;
    }

    /** Go's rule: not unspecified, not 255.255.255.255, not loopback, multicast or link-local unicast. */
    boolean isGlobalUnicast() {
      Addr ip = is4In6() ? new Addr(32, 0, lo & 0xffffffffL, "") : this;
      if (ip.is4() && (ip.lo == 0 || ip.lo == 0xffffffffL)) {
        return false;
      }
      return !(ip.bits == 128 && ip.hi == 0 && ip.lo == 0) && !ip.isLoopback() && !ip.isMulticast()
          && !ip.isLinkLocalUnicast();
    }

    /** The first {@code prefix} bits kept, the rest zero; the zone dropped (Go's {@code Prefix.Masked}). */
    Addr masked(int prefix) {
      if (is4()) {
        long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
        return new Addr(32, 0, lo & mask, "");
      }
      long hiMask = prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
      long loMask = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
      return new Addr(128, hi & hiMask, lo & loMask, "");
    }

    /** Go's {@code Addr.String}: dotted decimal, or RFC 5952 (lower case, longest zero run as {@code ::}). */
    @Override
    public String toString() {
      if (is4()) {
        return (lo >>> 24) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
      }
      StringBuilder sb = new StringBuilder();
      if (is4In6()) {
        sb.append("::ffff:").append(new Addr(32, 0, lo & 0xffffffffL, ""));
      } else {
        int zeroStart = 255;
        int zeroEnd = 255;
        for (int i = 0; i < 8; i++) {
          int j = i;
          while (j < 8 && group(j) == 0) {
            j++;
          }
          int l = j - i;
          if (l >= 2 && l > zeroEnd - zeroStart) {
            zeroStart = i;
            zeroEnd = j;
          }
        }
        for (int i = 0; i < 8; i++) {
          if (i == zeroStart) {
            sb.append("::");
            i = zeroEnd;
            if (i >= 8) {
              break;
            }
          } else if (i > 0) {
            sb.append(':');
          }
          sb.append(Integer.toHexString(group(i)));
        }
      }
      if (!zone.isEmpty()) {
        sb.append('%').append(zone);
      }
      return sb.toString();
    }
  }

  /** A prefix as Go keeps it: the address as written (host bits included) and the length. */
  record Prefix(Addr addr, int bits) {

    Prefix masked() {
      return new Prefix(addr.masked(bits), bits);
    }

    boolean contains(Addr ip) {
      if (!ip.zone().isEmpty() || ip.bits() != addr.bits()) {
        return false;
      }
      return ip.masked(bits).equals(addr.masked(bits));
    }

    @Override
    public String toString() {
      return addr + "/" + bits;
    }
  }

  /** A parse failure with Go's message. */
  static final class ParseError extends Exception {
    private static final long serialVersionUID = 1L;

    ParseError(String message) {
      super(message);
    }
  }

  static Addr parseAddr(String s) throws ParseError {
    for (int i = 0; i < s.length(); i++) {
      switch (s.charAt(i)) {
        case '.':
          return parseIpv4(s);
        case ':':
          return parseIpv6(s);
        case '%':
          throw addrError(s, "missing IPv6 address", "");
        default:
          break;
      }
    }
    throw addrError(s, "unable to parse IP", "");
  }

  static Optional<Addr> tryAddr(String s) {
    try {
      return Optional.of(parseAddr(s));
    } catch (ParseError e) {
      return Optional.empty();
    }
  }

  static Prefix parsePrefix(String s) throws ParseError {
    int i = s.lastIndexOf('/');
    if (i < 0) {
      throw prefixError(s, "no '/'");
    }
    Addr ip;
    try {
      ip = parseAddr(s.substring(0, i));
    } catch (ParseError e) {
      throw prefixError(s, e.getMessage());
    }
    if (!ip.is4() && !ip.zone().isEmpty()) {
      throw prefixError(s, "IPv6 zones cannot be present in a prefix");
    }
    String bitsStr = s.substring(i + 1);
    if (bitsStr.length() > 1 && (bitsStr.charAt(0) < '1' || bitsStr.charAt(0) > '9')) {
      throw prefixError(s, "bad bits after slash: " + quote(bitsStr));
    }
    int bits = atoi(bitsStr);
    if (bits == Integer.MIN_VALUE) {
      throw prefixError(s, "bad bits after slash: " + quote(bitsStr));
    }
    if (bits < 0 || bits > ip.bits()) {
      throw prefixError(s, "prefix length out of range");
    }
    return new Prefix(ip, bits);
  }

  /** strconv.Atoi for what passed the check above: optional sign, decimal digits; MIN_VALUE when not a number. */
  private static int atoi(String s) {
    if (s.isEmpty()) {
      return Integer.MIN_VALUE;
    }
    int start = s.charAt(0) == '+' || s.charAt(0) == '-' ? 1 : 0;
    if (start == s.length()) {
      return Integer.MIN_VALUE;
    }
    long value = 0;
    for (int i = start; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return Integer.MIN_VALUE;
      }
      value = value * 10 + (c - '0');
      if (value > Integer.MAX_VALUE) {
        return Integer.MAX_VALUE; // out of range either way
      }
    }
    return (int) (s.charAt(0) == '-' ? -value : value);
  }

  private static Addr parseIpv4(String s) throws ParseError {
    return new Addr(32, 0, parseIpv4Fields(s, 0, s.length()), "");
  }

  private static long parseIpv4Fields(String in, int off, int end) throws ParseError {
    String s = in.substring(off, end);
    long[] fields = new long[4];
    int val = 0;
    int pos = 0;
    int digLen = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        if (digLen == 1 && val == 0) {
          throw addrError(in, "IPv4 field has octet with leading zero", "");
        }
        val = val * 10 + (c - '0');
        digLen++;
        if (val > 255) {
          throw addrError(in, "IPv4 field has value >255", "");
        }
      } else if (c == '.') {
        if (i == 0 || i == s.length() - 1 || s.charAt(i - 1) == '.') {
          throw addrError(in, "IPv4 field must have at least one digit", s.substring(i));
        }
        if (pos == 3) {
          throw addrError(in, "IPv4 address too long", "");
        }
        fields[pos++] = val;
        val = 0;
        digLen = 0;
      } else {
        throw addrError(in, "unexpected character", s.substring(i));
      }
    }
    if (pos < 3) {
      throw addrError(in, "IPv4 address too short", "");
    }
    fields[3] = val;
    return fields[0] << 24 | fields[1] << 16 | fields[2] << 8 | fields[3];
  }

  private static Addr parseIpv6(String in) throws ParseError {
    String s = in;
    String zone = "";
    int z = s.indexOf('%');
    if (z >= 0) {
      zone = s.substring(z + 1);
      s = s.substring(0, z);
      if (zone.isEmpty()) {
        throw addrError(in, "zone must be a non-empty string", "");
      }
    }
    int[] ip = new int[16];
    int ellipsis = -1;
    if (s.length() >= 2 && s.charAt(0) == ':' && s.charAt(1) == ':') {
      ellipsis = 0;
      s = s.substring(2);
      if (s.isEmpty()) {
        return new Addr(128, 0, 0, zone);
      }
    }
    int i = 0;
    while (i < 16) {
      int off = 0;
      int acc = 0;
      for (; off < s.length(); off++) {
        char c = s.charAt(off);
        if (c >= '0' && c <= '9') {
          acc = (acc << 4) + (c - '0');
        } else if (c >= 'a' && c <= 'f') {
          acc = (acc << 4) + (c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
          acc = (acc << 4) + (c - 'A' + 10);
        } else {
          break;
        }
        if (off > 3) {
          throw addrError(in, "each colon-separated field must have at most 4 hex digits", s);
        }
        if (acc > 0xffff) {
          throw addrError(in, "IPv6 field has value >=2^16", s);
        }
      }
      if (off == 0) {
        throw addrError(in, "each colon-separated field must have at least one digit", s);
      }
      if (off < s.length() && s.charAt(off) == '.') {
        if (ellipsis < 0 && i != 12) {
          throw addrError(in, "embedded IPv4 address must replace the final 2 fields of the address", s);
        }
        if (i + 4 > 16) {
          throw addrError(in, "too many hex fields to fit an embedded IPv4 at the end of the address", s);
        }
        int end = in.length() - (zone.isEmpty() ? 0 : zone.length() + 1);
        long v4 = parseIpv4Fields(in, end - s.length(), end);
        ip[i] = (int) (v4 >>> 24);
        ip[i + 1] = (int) ((v4 >>> 16) & 0xff);
        ip[i + 2] = (int) ((v4 >>> 8) & 0xff);
        ip[i + 3] = (int) (v4 & 0xff);
        s = "";
        i += 4;
        break;
      }
      ip[i] = acc >>> 8;
      ip[i + 1] = acc & 0xff;
      i += 2;
      s = s.substring(off);
      if (s.isEmpty()) {
        break;
      }
      if (s.charAt(0) != ':') {
        throw addrError(in, "unexpected character, want colon", s);
      } else if (s.length() == 1) {
        throw addrError(in, "colon must be followed by more characters", s);
      }
      s = s.substring(1);
      if (s.charAt(0) == ':') {
        if (ellipsis >= 0) {
          throw addrError(in, "multiple :: in address", s);
        }
        ellipsis = i;
        s = s.substring(1);
        if (s.isEmpty()) {
          break;
        }
      }
    }
    if (!s.isEmpty()) {
      throw addrError(in, "trailing garbage after address", s);
    }
    if (i < 16) {
      if (ellipsis < 0) {
        throw addrError(in, "address string too short", "");
      }
      int n = 16 - i;
      for (int j = i - 1; j >= ellipsis; j--) {
        ip[j + n] = ip[j];
      }
      for (int j = ellipsis; j < ellipsis + n; j++) {
        ip[j] = 0;
      }
    } else if (ellipsis >= 0) {
      throw addrError(in, "the :: must expand to at least one field of zeros", s);
    }
    long hi = 0;
    long lo = 0;
    for (int j = 0; j < 8; j++) {
      hi = hi << 8 | ip[j];
      lo = lo << 8 | ip[j + 8];
    }
    return new Addr(128, hi, lo, zone);
  }

  private static ParseError addrError(String in, String msg, String at) {
    return new ParseError("ParseAddr(" + quote(in) + "): " + msg + (at.isEmpty() ? "" : " (at " + quote(at) + ")"));
  }

  private static ParseError prefixError(String in, String msg) {
    return new ParseError("netip.ParsePrefix(" + quote(in) + "): " + msg);
  }

  /** Go's {@code strconv.Quote} for the characters that occur here: printable ASCII as is, the rest escaped. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      if (c == '"' || c == '\\') {
        sb.append('\\').appendCodePoint(c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c >= 0x20 && c < 0x7f) {
        sb.append((char) c);
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", c));
      } else if (Character.isLetterOrDigit(c) || Character.getType(c) == Character.OTHER_SYMBOL) {
        sb.appendCodePoint(c);
      } else if (c <= 0xffff) {
        sb.append(String.format("\\u%04x", c));
      } else {
        sb.append(String.format("\\U%08x", c));
      }
    }
    return sb.append('"').toString();
  }
}
