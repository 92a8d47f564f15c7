package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * An Azure identity for a grant's targets. authip asks Kubernetes (TokenRequest) for a short-lived token of the
 * ServiceAccount {@code serviceAccountName} in the policy's namespace, audience {@code api://AzureADTokenExchange},
 * and exchanges it with Entra ID for an ARM token of {@code clientId}: Entra only agrees when that identity has a
 * federated credential trusting exactly that ServiceAccount.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GrantIdentity {

  /** A ServiceAccount name: a DNS subdomain. */
  public static final String SERVICE_ACCOUNT_PATTERN = "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$";

  @Required
  @Pattern(ClusterTarget.SUBSCRIPTION_PATTERN)
  @JsonPropertyDescription("Client ID of the user-assigned managed identity or app registration (a GUID).")
  private String clientId;

  @Required
  @Pattern(ClusterTarget.SUBSCRIPTION_PATTERN)
  @JsonPropertyDescription("Entra ID tenant of the identity (a GUID).")
  private String tenantId;

  @Required
  @Pattern(SERVICE_ACCOUNT_PATTERN)
  @JsonPropertyDescription("The ServiceAccount, in the policy's namespace, that the identity's federated credential "
      + "trusts (subject system:serviceaccount:<namespace>:<name>). The operator may request tokens for this one "
      + "name only (its RBAC).")
  private String serviceAccountName;

  public GrantIdentity() {
  }

  public GrantIdentity(String clientId, String tenantId, String serviceAccountName) {
    this.clientId = clientId;
    this.tenantId = tenantId;
    this.serviceAccountName = serviceAccountName;
  }

  public String getClientId() {
    return clientId;
  }

  public void setClientId(String clientId) {
    this.clientId = clientId;
  }

  public String getTenantId() {
    return tenantId;
  }

  public void setTenantId(String tenantId) {
    this.tenantId = tenantId;
  }

  public String getServiceAccountName() {
    return serviceAccountName;
  }

  public void setServiceAccountName(String serviceAccountName) {
    this.serviceAccountName = serviceAccountName;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GrantIdentity g && java.util.Objects.equals(clientId, g.clientId)
        && java.util.Objects.equals(tenantId, g.tenantId)
        && java.util.Objects.equals(serviceAccountName, g.serviceAccountName);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(clientId, tenantId, serviceAccountName);
  }
}
