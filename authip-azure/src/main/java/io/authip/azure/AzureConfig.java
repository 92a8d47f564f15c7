package io.authip.azure;

import com.azure.core.management.AzureEnvironment;
import com.azure.identity.AzureAuthorityHosts;
import io.authip.policy.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How authip reaches Azure, read once at start-up from environment variables and checked before anything runs.
 *
 * <p>Build it with {@link #fromEnvironment(Map)}; every problem is reported at once in an {@link Invalid}. The
 * client secret is kept but never shown: {@link #toString()} and {@link #describe()} say only whether it is set.
 *
 * @param cloud which Azure cloud
 * @param armEndpoint the Resource Manager endpoint, ending in a slash
 * @param authorityHost the Microsoft Entra authority host, ending in a slash
 * @param armAudience the token audience for Resource Manager (the scope is this plus {@code .default})
 * @param caFile a PEM file of certificates trusted in addition to the JDK's, or null
 * @param tenantId {@code AZURE_TENANT_ID}, or null
 * @param clientId {@code AZURE_CLIENT_ID}, or null
 * @param clientSecret {@code AZURE_CLIENT_SECRET}, or null; never shown
 * @param federatedTokenFile {@code AZURE_FEDERATED_TOKEN_FILE} (workload identity), or null
 * @param maxRetryAfter the longest {@code Retry-After} slept on inside the SDK; longer ones become Throttled
 * @param resolveCacheTtl how long a resolved public IP or prefix is reused
 * @param maxRetries retries inside the SDK for 5xx, 408, resets and timeouts
 * @param retryDelay the first retry delay; it doubles per retry up to 8 times this
 * @param httpTimeout how long to wait for a response (and for a connection) before giving up on an attempt
 * @param pacing whether requests are paced client-side with Azure's published limits ({@link ArmPacer.Limits#azure()})
 */
public record AzureConfig(
    Cloud cloud,
    URI armEndpoint,
    URI authorityHost,
    String armAudience,
    Path caFile,
    String tenantId,
    String clientId,
    String clientSecret,
    Path federatedTokenFile,
    Duration maxRetryAfter,
    Duration resolveCacheTtl,
    int maxRetries,
    Duration retryDelay,
    Duration httpTimeout,
    boolean pacing) {

  public static final String AZURE_CLOUD = "AZURE_CLOUD";
  public static final String ARM_ENDPOINT = "AUTHIP_ARM_ENDPOINT";
  public static final String AUTHORITY_HOST = "AUTHIP_AUTHORITY_HOST";
  public static final String ARM_AUDIENCE = "AUTHIP_ARM_AUDIENCE";
  public static final String ARM_CA_FILE = "AUTHIP_ARM_CA_FILE";
  /** azure-identity's own variable, set by the AKS workload identity webhook; only checked against the cloud. */
  public static final String AZURE_AUTHORITY_HOST = "AZURE_AUTHORITY_HOST";
  public static final String TENANT_ID = "AZURE_TENANT_ID";
  public static final String CLIENT_ID = "AZURE_CLIENT_ID";
  public static final String CLIENT_SECRET = "AZURE_CLIENT_SECRET";
  public static final String FEDERATED_TOKEN_FILE = "AZURE_FEDERATED_TOKEN_FILE";
  public static final String MAX_RETRY_AFTER = "AUTHIP_AZURE_MAX_RETRY_AFTER";
  public static final String RESOLVE_CACHE_TTL = "AUTHIP_RESOLVE_CACHE_TTL";
  public static final String MAX_RETRIES = "AUTHIP_AZURE_MAX_RETRIES";
  public static final String RETRY_DELAY = "AUTHIP_AZURE_RETRY_DELAY";
  public static final String HTTP_TIMEOUT = "AUTHIP_AZURE_HTTP_TIMEOUT";
  /** {@code azure} (the default): pace requests with Azure's published limits; {@code off}: send them as they come. */
  public static final String PACING = "AUTHIP_AZURE_PACING";

  /**
   * No 429 is slept on inside the SDK: its Retry-After holds the pacer's bucket instead, and the reconcile is
   * rescheduled rather than kept waiting.
   */
  public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ZERO;
  public static final Duration DEFAULT_RESOLVE_CACHE_TTL = Duration.ofMinutes(5);
  public static final int DEFAULT_MAX_RETRIES = 3;
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofMillis(800);
  public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(30);

  /** The public cloud's Resource Manager audience; custom clouds (the emulator) use it unless told otherwise. */
  public static final String PUBLIC_ARM_AUDIENCE = "https://management.core.windows.net/";


  /** The clouds authip knows; {@code Custom} takes its endpoints from {@value #ARM_ENDPOINT} and {@value #AUTHORITY_HOST}. */
  public enum Cloud {
    AzurePublicCloud,
    AzureChinaCloud,
    AzureUSGovernment,
    Custom
  }

  /** Everything wrong with the environment, one line per problem; never contains a secret. */
  public static final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    Invalid(List<String> problems) {
      super("invalid Azure configuration:\n  - " + String.join("\n  - ", problems));
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }

  public AzureConfig {
    Objects.requireNonNull(cloud, "cloud");
    Objects.requireNonNull(armEndpoint, "armEndpoint");
    Objects.requireNonNull(authorityHost, "authorityHost");
    Objects.requireNonNull(armAudience, "armAudience");
    Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
    Objects.requireNonNull(resolveCacheTtl, "resolveCacheTtl");
    Objects.requireNonNull(retryDelay, "retryDelay");
    Objects.requireNonNull(httpTimeout, "httpTimeout");
  }

  /**
   * Reads and checks the configuration.
   *
   * @param env the environment, {@code System.getenv()} in production
   * @throws Invalid listing every problem found
   */
  public static AzureConfig fromEnvironment(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    Map<String, String> e = new HashMap<>();
    env.forEach((k, v) -> {
      if (v != null && !v.isBlank()) {
        e.put(k, v.strip());
      }
    });

    Cloud cloud = parseCloud(e.get(AZURE_CLOUD), problems);
    URI arm = null;
    URI authority = null;
    String audience = null;
    if (cloud == Cloud.Custom) {
      arm = httpsUrl(ARM_ENDPOINT, e.get(ARM_ENDPOINT), true, problems);
      authority = httpsUrl(AUTHORITY_HOST, e.get(AUTHORITY_HOST), true, problems);
      audience = e.containsKey(ARM_AUDIENCE) ? e.get(ARM_AUDIENCE) : PUBLIC_ARM_AUDIENCE;
    } else if (cloud != null) {
      for (String name : List.of(ARM_ENDPOINT, AUTHORITY_HOST, ARM_AUDIENCE)) {
        if (e.containsKey(name)) {
          problems.add(name + " is only used with " + AZURE_CLOUD + "=Custom (it is " + cloud + ")");
        }
      }
      AzureEnvironment sdk = sdkEnvironment(cloud);
      arm = URI.create(withSlash(sdk.getResourceManagerEndpoint()));
      authority = URI.create(withSlash(authorityHostOf(cloud)));
      audience = sdk.getManagementEndpoint();
      String injected = e.get(AZURE_AUTHORITY_HOST);
      // The webhook knows which cloud the pod runs in; a different one here would only fail later, at the token.
      if (injected != null && !withSlash(injected).equalsIgnoreCase(authority.toString())) {
        problems.add(AZURE_AUTHORITY_HOST + "=" + injected + " is not the authority of " + AZURE_CLOUD + "=" + cloud
            + " (" + authority + "); set " + AZURE_CLOUD + " to the cloud the cluster runs in");
      }
    }

    Path ca = null;
    if (e.containsKey(ARM_CA_FILE)) {
      ca = Path.of(e.get(ARM_CA_FILE));
      try {
        if (TrustedCertificates.read(ca).isEmpty()) {
          problems.add(ARM_CA_FILE + "=" + ca + " contains no PEM certificate");
        }
      } catch (IllegalArgumentException ex) {
        problems.add(ARM_CA_FILE + "=" + ca + ": " + ex.getMessage());
      }
    }

    String tenant = e.get(TENANT_ID);
    String client = e.get(CLIENT_ID);
    String secret = e.get(CLIENT_SECRET);
    Path tokenFile = e.containsKey(FEDERATED_TOKEN_FILE) ? Path.of(e.get(FEDERATED_TOKEN_FILE)) : null;
    if (secret != null && (tenant == null || client == null)) {
      problems.add(CLIENT_SECRET + " is set, so " + TENANT_ID + " and " + CLIENT_ID + " are required too");
    }
    if (tokenFile != null) {
      if (tenant == null || client == null) {
        problems.add(FEDERATED_TOKEN_FILE + " is set, so " + TENANT_ID + " and " + CLIENT_ID + " are required too");
      }
      if (!Files.isReadable(tokenFile)) {
        problems.add(FEDERATED_TOKEN_FILE + "=" + tokenFile + " is not a readable file");
      }
    }

    Duration maxRetryAfter = duration(MAX_RETRY_AFTER, e.get(MAX_RETRY_AFTER), DEFAULT_MAX_RETRY_AFTER, true,
        problems);
    Duration ttl = duration(RESOLVE_CACHE_TTL, e.get(RESOLVE_CACHE_TTL), DEFAULT_RESOLVE_CACHE_TTL, false, problems);
    Duration retryDelay = duration(RETRY_DELAY, e.get(RETRY_DELAY), DEFAULT_RETRY_DELAY, false, problems);
    Duration timeout = duration(HTTP_TIMEOUT, e.get(HTTP_TIMEOUT), DEFAULT_HTTP_TIMEOUT, false, problems);
    int maxRetries = DEFAULT_MAX_RETRIES;
    if (e.containsKey(MAX_RETRIES)) {
      try {
        maxRetries = Integer.parseInt(e.get(MAX_RETRIES));
        if (maxRetries < 0 || maxRetries > 10) {
          problems.add(MAX_RETRIES + "='" + e.get(MAX_RETRIES) + "' is out of range 0..10");
        }
      } catch (NumberFormatException ex) {
        problems.add(MAX_RETRIES + "='" + e.get(MAX_RETRIES) + "' is not a whole number");
      }
    }

    String pacingText = e.getOrDefault(PACING, "azure").trim();
    if (!pacingText.equals("azure") && !pacingText.equals("off")) {
      problems.add(PACING + "='" + pacingText + "' must be azure (pace requests with Azure's published limits, the "
          + "default) or off");
    }
    if (!problems.isEmpty()) {
      throw new Invalid(problems);
    }
    return new AzureConfig(cloud, arm, authority, audience, ca, tenant, client, secret, tokenFile, maxRetryAfter,
        ttl, maxRetries, retryDelay, timeout, !pacingText.equals("off"));
  }

  /** The SDK's view of the cloud: the built-in one, or the public cloud's with our endpoints for Custom. */
  public AzureEnvironment environment() {
    if (cloud != Cloud.Custom) {
      return sdkEnvironment(cloud);
    }
    Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
    endpoints.put("resourceManagerEndpointUrl", armEndpoint.toString());
    endpoints.put("activeDirectoryEndpointUrl", authorityHost.toString());
    endpoints.put("managementEndpointUrl", armAudience);
    return new AzureEnvironment(endpoints);
  }

  /** One line for the start-up log: every setting, the secret only as set or not. */
  public String describe() {
    return "cloud=" + cloud
        + " armEndpoint=" + armEndpoint
        + " authorityHost=" + authorityHost
        + " armAudience=" + armAudience
        + " caFile=" + (caFile == null ? "(none)" : caFile)
        + " tenantId=" + (tenantId == null ? "(unset)" : tenantId)
        + " clientId=" + (clientId == null ? "(unset)" : clientId)
        + " clientSecret=" + (clientSecret == null ? "(unset)" : "(set)")
        + " federatedTokenFile=" + (federatedTokenFile == null ? "(unset)" : federatedTokenFile)
        + " maxRetryAfter=" + maxRetryAfter
        + " resolveCacheTtl=" + resolveCacheTtl
        + " maxRetries=" + maxRetries
        + " retryDelay=" + retryDelay
        + " httpTimeout=" + httpTimeout
        + " pacing=" + (pacing ? "azure" : "off");
  }

  @Override
  public String toString() {
    return "AzureConfig[" + describe() + "]";
  }

  /** Durations in the one grammar of {@link Durations} ({@code 10s}, {@code 1h30m}, {@code 250ms}; ISO-8601 too). */
  static Duration parseDuration(String text) {
    return Durations.parse(text);
  }

  private static Duration duration(String name, String value, Duration dflt, boolean zeroAllowed,
      List<String> problems) {
    if (value == null) {
      return dflt;
    }
    try {
      Duration d = parseDuration(value);
      if (d.isNegative() || (!zeroAllowed && d.isZero())) {
        problems.add(name + "='" + value + "' must be " + (zeroAllowed ? "zero or more" : "more than zero")
            + ", e.g. " + Durations.format(dflt));
        return dflt;
      }
      return d;
    } catch (IllegalArgumentException ex) {
      problems.add(name + "=" + ex.getMessage());
      return dflt;
    }
  }

  private static Cloud parseCloud(String value, List<String> problems) {
    if (value == null) {
      return Cloud.AzurePublicCloud;
    }
    for (Cloud c : Cloud.values()) {
      if (c.name().equalsIgnoreCase(value)) {
        return c;
      }
    }
    problems.add(AZURE_CLOUD + "='" + value + "' is not one of AzurePublicCloud, AzureChinaCloud, AzureUSGovernment, "
        + "Custom");
    return null;
  }

  private static URI httpsUrl(String name, String value, boolean required, List<String> problems) {
    if (value == null) {
      if (required) {
        problems.add(name + " is required with " + AZURE_CLOUD + "=Custom");
      }
      return null;
    }
    try {
      URI uri = new URI(withSlash(value));
      if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
        problems.add(name + "='" + value + "' must be an https:// URL (Azure sends bearer tokens over TLS only)");
        return null;
      }
      if (uri.getQuery() != null || uri.getFragment() != null || uri.getUserInfo() != null) {
        problems.add(name + "='" + value + "' must be a plain https://host[:port]/ URL");
        return null;
      }
      return uri;
    } catch (URISyntaxException ex) {
      problems.add(name + "='" + value + "' is not a URL: " + ex.getReason());
      return null;
    }
  }

  private static String withSlash(String url) {
    return url.endsWith("/") ? url : url + "/";
  }

  private static AzureEnvironment sdkEnvironment(Cloud cloud) {
    return switch (cloud) {
      case AzurePublicCloud -> AzureEnvironment.AZURE;
      case AzureChinaCloud -> AzureEnvironment.AZURE_CHINA;
      case AzureUSGovernment -> AzureEnvironment.AZURE_US_GOVERNMENT;
      case Custom -> throw new IllegalStateException("a custom cloud has no built-in environment");
    };
  }

  private static String authorityHostOf(Cloud cloud) {
    return switch (cloud) {
      case AzurePublicCloud -> AzureAuthorityHosts.AZURE_PUBLIC_CLOUD;
      case AzureChinaCloud -> AzureAuthorityHosts.AZURE_CHINA;
      case AzureUSGovernment -> AzureAuthorityHosts.AZURE_GOVERNMENT;
      case Custom -> throw new IllegalStateException("a custom cloud has no built-in authority host");
    };
  }
}
