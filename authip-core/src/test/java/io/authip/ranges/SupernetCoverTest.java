package io.authip.ranges;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SupernetCoverTest {

  static final long SEED = 20261206L;

  static CidrSet set(String... cidrs) {
    return CidrSet.parse(List.of(cidrs));
  }

  @Test
  void aSetThatFitsIsReturnedAsItIs() {
    CidrSet s = set("20.0.0.0/24", "20.0.2.0/24");
    SupernetCover.Result r = SupernetCover.fit(s, 2, CidrSet.empty(), CidrSet.empty()).orElseThrow();
    assertThat(r.blocks()).isEqualTo(s.cidrs());
    assertThat(r.extraAddresses()).isZero();
    assertThat(r.summary()).isEqualTo("2 blocks, 0 extra addresses (0.00 %)");
  }

  @Test
  void theCheapestGapIsClosedFirst() {
    // Gaps: .1 (256 addresses) between the first two, .3-.7 between the second and third.
    CidrSet s = set("20.0.0.0/24", "20.0.2.0/24", "20.0.8.0/24");
    SupernetCover.Result r = SupernetCover.fit(s, 2, CidrSet.empty(), CidrSet.empty()).orElseThrow();
    assertThat(r.blocks()).extracting(Cidr::toString).containsExactly("20.0.0.0/22", "20.0.8.0/24");
    assertThat(r.extraAddresses()).isEqualTo(512);
    assertThat(r.widened(s)).extracting(Cidr::toString).containsExactly("20.0.0.0/22");
    SupernetCover.Result one = SupernetCover.fit(s, 1, CidrSet.empty(), CidrSet.empty()).orElseThrow();
    assertThat(one.blocks()).extracting(Cidr::toString).containsExactly("20.0.0.0/20");
    assertThat(one.extraAddresses()).isEqualTo(4096 - 768);
  }

  @Test
  void neverCoverAndNonPublicSpaceAreNeverCovered() {
    CidrSet s = set("20.0.0.0/24", "20.0.2.0/24", "20.0.4.0/24", "20.0.6.0/24");
    // Either /22 closes one gap of 512 addresses; the one over 20.0.1.0 may not be used.
    SupernetCover.Result r = SupernetCover.fit(s, 3, set("20.0.1.0/32"), CidrSet.empty()).orElseThrow();
    assertThat(r.blocks()).extracting(Cidr::toString).containsExactly("20.0.0.0/24", "20.0.2.0/24", "20.0.4.0/22");
    assertThat(r.extraAddresses()).isEqualTo(512);
  }

  @Test
  void pinnedBlocksAreNeverWidened() {
    CidrSet s = set("20.0.0.7/32", "20.0.0.9/32", "20.0.5.0/24");
    SupernetCover.Result free = SupernetCover.fit(s, 2, CidrSet.empty(), CidrSet.empty()).orElseThrow();
    assertThat(free.blocks()).extracting(Cidr::toString).containsExactly("20.0.0.0/28", "20.0.5.0/24");
    assertThat(free.extraAddresses()).isEqualTo(14);
    // Every block that would take 20.0.0.7 in also admits others: no cover of two blocks keeps it exact.
    assertThat(SupernetCover.fit(s, 2, CidrSet.empty(), set("20.0.0.7/32"))).isEmpty();
    assertThat(SupernetCover.fit(s, 3, CidrSet.empty(), set("20.0.0.7/32")).orElseThrow().blocks())
        .isEqualTo(s.cidrs());
  }

  @Test
  void noCoverWhenForbiddenRangesSeparateMoreBlocksThanAllowed() {
    // 10.0.0.0/8 (private) lies between: no single block may span it.
    CidrSet s = set("9.255.255.0/24", "11.0.0.0/24");
    assertThat(SupernetCover.fit(s, 1, CidrSet.empty(), CidrSet.empty())).isEmpty();
    assertThatThrownBy(() -> SupernetCover.fit(s, 1, set("11.0.0.0/16"), CidrSet.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("11.0.0.0/24");
  }

  // ---- optimality against brute force -----------------------------------------------------------------------------

  /** Every subset of at most k blocks of a /28 (31 blocks): the true optimum, by enumeration. */
  @Test
  void equalToEnumeratingEverySubsetOfBlocksOnSmallRandomSets() {
    System.out.println("SupernetCoverTest seed " + SEED);
    Random random = new Random(SEED);
    long base = Cidr.parse("20.0.0.0/28").start();
    List<Cidr> all = new ArrayList<>();
    for (int len = 28; len <= 32; len++) {
      for (long a = base; a < base + 16; a += 1L << (32 - len)) {
        all.add(Cidr.of(a, len));
      }
    }
    int compared = 0;
    for (int round = 0; round < 300; round++) {
      CidrSet s = randomSet(random, base, 4, 2 + random.nextInt(4));
      CidrSet never = random.nextInt(3) == 0 ? randomForbidden(random, base, 4, s) : CidrSet.empty();
      CidrSet pinned = random.nextInt(3) == 0 ? CidrSet.of(s.get(random.nextInt(s.size()))) : CidrSet.empty();
      for (int k = 1; k < s.size(); k++) {
        Optional<SupernetCover.Result> fast = SupernetCover.fit(s, k, never, pinned);
        long brute = enumerate(all, s, k, never, pinned);
        String what = "set " + s + " k " + k + " never " + never + " pinned " + pinned;
        if (brute < 0) {
          assertThat(fast).as(what).isEmpty();
        } else {
          assertThat(fast).as(what).isPresent();
          assertThat(fast.get().extraAddresses()).as(what).isEqualTo(brute);
          checkCover(fast.get(), s, k, never, pinned);
        }
        compared++;
      }
    }
    assertThat(compared).isGreaterThan(250);
  }

  /** An exhaustive recursion over every block of a /20 (not the compressed trie): same optimum on larger sets. */
  @Test
  void equalToTheUncompressedRecursionOnLargerRandomSets() {
    Random random = new Random(SEED + 1);
    long base = Cidr.parse("20.0.0.0/20").start();
    for (int round = 0; round < 200; round++) {
      CidrSet s = randomSet(random, base, 12, 5 + random.nextInt(40));
      CidrSet never = random.nextBoolean() ? randomForbidden(random, base, 12, s) : CidrSet.empty();
      CidrSet pinned = random.nextBoolean() ? CidrSet.of(s.get(random.nextInt(s.size()))) : CidrSet.empty();
      int k = 1 + random.nextInt(s.size());
      Optional<SupernetCover.Result> fast = SupernetCover.fit(s, k, never, pinned);
      long[] table = exhaustive(Cidr.of(base, 20), s, k, never, pinned);
      String what = "set " + s + " k " + k + " never " + never + " pinned " + pinned;
      if (table[k] >= Long.MAX_VALUE / 4) {
        assertThat(fast).as(what).isEmpty();
      } else {
        assertThat(fast).as(what).isPresent();
        assertThat(fast.get().extraAddresses()).as(what).isEqualTo(table[k]);
        checkCover(fast.get(), s, k, never, pinned);
      }
    }
  }

  /** Property: on sets of public ranges spread over the address space, the cover is a valid one with at most k. */
  @Test
  void coversTheSetWithAtMostKAllowedBlocksOnLargeSets() {
    Random random = new Random(SEED + 2);
    for (int round = 0; round < 20; round++) {
      List<Cidr> blocks = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        long a = (20L << 24) + random.nextInt(1 << 24);
        int len = 24 + random.nextInt(9);
        blocks.add(Cidr.of(a & ~((1L << (32 - len)) - 1), len));
      }
      CidrSet s = CidrSet.of(blocks);
      CidrSet candidate = set("20.128.0.0/16", "20.200.3.0/24");
      CidrSet never = candidate.cidrs().stream().anyMatch(c -> s.cidrs().stream().anyMatch(c::overlaps))
          ? CidrSet.empty() : candidate;
      CidrSet pinned = CidrSet.of(s.get(0), s.get(s.size() / 2));
      // Enough blocks to go around the forbidden ranges and the pinned blocks (about 2 x 24 each at most).
      int k = 100 + random.nextInt(101);
      SupernetCover.Result r = SupernetCover.fit(s, k, never, pinned).orElseThrow();
      checkCover(r, s, k, never, pinned);
      // O(n·K): each pair of leaves meets once, at most K per side (the tree-knapsack bound, within a factor 2).
      assertThat(r.work()).isLessThanOrEqualTo(2L * s.size() * k);
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------------------------

  static void checkCover(SupernetCover.Result r, CidrSet s, int k, CidrSet never, CidrSet pinned) {
    assertThat(r.blocks().size()).isLessThanOrEqualTo(k);
    CidrSet union = CidrSet.of(r.blocks());
    for (Cidr c : s.cidrs()) {
      assertThat(union.covers(c)).as("%s covered", c).isTrue();
    }
    long total = r.blocks().stream().mapToLong(Cidr::addressCount).sum();
    assertThat(total - s.addressCount()).isEqualTo(r.extraAddresses());
    assertThat(union.addressCount()).as("disjoint").isEqualTo(total);
    for (Cidr b : r.blocks()) {
      assertThat(never.cidrs()).noneMatch(b::overlaps);
      assertThat(SpecialRanges.firstOverlap(b)).isEmpty();
      if (!s.covers(b)) {
        assertThat(pinned.cidrs()).as("%s widens a pinned block", b).noneMatch(b::overlaps);
      }
    }
  }

  static CidrSet randomSet(Random random, long base, int bits, int count) {
    List<Cidr> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int len = 32 - random.nextInt(Math.min(bits, 6));
      long a = base + random.nextInt(1 << bits);
      out.add(Cidr.of(a & ~((1L << (32 - len)) - 1), len));
    }
    // Keep them disjoint and unmerged enough: CidrSet merges what touches.
    return CidrSet.of(out);
  }

  static CidrSet randomForbidden(Random random, long base, int bits, CidrSet s) {
    for (int attempt = 0; attempt < 20; attempt++) {
      int len = 32 - random.nextInt(Math.min(bits, 4));
      long a = base + random.nextInt(1 << bits);
      Cidr c = Cidr.of(a & ~((1L << (32 - len)) - 1), len);
      if (s.cidrs().stream().noneMatch(c::overlaps)) {
        return CidrSet.of(c);
      }
    }
    return CidrSet.empty();
  }

  static boolean allowed(Cidr b, CidrSet s, CidrSet never, CidrSet pinned) {
    if (never.cidrs().stream().anyMatch(b::overlaps) || SpecialRanges.firstOverlap(b).isPresent()) {
      return false;
    }
    return s.covers(b) || pinned.cidrs().stream().noneMatch(b::overlaps);
  }

  /** The least extra addresses of any set of at most k allowed blocks covering s; -1 when there is none. */
  static long enumerate(List<Cidr> all, CidrSet s, int k, CidrSet never, CidrSet pinned) {
    List<Cidr> candidates = all.stream().filter(b -> s.cidrs().stream().anyMatch(b::overlaps))
        .filter(b -> allowed(b, s, never, pinned)).toList();
    long[] best = {Long.MAX_VALUE};
    choose(candidates, 0, new ArrayList<>(), k, s, best);
    return best[0] == Long.MAX_VALUE ? -1 : best[0];
  }

  static void choose(List<Cidr> candidates, int from, List<Cidr> chosen, int k, CidrSet s, long[] best) {
    if (!chosen.isEmpty()) {
      CidrSet union = CidrSet.of(chosen);
      if (s.cidrs().stream().allMatch(union::covers)) {
        best[0] = Math.min(best[0], union.addressCount() - s.addressCount());
      }
    }
    if (chosen.size() == k) {
      return;
    }
    for (int i = from; i < candidates.size(); i++) {
      chosen.add(candidates.get(i));
      choose(candidates, i + 1, chosen, k, s, best);
      chosen.remove(chosen.size() - 1);
    }
  }

  /** Least extra per number of blocks 0..k for the part of s in block b, over every sub-block. */
  static long[] exhaustive(Cidr b, CidrSet s, int k, CidrSet never, CidrSet pinned) {
    long inf = Long.MAX_VALUE / 4;
    long[] f = new long[k + 1];
    long inside = 0;
    for (Cidr c : s.cidrs()) {
      if (b.contains(c)) {
        inside += c.addressCount();
      } else if (c.contains(b)) {
        inside = b.addressCount();
      }
    }
    if (inside == 0) {
      return f; // nothing to cover: 0 with any number of blocks
    }
    java.util.Arrays.fill(f, inf);
    if (inside == b.addressCount()) {
      for (int j = 1; j <= k; j++) {
        f[j] = 0;
      }
      return f;
    }
    long[] l = exhaustive(Cidr.of(b.start(), b.prefix() + 1), s, k, never, pinned);
    long[] r = exhaustive(Cidr.of(b.start() + b.addressCount() / 2, b.prefix() + 1), s, k, never, pinned);
    for (int i = 0; i <= k; i++) {
      for (int j = 0; i + j <= k; j++) {
        if (l[i] < inf && r[j] < inf) {
          f[i + j] = Math.min(f[i + j], l[i] + r[j]);
        }
      }
    }
    for (int j = 1; j <= k; j++) {
      f[j] = Math.min(f[j], f[j - 1]);
    }
    if (allowed(b, s, never, pinned)) {
      for (int j = 1; j <= k; j++) {
        f[j] = Math.min(f[j], b.addressCount() - inside);
      }
    }
    return f;
  }
}
