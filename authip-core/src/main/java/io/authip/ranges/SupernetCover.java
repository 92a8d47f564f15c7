package io.authip.ranges;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The cover of a set of IPv4 ranges by at most K CIDR blocks that admits the fewest addresses beyond the set: what
 * authip offers when a list does not fit AKS's limit (the {@code Supernet} overflow strategy, {@code authip ranges
 * --fit}). Exact: a dynamic program over the compressed binary trie of the set's blocks. At each branching node the
 * best cover with at most k blocks is either the node's own block (when allowed) or the best split of k between its
 * two children; leaves are the set's blocks. Chains of single-child nodes need no state: the node at the chain's end
 * has the same addresses of the set and is the smallest block among them, and a block that is not allowed (it
 * overlaps a forbidden range, or widens a pinned one) makes every block above it not allowed either. With n blocks
 * in the set, the merges cost O(n·K) in all (each pair of leaves meets once, at their lowest common node, bounded by
 * K per side).
 *
 * <p>A block is allowed when it overlaps no forbidden range ({@code neverCover} and every range that is not
 * globally reachable, {@link SpecialRanges}) and, when it admits extra addresses, contains no pinned block (the
 * cluster's own egress and literal /32s are never widened). Pure; no I/O.
 */
public final class SupernetCover {

  /**
   * The optimal cover found.
   *
   * @param work pairs of child table entries the program combined (at most about n·K for n blocks in the set)
   */
  public record Result(List<Cidr> blocks, long desiredAddresses, long extraAddresses, long work) {

    /** Extra addresses as a percentage of the set's own addresses. */
    public double extraPercent() {
      return desiredAddresses == 0 ? 0 : 100.0 * extraAddresses / desiredAddresses;
    }

    /** The blocks that admit addresses beyond the set, widest first (ties in address order). */
    public List<Cidr> widened(CidrSet desired) {
      List<Cidr> out = new ArrayList<>();
      for (Cidr b : blocks) {
        if (!desired.covers(b)) {
          out.add(b);
        }
      }
      out.sort(Comparator.comparingInt(Cidr::prefix).thenComparing(Comparator.naturalOrder()));
      return out;
    }

    /**
     * The budget this cover exceeds, as {@code "<name> <limit>"} with the name the caller gives it (an option, a
     * field), addresses checked first; empty when within both (a null limit is no limit).
     */
    public Optional<String> exceeds(Long maxExtraAddresses, String addressesName, Double maxExtraPercent,
        String percentName) {
      if (maxExtraAddresses != null && extraAddresses > maxExtraAddresses) {
        return Optional.of(addressesName + " " + maxExtraAddresses);
      }
      if (maxExtraPercent != null && extraPercent() > maxExtraPercent) {
        return Optional.of(percentName + " " + maxExtraPercent);
      }
      return Optional.empty();
    }

    /** Extra addresses as a percentage with two decimals, e.g. {@code 4.90}. */
    public String extraPercentText() {
      return String.format(java.util.Locale.ROOT, "%.2f", extraPercent());
    }

    /** {@code "N blocks, E extra addresses (P %)"}. */
    public String summary() {
      return blocks.size() + " blocks, " + extraAddresses + " extra addresses (" + extraPercentText() + " %)";
    }
  }

  private static final long INF = Long.MAX_VALUE / 4;

  private final CidrSet desired;
  private final long[] forbiddenStart;
  private final long[] forbiddenEnd;
  private final CidrSet pinned;

  // The trie, in arrays: node i covers [start, start + 2^(32-len)).
  private long[] start;
  private int[] len;
  private int[] left;
  private int[] right;
  private long[] covered;
  private boolean[] hasPinned;
  private int[] leaves;
  private long[][] best;
  private int[][] split;
  private int nodes;
  private long work;

  private SupernetCover(CidrSet desired, CidrSet neverCover, CidrSet pinned) {
    this.desired = desired;
    List<Cidr> forbidden = new ArrayList<>(neverCover.cidrs());
    SpecialRanges.notGlobal().forEach(e -> forbidden.add(e.cidr()));
    CidrSet merged = CidrSet.of(forbidden);
    forbiddenStart = new long[merged.size()];
    forbiddenEnd = new long[merged.size()];
    for (int i = 0; i < merged.size(); i++) {
      forbiddenStart[i] = merged.get(i).start();
      forbiddenEnd[i] = merged.get(i).end();
    }
    this.pinned = pinned;
  }

  /**
   * The cover of {@code desired} with at most {@code maxBlocks} blocks admitting the fewest extra addresses, with the
   * fewest blocks among those; empty when no allowed cover has that few blocks. A set that already fits is returned
   * as it is.
   *
   * @param neverCover ranges no block may overlap (besides the non-public ones)
   * @param pinned blocks of the set that may only be covered by blocks admitting nothing else
   * @throws IllegalArgumentException when {@code desired} overlaps a forbidden range or {@code pinned} is not within it
   */
  public static Optional<Result> fit(CidrSet desired, int maxBlocks, CidrSet neverCover, CidrSet pinned) {
    if (maxBlocks < 1) {
      throw new IllegalArgumentException("maxBlocks must be at least 1");
    }
    SupernetCover cover = new SupernetCover(desired, neverCover, pinned);
    for (Cidr c : desired.cidrs()) {
      if (cover.forbidden(c.start(), c.end())) {
        throw new IllegalArgumentException(c + " is in the set and overlaps a range that may never be covered");
      }
    }
    for (Cidr p : pinned.cidrs()) {
      if (!desired.covers(p)) {
        throw new IllegalArgumentException("pinned " + p + " is not in the set");
      }
    }
    if (desired.size() <= maxBlocks) {
      return Optional.of(new Result(desired.cidrs(), desired.addressCount(), 0, 0));
    }
    return cover.solve(maxBlocks);
  }

  private Optional<Result> solve(int k) {
    int n = desired.size();
    int capacity = 2 * n;
    start = new long[capacity];
    len = new int[capacity];
    left = new int[capacity];
    right = new int[capacity];
    covered = new long[capacity];
    hasPinned = new boolean[capacity];
    leaves = new int[capacity];
    best = new long[capacity][];
    split = new int[capacity][];
    int root = build(0, n - 1, k);
    long[] f = best[root];
    int top = Math.min(k, leaves[root]);
    if (f[top] >= INF) {
      return Optional.empty();
    }
    int blocks = top;
    while (blocks > 1 && f[blocks - 1] == f[top]) {
      blocks--;
    }
    List<Cidr> out = new ArrayList<>();
    collect(root, blocks, out);
    out.sort(Comparator.naturalOrder());
    return Optional.of(new Result(List.copyOf(out), desired.addressCount(), f[top], work));
  }

  /** Builds the node over the set's blocks lo..hi (sorted, disjoint) and its table; returns its index. */
  private int build(int lo, int hi, int k) {
    int node = nodes++;
    if (lo == hi) {
      Cidr c = desired.get(lo);
      start[node] = c.start();
      len[node] = c.prefix();
      left[node] = -1;
      right[node] = -1;
      covered[node] = c.addressCount();
      hasPinned[node] = overlapsPinned(c);
      leaves[node] = 1;
      best[node] = new long[] {INF, 0};
      return node;
    }
    long first = desired.get(lo).start();
    long last = desired.get(hi).start();
    int common = Long.numberOfLeadingZeros((first ^ last) << 32); // bits shared by both (< 32: they differ)
    // Disjoint sorted blocks: every one between lies within the bits `first` and `last` share.
    int prefix = common;
    long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    start[node] = first & mask;
    len[node] = prefix;
    // The set's blocks are disjoint and sorted: those with bit `prefix` clear come first.
    long half = start[node] + (1L << (31 - prefix));
    int mid = lo;
    int a = lo;
    int b = hi;
    while (a <= b) {
      int m = (a + b) >>> 1;
      if (desired.get(m).start() < half) {
        mid = m + 1;
        a = m + 1;
      } else {
        b = m - 1;
      }
    }
    int l = build(lo, mid - 1, k);
    int r = build(mid, hi, k);
    left[node] = l;
    right[node] = r;
    covered[node] = covered[l] + covered[r];
    hasPinned[node] = hasPinned[l] || hasPinned[r];
    leaves[node] = leaves[l] + leaves[r];
    int cap = Math.min(k, leaves[node]);
    long[] f = new long[cap + 1];
    int[] choice = new int[cap + 1];
    Arrays.fill(f, INF);
    long[] fl = best[l];
    long[] fr = best[r];
    for (int i = 1; i < fl.length; i++) {
      if (fl[i] >= INF) {
        continue;
      }
      for (int j = 1; j < fr.length && i + j <= cap; j++) {
        work++;
        long cost = fl[i] + fr[j];
        if (cost < f[i + j]) {
          f[i + j] = cost;
          choice[i + j] = i;
        }
      }
    }
    long size = 1L << (32 - prefix);
    long extra = size - covered[node];
    boolean allowed = !forbidden(start[node], start[node] + size - 1) && !(hasPinned[node] && extra > 0);
    // Children's tables are "at most i blocks" (non-increasing), so the split table is too; the node's own block
    // takes one.
    for (int j = 1; j <= cap; j++) {
      if (allowed && extra < f[j]) {
        f[j] = extra;
        choice[j] = 0;
      }
    }
    best[node] = f;
    split[node] = choice;
    return node;
  }

  /** Adds the blocks of the best cover of {@code node} with at most {@code k} blocks. */
  private void collect(int node, int k, List<Cidr> out) {
    if (left[node] < 0) {
      out.add(Cidr.of(start[node], len[node]));
      return;
    }
    int c = split[node][k];
    if (c == 0) {
      out.add(Cidr.of(start[node], len[node]));
      return;
    }
    int l = left[node];
    int r = right[node];
    collect(l, c, out);
    collect(r, k - c, out);
  }

  private boolean overlapsPinned(Cidr c) {
    return pinned.firstOverlap(c).isPresent();
  }

  /** Whether [from, to] overlaps a forbidden range. */
  private boolean forbidden(long from, long to) {
    int i = Arrays.binarySearch(forbiddenEnd, from);
    if (i < 0) {
      i = -i - 1; // first range ending at or after `from`
    }
    return i < forbiddenStart.length && forbiddenStart[i] <= to;
  }
}
