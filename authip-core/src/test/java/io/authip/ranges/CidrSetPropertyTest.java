package io.authip.ranges;

import static org.assertj.core.api.Assertions.assertThat;

import inet.ipaddr.ipv4.IPv4Address;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Aggregation against the {@code ipaddress} library ({@code mergeToPrefixBlocks}) and against plain membership, for
 * seeded random inputs. A failure names the seed and the iteration; rerun a seed with
 * {@code -Dauthip.propertySeed=N}.
 */
class CidrSetPropertyTest {

  static final long SEED = Long.getLong("authip.propertySeed", 20250701L);
  static final int ITERATIONS = Integer.getInteger("authip.propertyIterations", 500);
  static final long SPACE = 1L << 32;

  @Test
  void aggregationIsExactMinimalIdempotentAndOrderIndependent() {
    Random random = new Random(SEED);
    for (int iteration = 0; iteration < ITERATIONS; iteration++) {
      String where = "seed " + SEED + ", iteration " + iteration;
      List<Cidr> input = randomBlocks(random);
      CidrSet set = CidrSet.of(input);

      List<String> library = library(input);
      assertThat(set.toStrings()).as("%s: equals ipaddress's mergeToPrefixBlocks of %s", where, input)
          .isEqualTo(library);
      assertCanonical(set, where);
      assertSameAddresses(set, input, library, random, where);

      assertThat(CidrSet.of(set.cidrs())).as("%s: idempotent", where).isEqualTo(set);
      assertThat(CidrSet.parse(set.toStrings()).toStrings()).as("%s: idempotent through text", where)
          .isEqualTo(set.toStrings());

      List<Cidr> shuffled = new ArrayList<>(input);
      for (int i = 0, extra = random.nextInt(input.size() + 1); i < extra; i++) {
        shuffled.add(input.get(random.nextInt(input.size())));
      }
      Collections.shuffle(shuffled, random);
      CidrSet reordered = CidrSet.of(shuffled);
      assertThat(reordered).as("%s: order and duplicates do not matter", where).isEqualTo(set);
      assertThat(reordered.hashCode()).as("%s: hashCode", where).isEqualTo(set.hashCode());
      assertThat(ofBlocks(shuffled)).as("%s: ofBlocks agrees with of", where).isEqualTo(set);
    }
  }

  @Test
  void unionIsCommutativeAssociativeAndEqualToAggregatingEverything() {
    Random random = new Random(SEED + 1);
    for (int iteration = 0; iteration < ITERATIONS; iteration++) {
      String where = "seed " + (SEED + 1) + ", iteration " + iteration;
      List<Cidr> all = randomBlocks(random);
      List<List<Cidr>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      for (Cidr c : all) {
        parts.get(random.nextInt(3)).add(c);
      }
      CidrSet a = CidrSet.of(parts.get(0));
      CidrSet b = CidrSet.of(parts.get(1));
      CidrSet c = CidrSet.of(parts.get(2));
      assertThat(a.union(b)).as("%s: a+b = b+a", where).isEqualTo(b.union(a));
      assertThat(a.union(b).union(c)).as("%s: (a+b)+c = a+(b+c)", where).isEqualTo(a.union(b.union(c)));
      assertThat(a.union(b).union(c)).as("%s: union = aggregate of all", where).isEqualTo(CidrSet.of(all));
      assertThat(a.union(a)).as("%s: a+a = a", where).isEqualTo(a);
      assertThat(a.union(CidrSet.empty())).as("%s: a+0 = a", where).isEqualTo(a);
    }
  }

  /** Inputs shaped to exercise merging: clusters with overlaps and adjacency, split siblings, whole-space blocks. */
  static List<Cidr> randomBlocks(Random random) {
    List<Cidr> out = new ArrayList<>();
    int shape = random.nextInt(5);
    int count = 1 + random.nextInt(shape == 3 ? 40 : 120);
    switch (shape) {
      case 0 -> { // a /16 with blocks from /16 to /32
        long base = random.nextLong(SPACE) & ~0xFFFFL;
        for (int i = 0; i < count; i++) {
          out.add(block(base + random.nextInt(1 << 16), 16 + random.nextInt(17)));
        }
      }
      case 1 -> { // a /24 filled densely: most inputs touch or overlap others
        long base = random.nextLong(SPACE) & ~0xFFL;
        for (int i = 0; i < count; i++) {
          out.add(block(base + random.nextInt(256), 24 + random.nextInt(9)));
        }
      }
      case 2 -> { // a block cut into random pieces that together cover it exactly, plus some strays
        int prefix = 8 + random.nextInt(17);
        Cidr whole = block(random.nextLong(SPACE), prefix);
        split(whole, random, out, count);
        for (int i = 0, strays = random.nextInt(5); i < strays; i++) {
          out.add(block(random.nextLong(SPACE), random.nextInt(33)));
        }
      }
      case 3 -> { // anywhere, any size, including /0 and the ends of the address space
        for (int i = 0; i < count; i++) {
          long address = switch (random.nextInt(4)) {
            case 0 -> random.nextInt(1 << 10);
            case 1 -> SPACE - 1 - random.nextInt(1 << 10);
            default -> random.nextLong(SPACE);
          };
          out.add(block(address, random.nextInt(33)));
        }
      }
      default -> { // runs of consecutive small blocks across a boundary
        long start = random.nextLong(SPACE - 4096);
        for (int i = 0; i < count; i++) {
          out.add(block(start + (long) i * 8, 29 + random.nextInt(4)));
        }
      }
    }
    return out;
  }

