package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /api/v1/namespaces/NS/serviceaccounts/NAME/token}, the TokenRequest API, as kube-apiserver's
 * {@code TokenREST.Create} (pkg/registry/core/serviceaccount/storage/token.go) answers it for a token bound to no
 * object: the body is decoded (400), its name and namespace must match the URL's (422), the ServiceAccount must
 * exist (404), audiences default to the API server's own and expirationSeconds to 3600, 10 minutes to 2^32
 * seconds are allowed (422), then 201 with the request, a signed token and its expiry.
 */
final class TokenRequests {

  static final String API_VERSION = "authentication.k8s.io/v1";
  static final String KIND = "TokenRequest";
  /** The v1 default (SetDefaults_TokenRequestSpec). */
  static final long DEFAULT_EXPIRATION_SECONDS = 3600;
  /** kubectl create token sends protobuf, which the sandbox does not read; kubectl create --raw sends the file. */
  static final String KUBECTL_HINT = "instead of kubectl create token, send a TokenRequest in JSON with kubectl "
      + "create --raw /api/v1/namespaces/NAMESPACE/serviceaccounts/NAME/token -f FILE";
  private static final long MIN_EXPIRATION_SECONDS = 10 * 60;
  private static final long MAX_EXPIRATION_SECONDS = 1L << 32;
  private static final ResourcePath TOKEN_REQUESTS =
      new ResourcePath("authentication.k8s.io", "v1", null, "tokenrequests", null, null);

  private final Store store;
  private final TokenIssuer issuer;
  private final Clock clock;

  TokenRequests(Store store, TokenIssuer issuer, Clock clock) {
    this.store = store;
    this.issuer = issuer;
    this.clock = clock;
  }

  /** Whether the path is a ServiceAccount's token subresource, with or without a namespace. */
  static boolean targets(ResourcePath rp) {
    return rp.group().isEmpty() && rp.plural().equals("serviceaccounts") && "token".equals(rp.subresource());
  }

  /** @param rp a path {@link #targets} accepts */
  MockResponse handle(RecordedRequest request, ResourcePath rp) {
    if (rp.namespace() == null) {
      // kube-apiserver serves the subresource under a namespace only; anything else is an unknown path
      return ApiStatus.notFound(null);
    }
    if (request.method() != HttpMethod.POST) {
      return ApiStatus.of(405, "the server does not allow this method on the requested resource", rp);
    }
    JsonNode body = Json.parse(request.getBody().getBytes());
    String undecodable = decodeError(body);
    if (undecodable != null) {
      return ApiStatus.of(400, undecodable, rp);
    }
    ObjectNode tokenRequest = (ObjectNode) body;
    if (tokenRequest.path("apiVersion").isTextual() && !tokenRequest.path("apiVersion").asText().isEmpty()
        && !tokenRequest.path("apiVersion").asText().equals(API_VERSION)) {
      return ApiStatus.of(400, "the API version in the data (" + tokenRequest.path("apiVersion").asText()
          + ") does not match the expected API version (" + API_VERSION + ")", rp);
    }
    if (tokenRequest.path("kind").isTextual() && !tokenRequest.path("kind").asText().isEmpty()
        && !tokenRequest.path("kind").asText().equals(KIND)) {
      return ApiStatus.of(400, "no kind \"" + tokenRequest.path("kind").asText() + "\" is registered for version \""
          + API_VERSION + "\" in scheme \"pkg/api/legacyscheme/scheme.go:30\"", rp);
    }
    ObjectNode metadata = tokenRequest.path("metadata") instanceof ObjectNode m ? m
        : tokenRequest.putObject("metadata");
    String bodyName = metadata.path("name").asText("");
    if (!bodyName.isEmpty() && !bodyName.equals(rp.name())) {
      return invalid(rp.name(), new CelAdmission.Cause("FieldValueInvalid", "metadata.name", "Invalid value: \""
          + bodyName + "\": must match the service account name if specified"));
    }
    String bodyNamespace = metadata.path("namespace").asText("");
    if (!bodyNamespace.isEmpty() && !bodyNamespace.equals(rp.namespace())) {
      return invalid(rp.name(), new CelAdmission.Cause("FieldValueInvalid", "metadata.namespace", "Invalid value: \""
          + bodyNamespace + "\": must match the service account namespace if specified"));
    }
    MockResponse found = store.handleGet(rp.objectPath());
    if (found.code() != 200) {
      return ApiStatus.notFound(rp);
    }
    JsonNode serviceAccount = Json.parse(found.getBody().getBytes());
    return issue(rp, tokenRequest, metadata, serviceAccount);
  }

