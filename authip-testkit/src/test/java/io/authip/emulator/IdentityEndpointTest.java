package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.emulator.ArmTestClient.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IdentityEndpointTest {

  private static ArmEmulator arm;
  private static ArmTestClient client;

  @BeforeAll
  static void start() {
    arm = ArmEmulator.builder().tenantId("contoso.onmicrosoft.com").start();
    client = new ArmTestClient(arm);
  }

  @AfterAll
  static void stop() {
    arm.close();
  }

  private static Reply token(String tenant, Map<String, String> form) {
    return client.send(HttpRequest.newBuilder(URI.create(arm.baseUrl() + "/" + tenant + "/oauth2/v2.0/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("client-request-id", "4f1c0b4e-0000-4000-8000-000000000001")
        .POST(HttpRequest.BodyPublishers.ofString(ArmTestClient.form(form))));
  }

  private static Map<String, String> clientCredentials(String secretField, String secret) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    form.put("client_id", "authip");
    form.put("scope", "https://management.core.windows.net//.default");
    if (secretField != null) {
      form.put(secretField, secret);
    }
    return form;
  }

  @Test
  void issuesBearerTokensForASecretOrAnAssertion() {
    Reply secret = token("contoso.onmicrosoft.com", clientCredentials("client_secret", "s"));
    Map<String, String> assertion = clientCredentials("client_assertion", "eyJ.eyJ.sig");
    assertion.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    Reply federated = token("CONTOSO.onmicrosoft.com", assertion);

    assertThat(secret.status()).isEqualTo(200);
    assertThat(secret.body().get("token_type").asText()).isEqualTo("Bearer");
    assertThat(secret.body().get("expires_in").asInt()).isEqualTo(3599);
    assertThat(secret.body().get("ext_expires_in").asInt()).isEqualTo(3599);
    assertThat(secret.header("client-request-id")).isEqualTo("4f1c0b4e-0000-4000-8000-000000000001");
    assertThat(federated.status()).isEqualTo(200);
    assertThat(federated.body().get("access_token").asText())
        .isNotEqualTo(secret.body().get("access_token").asText());
  }

  /** ARM checks a token's audience: one asked for another resource (Graph, say) gets 401, as from ARM. */
  @Test
  void scopesAreCheckedAndATokenForAnotherAudienceIsRefusedByArm() {
    Map<String, String> none = clientCredentials("client_secret", "s");
    none.remove("scope");
    Map<String, String> noDefault = clientCredentials("client_secret", "s");
    noDefault.put("scope", "https://management.core.windows.net/");
    Map<String, String> graph = clientCredentials("client_secret", "s");
    graph.put("scope", "https://graph.microsoft.com/.default");
    Map<String, String> msal = clientCredentials("client_secret", "s");
    msal.put("scope", "https://management.core.windows.net//.default openid profile offline_access");
    Map<String, String> azure = clientCredentials("client_secret", "s");
    azure.put("scope", "https://management.azure.com/.default");

    assertThat(token("contoso.onmicrosoft.com", none).body().get("error_description").asText())
        .startsWith("AADSTS900144:").contains("'scope'");
    assertThat(token("contoso.onmicrosoft.com", noDefault).body().get("error").asText()).isEqualTo("invalid_scope");
    String graphToken = token("contoso.onmicrosoft.com", graph).body().get("access_token").asText();
    String msalToken = token("contoso.onmicrosoft.com", msal).body().get("access_token").asText();
    String azureToken = token("contoso.onmicrosoft.com", azure).body().get("access_token").asText();
    String cluster = "/subscriptions/" + ClusterFixture.DEFAULT_SUBSCRIPTION + "/resourceGroups/rg/providers/"
        + "Microsoft.ContainerService/managedClusters/none?api-version=2025-07-01";

    Reply refused = client.send(HttpRequest.newBuilder(client.uri(cluster)).header("Authorization", "Bearer "
        + graphToken).GET());
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.body().at("/error/code").asText()).isEqualTo("InvalidAuthenticationTokenAudience");
    assertThat(refused.body().at("/error/message").asText()).contains("https://graph.microsoft.com",
        "https://management.core.windows.net/");
    for (String ok : new String[] {msalToken, azureToken}) {
      assertThat(client.send(HttpRequest.newBuilder(client.uri(cluster)).header("Authorization", "Bearer " + ok)
          .GET()).status()).isEqualTo(404);
    }
  }

  @Test
  void refusesWhatEntraIdRefuses() {
    Reply wrongTenant = token("other-tenant", clientCredentials("client_secret", "s"));
    Reply noSecret = token("contoso.onmicrosoft.com", clientCredentials(null, null));
    Map<String, String> password = clientCredentials("client_secret", "s");
    password.put("grant_type", "password");
    Reply wrongGrant = token("contoso.onmicrosoft.com", password);

    assertThat(wrongTenant.status()).isEqualTo(400);
    assertThat(wrongTenant.body().get("error_description").asText()).startsWith("AADSTS90002:");
    assertThat(noSecret.status()).isEqualTo(401);
    assertThat(noSecret.body().get("error").asText()).isEqualTo("invalid_client");
    assertThat(wrongGrant.body().get("error").asText()).isEqualTo("unsupported_grant_type");
    assertThat(arm.requestCount(RequestKind.TOKEN)).isGreaterThanOrEqualTo(3);
  }

  @Test
  void servesIdentityMetadata() {
    Reply openid = client.send(HttpRequest.newBuilder(URI.create(arm.baseUrl()
        + "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration")).GET());
    Reply discovery = client.send(HttpRequest.newBuilder(URI.create(arm.baseUrl()
        + "/common/discovery/instance?api-version=1.1&authorization_endpoint=x")).GET());

    assertThat(openid.body().get("token_endpoint").asText())
        .isEqualTo(arm.baseUrl() + "/contoso.onmicrosoft.com/oauth2/v2.0/token");
    assertThat(discovery.body().at("/metadata/0/aliases/0").asText()).isEqualTo("127.0.0.1:" + arm.port());
    assertThat(arm.requestCount(RequestKind.METADATA)).isEqualTo(2);
  }
}