  /** Cuts {@code whole} into halves at random until about {@code pieces} blocks exist. */
  static void split(Cidr whole, Random random, List<Cidr> out, int pieces) {
    List<Cidr> work = new ArrayList<>(List.of(whole));
    while (work.size() < pieces) {
      int i = random.nextInt(work.size());
      Cidr c = work.get(i);
      if (c.prefix() == 32) {
        break;
      }
      work.set(i, Cidr.of(c.start(), c.prefix() + 1));
      work.add(Cidr.of(c.start() + c.addressCount() / 2, c.prefix() + 1));
    }
    out.addAll(work);
  }

  static Cidr block(long address, int prefix) {
    long mask = prefix == 0 ? 0 : (SPACE - 1) & ~((1L << (32 - prefix)) - 1);
    return Cidr.of(address & mask, prefix);
  }

  static List<String> library(List<Cidr> input) {
    IPv4Address[] addresses = new IPv4Address[input.size()];
    for (int i = 0; i < input.size(); i++) {
      addresses[i] = new IPv4Address((int) input.get(i).start(), input.get(i).prefix()).toPrefixBlock();
    }
    IPv4Address[] merged = addresses[0].mergeToPrefixBlocks(addresses);
    List<String> out = new ArrayList<>();
    for (IPv4Address a : merged) {
      out.add(Cidr.of(a.getLower().longValue(), a.getPrefixLength()).toString());
    }
    return out;
  }

  /** Sorted, disjoint, not touching a mergeable sibling: the unique fewest-blocks form. */
  static void assertCanonical(CidrSet set, String where) {
    List<Cidr> blocks = set.cidrs();
    List<String> wrong = new ArrayList<>();
    for (int i = 1; i < blocks.size(); i++) {
      Cidr a = blocks.get(i - 1);
      Cidr b = blocks.get(i);
      if (a.end() >= b.start()) {
        wrong.add(a + " and " + b + " overlap or are out of order");
      }
      if (a.prefix() == b.prefix() && a.end() + 1 == b.start() && (a.start() & a.addressCount()) == 0) {
        wrong.add(a + " and " + b + " would merge into one block");
      }
    }
    assertThat(wrong).as("%s: canonical form of %s", where, set).isEmpty();
  }

  /** Membership at every input edge and at random points, decided independently by scanning the input. */
  static void assertSameAddresses(CidrSet set, List<Cidr> input, List<String> library, Random random,
      String where) {
    List<Long> probes = new ArrayList<>();
    long total = 0;
    for (Cidr c : set.cidrs()) {
      total += c.addressCount();
    }
    assertThat(set.addressCount()).as("%s: address count", where).isEqualTo(total);
    long libraryTotal = 0;
    for (String s : library) {
      libraryTotal += Cidr.parse(s).addressCount();
    }
    assertThat(set.addressCount()).as("%s: address count as the library counts", where).isEqualTo(libraryTotal);
    for (Cidr c : input) {
      probes.add(c.start() - 1);
      probes.add(c.start());
      probes.add(c.end());
      probes.add(c.end() + 1);
      probes.add(c.start() + random.nextLong(c.addressCount()));
    }
    for (Cidr c : set.cidrs()) {
      probes.add(c.start() - 1);
      probes.add(c.end() + 1);
    }
    for (int i = 0; i < 50; i++) {
      probes.add(random.nextLong(SPACE));
    }
    List<String> wrong = new ArrayList<>();
    for (long p : probes) {
      if (p < 0 || p >= SPACE) {
        continue;
      }
      boolean inInput = false;
      for (Cidr c : input) {
        if (p >= c.start() && p <= c.end()) {
          inInput = true;
          break;
        }
      }
      if (set.containsAddress(p) != inInput) {
        wrong.add(Cidr.formatAddress(p) + (inInput ? " (in the input, missing)" : " (not in the input, added)"));
      }
    }
    assertThat(wrong).as("%s: addresses covered differently than by the input %s", where, input).isEmpty();
  }

  static CidrSet ofBlocks(List<Cidr> cidrs) {
    long[] starts = new long[cidrs.size()];
    int[] prefixes = new int[cidrs.size()];
    for (int i = 0; i < cidrs.size(); i++) {
      starts[i] = cidrs.get(i).start();
      prefixes[i] = cidrs.get(i).prefix();
    }
    return CidrSet.ofBlocks(starts, prefixes, cidrs.size());
  }
}
