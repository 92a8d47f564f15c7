package io.authip.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AzureConfigTest {

  private static final String TENANT = "11111111-2222-3333-4444-555555555555";
  private static final String CLIENT = "66666666-7777-8888-9999-000000000000";
  private static final String SECRET = "s3cr3t-Value-That-Must-Never-Show";

  @TempDir
  Path dir;

  @Test
  void defaultsToThePublicCloud() {
    AzureConfig c = AzureConfig.fromEnvironment(Map.of());
    assertThat(c.cloud()).isEqualTo(AzureConfig.Cloud.AzurePublicCloud);
    assertThat(c.armEndpoint()).isEqualTo(URI.create("https://management.azure.com/"));
    assertThat(c.authorityHost()).isEqualTo(URI.create("https://login.microsoftonline.com/"));
    assertThat(c.armAudience()).isEqualTo("https://management.core.windows.net/");
    assertThat(c.maxRetryAfter()).isEqualTo(Duration.ZERO);
    assertThat(c.pacing()).isTrue();
    assertThat(c.resolveCacheTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.maxRetries()).isEqualTo(3);
    assertThat(c.caFile()).isNull();
    assertThat(c.clientSecret()).isNull();
  }

  @Test
  void sovereignCloudsUseTheirOwnEndpoints() {
    AzureConfig china = AzureConfig.fromEnvironment(Map.of("AZURE_CLOUD", "AzureChinaCloud"));
    assertThat(china.armEndpoint()).isEqualTo(URI.create("https://management.chinacloudapi.cn/"));
    assertThat(china.authorityHost()).isEqualTo(URI.create("https://login.chinacloudapi.cn/"));
    AzureConfig gov = AzureConfig.fromEnvironment(Map.of("AZURE_CLOUD", "azureusgovernment"));
    assertThat(gov.cloud()).isEqualTo(AzureConfig.Cloud.AzureUSGovernment);
    assertThat(gov.armEndpoint()).isEqualTo(URI.create("https://management.usgovcloudapi.net/"));
    assertThat(gov.authorityHost()).isEqualTo(URI.create("https://login.microsoftonline.us/"));
  }

  @Test
  void customCloudTakesBothEndpoints() {
    AzureConfig c = AzureConfig.fromEnvironment(Map.of("AZURE_CLOUD", "Custom",
        "AUTHIP_ARM_ENDPOINT", "https://127.0.0.1:8443", "AUTHIP_AUTHORITY_HOST", "https://127.0.0.1:8443/"));
    assertThat(c.armEndpoint()).isEqualTo(URI.create("https://127.0.0.1:8443/"));
    assertThat(c.authorityHost()).isEqualTo(URI.create("https://127.0.0.1:8443/"));
    assertThat(c.environment().getResourceManagerEndpoint()).isEqualTo("https://127.0.0.1:8443/");
    assertThat(c.environment().getActiveDirectoryEndpoint()).isEqualTo("https://127.0.0.1:8443/");
    assertThat(c.armAudience()).isEqualTo(AzureConfig.PUBLIC_ARM_AUDIENCE);
  }

  @Test
  void customCloudWithoutEndpointsIsRefusedNamingBoth() {
    assertThatThrownBy(() -> AzureConfig.fromEnvironment(Map.of("AZURE_CLOUD", "Custom")))
        .isInstanceOfSatisfying(AzureConfig.Invalid.class, e -> assertThat(e.problems()).containsExactly(
            "AUTHIP_ARM_ENDPOINT is required with AZURE_CLOUD=Custom",
            "AUTHIP_AUTHORITY_HOST is required with AZURE_CLOUD=Custom"));
  }

  @Test
  void plainHttpEndpointsAreRefused() {
    assertThatThrownBy(() -> AzureConfig.fromEnvironment(Map.of("AZURE_CLOUD", "Custom",
        "AUTHIP_ARM_ENDPOINT", "http://127.0.0.1:8080", "AUTHIP_AUTHORITY_HOST", "https://127.0.0.1:8443")))
        .isInstanceOf(AzureConfig.Invalid.class)
        .hasMessageContaining("AUTHIP_ARM_ENDPOINT='http://127.0.0.1:8080' must be an https:// URL");
  }

  @Test
  void unknownCloudListsTheKnownOnes() {
    assertThatThrownBy(() -> AzureConfig.fromEnvironment(Map.of("AZURE_CLOUD", "AzureGermanCloud")))
        .hasMessageContaining("AZURE_CLOUD='AzureGermanCloud' is not one of AzurePublicCloud, AzureChinaCloud, "
            + "AzureUSGovernment, Custom");
  }

  @Test
  void endpointsWithABuiltInCloudAreAMistake() {
    assertThatThrownBy(() -> AzureConfig.fromEnvironment(Map.of("AUTHIP_ARM_ENDPOINT", "https://127.0.0.1:1")))
        .hasMessageContaining("AUTHIP_ARM_ENDPOINT is only used with AZURE_CLOUD=Custom (it is AzurePublicCloud)");
  }

  @Test
  void secretNeedsTenantAndClientAndIsNeverShown() {
    assertThatThrownBy(() -> AzureConfig.fromEnvironment(Map.of("AZURE_CLIENT_SECRET", SECRET)))
        .hasMessageContaining("AZURE_CLIENT_SECRET is set, so AZURE_TENANT_ID and AZURE_CLIENT_ID are required too")
        .hasMessageNotContaining(SECRET);

    AzureConfig c = AzureConfig.fromEnvironment(Map.of("AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID", CLIENT,
        "AZURE_CLIENT_SECRET", SECRET));
    assertThat(c.clientSecret()).isEqualTo(SECRET);
    assertThat(c.toString()).doesNotContain(SECRET).contains("clientSecret=(set)").contains(CLIENT);
    assertThat(c.describe()).doesNotContain(SECRET).contains("tenantId=" + TENANT);
  }

  @Test
  void federatedTokenFileMustExist() throws Exception {
    Map<String, String> env = new HashMap<>(Map.of("AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID", CLIENT,
        "AZURE_FEDERATED_TOKEN_FILE", dir.resolve("missing-token").toString()));
    assertThatThrownBy(() -> AzureConfig.fromEnvironment(env))
        .hasMessageContaining("AZURE_FEDERATED_TOKEN_FILE=" + dir.resolve("missing-token") + " is not a readable file");
    Path token = Files.writeString(dir.resolve("token"), "eyJ.assertion.jwt");
    env.put("AZURE_FEDERATED_TOKEN_FILE", token.toString());
    assertThat(AzureConfig.fromEnvironment(env).federatedTokenFile()).isEqualTo(token);
  }

  @Test
  void caFileMustHoldACertificate() throws Exception {
    Path good = TestCertificates.writePem(dir);
    assertThat(AzureConfig.fromEnvironment(Map.of("AUTHIP_ARM_CA_FILE", good.toString())).caFile()).isEqualTo(good);
    assertThatThrownBy(() -> AzureConfig.fromEnvironment(Map.of("AUTHIP_ARM_CA_FILE",
        dir.resolve("nope.pem").toString()))).hasMessageContaining("nope.pem: not a readable file");
    Path bad = TestCertificates.writeGarbage(dir);
    assertThatThrownBy(() -> AzureConfig.fromEnvironment(Map.of("AUTHIP_ARM_CA_FILE", bad.toString())))
        .hasMessageContaining("AUTHIP_ARM_CA_FILE=" + bad);
  }

  @Test
  void durationsInSeveralForms() {
    AzureConfig c = AzureConfig.fromEnvironment(Map.of("AUTHIP_AZURE_MAX_RETRY_AFTER", "0s",
        "AUTHIP_RESOLVE_CACHE_TTL", "1h30m", "AUTHIP_AZURE_RETRY_DELAY", "250ms", "AUTHIP_AZURE_HTTP_TIMEOUT",
        "PT45S", "AUTHIP_AZURE_MAX_RETRIES", "0"));
    assertThat(c.maxRetryAfter()).isZero();
    assertThat(c.resolveCacheTtl()).isEqualTo(Duration.ofMinutes(90));
    assertThat(c.retryDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.httpTimeout()).isEqualTo(Duration.ofSeconds(45));
    assertThat(c.maxRetries()).isZero();
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> AzureConfig.fromEnvironment(Map.of("AUTHIP_AZURE_MAX_RETRY_AFTER", "ten seconds",
        "AUTHIP_RESOLVE_CACHE_TTL", "0s", "AUTHIP_AZURE_MAX_RETRIES", "99", "AZURE_CLOUD", "Custom")))
        .isInstanceOfSatisfying(AzureConfig.Invalid.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "AUTHIP_ARM_ENDPOINT is required with AZURE_CLOUD=Custom",
            "AUTHIP_AUTHORITY_HOST is required with AZURE_CLOUD=Custom",
            "AUTHIP_AZURE_MAX_RETRY_AFTER='ten seconds' is not a duration; write it like 90s, 1m30s, 2h or 500ms"
                + " (units h, m, s, ms in that order)",
            "AUTHIP_RESOLVE_CACHE_TTL='0s' must be more than zero, e.g. 5m",
            "AUTHIP_AZURE_MAX_RETRIES='99' is out of range 0..10"));
  }

  @Test
  void theWorkloadIdentityWebhooksAuthorityMustMatchTheCloud() {
    assertThat(AzureConfig.fromEnvironment(Map.of("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/"))
        .cloud()).isEqualTo(AzureConfig.Cloud.AzurePublicCloud);
    assertThat(AzureConfig.fromEnvironment(Map.of("AZURE_CLOUD", "AzureChinaCloud",
        "AZURE_AUTHORITY_HOST", "https://login.chinacloudapi.cn")).cloud()).isEqualTo(AzureConfig.Cloud.AzureChinaCloud);
    assertThatThrownBy(() -> AzureConfig.fromEnvironment(Map.of("AZURE_AUTHORITY_HOST",
        "https://login.chinacloudapi.cn/")))
        .hasMessageContaining("AZURE_AUTHORITY_HOST=https://login.chinacloudapi.cn/ is not the authority of "
            + "AZURE_CLOUD=AzurePublicCloud (https://login.microsoftonline.com/)");
  }

  @Test
  void blankValuesCountAsUnset() {
    AzureConfig c = AzureConfig.fromEnvironment(Map.of("AZURE_CLOUD", " ", "AZURE_CLIENT_SECRET", ""));
    assertThat(c.cloud()).isEqualTo(AzureConfig.Cloud.AzurePublicCloud);
    assertThat(c.clientSecret()).isNull();
  }
}
