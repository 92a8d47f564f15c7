package io.authip.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TokenRequest API of the embedded Kubernetes API ({@code POST .../serviceaccounts/NAME/token}), as the operator
 * will call it through fabric8 for a tenant's ServiceAccount: claims, signature, kube-apiserver's errors, RBAC.
 */
class TokenRequestTest {

  static final String TENANT = "tenant-a";
  static final String SA = "authip-tenant";
  static final String EXCHANGE = "api://AzureADTokenExchange";
  static final String TOKEN_PATH = "/api/v1/namespaces/" + TENANT + "/serviceaccounts/" + SA + "/token";
  static final HttpClient HTTP = HttpClient.newHttpClient();

  /** The operator may ask for tokens of one ServiceAccount of one tenant, by name. */
  static final String ONE_TENANT_SA = """
      apiVersion: rbac.authorization.k8s.io/v1
      kind: Role
      metadata: {name: authip-tokens, namespace: tenant-a}
      rules:
        - apiGroups: [""]
          resources: ["serviceaccounts/token"]
          resourceNames: ["authip-tenant"]
          verbs: ["create"]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata: {name: authip-tokens, namespace: tenant-a}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: authip-tokens}
      subjects:
        - {kind: ServiceAccount, name: authip, namespace: authip-system}
      """;

  static EmbeddedKubernetes kube;
  static ServiceAccount tenantSa;

  @BeforeAll
  static void start() {
    kube = EmbeddedKubernetes.start(0);
    tenantSa = createServiceAccount(kube, TENANT, SA);
  }

  @AfterAll
  static void stop() {
    kube.close();
  }

