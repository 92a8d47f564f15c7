package io.authip.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.identity.AzureCliCredentialBuilder;
import com.azure.identity.ChainedTokenCredentialBuilder;
import com.azure.identity.ClientAssertionCredentialBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * azure-identity's standard credentials in the order that suits an operator: workload identity in a pod, then
 * managed identity, then a client secret, then the Azure CLI of a developer.
 *
 * @param credential the chain
 * @param chain the names of its links, in order, for the start-up log
 */
public record AzureCredentials(TokenCredential credential, List<String> chain) {

  public AzureCredentials {
    chain = List.copyOf(chain);
  }

  /** Builds the chain from the configuration, every link on {@code httpClient} (which trusts the optional CA). */
  public static AzureCredentials create(AzureConfig config, HttpClient httpClient) {
    boolean custom = config.cloud() == AzureConfig.Cloud.Custom;
    String authority = config.authorityHost().toString();
    ChainedTokenCredentialBuilder chain = new ChainedTokenCredentialBuilder();
    List<String> names = new ArrayList<>();

    if (config.federatedTokenFile() != null) {
      WorkloadIdentityCredentialBuilder b = new WorkloadIdentityCredentialBuilder()
          .tenantId(config.tenantId())
          .clientId(config.clientId())
          .tokenFilePath(config.federatedTokenFile().toString())
          .authorityHost(authority)
          .httpClient(httpClient)
          .retryPolicy(ArmPipeline.retryPolicy(config));
      if (custom) {
        b.disableInstanceDiscovery();
      }
      chain.addLast(b.build());
      names.add("WorkloadIdentityCredential");
    }
    // A managed identity keeps azure-identity's own retries: IMDS has its own rules (410 while it starts, and so on).
    // A managed identity's token comes from the host's own cloud (IMDS), never from a custom authority, and probing
    // IMDS would reach for 169.254.169.254: so it is only part of the chain for the real clouds.
    if (!custom) {
      ManagedIdentityCredentialBuilder b = new ManagedIdentityCredentialBuilder().httpClient(httpClient);
      if (config.clientId() != null && config.clientSecret() == null) {
        b.clientId(config.clientId());
      }
      chain.addLast(b.build());
      names.add("ManagedIdentityCredential");
    }
    if (config.clientSecret() != null) {
      ClientSecretCredentialBuilder b = new ClientSecretCredentialBuilder()
          .tenantId(config.tenantId())
          .clientId(config.clientId())
          .clientSecret(config.clientSecret())
          .authorityHost(authority)
          .httpClient(httpClient)
          .retryPolicy(ArmPipeline.retryPolicy(config));
      if (custom) {
        b.disableInstanceDiscovery();
      }
      chain.addLast(b.build());
      names.add("ClientSecretCredential");
    }
    AzureCliCredentialBuilder cli = new AzureCliCredentialBuilder();
    if (config.tenantId() != null) {
      cli.tenantId(config.tenantId());
    }
    chain.addLast(cli.build());
    names.add("AzureCliCredential");
    return new AzureCredentials(new ExpiryBasedRefresh(chain.build(), Clock.systemUTC()), names);
  }

  /**
   * A federated identity: Entra ID exchanges {@code assertion} (a Kubernetes ServiceAccount token with audience
   * {@code api://AzureADTokenExchange}) for a token of {@code clientId}, and only when that identity has a federated
   * credential trusting the token's issuer and subject. The supplier is asked whenever a new Azure token is needed
   * (about hourly), so the ServiceAccount token it hands over is always fresh.
   */
  public static TokenCredential federated(AzureConfig config, HttpClient httpClient, String tenantId, String clientId,
      Supplier<String> assertion) {
    ClientAssertionCredentialBuilder b = new ClientAssertionCredentialBuilder()
        .tenantId(tenantId)
        .clientId(clientId)
        .clientAssertion(assertion)
        .authorityHost(config.authorityHost().toString())
        .httpClient(httpClient)
        .retryPolicy(ArmPipeline.retryPolicy(config));
    if (config.cloud() == AzureConfig.Cloud.Custom) {
      b.disableInstanceDiscovery();
    }
    return new ExpiryBasedRefresh(b.build(), Clock.systemUTC());
  }
}
