package io.authip.tenancy;

import java.util.Locale;
import java.util.Objects;

/**
 * A glob over one ARM name segment (a resource group, a cluster name): {@code *} is any run of characters (none
 * included), {@code ?} exactly one, everything else itself. Compared case-insensitively, as ARM compares resource
 * IDs. Immutable.
 */
public final class Glob {

  private static final Glob ANY = new Glob("*");

  private final String pattern;
  private final String lower;

  private Glob(String pattern) {
    this.pattern = pattern;
    this.lower = pattern.toLowerCase(Locale.ROOT);
  }

  /** The glob as written; null or empty means any name. */
  public static Glob of(String pattern) {
    return pattern == null || pattern.isEmpty() ? ANY : new Glob(pattern);
  }

  public boolean matches(String name) {
    return name != null && match(lower, 0, name.toLowerCase(Locale.ROOT), 0);
  }

  /** Whether it matches every name. */
  public boolean matchesAll() {
    return lower.chars().allMatch(c -> c == '*') && !lower.isEmpty();
  }

  /** Iterative wildcard matching with one backtrack point: linear in practice, never exponential. */
  private static boolean match(String p, int pi, String s, int si) {
    int star = -1;
    int mark = 0;
    while (si < s.length()) {
      if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == s.charAt(si))) {
        pi++;
        si++;
      } else if (pi < p.length() && p.charAt(pi) == '*') {
        star = pi++;
        mark = si;
      } else if (star >= 0) {
        pi = star + 1;
        si = ++mark;
      } else {
        return false;
      }
    }
    while (pi < p.length() && p.charAt(pi) == '*') {
      pi++;
    }
    return pi == p.length();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Glob g && lower.equals(g.lower);
  }

  @Override
  public int hashCode() {
    return Objects.hash(lower);
  }

  @Override
  public String toString() {
    return pattern;
  }
}
