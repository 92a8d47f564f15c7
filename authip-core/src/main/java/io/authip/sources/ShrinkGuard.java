package io.authip.sources;

import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Decides whether a source's new content replaces its content in use: a refresh that would remove more than
 * {@code maxShrinkPercent} of the addresses is held back (a feed that suddenly returns a fraction of itself is more
 * often broken than right, and what it drops would lock people out).
 */
public final class ShrinkGuard {

  private ShrinkGuard() {
  }

  /** What replacing {@code before} by {@code after} changes. */
  public record Change(CidrSet added, CidrSet removed, long beforeAddresses) {

    public double removedPercent() {
      return beforeAddresses == 0 ? 0 : removed.addressCount() * 100.0 / beforeAddresses;
    }

    public boolean isEmpty() {
      return added.isEmpty() && removed.isEmpty();
    }

    /**
     * E.g. {@code +2 blocks (512 addresses), -1 block (256 addresses, 3.1 %): added 20.1.0.0/24, 20.1.1.0/24;
     * removed 20.9.0.0/24}, at most five blocks named each way.
     */
    public String summary() {
      StringBuilder b = new StringBuilder();
      b.append('+').append(blocks(added.size())).append(" (").append(addresses(added.addressCount())).append("), -")
          .append(blocks(removed.size())).append(" (").append(addresses(removed.addressCount()));
      if (!removed.isEmpty()) {
        b.append(", ").append(String.format(Locale.ROOT, "%.1f", removedPercent())).append(" %");
      }
      b.append(')');
      if (!added.isEmpty()) {
        b.append(": added ").append(first(added));
      }
      if (!removed.isEmpty()) {
        b.append(added.isEmpty() ? ": " : "; ").append("removed ").append(first(removed));
      }
      return b.toString();
    }

    private static String first(CidrSet set) {
      String named = set.cidrs().stream().limit(5).map(Cidr::toString).collect(Collectors.joining(", "));
      return set.size() > 5 ? named + " and " + (set.size() - 5) + " more" : named;
    }

    private static String blocks(int n) {
      return n + (n == 1 ? " block" : " blocks");
    }

    private static String addresses(long n) {
      return String.format(Locale.ROOT, "%,d", n) + (n == 1 ? " address" : " addresses");
    }
  }

  public static Change change(CidrSet before, CidrSet after) {
    return new Change(after.minus(before), before.minus(after), before.addressCount());
  }

  /** The change when it removes more than {@code maxShrinkPercent} of {@code before}'s addresses; empty otherwise. */
  public static Optional<Change> held(CidrSet before, CidrSet after, int maxShrinkPercent) {
    Change c = change(before, after);
    return c.removedPercent() > maxShrinkPercent ? Optional.of(c) : Optional.empty();
  }
}
