package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.identity.ClientAssertionCredentialBuilder;
import com.azure.resourcemanager.containerservice.ContainerServiceManager;
import com.azure.resourcemanager.containerservice.fluent.models.ManagedClusterInner;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.emulator.ArmTestClient.Reply;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.net.http.HttpRequest;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Entra ID's federated identity credentials: the token exchange of a Kubernetes ServiceAccount token, checked as
 * strictly as Entra checks it, while clients without credentials stay lenient.
 */
class FederatedIdentityTest {

  private static final String ISSUER_A = "https://oidc.cluster-a.example/4f2e";
  private static final String ISSUER_B = "https://oidc.cluster-b.example/9c1d";
  private static final String SUBJECT = "system:serviceaccount:team-a:authip-tenant";
  private static final AtomicInteger CLIENTS = new AtomicInteger();
  private static final KeyPair KEY_A = TestJwts.rsaKeyPair();
  private static final KeyPair KEY_B = TestJwts.rsaKeyPair();
  private static final KeyPair STRANGER = TestJwts.rsaKeyPair();
  private static ArmEmulator arm;
  private static ArmTestClient client;
  private static ClusterFixture fixture;

  @BeforeAll
  static void start() {
    arm = ArmEmulator.builder().operationDuration(Duration.ZERO).start();
    client = new ArmTestClient(arm);
    fixture = ClusterFixture.loadBalancerManagedOutbound(ClusterFixture.DEFAULT_SUBSCRIPTION, "rg-team-a", "aks-a");
    arm.seed(fixture);
    arm.trustIssuer(ISSUER_A, KEY_A.getPublic());
    arm.trustIssuer(ISSUER_B, KEY_B.getPublic());
  }

  @AfterAll
  static void stop() {
    arm.close();
  }

  /** A fresh client ID (a GUID, as a managed identity's) with one credential for team-a's ServiceAccount. */
  private static String federatedClient() {
    String clientId = String.format("00000000-0000-4000-8000-%012d", CLIENTS.incrementAndGet());
    arm.federatedCredential(clientId, ISSUER_A, SUBJECT, TestJwts.AUDIENCE);
    return clientId;
  }

  private static ObjectNode claims() {
    return TestJwts.serviceAccountClaims(ISSUER_A, "team-a", "authip-tenant", arm.clock().instant());
  }

