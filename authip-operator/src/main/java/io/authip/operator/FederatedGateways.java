package io.authip.operator;

import io.authip.api.v1alpha1.GrantIdentity;
import io.authip.azure.AksGateway;
import io.authip.azure.ArmPacer;
import io.authip.azure.AzureAksGateway;
import io.authip.azure.AzureCallListener;
import io.authip.azure.AzureConfig;
import io.authip.azure.AzureCredentials;
import io.authip.azure.AzureHttpClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One gateway per (namespace, identity): requests for tenant A's clusters carry only a token of A's identity,
 * obtained by exchanging a token of A's ServiceAccount. All share one HTTP client; each has its own token cache and
 * its own cache of resolved addresses. Bounded by namespaces times grants with an identity.
 */
public final class FederatedGateways implements IdentityGateways {

  private final AzureConfig config;
  private final com.azure.core.http.HttpClient http;
  private final ServiceAccountTokens tokens;
  private final AzureCallListener listener;
  private final ConcurrentMap<Key, AksGateway> gateways = new ConcurrentHashMap<>();
  private final ArmPacer pacer;

  /** One gateway per namespace (whose ServiceAccount is exchanged) and identity (compared as the grant wrote it). */
  private record Key(String namespace, GrantIdentity identity) {
  }

  /**
   * @param audience the audience of the ServiceAccount tokens ({@link OperatorConfig#tokenAudience()})
   */
  public FederatedGateways(AzureConfig config, KubernetesClient client, String audience,
      AzureCallListener listener) {
    this(config, client, audience, listener,
        new ArmPacer(config.pacing() ? ArmPacer.Limits.azure() : ArmPacer.Limits.unlimited()));
  }

  /**
   * @param pacer the operator's own gateway's ({@link io.authip.azure.AzureAksGateway#pacer()}): AKS limits PUTs per
   *     cluster and lists per subscription whoever calls, so every identity must count against the same buckets
   */
  public FederatedGateways(AzureConfig config, KubernetesClient client, String audience,
      AzureCallListener listener, ArmPacer pacer) {
    this.pacer = pacer;
    this.config = config;
    this.http = AzureHttpClients.create(config);
    this.tokens = new ServiceAccountTokens(client, audience);
    this.listener = listener;
  }

  @Override
  public AksGateway gateway(String namespace, GrantIdentity identity) {
    GrantIdentity copy = new GrantIdentity(identity.getClientId(), identity.getTenantId(),
        identity.getServiceAccountName());
    return gateways.computeIfAbsent(new Key(namespace, copy), k -> AzureAksGateway.create(config, http,
        AzureCredentials.federated(config, http, identity.getTenantId(), identity.getClientId(),
            tokens.supplier(namespace, identity.getServiceAccountName())), listener, pacer, identity.getClientId()));
  }

  @Override
  public void retain(java.util.Set<GrantIdentity> inUse) {
    gateways.keySet().removeIf(k -> !inUse.contains(k.identity()));
  }

  /** How many (namespace, identity) gateways are held, for tests. */
  public int size() {
    return gateways.size();
  }
}
