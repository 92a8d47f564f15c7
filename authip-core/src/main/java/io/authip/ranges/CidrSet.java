package io.authip.ranges;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * A canonical set of IPv4 addresses: the fewest CIDR blocks that cover exactly the given addresses, in address
 * order. Two sets are equal exactly when they cover the same addresses, whatever was written ({@code 1.2.3.4} vs
 * {@code 1.2.3.4/32}, order, duplicates, overlaps, adjacent halves).
 *
 * <p>Aggregation works on primitive {@code long}s: sort, merge into address intervals, split every interval into
 * its maximal aligned blocks. That keeps a million prefixes well under a second; the property test checks it
 * against the {@code ipaddress} library's {@code mergeToPrefixBlocks}.
 */
public final class CidrSet {

  private static final CidrSet EMPTY = new CidrSet(new long[0]);

  /** Each element is {@code start << 6 | prefix}: sorting them sorts by address, then by size (largest first). */
  private final long[] blocks;

  private CidrSet(long[] blocks) {
    this.blocks = blocks;
  }

  public static CidrSet empty() {
    return EMPTY;
  }

  public static CidrSet of(Cidr... cidrs) {
    return of(Arrays.asList(cidrs));
  }

  public static CidrSet of(Collection<Cidr> cidrs) {
    long[] encoded = new long[cidrs.size()];
    int i = 0;
    for (Cidr c : cidrs) {
      encoded[i++] = encode(c.start(), c.prefix());
    }
    return aggregate(encoded, encoded.length);
  }

  /** Parses strictly (see {@link RangeParser}); throws on the first invalid entry. Mostly for tests and tools. */
  public static CidrSet parse(Collection<String> entries) {
    long[] encoded = new long[entries.size()];
    int i = 0;
    for (String e : entries) {
      // Canonical text needs no Cidr on the way: a million entries cost half as much.
      long fast = e == null ? -1 : RangeParser.parseCanonical(e);
      if (fast < 0) {
        Cidr c = Cidr.parse(e);
        fast = encode(c.start(), c.prefix());
      }
      encoded[i++] = fast;
    }
    return aggregate(encoded, i);
  }

  /**
   * Aggregates blocks given as parallel arrays without allocating a {@link Cidr} per input: the path the benchmark
   * measures.
   */
  public static CidrSet ofBlocks(long[] starts, int[] prefixes, int count) {
    long[] encoded = new long[count];
    for (int i = 0; i < count; i++) {
      if (starts[i] < 0 || starts[i] >= Cidr.ADDRESS_SPACE) {
        throw new IllegalArgumentException("not a CIDR block: address " + starts[i] + " is outside IPv4");
      }
      if (prefixes[i] < 0 || prefixes[i] > 32 || (starts[i] & Cidr.hostMask(prefixes[i])) != 0) {
        throw new IllegalArgumentException("not a CIDR block: " + Cidr.formatAddress(starts[i]) + "/" + prefixes[i]);
      }
      encoded[i] = encode(starts[i], prefixes[i]);
    }
    return aggregate(encoded, count);
  }

  private static long encode(long start, int prefix) {
    return (start << 6) | prefix;
  }

  private static long startOf(long encoded) {
    return encoded >>> 6;
  }

  private static int prefixOf(long encoded) {
    return (int) (encoded & 63);
  }

  /** Sorts {@code work} in place (it is owned by the caller's fresh array). */
  private static CidrSet aggregate(long[] work, int count) {
    if (count == 0) {
      return EMPTY;
    }
    Arrays.sort(work, 0, count);
    long[] out = new long[count + 64];
    int n = 0;
    long curStart = startOf(work[0]);
    long curEnd = curStart + (1L << (32 - prefixOf(work[0]))) - 1;
    for (int i = 1; i < count; i++) {
      long s = startOf(work[i]);
      long e = s + (1L << (32 - prefixOf(work[i]))) - 1;
      if (s <= curEnd + 1) {
        if (e > curEnd) {
          curEnd = e;
        }
      } else {
        if (out.length - n < 64) {
          out = Arrays.copyOf(out, out.length * 2);
        }
        n = split(curStart, curEnd, out, n);
        curStart = s;
        curEnd = e;
      }
    }
    if (out.length - n < 64) {
      out = Arrays.copyOf(out, out.length + 64);
    }
    n = split(curStart, curEnd, out, n);
    return new CidrSet(Arrays.copyOf(out, n));
  }

  /** Appends the maximal aligned blocks covering [start, end]; at most 62 for any IPv4 interval. */
  private static int split(long start, long end, long[] out, int n) {
    long s = start;
    while (s <= end) {
      int size = s == 0 ? 32 : Math.min(Long.numberOfTrailingZeros(s), 32);
      while (size > 0 && s + (1L << size) - 1 > end) {
        size--;
      }
      out[n++] = encode(s, 32 - size);
      s += 1L << size;
    }
    return n;
  }