  private static Reply exchange(String clientId, String assertion) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    form.put("client_id", clientId);
    form.put("scope", "https://management.core.windows.net//.default");
    form.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    form.put("client_assertion", assertion);
    return post(form);
  }

  private static Reply post(Map<String, String> form) {
    return client.send(HttpRequest.newBuilder(URI.create(arm.baseUrl() + "/" + arm.tenantId() + "/oauth2/v2.0/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(ArmTestClient.form(form))));
  }

  private static String description(Reply reply) {
    return reply.body().get("error_description").asText();
  }

  @Test
  void aMatchingServiceAccountTokenIsExchangedAndArmKnowsThePrincipal() {
    String clientId = federatedClient();

    Reply token = exchange(clientId, TestJwts.sign(claims(), KEY_A.getPrivate()));

    assertThat(token.status()).isEqualTo(200);
    Reply get = client.send(HttpRequest.newBuilder(client.uri(fixture.clusterId()))
        .header("Authorization", "Bearer " + token.body().get("access_token").asText()).GET());
    assertThat(get.status()).isEqualTo(200);
    assertThat(arm.requests()).filteredOn(r -> r.kind() == RequestKind.CLUSTER_GET && clientId.equals(r.clientId()))
        .hasSize(1);
    assertThat(arm.requests()).filteredOn(r -> r.kind() == RequestKind.TOKEN)
        .allSatisfy(r -> assertThat(r.clientId()).as("a token request carries no bearer token").isNull());
  }

  @Test
  void theAudienceMayBeAStringOrAnArrayOfWhichOneMatches() {
    String clientId = federatedClient();
    ObjectNode string = claims().put("aud", TestJwts.AUDIENCE);
    ObjectNode array = claims();
    array.putArray("aud").add("https://kubernetes.default.svc").add(TestJwts.AUDIENCE);

    assertThat(exchange(clientId, TestJwts.sign(string, KEY_A.getPrivate())).status()).isEqualTo(200);
    assertThat(exchange(clientId, TestJwts.sign(array, KEY_A.getPrivate())).status()).isEqualTo(200);
  }

  @Test
  void anotherSubjectOrAudienceIsAadsts70021NamingTheThreeValues() {
    String clientId = federatedClient();
    ObjectNode otherSubject = TestJwts.serviceAccountClaims(ISSUER_A, "team-b", "authip-tenant",
        arm.clock().instant());
    ObjectNode otherAudience = claims().put("aud", "api://AzureADTokenExchange/");
    // Entra compares case-sensitively.
    ObjectNode otherCase = TestJwts.serviceAccountClaims(ISSUER_A, "Team-A", "authip-tenant", arm.clock().instant());

    Reply subject = exchange(clientId, TestJwts.sign(otherSubject, KEY_A.getPrivate()));
    Reply audience = exchange(clientId, TestJwts.sign(otherAudience, KEY_A.getPrivate()));
    Reply cased = exchange(clientId, TestJwts.sign(otherCase, KEY_A.getPrivate()));

    assertThat(subject.status()).isEqualTo(400);
    assertThat(subject.body().get("error").asText()).isEqualTo("invalid_request");
    assertThat(subject.body().get("error_codes").get(0).asInt()).isEqualTo(70021);
    assertThat(description(subject)).startsWith("AADSTS70021: No matching federated identity record found for "
        + "presented assertion. Assertion Issuer: '" + ISSUER_A + "'. Assertion Subject: "
        + "'system:serviceaccount:team-b:authip-tenant'. Assertion Audience: 'api://AzureADTokenExchange'.");
    assertThat(description(audience)).startsWith("AADSTS70021:")
        .contains("Assertion Subject: '" + SUBJECT + "'", "Assertion Audience: 'api://AzureADTokenExchange/'");
    assertThat(description(cased)).startsWith("AADSTS70021:");
  }

  @Test
  void anIssuerNoCredentialNamesIsAadsts700211AndAnUntrustedOneCannotBeChecked() {
    String clientId = federatedClient();
    ObjectNode fromB = TestJwts.serviceAccountClaims(ISSUER_B, "team-a", "authip-tenant", arm.clock().instant());
    String untrusted = "https://oidc.untrusted.example/1";
    String keyless = federatedClient();
    arm.federatedCredential(keyless, untrusted, SUBJECT, TestJwts.AUDIENCE);
    ObjectNode fromUntrusted = TestJwts.serviceAccountClaims(untrusted, "team-a", "authip-tenant",
        arm.clock().instant());

    Reply wrongIssuer = exchange(clientId, TestJwts.sign(fromB, KEY_B.getPrivate()));
    Reply noKey = exchange(keyless, TestJwts.sign(fromUntrusted, STRANGER.getPrivate()));

    assertThat(wrongIssuer.status()).isEqualTo(401);
    assertThat(wrongIssuer.body().get("error").asText()).isEqualTo("invalid_client");
    assertThat(description(wrongIssuer)).startsWith("AADSTS700211: No matching federated identity record found for "
        + "presented assertion issuer '" + ISSUER_B + "'.");
    assertThat(noKey.status()).isEqualTo(401);
    assertThat(description(noKey)).startsWith("AADSTS50166:").contains(untrusted, "trustIssuer");
  }

  @Test
  void aSignatureNotByTheIssuersKeyIsAadsts700027() {
    String clientId = federatedClient();
    String forged = TestJwts.sign(claims(), STRANGER.getPrivate());
    String good = TestJwts.sign(claims(), KEY_A.getPrivate());
    String[] parts = good.split("\\.");
    ObjectNode changed = claims().put("sub", "system:serviceaccount:team-a:other");
    String swapped = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString(changed.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];

    for (String assertion : new String[] {forged, swapped}) {
      Reply reply = exchange(clientId, assertion);
      assertThat(reply.status()).isEqualTo(401);
      assertThat(reply.body().get("error").asText()).isEqualTo("invalid_client");
      assertThat(description(reply)).startsWith("AADSTS700027: Client assertion failed signature validation.");
    }
  }

  @Test
  void anExpiredOrNotYetValidAssertionIsAadsts700024WithFiveMinutesOfSkew() {
    String clientId = federatedClient();
    Instant now = arm.clock().instant();
    ObjectNode expired = claims().put("exp", now.minusSeconds(400).getEpochSecond());
    ObjectNode justExpired = claims().put("exp", now.minusSeconds(200).getEpochSecond());
    ObjectNode early = claims().put("nbf", now.plusSeconds(400).getEpochSecond());
    ObjectNode slightlyEarly = claims().put("nbf", now.plusSeconds(200).getEpochSecond());
    ObjectNode noExpiry = claims();
    noExpiry.remove("exp");

    Reply expiredReply = exchange(clientId, TestJwts.sign(expired, KEY_A.getPrivate()));
    assertThat(expiredReply.status()).isEqualTo(401);
    assertThat(description(expiredReply)).startsWith("AADSTS700024: Client assertion is not within its valid time "
        + "range. Current time: ").contains("expiry time of assertion "
        + Instant.ofEpochSecond(expired.get("exp").asLong()));
    assertThat(description(exchange(clientId, TestJwts.sign(early, KEY_A.getPrivate())))).startsWith("AADSTS700024:");
    assertThat(exchange(clientId, TestJwts.sign(justExpired, KEY_A.getPrivate())).status()).isEqualTo(200);
    assertThat(exchange(clientId, TestJwts.sign(slightlyEarly, KEY_A.getPrivate())).status()).isEqualTo(200);
    assertThat(description(exchange(clientId, TestJwts.sign(noExpiry, KEY_A.getPrivate()))))
        .startsWith("AADSTS50027:").contains("'exp'");
  }

  @Test
  void aClientWithCredentialsMustPresentAWellFormedRs256AssertionNotASecret() {
    String clientId = federatedClient();
    Map<String, String> secret = new LinkedHashMap<>();
    secret.put("grant_type", "client_credentials");
    secret.put("client_id", clientId);
    secret.put("client_secret", "s3cret");
    secret.put("scope", "https://management.core.windows.net//.default");
    Map<String, String> untyped = new LinkedHashMap<>(secret);
    untyped.remove("client_secret");
    untyped.put("client_assertion", TestJwts.sign(claims(), KEY_A.getPrivate()));

    Reply secretReply = post(secret);
    Reply untypedReply = post(untyped);
    Reply malformed = exchange(clientId, "eyJ.eyJ.sig");
    Reply hs256 = exchange(clientId, TestJwts.sign("HS256", claims(), KEY_A.getPrivate()));

    assertThat(secretReply.status()).isEqualTo(401);
    assertThat(secretReply.body().get("error").asText()).isEqualTo("invalid_client");
    assertThat(description(secretReply)).startsWith("AADSTS7000215: Invalid client secret provided.")
        .contains("app '" + clientId + "'");
    assertThat(untypedReply.status()).isEqualTo(400);
    assertThat(description(untypedReply)).startsWith("AADSTS900144:").contains("client_assertion_type");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(description(malformed)).startsWith("AADSTS50027: JWT token is invalid or malformed.");
    assertThat(description(hs256)).startsWith("AADSTS5002738:").contains("'HS256'");
  }

  @Test
  void entraAllowsTwentyCredentialsPerIdentityAndOnePerIssuerAndSubject() {
    String clientId = "11111111-0000-4000-8000-000000000020";
    for (int i = 1; i <= 20; i++) {
      arm.federatedCredential(clientId, ISSUER_A, "system:serviceaccount:team-" + i + ":authip-tenant",
          TestJwts.AUDIENCE);
    }

    assertThatThrownBy(() -> arm.federatedCredential(clientId, ISSUER_A, "system:serviceaccount:team-21:x",
        TestJwts.AUDIENCE)).isInstanceOf(IllegalStateException.class).hasMessageContaining(clientId)
        .hasMessageContaining("at most 20");
    arm.federatedCredential("other", ISSUER_A, SUBJECT, "api://one");
    assertThatThrownBy(() -> arm.federatedCredential("other", ISSUER_A, SUBJECT, "api://two"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(SUBJECT);
    assertThatThrownBy(() -> arm.federatedCredential("other", "http://oidc.example", SUBJECT, TestJwts.AUDIENCE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'http://oidc.example'");
    assertThatThrownBy(() -> arm.federatedCredential("other", ISSUER_A, " ", TestJwts.AUDIENCE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subject");
    assertThatThrownBy(() -> arm.trustIssuer(ISSUER_A, TestJwts.ecPublicKey()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RSA");
  }

  @Test
  void aClientWithoutCredentialsStaysLenient() {
    Map<String, String> secret = new LinkedHashMap<>();
    secret.put("grant_type", "client_credentials");
    secret.put("client_id", "no-credentials");
    secret.put("client_secret", "anything");
    secret.put("scope", "https://management.core.windows.net//.default");

    assertThat(post(secret).status()).isEqualTo(200);
    assertThat(exchange("no-credentials", "not.a.jwt").status()).isEqualTo(200);
    assertThat(exchange("no-credentials", TestJwts.sign(claims(), STRANGER.getPrivate())).status()).isEqualTo(200);
  }

  /** azure-identity's ClientAssertionCredential, as the operator uses it per tenant, through the real SDK. */
  @Test
  void theAzureSdkExchangesAServiceAccountTokenAndReadsTheCluster() throws SSLException {
    String clientId = federatedClient();
    var ssl = SslContextBuilder.forClient().trustManager(arm.certificate()).build();
    HttpClient http = new NettyAsyncHttpClientBuilder(reactor.netty.http.client.HttpClient.create()
        .secure(spec -> spec.sslContext(ssl))).build();
    Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
    endpoints.put("resourceManagerEndpointUrl", arm.baseUrl() + "/");
    endpoints.put("activeDirectoryEndpointUrl", arm.baseUrl() + "/");
    AzureProfile profile = new AzureProfile(arm.tenantId(), ClusterFixture.DEFAULT_SUBSCRIPTION,
        new AzureEnvironment(endpoints));
    var credential = new ClientAssertionCredentialBuilder().tenantId(arm.tenantId()).clientId(clientId)
        .clientAssertion(() -> TestJwts.sign(claims(), KEY_A.getPrivate())).authorityHost(arm.baseUrl())
        .disableInstanceDiscovery().httpClient(http).build();

    ManagedClusterInner cluster = ContainerServiceManager.configure().withHttpClient(http)
        .authenticate(credential, profile).serviceClient().getManagedClusters()
        .getByResourceGroup("rg-team-a", "aks-a");

    assertThat(cluster.id()).isEqualToIgnoringCase(fixture.clusterId());
    assertThat(arm.requests()).filteredOn(r -> r.kind() == RequestKind.TOKEN && r.body().contains(clientId))
        .anySatisfy(r -> assertThat(r.status()).isEqualTo(200))
        .allSatisfy(r -> assertThat(r.body()).contains("client_assertion=***"));
    assertThat(arm.requests()).filteredOn(r -> r.kind() == RequestKind.CLUSTER_GET && clientId.equals(r.clientId()))
        .isNotEmpty();
  }
}
