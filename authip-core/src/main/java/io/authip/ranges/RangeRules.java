package io.authip.ranges;

import java.util.Optional;

/**
 * The rules one authorized-IP entry must satisfy in AKS (rules R1, R2, R3 and R5 of the domain reference), with
 * messages that say what was wrong and what would be right.
 */
public final class RangeRules {

  /** AKS's maximum number of entries in {@code authorizedIPRanges} (rule R4). */
  public static final int AKS_MAX_ENTRIES = 200;
  /**
   * AKS's documented limit with API Server VNet Integration ("supports up to 2,000"); whether the service enforces it
   * instead of 200 is unverified, so the operator makes it a setting.
   */
  public static final int AKS_VNET_INTEGRATION_MAX_ENTRIES = 2_000;

  /** AKS's spelling of "only the load balancer's outbound IPs" (rule R5). */
  public static final Cidr LOAD_BALANCER_ONLY = Cidr.of(0, 32);

  private RangeRules() {
  }

  /** A checked entry: the block, or why it is refused. */
  public sealed interface Checked {
    record Valid(Cidr cidr) implements Checked {
    }

    record Invalid(String message) implements Checked {
    }
  }

  /** Parses and checks one user-written entry. */
  public static Checked check(String text) {
    RangeParser.Parsed parsed = RangeParser.parse(text);
    if (parsed instanceof RangeParser.Parsed.Error e) {
      return new Checked.Invalid(e.message());
    }
    Cidr cidr = ((RangeParser.Parsed.Ok) parsed).cidr();
    Optional<String> problem = publicProblem(cidr);
    return problem.<Checked>map(Checked.Invalid::new).orElseGet(() -> new Checked.Valid(cidr));
  }

  /** Why a block may not be authorized, or empty when it is a public range. */
  public static Optional<String> publicProblem(Cidr cidr) {
    if (cidr.equals(LOAD_BALANCER_ONLY)) {
      return Optional.of("0.0.0.0/32 is AKS's marker for \"load balancer outbound IPs only\" and cannot be combined "
          + "with other ranges; set access: LoadBalancerOnly instead of listing it");
    }
    if (cidr.prefix() == 0) {
      // Whoever writes 0.0.0.0/0 means "open to everyone": point at the explicit spelling of that, not at splitting.
      return Optional.of(cidr + " would authorize every address; set access: Unrestricted if that is really meant");
    }
    return SpecialRanges.firstOverlap(cidr).map(special -> special.cidr().contains(cidr)
        ? cidr + " is not a public range: it lies in " + special + "; only globally reachable addresses can "
            + "reach a public API server"
        : cidr + " is not a public range: it contains " + special + "; split it so that only public "
            + "addresses remain");
  }

  /** The over-limit message, or empty when {@code count} fits. Never truncates: the caller refuses. */
  public static Optional<String> limitProblem(int count, int max) {
    if (count <= max) {
      return Optional.empty();
    }
    return Optional.of(count + " ranges after merging duplicates, overlaps and adjacent ranges; "
        + (count - max) + " over the limit of " + max);
  }
}
