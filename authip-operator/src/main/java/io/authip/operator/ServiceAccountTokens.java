package io.authip.operator;

import io.authip.azure.AssertionUnavailableException;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.function.Supplier;

/**
 * Short-lived ServiceAccount tokens from the Kubernetes TokenRequest API, for Entra ID's token exchange. Nothing is
 * cached here: azure-identity asks only when it needs a new Azure token (about hourly per identity), and each time
 * gets a token minted for it.
 */
public final class ServiceAccountTokens {

  /** Kubernetes' minimum is 10 minutes; an hour is what the workload identity webhook projects. */
  static final long EXPIRATION_SECONDS = 3600;

  private final KubernetesClient client;
  private final String audience;

  /**
   * @param audience what the identities' federated credentials expect ({@code api://AzureADTokenExchange} unless
   *     they were created with another)
   */
  public ServiceAccountTokens(KubernetesClient client, String audience) {
    this.client = client;
    this.audience = audience;
  }

  /** A supplier of fresh tokens of ServiceAccount {@code namespace/name}, for the token exchange. */
  public Supplier<String> supplier(String namespace, String name) {
    return () -> request(namespace, name);
  }

  String request(String namespace, String name) {
    TokenRequest request = new TokenRequestBuilder().withNewSpec().withAudiences(audience)
        .withExpirationSeconds(EXPIRATION_SECONDS).endSpec().build();
    try {
      TokenRequest answer = client.serviceAccounts().inNamespace(namespace).withName(name).tokenRequest(request);
      if (answer == null || answer.getStatus() == null || answer.getStatus().getToken() == null
          || answer.getStatus().getToken().isBlank()) {
        throw new AssertionUnavailableException("Kubernetes answered the TokenRequest for ServiceAccount " + namespace
            + "/" + name + " without a token", true, null);
      }
      return answer.getStatus().getToken();
    } catch (KubernetesClientException e) {
      int code = e.getCode();
      String server = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
          : firstLine(e.getMessage());
      String why = code == 404 ? "it does not exist; create ServiceAccount " + name + " in namespace " + namespace
          + " (see docs/installation.md, tenancy)"
          : code == 403 && server.contains("being terminated") ? "the namespace is being deleted, and Kubernetes "
              + "mints no tokens in a terminating namespace (" + server + ")"
          : code == 403 ? "refused (" + server + "); the chart's RBAC allows create on serviceaccounts/token only for "
              + "the name in tenancy.serviceAccountName"
          : "HTTP " + code + ": " + server;
      boolean transientFailure = code == 0 || code == 429 || code >= 500;
      throw new AssertionUnavailableException("cannot get a token of ServiceAccount " + namespace + "/" + name
          + " for the token exchange: " + why, transientFailure, e);
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
