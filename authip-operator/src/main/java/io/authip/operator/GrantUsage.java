package io.authip.operator;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which policies reached clusters through which grant in their last reconcile, for the grants' status. A cache of
 * what this process saw (rebuilt as policies reconcile after a restart or failover); it steers nothing.
 */
public final class GrantUsage {

  /** Policy (namespace/name) to the grants its last reconcile used. */
  private final Map<String, Set<String>> byPolicy = new ConcurrentHashMap<>();

  void record(String policy, Set<String> grants) {
    if (grants.isEmpty()) {
      byPolicy.remove(policy);
    } else {
      byPolicy.put(policy, Set.copyOf(grants));
    }
  }

  void forget(String policy) {
    byPolicy.remove(policy);
  }

  /** The policies that used {@code grant}, sorted. */
  TreeSet<String> policies(String grant) {
    TreeSet<String> out = new TreeSet<>();
    byPolicy.forEach((policy, grants) -> {
      if (grants.contains(grant)) {
        out.add(policy);
      }
    });
    return out;
  }
}
