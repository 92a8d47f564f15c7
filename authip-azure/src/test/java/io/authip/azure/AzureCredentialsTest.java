package io.authip.azure;

import static io.authip.azure.GatewayHarness.target;
import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.http.HttpClient;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.RecordedRequest;
import io.authip.emulator.RequestKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The credential chain, run for real against the emulator's token endpoint. */
class AzureCredentialsTest {

  @TempDir
  static Path dir;
  static GatewayHarness h;
  static ClusterFixture cluster;

  @BeforeAll
  static void start() {
    h = new GatewayHarness(dir, Duration.ZERO);
    cluster = ClusterFixture.managedNatGateway(ClusterFixture.DEFAULT_SUBSCRIPTION, "rg-cred", "aks-cred");
    h.arm.seed(cluster);
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static List<RecordedRequest> tokenRequests() {
    return h.arm.requests().stream().filter(r -> r.kind() == RequestKind.TOKEN).toList();
  }

  @Test
  void workloadIdentityUsesTheProjectedTokenFileAsClientAssertion() throws Exception {
    Path tokenFile = Files.writeString(dir.resolve("azure-identity-token"), "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YXV0aGlwOmF1dGhpcCJ9.c2ln");
    Map<String, String> env = h.env();
    env.remove("AZURE_CLIENT_SECRET");
    env.put("AZURE_FEDERATED_TOKEN_FILE", tokenFile.toString());
    AzureConfig config = AzureConfig.fromEnvironment(env);
    h.reset();

    AzureAksGateway gateway = AzureAksGateway.create(config, h.calls);
    assertThat(gateway.read(target(cluster)).isOk()).isTrue();

    assertThat(tokenRequests()).singleElement().satisfies(t -> {
      assertThat(t.path()).isEqualTo("/" + h.arm.tenantId() + "/oauth2/v2.0/token");
      assertThat(t.body()).contains("client_assertion=***").contains("client_assertion_type=")
          .contains("client_id=" + GatewayHarness.CLIENT_ID).doesNotContain("client_secret");
    });
    assertThat(h.arm.requestCount(RequestKind.METADATA)).as("instance discovery is off for a custom cloud").isZero();
  }

  @Test
  void theChainFollowsTheOrderForAnOperator() throws Exception {
    Path tokenFile = Files.writeString(dir.resolve("token"), "eyJ.x.y");
    HttpClient http = AzureHttpClients.create(h.config());
    Map<String, String> everything = Map.of("AZURE_TENANT_ID", h.arm.tenantId(), "AZURE_CLIENT_ID",
        GatewayHarness.CLIENT_ID, "AZURE_CLIENT_SECRET", "s", "AZURE_FEDERATED_TOKEN_FILE", tokenFile.toString());
    assertThat(AzureCredentials.create(AzureConfig.fromEnvironment(everything), http).chain()).containsExactly(
        "WorkloadIdentityCredential", "ManagedIdentityCredential", "ClientSecretCredential", "AzureCliCredential");
    assertThat(AzureCredentials.create(AzureConfig.fromEnvironment(Map.of()), http).chain())
        .containsExactly("ManagedIdentityCredential", "AzureCliCredential");
    assertThat(AzureCredentials.create(h.config(), http).chain())
        .as("no managed identity on a custom cloud: its IMDS would answer for another cloud")
        .containsExactly("ClientSecretCredential", "AzureCliCredential");
  }

  @Test
  void theSecretNeverReachesTheLog() {
    String secret = "Very-Recognizable-Secret-4711";
    Map<String, String> env = h.env();
    env.put("AZURE_CLIENT_SECRET", secret);
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      AzureAksGateway gateway = AzureAksGateway.create(AzureConfig.fromEnvironment(env), h.calls);
      assertThat(gateway.read(target(cluster)).isOk()).isTrue();
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log).contains("clientSecret=(set)").doesNotContain(secret);
    assertThat(tokenRequests()).isNotEmpty().allSatisfy(t -> assertThat(t.body()).doesNotContain(secret));
  }
}
