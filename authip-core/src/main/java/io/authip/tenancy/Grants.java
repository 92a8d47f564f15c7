package io.authip.tenancy;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.ClusterTarget;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The valid grants at one moment, and the decision for a (namespace, cluster, access). Immutable.
 *
 * <p>Of several grants that allow a target, the first by name wins (so its identity is used): every replica and every
 * reconcile picks the same one. Grants only ever add: no grant can take away what another gives.
 */
public final class Grants {

  private static final int MAX_LISTED = 5;

  private final List<Grant> grants;

  public Grants(List<Grant> grants) {
    this.grants = grants.stream().sorted(Comparator.comparing(Grant::name)).toList();
  }

  public List<Grant> all() {
    return grants;
  }

  public java.util.Optional<Grant> named(String name) {
    return grants.stream().filter(g -> g.name().equals(name)).findFirst();
  }

  /**
   * @param namespace the policy's namespace
   * @param labels that namespace's labels, or null when unknown (only grants that name it, or all namespaces, apply)
   * @param target the cluster
   * @param access the access the policy asks for
   */
  public GrantDecision decide(String namespace, Map<String, String> labels, ClusterTarget target, Access access) {
    List<Grant> mine = grants.stream().filter(g -> g.appliesTo(namespace, labels)).toList();
    List<Grant> covering = mine.stream().filter(g -> g.covers(target)).toList();
    for (Grant g : covering) {
      if (g.allowed().contains(access)) {
        return new GrantDecision.Granted(g.name(), g.identity());
      }
    }
    String cluster = "cluster " + target.getClusterName() + " (subscription " + target.getSubscriptionId()
        + ", resource group " + target.getResourceGroup() + ")";
    if (!covering.isEmpty()) {
      return new GrantDecision.NotGranted("access " + access + " to " + cluster + " is not allowed to namespace "
          + namespace + ": " + covering.stream().map(g -> "TargetGrant " + g.name() + " allows " + g.allowedText())
              .collect(Collectors.joining("; ")) + ". Ask a cluster administrator to add " + access
          + " to spec.allowedAccess of a grant, or choose an allowed access");
    }
    if (mine.isEmpty()) {
      return new GrantDecision.NotGranted("no TargetGrant is for namespace " + namespace + ", so its policies may "
          + "change no cluster" + (labels == null ? " (its labels are not known yet, so no namespaceSelector was "
          + "judged)" : "") + "; ask a cluster administrator for a TargetGrant that lists " + namespace
          + " in spec.namespaces (or selects it by label) and covers " + cluster);
    }
    String have = mine.stream().limit(MAX_LISTED).map(g -> "TargetGrant " + g.name() + " covers " + g.scopes())
        .collect(Collectors.joining("; ")) + (mine.size() > MAX_LISTED ? "; and " + (mine.size() - MAX_LISTED)
        + " more grants" : "");
    return new GrantDecision.NotGranted(cluster + " is not granted to namespace " + namespace + " (" + have
        + "); ask a cluster administrator to add it to spec.targets of a grant for " + namespace);
  }
}
