package io.authip.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The difference between actual and desired access, for events and status messages. Both sides are canonical, so
 * "no difference" is exact set equality.
 *
 * @param added entries desired but not present
 * @param removed entries present but not desired
 */
public record AccessDiff(List<String> added, List<String> removed, boolean accessChanged) {

  public static AccessDiff between(ApiServerAccess actual, ApiServerAccess desired) {
    Set<String> have = new LinkedHashSet<>(actual.toAks());
    Set<String> want = new LinkedHashSet<>(desired.toAks());
    List<String> added = new ArrayList<>(want);
    added.removeAll(have);
    List<String> removed = new ArrayList<>(have);
    removed.removeAll(want);
    return new AccessDiff(List.copyOf(added), List.copyOf(removed), actual.access() != desired.access());
  }

  public boolean isEmpty() {
    return added.isEmpty() && removed.isEmpty() && !accessChanged;
  }

  /** E.g. {@code +2 -1 (added 20.1.2.0/24, 52.1.1.1/32; removed 40.1.1.1/32)}, shortened past a few entries. */
  public String summary() {
    StringBuilder sb = new StringBuilder("+").append(added.size()).append(" -").append(removed.size());
    List<String> parts = new ArrayList<>();
    if (!added.isEmpty()) {
      parts.add("added " + head(added));
    }
    if (!removed.isEmpty()) {
      parts.add("removed " + head(removed));
    }
    if (!parts.isEmpty()) {
      sb.append(" (").append(String.join("; ", parts)).append(')');
    }
    return sb.toString();
  }

  private static String head(List<String> entries) {
    int shown = Math.min(5, entries.size());
    String s = String.join(", ", entries.subList(0, shown));
    return entries.size() > shown ? s + " and " + (entries.size() - shown) + " more" : s;
  }
}
