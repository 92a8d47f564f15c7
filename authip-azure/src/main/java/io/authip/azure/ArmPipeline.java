package io.authip.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.policy.AddDatePolicy;
import com.azure.core.http.policy.RequestIdPolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.http.policy.UserAgentPolicy;
import com.azure.resourcemanager.resources.fluentcore.policy.AuthenticationPolicy;
import java.time.temporal.ChronoUnit;

/**
 * The one HTTP pipeline to Resource Manager, shared by the typed clients of every subscription and by the raw
 * cluster GET/PUT and operation polls.
 *
 * <p>Built here rather than by a manager's {@code configure()} to leave out the SDK's provider-registration policy:
 * authip only touches clusters that exist, and must not try to register resource providers (a write permission it
 * does not need) when ARM answers 409 {@code MissingSubscriptionRegistration}.
 */
final class ArmPipeline {

  static final String USER_AGENT = "authip";

  private ArmPipeline() {
  }

  static HttpPipeline create(AzureConfig config, TokenCredential credential, HttpClient httpClient,
      AzureCallListener listener) {
    return create(config, credential, httpClient, listener, null, null);
  }

  /**
   * @param pacer told what Azure answered about the request budget (remaining-request headers, 429s) of
   *     {@code principal}; null for none
   */
  static HttpPipeline create(AzureConfig config, TokenCredential credential, HttpClient httpClient,
      AzureCallListener listener, ArmPacer pacer, String principal) {
    // As the SDK does: audience + "/.default", so "https://management.core.windows.net/" gives the v1 resource with
    // its trailing slash ("https://management.core.windows.net//.default").
    String scope = config.armAudience() + "/.default";
    java.util.List<com.azure.core.http.policy.HttpPipelinePolicy> policies = new java.util.ArrayList<>(java.util.List.of(
        new UserAgentPolicy(USER_AGENT),
        new RequestIdPolicy(),
        retryPolicy(config),
        new AddDatePolicy(),
        new AuthenticationPolicy(credential, config.environment(), scope),
        new CallRecordingPolicy(listener)));
    if (pacer != null) {
      // After the retry policy: every attempt's answer corrects the pacer's buckets.
      policies.add(new PacingPolicy(pacer, principal));
    }
    return new HttpPipelineBuilder()
        .httpClient(httpClient)
        .policies(policies.toArray(new com.azure.core.http.policy.HttpPipelinePolicy[0]))
        .build();
  }

  /** Bounded retries (see {@link ArmRetryStrategy}); also used for token requests, so they are bounded too. */
  static RetryPolicy retryPolicy(AzureConfig config) {
    return new RetryPolicy(new ArmRetryStrategy(config.maxRetries(), config.retryDelay(), config.maxRetryAfter()),
        ArmRetryStrategy.NEVER_SENT_HEADER, ChronoUnit.SECONDS);
  }
}
