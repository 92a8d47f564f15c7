package io.authip.tenancy;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.GrantIdentity;
import io.authip.api.v1alpha1.GrantTarget;
import io.authip.api.v1alpha1.TargetGrant;
import io.authip.api.v1alpha1.TargetGrantSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One valid TargetGrant as the decisions use it. Immutable. Built only from a grant {@link GrantValidator} accepted:
 * an invalid grant grants nothing.
 *
 * @param name the grant's name
 * @param allNamespaces whether the grant is for every namespace
 * @param namespaces the namespaces named
 * @param selector the namespace selector, or null
 * @param scopes the clusters covered
 * @param allowed the access allowed
 * @param identity the Azure identity, or null for the operator's own
 */
public record Grant(String name, boolean allNamespaces, Set<String> namespaces, LabelSelector selector,
    List<Scope> scopes,
    Set<Access> allowed, GrantIdentity identity) {

  public Grant {
    namespaces = Set.copyOf(namespaces);
    scopes = List.copyOf(scopes);
    allowed = Set.copyOf(allowed);
  }

  /**
   * Clusters of one subscription whose resource group and name match the globs.
   *
   * @param subscriptionId lower case
   */
  public record Scope(String subscriptionId, Glob resourceGroup, Glob clusterName) {

    public boolean covers(ClusterTarget t) {
      return t.getSubscriptionId() != null && subscriptionId.equals(t.getSubscriptionId().toLowerCase(Locale.ROOT))
          && resourceGroup.matches(t.getResourceGroup()) && clusterName.matches(t.getClusterName());
    }

    /** Whether a resource of this subscription and resource group is inside the scope (the cluster name aside). */
    public boolean coversResourceGroup(String subscription, String group) {
      return subscription != null && subscriptionId.equals(subscription.toLowerCase(Locale.ROOT))
          && resourceGroup.matches(group);
    }

    @Override
    public String toString() {
      return "subscription " + subscriptionId + ", resource group " + resourceGroup + ", cluster " + clusterName;
    }
  }

  /** The grant as the decisions read it; call only for a grant without validation errors. */
  public static Grant of(TargetGrant grant) {
    TargetGrantSpec spec = grant.getSpec();
    List<Scope> scopes = spec.targetsOrEmpty().stream()
        .map((GrantTarget t) -> new Scope(t.getSubscriptionId().toLowerCase(Locale.ROOT), Glob.of(t.getResourceGroup()),
            Glob.of(t.getClusterName())))
        .toList();
    return new Grant(grant.getMetadata().getName(), Boolean.TRUE.equals(spec.getAllNamespaces()),
        Set.copyOf(spec.namespacesOrEmpty()), spec.getNamespaceSelector(), scopes,
        Set.copyOf(spec.effectiveAllowedAccess()), spec.getIdentity());
  }

  /**
   * Whether the grant is for this namespace: every namespace, listed by name, or selected by its labels.
   *
   * @param labels the namespace's labels, or null when they are not known (then no selector is judged: a NotIn or
   *     DoesNotExist selector must not match labels that are merely unknown)
   */
  public boolean appliesTo(String namespace, Map<String, String> labels) {
    return allNamespaces || namespaces.contains(namespace)
        || labels != null && NamespaceSelectors.matches(selector, labels);
  }

  private static final java.util.regex.Pattern RESOURCE_ID = java.util.regex.Pattern.compile(
      "^/subscriptions/([^/]+)/resourceGroups/([^/]+)/.*$", java.util.regex.Pattern.CASE_INSENSITIVE);

  /**
   * Whether an ARM resource ID (a public IP or prefix a policy names as extra egress) lies in a subscription and
   * resource group this grant covers.
   */
  public boolean coversResource(String resourceId) {
    java.util.regex.Matcher m = resourceId == null ? null : RESOURCE_ID.matcher(resourceId);
    return m != null && m.matches() && scopes.stream().anyMatch(s -> s.coversResourceGroup(m.group(1), m.group(2)));
  }

  public boolean covers(ClusterTarget target) {
    return scopes.stream().anyMatch(s -> s.covers(target));
  }

  /** The allowed access in the API's order, for messages. */
  public String allowedText() {
    return java.util.Arrays.stream(Access.values()).filter(allowed::contains).map(Access::name)
        .collect(Collectors.joining(", "));
  }
}