  static ServiceAccount createServiceAccount(EmbeddedKubernetes k, String namespace, String name) {
    return k.client().serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata().build()).create();
  }

  static TokenRequest request(String audience, Long seconds) {
    TokenRequestBuilder b = new TokenRequestBuilder();
    if (audience == null) {
      return b.withNewSpec().withExpirationSeconds(seconds).endSpec().build();
    }
    return b.withNewSpec().withAudiences(audience).withExpirationSeconds(seconds).endSpec().build();
  }

  static TokenRequest ask(KubernetesClient client, String namespace, String name, TokenRequest request) {
    return client.serviceAccounts().inNamespace(namespace).withName(name).tokenRequest(request);
  }

  static JsonNode header(String jwt) {
    return Json.parse(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]));
  }

  static HttpResponse<String> send(String base, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String mockUrl() {
    String url = kube.client().getMasterUrl().toString();
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  @Test
  void theTokenCarriesKubeApiserversClaimsAndVerifiesWithTheInstancesKey() {
    Instant before = Instant.now().minusSeconds(1);
    TokenRequest answer = ask(kube.client(), TENANT, SA, request(EXCHANGE, 3600L));

    assertThat(answer.getApiVersion()).isEqualTo("authentication.k8s.io/v1");
    assertThat(answer.getKind()).isEqualTo("TokenRequest");
    assertThat(answer.getMetadata().getName()).isEqualTo(SA);
    assertThat(answer.getMetadata().getNamespace()).isEqualTo(TENANT);
    assertThat(answer.getSpec().getAudiences()).containsExactly(EXCHANGE);
    assertThat(answer.getSpec().getExpirationSeconds()).isEqualTo(3600L);
    String jwt = answer.getStatus().getToken();
    JsonNode header = header(jwt);
    assertThat(header.path("alg").asText()).isEqualTo("RS256");
    assertThat(header.path("kid").asText()).hasSize(43)
        .isEqualTo(ServiceAccountTokens.keyId(kube.serviceAccountSigningKey()));

    Map<String, Object> claims = ServiceAccountTokens.verify(jwt, kube.serviceAccountSigningKey());
    assertThat(claims).containsOnlyKeys("aud", "exp", "iat", "iss", "jti", "kubernetes.io", "nbf", "sub");
    assertThat(claims.get("iss")).isEqualTo(kube.serviceAccountIssuer());
    assertThat(claims.get("sub")).isEqualTo("system:serviceaccount:tenant-a:authip-tenant");
    assertThat(claims.get("aud")).isEqualTo(List.of(EXCHANGE));
    long iat = ((Number) claims.get("iat")).longValue();
    long exp = ((Number) claims.get("exp")).longValue();
    assertThat(exp - iat).isEqualTo(3600L);
    assertThat(((Number) claims.get("nbf")).longValue()).isEqualTo(iat);
    assertThat(Instant.ofEpochSecond(iat)).isBetween(before, Instant.now());
    assertThat(Instant.parse(answer.getStatus().getExpirationTimestamp())).isEqualTo(Instant.ofEpochSecond(exp));
    assertThat(answer.getStatus().getExpirationTimestamp()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(tenantSa.getMetadata().getUid()).isNotBlank();
    assertThat(claims.get("kubernetes.io")).isEqualTo(Map.of("namespace", TENANT,
        "serviceaccount", Map.of("name", SA, "uid", tenantSa.getMetadata().getUid())));
  }

  @Test
  void theSignatureFailsWithAnotherKeyOrAnotherPayload() throws Exception {
    String jwt = ask(kube.client(), TENANT, SA, request(EXCHANGE, 3600L)).getStatus().getToken();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    RSAPublicKey other = (RSAPublicKey) generator.generateKeyPair().getPublic();
    assertThatThrownBy(() -> ServiceAccountTokens.verify(jwt, other))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the signature does not verify with the key " + ServiceAccountTokens.keyId(other));

    String[] parts = jwt.split("\\.");
    String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace("tenant-a", "tenant-b").getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> ServiceAccountTokens.verify(parts[0] + "." + forged + "." + parts[2],
        kube.serviceAccountSigningKey())).hasMessageStartingWith("the signature does not verify");
    assertThatThrownBy(() -> ServiceAccountTokens.verify("not-a-token", kube.serviceAccountSigningKey()))
        .hasMessageContaining("\"not-a-token\"");
  }

  @Test
  void withoutAudiencesOrExpirationTheApiServersAudienceAndAnHour() {
    TokenRequest answer = ask(kube.client(), TENANT, SA, new TokenRequestBuilder().withNewSpec().endSpec().build());
    assertThat(answer.getSpec().getAudiences()).containsExactly(kube.serviceAccountIssuer());
    assertThat(answer.getSpec().getExpirationSeconds()).isEqualTo(3600L);
    Map<String, Object> claims = ServiceAccountTokens.verify(answer.getStatus().getToken(),
        kube.serviceAccountSigningKey());
    assertThat(claims.get("aud")).isEqualTo(List.of(kube.serviceAccountIssuer()));
    assertThat(((Number) claims.get("exp")).longValue() - ((Number) claims.get("iat")).longValue()).isEqualTo(3600L);
    assertThat(kube.serviceAccountIssuer()).matches("https://oidc\\.authip\\.sandbox/[0-9a-f]{16}");
  }

  @Test
  void everyRequestGetsANewTokenAndIsCounted() {
    createServiceAccount(kube, TENANT, "counted");
    assertThat(kube.tokenRequests(TENANT, "counted")).isZero();
    String first = ask(kube.client(), TENANT, "counted", request(EXCHANGE, 3600L)).getStatus().getToken();
    String second = ask(kube.client(), TENANT, "counted", request(EXCHANGE, 3600L)).getStatus().getToken();
    assertThat(first).isNotEqualTo(second);
    assertThat(ServiceAccountTokens.verify(first, kube.serviceAccountSigningKey()).get("jti"))
        .isNotEqualTo(ServiceAccountTokens.verify(second, kube.serviceAccountSigningKey()).get("jti"));
    assertThat(kube.tokenRequests(TENANT, "counted")).isEqualTo(2);
    assertThat(kube.tokenRequests("default", "counted")).isZero();
  }

  @Test
  void theTokenNamesTheStoredUidWhichAReplacementWithoutOneKeeps() throws Exception {
    ServiceAccount sa = createServiceAccount(kube, TENANT, "replaced");
    String path = "/api/v1/namespaces/" + TENANT + "/serviceaccounts/replaced";
    HttpResponse<String> replaced = send(mockUrl(), "PUT", path, "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\","
        + "\"metadata\":{\"name\":\"replaced\",\"namespace\":\"tenant-a\",\"resourceVersion\":\""
        + sa.getMetadata().getResourceVersion() + "\"}}");
    assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
    String uid = kube.client().serviceAccounts().inNamespace(TENANT).withName("replaced").get().getMetadata().getUid();
    assertThat(uid).isEqualTo(sa.getMetadata().getUid());

    TokenRequest answer = ask(kube.client(), TENANT, "replaced", request(EXCHANGE, 3600L));
    assertThat(ServiceAccountTokens.verify(answer.getStatus().getToken(), kube.serviceAccountSigningKey())
        .get("kubernetes.io")).isEqualTo(Map.of("namespace", TENANT,
            "serviceaccount", Map.of("name", "replaced", "uid", uid)));
  }

  @Test
  void aMissingServiceAccountIsNotFound() {
    assertThatThrownBy(() -> ask(kube.client(), TENANT, "nobody", request(EXCHANGE, 3600L)))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(404);
          assertThat(e.getStatus().getReason()).isEqualTo("NotFound");
          assertThat(e.getStatus().getMessage()).isEqualTo("serviceaccounts \"nobody\" not found");
        });
    assertThat(kube.tokenRequests(TENANT, "nobody")).isZero();
  }

  @Test
  void expirationsUnderTenMinutesOrOver2To32SecondsAreInvalid() {
    int before = kube.tokenRequests(TENANT, SA);
    assertThatThrownBy(() -> ask(kube.client(), TENANT, SA, request(EXCHANGE, 60L)))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
          assertThat(e.getStatus().getMessage()).isEqualTo("TokenRequest.authentication.k8s.io \"\" is invalid: "
              + "spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes");
          assertThat(e.getStatus().getDetails().getGroup()).isEqualTo("authentication.k8s.io");
          assertThat(e.getStatus().getDetails().getKind()).isEqualTo("TokenRequest");
          assertThat(e.getStatus().getDetails().getCauses()).singleElement().satisfies(c -> {
            assertThat(c.getField()).isEqualTo("spec.expirationSeconds");
            assertThat(c.getReason()).isEqualTo("FieldValueInvalid");
          });
        });
    assertThatThrownBy(() -> ask(kube.client(), TENANT, SA, request(EXCHANGE, (1L << 32) + 1)))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getStatus().getMessage())
            .isEqualTo("TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: "
                + "4294967297: may not specify a duration larger than 2^32 seconds"));
    assertThat(ask(kube.client(), TENANT, SA, request(EXCHANGE, 600L)).getStatus().getToken()).isNotBlank();
    assertThat(ask(kube.client(), TENANT, SA, request(EXCHANGE, 1L << 32)).getStatus().getToken()).isNotBlank();
    assertThat(kube.tokenRequests(TENANT, SA)).isEqualTo(before + 2);
  }

  @Test
  void theShippedRbacLetsTheOperatorAskForTheTenantServiceAccountsTokensOnly() {
    kube.rbac().reset();
    createServiceAccount(kube, TENANT, "default");
    assertThat(ask(kube.operatorClient(), TENANT, SA, request(EXCHANGE, 3600L)).getStatus().getToken()).isNotBlank();
    assertThatThrownBy(() -> ask(kube.operatorClient(), TENANT, "default", request(EXCHANGE, 3600L)))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(403);
          assertThat(e.getStatus().getReason()).isEqualTo("Forbidden");
          assertThat(e.getStatus().getMessage()).isEqualTo("serviceaccounts \"default\" is forbidden: User "
              + "\"system:serviceaccount:authip-system:authip\" cannot create resource \"serviceaccounts/token\" in "
              + "API group \"\" in the namespace \"tenant-a\"");
        });
    assertThat(kube.rbac().forbidden()).singleElement()
        .satisfies(r -> assertThat(r.path()).endsWith("/serviceaccounts/default/token"));
    kube.rbac().reset();
  }

  @Test
  void aRoleMayLetTheOperatorAskForOneServiceAccountsTokensByName() {
    try (EmbeddedKubernetes narrow = EmbeddedKubernetes.start(0, Rbac.fromYaml(ONE_TENANT_SA),
        Rbac.User.operator())) {
      ServiceAccount sa = createServiceAccount(narrow, TENANT, SA);
      createServiceAccount(narrow, TENANT, "someone-else");

      TokenRequest answer = ask(narrow.operatorClient(), TENANT, SA, request(EXCHANGE, 3600L));
      Map<String, Object> claims = ServiceAccountTokens.verify(answer.getStatus().getToken(),
          narrow.serviceAccountSigningKey());
      assertThat(claims.get("iss")).isEqualTo(narrow.serviceAccountIssuer()).isNotEqualTo(kube.serviceAccountIssuer());
      assertThat(claims.get("kubernetes.io")).isEqualTo(Map.of("namespace", TENANT,
          "serviceaccount", Map.of("name", SA, "uid", sa.getMetadata().getUid())));
      assertThatThrownBy(() -> ServiceAccountTokens.verify(answer.getStatus().getToken(),
          kube.serviceAccountSigningKey())).isInstanceOf(IllegalArgumentException.class);

      assertThatThrownBy(() -> ask(narrow.operatorClient(), TENANT, "someone-else", request(EXCHANGE, 3600L)))
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).isEqualTo(403);
            assertThat(e.getStatus().getMessage()).isEqualTo("serviceaccounts \"someone-else\" is forbidden: User "
                + "\"system:serviceaccount:authip-system:authip\" cannot create resource \"serviceaccounts/token\" "
                + "in API group \"\" in the namespace \"tenant-a\"");
            assertThat(e.getStatus().getDetails().getName()).isEqualTo("someone-else");
          });
      assertThat(narrow.tokenRequests(TENANT, SA)).isEqualTo(1);
      assertThat(narrow.tokenRequests(TENANT, "someone-else")).isZero();
      assertThat(narrow.rbac().used().keySet()).extracting(Object::toString)
          .containsExactly("create serviceaccounts/token in tenant-a");
    }
  }

  @Test
  void bothEndpointsServeItAndRefuseWhatTheApiServerRefuses() throws Exception {
    String body = "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\","
        + "\"spec\":{\"audiences\":null,\"expirationSeconds\":null,\"boundObjectRef\":null}}";
    for (String base : new String[] {mockUrl(), kube.url()}) {
      HttpResponse<String> created = send(base, "POST", TOKEN_PATH, body);
      assertThat(created.statusCode()).as(base).isEqualTo(201);
      JsonNode answer = Json.parse(created.body().getBytes());
      assertThat(answer.path("spec").path("expirationSeconds").asLong()).isEqualTo(3600L);
      assertThat(answer.path("spec").has("boundObjectRef")).isFalse();
      ServiceAccountTokens.verify(answer.path("status").path("token").asText(), kube.serviceAccountSigningKey());

      HttpResponse<String> noNamespace = send(base, "POST", "/api/v1/serviceaccounts/" + SA + "/token", body);
      assertThat(noNamespace.statusCode()).as(base).isEqualTo(404);
      assertThat(Json.parse(noNamespace.body().getBytes()).path("message").asText())
          .isEqualTo("the server could not find the requested resource");

      HttpResponse<String> read = send(base, "GET", TOKEN_PATH, null);
      assertThat(read.statusCode()).as(base).isEqualTo(405);

      HttpResponse<String> notAnObject = send(base, "POST", TOKEN_PATH, "[1,2]");
      assertThat(notAnObject.statusCode()).as(base).isEqualTo(400);
      assertThat(Json.parse(notAnObject.body().getBytes()).path("message").asText()).contains("[1,2]");

      HttpResponse<String> badSeconds = send(base, "POST", TOKEN_PATH, "{\"spec\":{\"expirationSeconds\":\"1h\"}}");
      assertThat(badSeconds.statusCode()).as(base).isEqualTo(400);
      assertThat(Json.parse(badSeconds.body().getBytes()).path("message").asText()).isEqualTo("TokenRequest in "
          + "version \"v1\" cannot be handled as a TokenRequest: json: cannot unmarshal string into Go struct field "
          + "TokenRequestSpec.spec.expirationSeconds of type int64");

      HttpResponse<String> otherName = send(base, "POST", TOKEN_PATH, "{\"metadata\":{\"name\":\"other\"}}");
      assertThat(otherName.statusCode()).as(base).isEqualTo(422);
      assertThat(Json.parse(otherName.body().getBytes()).path("message").asText()).isEqualTo("TokenRequest."
          + "authentication.k8s.io \"authip-tenant\" is invalid: metadata.name: Invalid value: \"other\": must match "
          + "the service account name if specified");
    }
  }

  @Test
  void discoveryListsTheSubresourceAsTheApiServerDoes() throws Exception {
    JsonNode resources = Json.parse(send(kube.url(), "GET", "/api/v1", null).body().getBytes()).path("resources");
    JsonNode token = null;
    for (JsonNode r : resources) {
      if (r.path("name").asText().equals("serviceaccounts/token")) {
        token = r;
      }
    }
    assertThat(token).isNotNull();
    assertThat(token.path("kind").asText()).isEqualTo("TokenRequest");
    assertThat(token.path("group").asText()).isEqualTo("authentication.k8s.io");
    assertThat(token.path("version").asText()).isEqualTo("v1");
    assertThat(token.path("namespaced").asBoolean()).isTrue();
    assertThat(token.path("verbs")).extracting(JsonNode::asText).containsExactly("create");
  }
}