  /** The number of CIDR blocks: what counts against AKS's limit of 200 entries. */
  public int size() {
    return blocks.length;
  }

  public boolean isEmpty() {
    return blocks.length == 0;
  }

  public Cidr get(int i) {
    return Cidr.of(startOf(blocks[i]), prefixOf(blocks[i]));
  }

  public List<Cidr> cidrs() {
    List<Cidr> list = new ArrayList<>(blocks.length);
    for (long b : blocks) {
      list.add(Cidr.of(startOf(b), prefixOf(b)));
    }
    return Collections.unmodifiableList(list);
  }

  /** {@code a.b.c.d/n} strings in address order, as sent to AKS. */
  public List<String> toStrings() {
    List<String> list = new ArrayList<>(blocks.length);
    for (long b : blocks) {
      list.add(Cidr.formatAddress(startOf(b)) + "/" + prefixOf(b));
    }
    return Collections.unmodifiableList(list);
  }

  public long addressCount() {
    long total = 0;
    for (long b : blocks) {
      total += 1L << (32 - prefixOf(b));
    }
    return total;
  }

  public boolean containsAddress(long address) {
    int lo = 0;
    int hi = blocks.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long s = startOf(blocks[mid]);
      long e = s + (1L << (32 - prefixOf(blocks[mid]))) - 1;
      if (address < s) {
        hi = mid - 1;
      } else if (address > e) {
        lo = mid + 1;
      } else {
        return true;
      }
    }
    return false;
  }

  /**
   * True when every address of {@code cidr} is in this set. The blocks are the maximal aligned blocks of the merged
   * intervals, so a block inside the set lies inside the one block holding its first address: one binary search.
   */
  public boolean covers(Cidr cidr) {
    int i = firstEndingAtOrAfter(cidr.start());
    return i < blocks.length && startOf(blocks[i]) <= cidr.start() && endOf(blocks[i]) >= cidr.end();
  }

  /** The first block of this set (in address order) that shares an address with {@code cidr}, if any. */
  public java.util.Optional<Cidr> firstOverlap(Cidr cidr) {
    int i = firstEndingAtOrAfter(cidr.start());
    return i < blocks.length && startOf(blocks[i]) <= cidr.end()
        ? java.util.Optional.of(Cidr.of(startOf(blocks[i]), prefixOf(blocks[i]))) : java.util.Optional.empty();
  }

  /** The index of the first block whose last address is at or after {@code address}; size() when none. */
  private int firstEndingAtOrAfter(long address) {
    int lo = 0;
    int hi = blocks.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (endOf(blocks[mid]) < address) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static long endOf(long encoded) {
    return startOf(encoded) + (1L << (32 - prefixOf(encoded))) - 1;
  }

  /**
   * The addresses of this set that are not in {@code other}, as canonical blocks (what a refresh removes is
   * {@code before.minus(after)}). Linear in the two sizes: both are sorted and disjoint.
   */
  public CidrSet minus(CidrSet other) {
    if (isEmpty() || other.isEmpty()) {
      return this;
    }
    long[] out = new long[blocks.length + 64];
    int n = 0;
    int j = 0;
    for (long block : blocks) {
      long s = startOf(block);
      long e = endOf(block);
      while (j < other.blocks.length && endOf(other.blocks[j]) < s) {
        j++;
      }
      int k = j;
      while (s <= e) {
        if (k >= other.blocks.length || startOf(other.blocks[k]) > e) {
          if (out.length - n < 64) {
            out = Arrays.copyOf(out, out.length * 2 + 64);
          }
          n = split(s, e, out, n);
          break;
        }
        long os = startOf(other.blocks[k]);
        long oe = endOf(other.blocks[k]);
        if (os > s) {
          if (out.length - n < 64) {
            out = Arrays.copyOf(out, out.length * 2 + 64);
          }
          n = split(s, os - 1, out, n);
        }
        s = Math.max(s, oe + 1);
        k++;
      }
    }
    // The pieces are sorted and disjoint; aggregating merges neighbours that became adjacent.
    return aggregate(Arrays.copyOf(out, n), n);
  }

  public CidrSet union(CidrSet other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    long[] work = new long[blocks.length + other.blocks.length];
    System.arraycopy(blocks, 0, work, 0, blocks.length);
    System.arraycopy(other.blocks, 0, work, blocks.length, other.blocks.length);
    return aggregate(work, work.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CidrSet s && Arrays.equals(blocks, s.blocks);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(blocks);
  }

  @Override
  public String toString() {
    return String.join(",", toStrings());
  }
}
