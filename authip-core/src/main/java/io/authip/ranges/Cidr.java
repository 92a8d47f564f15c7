package io.authip.ranges;

/**
 * An IPv4 CIDR block whose address is the first of its range (no host bits). Immutable.
 *
 * <p>Build one with {@link #of(long, int)} or {@link #parse(String)}; {@link RangeRules} adds the AKS rules
 * (public addresses only and so on) and the user-facing messages.
 */
public final class Cidr implements Comparable<Cidr> {

  static final long ADDRESS_SPACE = 1L << 32;

  private final long start;
  private final int prefix;

  private Cidr(long start, int prefix) {
    this.start = start;
    this.prefix = prefix;
  }

  /**
   * @param start the first address as an unsigned 32-bit value
   * @param prefix 0 to 32
   * @throws IllegalArgumentException when the address has host bits or a value is out of range
   */
  public static Cidr of(long start, int prefix) {
    if (prefix < 0 || prefix > 32) {
      throw new IllegalArgumentException("prefix length /" + prefix + " is out of range 0..32");
    }
    if (start < 0 || start >= ADDRESS_SPACE) {
      throw new IllegalArgumentException("address " + start + " is outside IPv4");
    }
    if ((start & hostMask(prefix)) != 0) {
      throw new IllegalArgumentException(formatAddress(start) + "/" + prefix
          + " is not the first address of its range; did you mean " + of(start & ~hostMask(prefix), prefix) + "?");
    }
    return new Cidr(start, prefix);
  }

  /** The single address as a /32. */
  public static Cidr host(long address) {
    return of(address, 32);
  }

  /**
   * Parses strict dotted-decimal {@code a.b.c.d} or {@code a.b.c.d/n}; a bare address is a /32.
   *
   * @throws IllegalArgumentException with a message that quotes the input and says what is wrong
   */
  public static Cidr parse(String text) {
    RangeParser.Parsed parsed = RangeParser.parse(text);
    if (parsed instanceof RangeParser.Parsed.Ok ok) {
      return ok.cidr();
    }
    throw new IllegalArgumentException(((RangeParser.Parsed.Error) parsed).message());
  }

  static long hostMask(int prefix) {
    return prefix == 0 ? ADDRESS_SPACE - 1 : (1L << (32 - prefix)) - 1;
  }

  public long start() {
    return start;
  }

  /** The last address, inclusive. */
  public long end() {
    return start | hostMask(prefix);
  }

  public int prefix() {
    return prefix;
  }

  /** How many addresses the block holds. */
  public long addressCount() {
    return 1L << (32 - prefix);
  }

  public boolean contains(Cidr other) {
    return other.start >= start && other.end() <= end();
  }

  public boolean overlaps(Cidr other) {
    return other.start <= end() && start <= other.end();
  }

  public static String formatAddress(long address) {
    return ((address >>> 24) & 0xff) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "."
        + (address & 0xff);
  }

  @Override
  public int compareTo(Cidr o) {
    int byStart = Long.compare(start, o.start);
    return byStart != 0 ? byStart : Integer.compare(prefix, o.prefix);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.start == start && c.prefix == prefix;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(start) * 31 + prefix;
  }

  /** Always {@code a.b.c.d/n}, also for /32: that is how AKS stores and returns entries. */
  @Override
  public String toString() {
    return formatAddress(start) + "/" + prefix;
  }
}
