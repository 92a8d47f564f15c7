package io.authip.tenancy;

import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.GrantIdentity;
import io.authip.api.v1alpha1.GrantTarget;
import io.authip.api.v1alpha1.TargetGrant;
import io.authip.api.v1alpha1.TargetGrantSpec;
import io.authip.policy.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks a TargetGrant. Pure; every problem at once, each with its field. A grant with any problem grants nothing
 * (fail closed): a typo in an administrator's grant never widens what tenants may do.
 */
public final class GrantValidator {

  private static final Pattern GUID = Pattern.compile(ClusterTarget.SUBSCRIPTION_PATTERN);
  private static final Pattern RESOURCE_GROUP = Pattern.compile(GrantTarget.RESOURCE_GROUP_GLOB,
      Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern CLUSTER_NAME = Pattern.compile(GrantTarget.CLUSTER_NAME_GLOB);
  private static final Pattern SERVICE_ACCOUNT = Pattern.compile(GrantIdentity.SERVICE_ACCOUNT_PATTERN);
  /** A namespace name: a DNS label. */
  private static final Pattern NAMESPACE = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

  private GrantValidator() {
  }

  public static List<FieldError> validate(TargetGrant grant) {
    List<FieldError> read = new ArrayList<>();
    for (String problem : grant.getReadProblems()) {
      int colon = problem.indexOf(": ");
      read.add(colon > 0 ? new FieldError(problem.substring(0, colon), problem.substring(colon + 2))
          : new FieldError("", problem));
    }
    // A field that could not be read is reported once, as read: its null value is not a second problem.
    java.util.Set<String> unreadable = new java.util.HashSet<>();
    read.forEach(e -> unreadable.add(e.field()));
    List<FieldError> errors = new ArrayList<>(read);
    checkSpec(grant, errors);
    return errors.stream().filter(e -> read.contains(e) || !unreadable.contains(e.field())).toList();
  }

  private static void checkSpec(TargetGrant grant, List<FieldError> errors) {
    TargetGrantSpec spec = grant.getSpec();
    if (spec == null) {
      errors.add(new FieldError("spec", "required: a grant names namespaces, targets and the access allowed"));
      return;
    }
    List<String> namespaces = spec.namespacesOrEmpty();
    for (int i = 0; i < namespaces.size(); i++) {
      String ns = namespaces.get(i);
      if (ns == null || !NAMESPACE.matcher(ns).matches()) {
        errors.add(new FieldError("spec.namespaces[" + i + "]", "'" + ns + "' is not a namespace name (lower-case "
            + "letters, digits and '-', at most 63, e.g. payments)"));
      }
    }
    boolean all = Boolean.TRUE.equals(spec.getAllNamespaces());
    if (namespaces.isEmpty() && spec.getNamespaceSelector() == null && !all) {
      errors.add(new FieldError("spec.namespaces", "name at least one namespace, or set spec.namespaceSelector, or "
          + "spec.allNamespaces: true: a grant for no namespace grants nothing"));
    }
    var selector = spec.getNamespaceSelector();
    if (selector != null && (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
        && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty())) {
      errors.add(new FieldError("spec.namespaceSelector", "an empty selector would select every namespace (a "
          + "misspelt matchLabels is dropped by the API server and leaves {}); write matchLabels or "
          + "matchExpressions, or spec.allNamespaces: true if every namespace is meant"));
    }
    if (selector != null && selector.getMatchLabels() != null) {
      selector.getMatchLabels().forEach((k, v) -> {
        if (k == null || k.isBlank() || v == null) {
          errors.add(new FieldError("spec.namespaceSelector.matchLabels", "'" + k + "': " + v + " is not a label "
              + "and value; write key: value, e.g. team: payments"));
        }
      });
    }
    NamespaceSelectors.problems(spec.getNamespaceSelector(), "spec.namespaceSelector").forEach(p -> {
      int colon = p.indexOf(": ");
      errors.add(new FieldError(p.substring(0, colon), p.substring(colon + 2)));
    });
    List<GrantTarget> targets = spec.targetsOrEmpty();
    if (targets.isEmpty()) {
      errors.add(new FieldError("spec.targets", "name at least one subscription (with optional resource group and "
          + "cluster globs): a grant without targets grants nothing"));
    }
    for (int i = 0; i < targets.size(); i++) {
      GrantTarget t = targets.get(i);
      String at = "spec.targets[" + i + "]";
      if (t == null) {
        errors.add(new FieldError(at, "must not be null"));
        continue;
      }
      if (t.getSubscriptionId() == null || !GUID.matcher(t.getSubscriptionId()).matches()) {
        errors.add(new FieldError(at + ".subscriptionId", "'" + t.getSubscriptionId() + "' is not a subscription "
            + "ID; write the GUID, e.g. 6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b (subscriptions take no glob)"));
      }
      if (t.getResourceGroup() != null && !RESOURCE_GROUP.matcher(t.getResourceGroup()).matches()) {
        errors.add(new FieldError(at + ".resourceGroup", "'" + t.getResourceGroup() + "' is not a resource group "
            + "name or glob (letters, digits, '-', '_', '.', '(', ')', with * and ?; at most 90), e.g. rg-payments-*"));
      }
      if (t.getClusterName() != null && !CLUSTER_NAME.matcher(t.getClusterName()).matches()) {
        errors.add(new FieldError(at + ".clusterName", "'" + t.getClusterName() + "' is not a cluster name or glob "
            + "(letters, digits, '-', '_', with * and ?; at most 63), e.g. aks-*"));
      }
    }
    if (spec.getAllowedAccess() != null && spec.getAllowedAccess().isEmpty()) {
      errors.add(new FieldError("spec.allowedAccess", "is empty, so it would allow nothing; list the access values "
          + "allowed (Restricted, LoadBalancerOnly, Unrestricted), or leave it out for Restricted and LoadBalancerOnly"));
    }
    if (spec.getAllowedAccess() != null) {
      for (int i = 0; i < spec.getAllowedAccess().size(); i++) {
        if (spec.getAllowedAccess().get(i) == null) {
          errors.add(new FieldError("spec.allowedAccess[" + i + "]", "must be Restricted, LoadBalancerOnly or "
              + "Unrestricted"));
        }
      }
    }
    GrantIdentity id = spec.getIdentity();
    if (id != null) {
      if (id.getClientId() == null || !GUID.matcher(id.getClientId()).matches()) {
        errors.add(new FieldError("spec.identity.clientId", "'" + id.getClientId() + "' is not a client ID; write "
            + "the GUID of the managed identity or app registration"));
      }
      if (id.getTenantId() == null || !GUID.matcher(id.getTenantId()).matches()) {
        errors.add(new FieldError("spec.identity.tenantId", "'" + id.getTenantId() + "' is not a tenant ID; write "
            + "the GUID of the Entra ID tenant"));
      }
      if (id.getServiceAccountName() == null || !SERVICE_ACCOUNT.matcher(id.getServiceAccountName()).matches()) {
        errors.add(new FieldError("spec.identity.serviceAccountName", "'" + id.getServiceAccountName() + "' is not "
            + "a ServiceAccount name (lower-case letters, digits, '-' and '.'), e.g. authip-tenant"));
      }
    }
  }
}
