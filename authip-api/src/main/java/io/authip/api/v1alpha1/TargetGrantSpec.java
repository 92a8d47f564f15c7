package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * The namespaces a grant is for ({@code allNamespaces}, {@code namespaces} or {@code namespaceSelector}, any matching
 * is enough; none of them is invalid), the clusters their policies may change, the access they may ask for, and the
 * identity to use.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TargetGrantSpec {

  @JsonPropertyDescription("The grant is for the policies of every namespace. Said explicitly: an empty "
      + "namespaceSelector is refused, since a misspelt field inside it would be dropped by the API server and leave {}.")
  private Boolean allNamespaces;

  @Size(max = 1000)
  @JsonPropertyDescription("Namespaces whose AuthorizedIpPolicies this grant is for, by name.")
  private List<String> namespaces;

  @JsonPropertyDescription("Namespaces whose AuthorizedIpPolicies this grant is for, by label (OR'd with namespaces): "
      + "matchLabels and/or matchExpressions, at least one of them (use allNamespaces for every namespace).")
  private LabelSelector namespaceSelector;

  @Size(min = 1, max = 100)
  @JsonPropertyDescription("The clusters those policies may change: a subscription ID, and optional case-insensitive "
      + "globs (* and ?) for the resource group and the cluster name (absent: any).")
  private List<GrantTarget> targets = new ArrayList<>();

  @Size(min = 1)
  @JsonPropertyDescription("The access those policies may set. Default (absent): Restricted and LoadBalancerOnly; "
      + "Unrestricted (the API server open to the internet) only when listed.")
  private List<Access> allowedAccess;

  @JsonPropertyDescription("The Azure identity used for these targets: a user-assigned managed identity or app "
      + "whose federated credential trusts the ServiceAccount serviceAccountName in the policy's namespace. Absent: "
      + "the operator's own identity.")
  private GrantIdentity identity;

  public Boolean getAllNamespaces() {
    return allNamespaces;
  }

  public void setAllNamespaces(Boolean allNamespaces) {
    this.allNamespaces = allNamespaces;
  }

  public List<String> getNamespaces() {
    return namespaces;
  }

  public void setNamespaces(List<String> namespaces) {
    this.namespaces = namespaces;
  }

  public LabelSelector getNamespaceSelector() {
    return namespaceSelector;
  }

  public void setNamespaceSelector(LabelSelector namespaceSelector) {
    this.namespaceSelector = namespaceSelector;
  }

  public List<GrantTarget> getTargets() {
    return targets;
  }

  public void setTargets(List<GrantTarget> targets) {
    this.targets = targets;
  }

  public List<Access> getAllowedAccess() {
    return allowedAccess;
  }

  public void setAllowedAccess(List<Access> allowedAccess) {
    this.allowedAccess = allowedAccess;
  }

  public GrantIdentity getIdentity() {
    return identity;
  }

  public void setIdentity(GrantIdentity identity) {
    this.identity = identity;
  }

  /** The access the grant allows: as listed (an empty list allows nothing), or Restricted and LoadBalancerOnly. */
  public List<Access> effectiveAllowedAccess() {
    return allowedAccess == null ? List.of(Access.Restricted, Access.LoadBalancerOnly)
        : allowedAccess.stream().filter(java.util.Objects::nonNull).toList();
  }

  public List<GrantTarget> targetsOrEmpty() {
    return targets == null ? List.of() : targets;
  }

  public List<String> namespacesOrEmpty() {
    return namespaces == null ? List.of() : namespaces;
  }
}