  private MockResponse issue(ResourcePath rp, ObjectNode tokenRequest, ObjectNode metadata,
      JsonNode serviceAccount) {
    ObjectNode spec = tokenRequest.path("spec") instanceof ObjectNode s ? s : tokenRequest.putObject("spec");
    List<String> audiences = new ArrayList<>();
    spec.path("audiences").forEach(a -> audiences.add(a.asText()));
    if (audiences.isEmpty()) {
      // kube-apiserver's --api-audiences default to its --service-account-issuer
      audiences.add(issuer.issuer());
      spec.set("audiences", JsonNodeFactory.instance.arrayNode().add(issuer.issuer()));
    }
    long seconds = spec.path("expirationSeconds").isNumber() ? spec.path("expirationSeconds").asLong()
        : DEFAULT_EXPIRATION_SECONDS;
    spec.put("expirationSeconds", seconds);
    if (spec.path("boundObjectRef").isNull()) {
      spec.remove("boundObjectRef");
    }
    List<CelAdmission.Cause> causes = new ArrayList<>();
    if (seconds < MIN_EXPIRATION_SECONDS) {
      causes.add(new CelAdmission.Cause("FieldValueInvalid", "spec.expirationSeconds", "Invalid value: " + seconds
          + ": may not specify a duration less than 10 minutes"));
    }
    if (seconds > MAX_EXPIRATION_SECONDS) {
      causes.add(new CelAdmission.Cause("FieldValueInvalid", "spec.expirationSeconds", "Invalid value: " + seconds
          + ": may not specify a duration larger than 2^32 seconds"));
    }
    if (!causes.isEmpty()) {
      return CelAdmission.invalid(TOKEN_REQUESTS, KIND, "", causes);
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    // the mock gives every object a uid on create and keeps it on replace, as a real server does
    String uid = serviceAccount.path("metadata").path("uid").asText("");
    String token = issuer.issue(rp.namespace(), rp.name(), uid, audiences, now, seconds);
    metadata.put("name", rp.name()).put("namespace", rp.namespace()).put("creationTimestamp", now.toString());
    // the request echoed in the API server's field order, with the status it never takes from the client
    ObjectNode answer = JsonNodeFactory.instance.objectNode().put("kind", KIND).put("apiVersion", API_VERSION);
    answer.set("metadata", metadata);
    answer.set("spec", spec);
    answer.putObject("status").put("token", token).put("expirationTimestamp", now.plusSeconds(seconds).toString());
    return ApiStatus.response(201, answer);
  }

  /**
   * What kube-apiserver's decoding says of a body that is not a TokenRequest (handlers' transformDecodeError around
   * encoding/json's messages); null when it decodes.
   */
  private static String decodeError(JsonNode body) {
    if (!(body instanceof ObjectNode)) {
      String text = body == null || body.isMissingNode() ? "" : Serialization.asJson(body);
      return "the object provided is unrecognized (must be of type " + KIND + "): couldn't get version/kind; json "
          + "parse error: the body is " + (text.isEmpty() ? "empty" : "a JSON " + jsonType(body) + ", not an object")
          + " (" + (text.length() <= 30 ? text : text.substring(0, 30) + "...") + ")";
    }
    String prefix = KIND + " in version \"v1\" cannot be handled as a " + KIND + ": ";
    JsonNode metadata = body.path("metadata");
    if (!metadata.isMissingNode() && !metadata.isNull() && !metadata.isObject()) {
      return prefix + fieldError(metadata, "TokenRequest.metadata", "v1.ObjectMeta");
    }
    JsonNode spec = body.path("spec");
    if (spec.isMissingNode() || spec.isNull()) {
      return null;
    }
    if (!spec.isObject()) {
      return prefix + fieldError(spec, "TokenRequest.spec", "v1.TokenRequestSpec");
    }
    JsonNode audiences = spec.path("audiences");
    if (!audiences.isMissingNode() && !audiences.isNull()) {
      if (!audiences.isArray()) {
        return prefix + fieldError(audiences, "TokenRequestSpec.spec.audiences", "[]string");
      }
      for (JsonNode a : audiences) {
        if (!a.isTextual()) {
          return prefix + fieldError(a, "TokenRequestSpec.spec.audiences", "string");
        }
      }
    }
    JsonNode seconds = spec.path("expirationSeconds");
    if (!seconds.isMissingNode() && !seconds.isNull() && !(seconds.isIntegralNumber() && seconds.canConvertToLong())) {
      return prefix + fieldError(seconds, "TokenRequestSpec.spec.expirationSeconds", "int64");
    }
    return null;
  }

  private static String fieldError(JsonNode value, String field, String goType) {
    String what = value.isNumber() ? "number " + value.asText() : jsonType(value);
    return "json: cannot unmarshal " + what + " into Go struct field " + field + " of type " + goType;
  }

  private static String jsonType(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "nothing (an empty body)";
    }
    if (value.isTextual()) {
      return "string";
    }
    if (value.isNumber()) {
      return "number";
    }
    if (value.isBoolean()) {
      return "bool";
    }
    return value.isArray() ? "array" : value.isNull() ? "null" : "object";
  }

  private static MockResponse invalid(String name, CelAdmission.Cause cause) {
    return CelAdmission.invalid(TOKEN_REQUESTS, KIND, name, List.of(cause));
  }
}
