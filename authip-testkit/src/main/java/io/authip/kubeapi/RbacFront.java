package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Authentication and RBAC in front of the embedded API. A request with the operator's bearer token
 * ({@link Rbac#OPERATOR_TOKEN}) is authorized as the operator's ServiceAccount by {@link Rbac}; a forbidden one is
 * answered 403 with the API server's {@code Status} and never reaches the store. A request without an
 * {@code Authorization} header, or with the mock server's own client's token, is the administrator (the tests' own
 * client, the sandbox's kubectl) and passes; any
 * other bearer token is 401, as an unknown token is on a real server. Self-subject access and rules reviews are
 * answered here, truthfully, for whoever asks.
 *
 * <p>Every decision about the operator is recorded: what was used (verb, group, resource, subresource, namespace),
 * how often each grant of the shipped roles allowed a request, and every refusal with its message. Thread-safe.
 */
public final class RbacFront {

  /** One kind of request the operator made and was allowed. */
  public record Use(String verb, String apiGroup, String resource, String subresource, String namespace) {

    @Override
    public String toString() {
      return verb + " " + (apiGroup.isEmpty() ? "" : apiGroup + "/") + resource
          + (subresource.isEmpty() ? "" : "/" + subresource) + (namespace.isEmpty() ? "" : " in " + namespace);
    }
  }

  /** A refused request: method, path and the API server's message. */
  public record Refusal(String method, String path, String message) {

    @Override
    public String toString() {
      return method + " " + path + ": " + message;
    }
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RbacFront.class);

  /** The token of the fabric8 mock server's own client ({@link EmbeddedKubernetes#client()}): the administrator. */
  static final String MOCK_ADMIN_TOKEN = "secret";

  private final AtomicReference<Rbac> rbac;
  private final Rbac.User operator;
  private final Map<Use, AtomicLong> used = new ConcurrentHashMap<>();
  private final Map<Rbac.Grant, AtomicLong> grantHits = new ConcurrentHashMap<>();
  private final List<Refusal> refusals = new CopyOnWriteArrayList<>();
  private final AtomicLong authorized = new AtomicLong();

  RbacFront(Rbac rbac, Rbac.User operator) {
    this.rbac = new AtomicReference<>(rbac);
    this.operator = operator;
  }

  /** The operator's identity. */
  public Rbac.User operator() {
    return operator;
  }

  /** The rules in force. */
  public Rbac rbac() {
    return rbac.get();
  }

  /** Replaces the rules, as a {@code kubectl apply} of other Roles would; the records are kept. */
  public void rules(Rbac rules) {
    rbac.set(rules);
  }

  /**
   * The answer to give instead of the store's: 401, 403, or a review; empty when the request may go on.
   */
  Optional<MockResponse> check(RecordedRequest request) {
    String method = request.getMethod();
    String path = request.getPath();
    String authorization = request.getHeader("Authorization");
    RequestAttributes attributes = RequestAttributes.of(method, path);
    if (authorization == null || authorization.isBlank() || authorization.equals("Bearer " + MOCK_ADMIN_TOKEN)) {
      return review(null, attributes, request);
    }
    if (!authorization.equals("Bearer " + Rbac.OPERATOR_TOKEN)) {
      return Optional.of(status(401, "Unauthorized", "Unauthorized", null));
    }
    Rbac rules = rbac.get();
    Rbac.Decision decision = rules.authorize(operator, attributes);
    if (!decision.allowed()) {
      String message = Rbac.forbiddenMessage(operator, attributes, decision.reason());
      refusals.add(new Refusal(method, path, message));
      LOG.warn("403 {} {}: {}", method, path, message);
      return Optional.of(forbidden(attributes, message));
    }
    authorized.incrementAndGet();
    if (attributes.resourceRequest()) {
      used.computeIfAbsent(new Use(attributes.verb(), attributes.apiGroup(), attributes.resource(),
          attributes.subresource(), attributes.namespace()), u -> new AtomicLong()).incrementAndGet();
    } else {
      used.computeIfAbsent(new Use(attributes.verb(), "", attributes.path(), "", ""), u -> new AtomicLong())
          .incrementAndGet();
    }
    for (Rbac.Grant g : rules.grantsOf(operator)) {
      if (g.allows(attributes)) {
        grantHits.computeIfAbsent(g, k -> new AtomicLong()).incrementAndGet();
      }
    }
    return review(operator, attributes, request);
  }

  /** Requests of the operator that were allowed. */
  public long authorizedCount() {
    return authorized.get();
  }

  /** Every refused request of the operator, oldest first. */
  public List<Refusal> forbidden() {
    return List.copyOf(refusals);
  }

  /** What the operator used, with how often; sorted. */
  public Map<Use, Long> used() {
    Map<Use, Long> out = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
    used.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** How many requests each grant of the operator's roles allowed (a grant never used is absent). */
  public Map<Rbac.Grant, Long> grantsUsed() {
    Map<Rbac.Grant, Long> out = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
    grantHits.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Forgets everything recorded so far. */
  public void reset() {
    used.clear();
    grantHits.clear();
    refusals.clear();
    authorized.set(0);
  }

  /**
   * @throws IllegalStateException listing every refused request of the operator, with the API server's message
   */
  public void requireNoneForbidden() {
    List<Refusal> refused = forbidden();
    if (!refused.isEmpty()) {
      StringBuilder b = new StringBuilder(refused.size() + " request(s) of " + operator.name()
          + " were forbidden by the shipped RBAC (fix charts/authip/templates/rbac.yaml and deploy/base/rbac.yaml):");
      refused.stream().limit(50).forEach(r -> b.append("\n  ").append(r));
      throw new IllegalStateException(b.toString());
    }
  }

  /** SelfSubjectAccessReview and SelfSubjectRulesReview, answered for the requesting user (null: the admin). */
  private Optional<MockResponse> review(Rbac.User user, RequestAttributes a, RecordedRequest request) {
    if (!a.resourceRequest() || !a.verb().equals("create") || !a.apiGroup().equals("authorization.k8s.io")
        || !a.name().isEmpty()) {
      return Optional.empty();
    }
    JsonNode body = Json.parse(request.getBody().getBytes());
    if (!(body instanceof ObjectNode review)) {
      return Optional.of(status(400, "BadRequest", "the review must be a JSON object", null));
    }
    String namespace;
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    switch (a.resource()) {
      case "selfsubjectaccessreviews" -> {
        JsonNode spec = review.path("spec");
        RequestAttributes asked;
        if (spec.has("resourceAttributes")) {
          JsonNode r = spec.path("resourceAttributes");
          asked = RequestAttributes.resource(r.path("verb").asText(""), r.path("group").asText(""),
              r.path("namespace").asText(""), r.path("resource").asText(""), r.path("subresource").asText(""),
              r.path("name").asText(""));
        } else if (spec.has("nonResourceAttributes")) {
          JsonNode r = spec.path("nonResourceAttributes");
          asked = RequestAttributes.nonResource(r.path("verb").asText(""), r.path("path").asText(""));
        } else {
          return Optional.of(status(422, "Invalid", "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: "
              + "[spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or "
              + "resourceAttributes must be specified]", null));
        }
        if (user == null) {
          status.put("allowed", true).put("reason", "the sandbox administrator may do anything");
        } else {
          Rbac.Decision d = rbac.get().authorize(user, asked);
          status.put("allowed", d.allowed());
          if (d.allowed()) {
            status.put("reason", "RBAC: allowed by " + d.allowedBy());
          } else if (!d.reason().isEmpty()) {
            status.put("evaluationError", d.reason());
          }
        }
      }
      case "selfsubjectrulesreviews" -> {
        namespace = review.path("spec").path("namespace").asText("");
        ArrayNode resourceRules = status.putArray("resourceRules");
        ArrayNode nonResourceRules = status.putArray("nonResourceRules");
        List<PolicyRule> rules = user == null
            ? List.of(new io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder().withVerbs("*").withApiGroups("*")
                .withResources("*").build(), new io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder()
                .withVerbs("*").withNonResourceURLs("*").build())
            : rbac.get().rulesFor(user, namespace);
        for (PolicyRule r : rules) {
          if (r.getNonResourceURLs() != null && !r.getNonResourceURLs().isEmpty()) {
            ObjectNode n = nonResourceRules.addObject();
            n.set("verbs", Serialization.jsonMapper().valueToTree(r.getVerbs()));
            n.set("nonResourceURLs", Serialization.jsonMapper().valueToTree(r.getNonResourceURLs()));
          }
          if (r.getResources() != null && !r.getResources().isEmpty()) {
            ObjectNode n = resourceRules.addObject();
            n.set("verbs", Serialization.jsonMapper().valueToTree(r.getVerbs()));
            n.set("apiGroups", Serialization.jsonMapper().valueToTree(
                r.getApiGroups() == null ? List.of() : r.getApiGroups()));
            n.set("resources", Serialization.jsonMapper().valueToTree(r.getResources()));
            if (r.getResourceNames() != null && !r.getResourceNames().isEmpty()) {
              n.set("resourceNames", Serialization.jsonMapper().valueToTree(r.getResourceNames()));
            }
          }
        }
        status.put("incomplete", false);
      }
      default -> {
        return Optional.empty();
      }
    }
    review.put("apiVersion", "authorization.k8s.io/v1");
    if (!review.path("metadata").isObject()) {
      review.putObject("metadata");
    }
    ((ObjectNode) review.path("metadata")).putNull("creationTimestamp");
    review.set("status", status);
    return Optional.of(new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json")
        .setBody(Serialization.asJson(review)));
  }

  /** The API server's 403: a {@code Status} with reason Forbidden and the group, resource and name in details. */
  static MockResponse forbidden(RequestAttributes a, String message) {
    ObjectNode details = null;
    if (a.resourceRequest()) {
      details = JsonNodeFactory.instance.objectNode();
      if (!a.name().isEmpty()) {
        details.put("name", a.name());
      }
      if (!a.apiGroup().isEmpty()) {
        details.put("group", a.apiGroup());
      }
      details.put("kind", a.resource());
    }
    return status(403, "Forbidden", message, details);
  }

  private static MockResponse status(int code, String reason, String message, ObjectNode details) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("kind", "Status").put("apiVersion", "v1");
    body.putObject("metadata");
    body.put("status", "Failure").put("message", message).put("reason", reason);
    if (details != null) {
      body.set("details", details);
    }
    body.put("code", code);
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setHeader("X-Content-Type-Options", "nosniff").setBody(body.toString());
  }

  /** Everything recorded, for a test's output: counts, used requests, grants used and unused, refusals. */
  public String report() {
    List<String> lines = new ArrayList<>();
    List<Rbac.Grant> grants = rbac.get().grantsOf(operator);
    Map<Rbac.Grant, Long> hits = grantsUsed();
    lines.add("RBAC of " + operator.name() + ": " + authorizedCount() + " requests authorized, " + forbidden().size()
        + " forbidden; grants used " + grants.stream().filter(hits::containsKey).count() + " of " + grants.size());
    used().forEach((u, n) -> lines.add("  used    " + u + " x" + n));
    for (Rbac.Grant g : grants) {
      boolean hit = hits.containsKey(g);
      lines.add((hit ? "  granted " : "  UNUSED  ") + g + (hit ? " x" + hits.get(g) : ""));
    }
    forbidden().forEach(r -> lines.add("  FORBIDDEN " + r));
    return String.join("\n", lines);
  }
}
