package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * The namespaces a grant is for ({@code namespaces} or {@code namespaceSelector}, either matching is enough; neither
 * means none), the clusters their policies may change, the access they may ask for, and the identity to use.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TargetGrantSpec {

  @Size(max = 1000)
  @JsonPropertyDescription("Namespaces whose AuthorizedIpPolicies this grant is for, by name.")
  private List<String> namespaces;

  @JsonPropertyDescription("Namespaces whose AuthorizedIpPolicies this grant is for, by label (OR'd with namespaces). "
      + "An empty selector ({}) matches every namespace; absent matches none.")
  private LabelSelector namespaceSelector;

  @Size(min = 1, max = 100)
  @JsonPropertyDescription("The clusters those policies may change: a subscription ID, and optional case-insensitive "
      + "globs (* and ?) for the resource group and the cluster name (absent: any).")
  private List<GrantTarget> targets = new ArrayList<>();

  @JsonPropertyDescription("The access those policies may set. Default: Restricted and LoadBalancerOnly; "
      + "Unrestricted (the API server open to the internet) only when listed.")
  private List<Access> allowedAccess;

  @JsonPropertyDescription("The Azure identity used for these targets: a user-assigned managed identity or app "
      + "whose federated credential trusts the ServiceAccount serviceAccountName in the policy's namespace. Absent: "
      + "the operator's own identity.")
  private GrantIdentity identity;

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

  /** The access the grant allows: as listed, or Restricted and LoadBalancerOnly when absent. */
  public List<Access> effectiveAllowedAccess() {
    return allowedAccess == null || allowedAccess.isEmpty() ? List.of(Access.Restricted, Access.LoadBalancerOnly)
        : allowedAccess;
  }

  public List<GrantTarget> targetsOrEmpty() {
    return targets == null ? List.of() : targets;
  }

  public List<String> namespacesOrEmpty() {
    return namespaces == null ? List.of() : namespaces;
  }
}
