package io.authip.tenancy;

import java.util.Objects;

/**
 * A glob over one ARM name segment (a resource group, a cluster name): {@code *} is any run of characters (none
 * included), {@code ?} exactly one, everything else itself. Compared case-insensitively, one character at a time by
 * its simple upper-case mapping, as ARM compares resource IDs (ordinal ignore-case): never by a locale's lower-casing,
 * which folds the Kelvin sign into {@code k} and changes lengths. Immutable.
 */
public final class Glob {

  private static final Glob ANY = new Glob("*");

  private final String pattern;
  private final String folded;

  private Glob(String pattern) {
    this.pattern = pattern;
    this.folded = fold(pattern);
  }

  /** Each character by its simple upper-case mapping; the length never changes. */
  static String fold(String s) {
    char[] out = s.toCharArray();
    for (int i = 0; i < out.length; i++) {
      out[i] = Character.toUpperCase(out[i]);
    }
    return new String(out);
  }

  /** The glob as written; null or empty means any name. */
  public static Glob of(String pattern) {
    return pattern == null || pattern.isEmpty() ? ANY : new Glob(pattern);
  }

  public boolean matches(String name) {
    return name != null && match(folded, 0, fold(name), 0);
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
    return o instanceof Glob g && folded.equals(g.folded);
  }

  @Override
  public int hashCode() {
    return Objects.hash(folded);
  }

  @Override
  public String toString() {
    return pattern;
  }
}
