package io.authip.emulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Entra ID side: a token endpoint azure-identity's credentials accept, the metadata MSAL may ask for, and the
 * check that ARM calls carry a token issued here (so the SDK's bearer policy really runs). Tokens are opaque, valid
 * while the emulator runs, and remember the {@link Principal} they were issued to.
 *
 * <p>A client ID with federated identity credentials is checked as strictly as Entra checks it: only a
 * {@code client_assertion} of type jwt-bearer, signed (RS256) by a trusted key of its issuer, within its lifetime,
 * whose issuer, subject and audience match one of its credentials (see {@link FederatedCredentials}). Any other
 * client ID is lenient, as every client was before: any secret or assertion gets a token.
 */
final class IdentityEndpoint {

  private static final Set<String> SECRET_FORM_FIELDS = Set.of("client_secret", "client_assertion");
  private static final ObjectMapper MAPPER = ArmHttpHandler.MAPPER;

  private final String tenantId;
  private final Clock clock;
  /** Issued token → the audience (resource) it was issued for and to whom. */
  private final Map<String, Issued> issuedTokens = new ConcurrentHashMap<>();
  private final FederatedCredentials federated = new FederatedCredentials();
  /** The audiences ARM accepts, as its InvalidAuthenticationTokenAudience message lists them. */
  static final List<String> ARM_AUDIENCES = List.of("https://management.core.windows.net/",
      "https://management.core.windows.net", "https://management.azure.com/", "https://management.azure.com");
  private final SecureRandom random = new SecureRandom();
  private volatile String baseUrl = "https://127.0.0.1";

  private record Issued(String audience, Principal principal) {
  }

  IdentityEndpoint(String tenantId, Clock clock) {
    this.tenantId = tenantId;
    this.clock = clock;
  }

  void baseUrl(String url) {
    this.baseUrl = url;
  }

  /** Forgets every token issued so far: their holders get 401 until they ask for a new one. */
  void revokeTokens() {
    issuedTokens.clear();
  }

  FederatedCredentials federated() {
    return federated;
  }

  /** Whom the token in an {@code Authorization} header was issued to; null for no token or one not issued here. */
  Principal principal(String header) {
    Issued issued = issued(header);
    return issued == null ? null : issued.principal();
  }

  private Issued issued(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return issuedTokens.get(header.substring(7).trim());
  }

  /**
   * Why ARM refuses the {@code Authorization} header: no token, one not issued here (401
   * {@code InvalidAuthenticationToken}), or one issued for another audience (401
   * {@code InvalidAuthenticationTokenAudience}, as ARM answers a token for, say, Microsoft Graph).
   */
  Optional<ResourceStore.Answer> refusal(String header) {
    Issued issued = issued(header);
    if (issued == null) {
      return Optional.of(unauthorized());
    }
    String audience = issued.audience();
    if (!ARM_AUDIENCES.contains(audience)) {
      return Optional.of(ResourceStore.Answer.error(401, "InvalidAuthenticationTokenAudience", "The access token "
          + "has been obtained for wrong audience or resource '" + audience + "'. It should exactly match with one "
          + "of the allowed audiences '" + String.join("','", ARM_AUDIENCES) + "'.", Map.of("WWW-Authenticate",
          "Bearer authorization_uri=\"" + baseUrl + "/" + tenantId + "\", error=\"invalid_token\", "
              + "error_description=\"The access token has an audience Resource Manager does not accept.\"")));
    }
    return Optional.empty();
  }

  ResourceStore.Answer unauthorized() {
    String challenge = "Bearer authorization_uri=\"" + baseUrl + "/" + tenantId + "\", error=\"invalid_token\", "
        + "error_description=\"The access token is missing or was not issued by this emulator.\"";
    return ResourceStore.Answer.error(401, "InvalidAuthenticationToken",
        "The access token is missing or invalid: send 'Authorization: Bearer <token>' with a token from "
            + baseUrl + "/" + tenantId + "/oauth2/v2.0/token.", Map.of("WWW-Authenticate", challenge));
  }

  /** {@code POST /{tenant}/oauth2/v2.0/token}: the client credentials grant, with a secret or an assertion. */
  ResourceStore.Answer token(String path, byte[] requestBody) {
    String tenant = ResourceIds.path(path).split("/")[1];
    Map<String, String> form = form(requestBody);
    if (!tenant.equalsIgnoreCase(tenantId)) {
      return aadError(400, "invalid_request", 90002, "Tenant '" + tenant + "' not found. The emulator's tenant is '"
          + tenantId + "'.");
    }
    if (!"client_credentials".equals(form.get("grant_type"))) {
      return aadError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '"
          + form.get("grant_type") + "'; the emulator serves client_credentials only.");
    }
    if (isBlank(form.get("client_id"))) {
      return aadError(400, "invalid_request", 900144, "The request body must contain the parameter: 'client_id'.");
    }
    if (isBlank(form.get("client_secret")) && isBlank(form.get("client_assertion"))) {
      return aadError(401, "invalid_client", 7000216,
          "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
    }
    String clientId = form.get("client_id").trim();
    if (federated.has(clientId)) {
      Optional<ResourceStore.Answer> refused = federatedRefusal(clientId, form);
      if (refused.isPresent()) {
        return refused.get();
      }
    }
    String scope = form.get("scope");
    if (isBlank(scope)) {
      return aadError(400, "invalid_request", 900144, "The request body must contain the following parameter: "
          + "'scope'.");
    }
    String resource = null;
    for (String s : scope.trim().split("\\s+")) {
      if (Set.of("openid", "profile", "offline_access").contains(s)) {
        continue;
      }
      if (resource != null || !s.endsWith("/.default") || s.length() == "/.default".length()) {
        return aadError(400, "invalid_scope", 1002012, "The provided value for scope " + scope + " is not valid. "
            + "Client credential flows must have a scope value with /.default suffixed to the resource identifier "
            + "(application ID URI).");
      }
      resource = s.substring(0, s.length() - "/.default".length());
    }
    if (resource == null) {
      return aadError(400, "invalid_scope", 1002012, "The provided value for scope " + scope + " is not valid: it "
          + "names no resource.");
    }
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String token = "emulator." + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    issuedTokens.put(token, new Issued(resource, Principal.of(clientId)));
    ObjectNode body = MAPPER.createObjectNode();
    body.put("token_type", "Bearer");
    body.put("expires_in", 3599);
    body.put("ext_expires_in", 3599);
    body.put("access_token", token);
    return ResourceStore.Answer.json(200, body);
  }

  /**
   * A client with federated credentials proves itself with an assertion only: a secret is refused as Entra refuses
   * a secret the app does not have.
   */
  private Optional<ResourceStore.Answer> federatedRefusal(String clientId, Map<String, String> form) {
    if (!isBlank(form.get("client_secret"))) {
      return Optional.of(aadError(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret "
          + "being sent in the request is the client secret value, not the client secret ID, for a secret added to "
          + "app '" + clientId + "'."));
    }
    String type = form.get("client_assertion_type");
    if (!FederatedCredentials.JWT_BEARER.equals(type)) {
      // Entra's code for a missing parameter; for another value the wording is the emulator's.
      return Optional.of(aadError(400, "invalid_request", 900144, "The request body must contain the following "
          + "parameter: 'client_assertion_type' with the value '" + FederatedCredentials.JWT_BEARER + "'; got '"
          + type + "'."));
    }
    return federated.check(clientId, form.get("client_assertion"), clock.instant())
        .map(r -> aadError(r.status(), r.error(), r.code(), r.description()));
  }

  private ResourceStore.Answer aadError(int status, String error, int code, String description) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("error", error);
    body.put("error_description", "AADSTS" + code + ": " + description);
    body.putArray("error_codes").add(code);
    body.put("timestamp", clock.instant().toString());
    body.put("trace_id", UUID.randomUUID().toString());
    body.put("correlation_id", UUID.randomUUID().toString());
    return ResourceStore.Answer.json(status, body);
  }

  /** OpenID configuration and instance discovery, for identity libraries that ask. */
  ResourceStore.Answer metadata(String key) {
    ObjectNode body = MAPPER.createObjectNode();
    String host = baseUrl.substring("https://".length());
    if (key.equals("/common/discovery/instance")) {
      body.put("tenant_discovery_endpoint", baseUrl + "/" + tenantId + "/v2.0/.well-known/openid-configuration");
      body.put("api-version", "1.1");
      ObjectNode entry = body.putArray("metadata").addObject();
      entry.put("preferred_network", host);
      entry.put("preferred_cache", host);
      entry.putArray("aliases").add(host);
      return ResourceStore.Answer.json(200, body);
    }
    String authority = baseUrl + "/" + tenantId;
    body.put("token_endpoint", authority + "/oauth2/v2.0/token");
    body.put("authorization_endpoint", authority + "/oauth2/v2.0/authorize");
    body.put("device_authorization_endpoint", authority + "/oauth2/v2.0/devicecode");
    body.put("issuer", authority + "/v2.0");
    body.put("jwks_uri", authority + "/discovery/v2.0/keys");
    body.putArray("token_endpoint_auth_methods_supported").add("client_secret_post").add("private_key_jwt")
        .add("client_secret_basic");
    body.putArray("response_types_supported").add("code").add("id_token").add("code id_token").add("id_token token");
    body.putArray("subject_types_supported").add("pairwise");
    body.putArray("id_token_signing_alg_values_supported").add("RS256");
    body.putArray("scopes_supported").add("openid").add("profile").add("email").add("offline_access");
    return ResourceStore.Answer.json(200, body);
  }

  private static Map<String, String> form(byte[] body) {
    Map<String, String> form = new LinkedHashMap<>();
    for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      form.put(key, value);
    }
    return form;
  }

  /** The form with secrets replaced by {@code ***}, for the request log. */
  static String redactForm(byte[] body) {
    StringBuilder out = new StringBuilder();
    for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
      if (out.length() > 0) {
        out.append('&');
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      out.append(SECRET_FORM_FIELDS.contains(URLDecoder.decode(key, StandardCharsets.UTF_8)) ? key + "=***" : pair);
    }
    return out.toString();
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
