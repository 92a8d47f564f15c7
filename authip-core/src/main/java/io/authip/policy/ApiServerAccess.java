package io.authip.policy;

import io.authip.api.v1alpha1.Access;
import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import io.authip.ranges.RangeParser;
import io.authip.ranges.RangeRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The canonical meaning of AKS's {@code apiServerAccessProfile.authorizedIPRanges}: compared as sets, so
 * {@code 1.2.3.4} and {@code 1.2.3.4/32} in any order are the same access.
 *
 * @param access Unrestricted (empty list), LoadBalancerOnly ({@code 0.0.0.0/32}) or Restricted
 * @param ranges the canonical ranges (empty unless Restricted)
 * @param serviceTag a service tag (Restricted only), or null
 * @param unrecognized entries read from Azure that are neither a range nor a service tag, kept so that they show in
 *     a diff and are never silently dropped
 */
public record ApiServerAccess(Access access, CidrSet ranges, String serviceTag, List<String> unrecognized) {

  private static final Pattern SERVICE_TAG = Pattern.compile("[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z0-9]+)?");
  public static final ApiServerAccess UNRESTRICTED = new ApiServerAccess(Access.Unrestricted, CidrSet.empty(), null,
      List.of());
  public static final ApiServerAccess LOAD_BALANCER_ONLY = new ApiServerAccess(Access.LoadBalancerOnly,
      CidrSet.empty(), null, List.of());

  public ApiServerAccess {
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(ranges, "ranges");
    unrecognized = List.copyOf(unrecognized);
  }

  public static ApiServerAccess restricted(CidrSet ranges, String serviceTag) {
    return new ApiServerAccess(Access.Restricted, ranges, serviceTag, List.of());
  }

  /** Reads the list as AKS returns it. Null or empty means Unrestricted (rule R6). */
  public static ApiServerAccess fromAks(List<String> entries) {
    if (entries == null || entries.isEmpty()) {
      return UNRESTRICTED;
    }
    List<Cidr> cidrs = new ArrayList<>();
    List<String> unrecognized = new ArrayList<>();
    String tag = null;
    boolean lbOnly = false;
    for (String raw : entries) {
      String e = raw == null ? "" : raw.strip();
      RangeParser.Parsed parsed = RangeParser.parse(e);
      if (parsed instanceof RangeParser.Parsed.Ok ok) {
        if (ok.cidr().equals(RangeRules.LOAD_BALANCER_ONLY)) {
          lbOnly = true;
        } else {
          cidrs.add(ok.cidr());
        }
      } else if (tag == null && SERVICE_TAG.matcher(e).matches()) {
        tag = e;
      } else {
        unrecognized.add(e);
      }
    }
    if (lbOnly && cidrs.isEmpty() && tag == null && unrecognized.isEmpty()) {
      return LOAD_BALANCER_ONLY;
    }
    if (lbOnly) {
      unrecognized.add(0, RangeRules.LOAD_BALANCER_ONLY.toString());
    }
    return new ApiServerAccess(Access.Restricted, CidrSet.of(cidrs), tag, unrecognized);
  }

  /** The list to send to AKS. */
  public List<String> toAks() {
    return switch (access) {
      case Unrestricted -> List.of();
      case LoadBalancerOnly -> List.of(RangeRules.LOAD_BALANCER_ONLY.toString());
      case Restricted -> {
        List<String> out = new ArrayList<>();
        if (serviceTag != null) {
          out.add(serviceTag);
        }
        out.addAll(ranges.toStrings());
        out.addAll(unrecognized);
        yield List.copyOf(out);
      }
    };
  }

  /**
   * SHA-256 of the access and the AKS list ({@link #toAks()}, canonical), lower-case hex: equal for two accesses
   * exactly when they are the same. Lets a status say which list it means without holding it.
   */
  public String digest() {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      sha.update(access.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      for (String entry : toAks()) {
        sha.update((byte) '\n');
        sha.update(entry.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      return java.util.HexFormat.of().formatHex(sha.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** Number of entries AKS would count. */
  public int entryCount() {
    return toAks().size();
  }

  /** Short human form for messages and events. */
  public String describe() {
    return switch (access) {
      case Unrestricted -> "Unrestricted (no authorized IP ranges)";
      case LoadBalancerOnly -> "LoadBalancerOnly (0.0.0.0/32)";
      case Restricted -> entryCount() + " entries";
    };
  }
}
