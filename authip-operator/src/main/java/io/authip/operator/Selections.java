package io.authip.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which clusters the target selectors of each Enforce policy took, so that when two policies' selectors select the
 * same cluster the older policy keeps it (a cluster named in spec.targets is decided before, by the named targets).
 * A cache built by the passes themselves: after a restart, a younger policy may take a cluster for one pass until
 * the older policy's first pass claims it back.
 */
final class Selections {

  private record Claim(String age, String name) {
  }

  private final Map<ResourceID, Set<String>> byPolicy = new HashMap<>();
  private final Map<ResourceID, Claim> claims = new HashMap<>();
  private final Map<String, Set<ResourceID>> byCluster = new HashMap<>();

  synchronized void update(ResourceID policy, String age, Set<String> clusters) {
    forget(policy);
    byPolicy.put(policy, Set.copyOf(clusters));
    claims.put(policy, new Claim(age, policy.getNamespace().orElse("") + "/" + policy.getName()));
    for (String c : clusters) {
      byCluster.computeIfAbsent(c, k -> new java.util.HashSet<>()).add(policy);
    }
  }

  synchronized void forget(ResourceID policy) {
    Set<String> old = byPolicy.remove(policy);
    claims.remove(policy);
    if (old != null) {
      for (String c : old) {
        Set<ResourceID> owners = byCluster.get(c);
        if (owners != null) {
          owners.remove(policy);
          if (owners.isEmpty()) {
            byCluster.remove(c);
          }
        }
      }
    }
  }

  /** Any other policy whose selectors took the cluster. */
  synchronized Optional<String> other(io.authip.api.v1alpha1.AuthorizedIpPolicy policy, String clusterKey) {
    Set<ResourceID> owners = byCluster.get(clusterKey);
    ResourceID self = ResourceID.fromResource(policy);
    return owners == null ? Optional.empty() : owners.stream().filter(o -> !o.equals(self)).map(claims::get)
        .filter(java.util.Objects::nonNull).map(Claim::name).sorted().findFirst();
  }

  /** The oldest other policy whose selectors took the cluster, when it is older than {@code policy}. */
  synchronized Optional<String> olderThan(io.authip.api.v1alpha1.AuthorizedIpPolicy policy, String clusterKey) {
    Set<ResourceID> owners = byCluster.get(clusterKey);
    if (owners == null) {
      return Optional.empty();
    }
    ResourceID self = ResourceID.fromResource(policy);
    String age = PolicySyncer.ageOf(policy);
    return owners.stream().filter(o -> !o.equals(self)).map(claims::get)
        .filter(c -> c != null && c.age().compareTo(age) < 0)
        .min(java.util.Comparator.comparing(Claim::age)).map(Claim::name);
  }
}
