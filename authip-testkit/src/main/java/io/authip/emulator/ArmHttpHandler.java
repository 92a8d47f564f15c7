package io.authip.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP in front of the {@link ResourceStore}: routing, bearer checks (by {@link IdentityEndpoint}), faults,
 * throttling, headers and the request log. Never blocks a server thread: a delayed answer is scheduled, not slept on.
 */
final class ArmHttpHandler implements HttpHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ArmHttpHandler.class);
  static final ObjectMapper MAPPER = new ObjectMapper();

  private final ResourceStore store;
  private final RequestStats stats;
  private final FaultPlan faults;
  private final Throttler throttler;
  private final Clock clock;
  private final Executor executor;
  private final ScheduledExecutorService scheduler;
  private final IdentityEndpoint identity;
  private final RoleAssignments roles = new RoleAssignments();
  private volatile RoleScope roleScope = RoleScope.SUBSCRIPTION;

  ArmHttpHandler(ResourceStore store, RequestStats stats, FaultPlan faults, Throttler throttler, Clock clock,
      String tenantId, Executor executor, ScheduledExecutorService scheduler) {
    this.store = store;
    this.stats = stats;
    this.faults = faults;
    this.throttler = throttler;
    this.clock = clock;
    this.identity = new IdentityEndpoint(tenantId, clock);
    this.executor = executor;
    this.scheduler = scheduler;
  }

  void baseUrl(String url) {
    identity.baseUrl(url);
  }

  void roleScope(RoleScope scope) {
    this.roleScope = scope;
  }

  /** Forgets every token issued so far: their holders get 401 until they ask for a new one. */
  void revokeTokens() {
    identity.revokeTokens();
  }

  FederatedCredentials federatedCredentials() {
    return identity.federated();
  }

  RoleAssignments roleAssignments() {
    return roles;
  }

  Throttler throttler() {
    return throttler;
  }

  /** What a request is, once routed. */
  private record Route(RequestKind kind, String resourceKey, ResourceIds.Ref ref, String operationId,
      boolean operationResult, String subscription, ResourceStore.ListScope list, NetworkRef network) {

    Route(RequestKind kind, String resourceKey, ResourceIds.Ref ref, String operationId, boolean operationResult,
        String subscription) {
      this(kind, resourceKey, ref, operationId, operationResult, subscription, null, null);
    }

    Route(RequestKind kind, String resourceKey, ResourceIds.Ref ref, String operationId, boolean operationResult,
        String subscription, ResourceStore.ListScope list) {
      this(kind, resourceKey, ref, operationId, operationResult, subscription, list, null);
    }

    /** A subnet, NAT gateway, route table or Azure Firewall, or a list of firewalls: Microsoft.Network's versions. */
    boolean networkVersioned() {
      return network != null || kind == RequestKind.AZURE_FIREWALL_LIST;
    }
  }

  /**
   * One received request, read completely before anything is answered.
   *
   * @param principal whom the bearer token was issued to; null without one issued here
   * @param putBefore for a cluster PUT that reached the store: the cluster as it was just before (empty when absent)
   */
  private record Incoming(HttpExchange exchange, Instant at, String method, String path, String query,
      Map<String, List<String>> headers, byte[] body, Route route, Principal principal,
      AtomicReference<Optional<ObjectNode>> putBefore) {

    String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    String apiVersion() {
      return queryParameter("api-version");
    }

    /** The first value of a query parameter, decoded; its name compared case-insensitively, also when encoded. */
    String queryParameter(String name) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equalsIgnoreCase(name)) {
          return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        }
      }
      return null;
    }
  }

  @Override
  public void handle(HttpExchange exchange) {
    Incoming in;
    try {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
      String path = exchange.getRequestURI().getPath();
      String query = Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse("");
      Map<String, List<String>> headers = new LinkedHashMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
      Principal principal = identity.principal(exchange.getRequestHeaders().getFirst("Authorization"));
      in = new Incoming(exchange, clock.instant(), method, path, query, headers, body, route(method, path), principal,
          new AtomicReference<>());
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot read a request: {}", e.toString());
      exchange.close();
      return;
    }
    try {
      dispatch(in);
    } catch (RuntimeException e) {
      LOG.warn("internal error answering {} {}: {}", in.method(), in.path(), e.toString(), e);
      answer(in, ResourceStore.Answer.error(500, "InternalServerError", "The emulator failed: " + e, Map.of()));
    }
  }

  private void dispatch(Incoming in) {
    RequestKind kind = in.route().kind();
    if (!kind.isIdentity()) {
      Optional<ResourceStore.Answer> refused = identity.refusal(in.header("authorization"));
      if (refused.isPresent()) {
        answer(in, refused.get());
        return;
      }
    }
    if (kind == RequestKind.CLUSTER_PUT) {
      rememberPutBody(in);
    }
    String operationCluster = kind == RequestKind.OPERATION_GET && in.route().operationId() != null
        ? store.operationClusterKey(in.route().operationId()) : null;
    Optional<Fault> fault = faults.take(kind, in.route().resourceKey(), operationCluster, in.method());
    if (fault.isPresent()) {
      Fault f = fault.get();
      if (f instanceof Fault.ConnectionReset) {
        record(in, 0);
        in.exchange().close();
        return;
      }
      if (f instanceof Fault.LostResponse lost) {
        ResourceStore.Answer done = normalAnswer(in);
        record(in, 0, done.status());
        try {
          scheduler.schedule(() -> in.exchange().close(), lost.after().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
          in.exchange().close();
        }
        return;
      }
      if (f instanceof Fault.Delay delay) {
        try {
          scheduler.schedule(() -> executor.execute(() -> answerSafely(in)), delay.delay().toMillis(),
              TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
          in.exchange().close();
        }
        return;
      }
      Fault.ErrorResponse error = (Fault.ErrorResponse) f;
      Map<String, String> headers = error.retryAfterSeconds() >= 0
          ? Map.of("Retry-After", Integer.toString(error.retryAfterSeconds())) : Map.of();
      answer(in, ResourceStore.Answer.error(error.status(), error.code(), error.message(), headers));
      return;
    }
    answer(in, normalAnswer(in));
  }

  private void answerSafely(Incoming in) {
    try {
      answer(in, normalAnswer(in));
    } catch (RuntimeException e) {
      LOG.warn("internal error answering {} {}: {}", in.method(), in.path(), e.toString(), e);
      in.exchange().close();
    }
  }

  private ResourceStore.Answer normalAnswer(Incoming in) {
    Route route = in.route();
    Instant now = clock.instant();
    Optional<ResourceStore.Answer> throttled = throttler.check(route.kind(), in.method(), route.resourceKey(),
        route.subscription(), in.principal(), now);
    if (throttled.isPresent()) {
      return throttled.get();
    }
    if (!route.kind().isIdentity() && route.kind() != RequestKind.OTHER && in.apiVersion() == null) {
      return ResourceStore.Answer.error(ArmError.badRequest("MissingApiVersionParameter",
          "The api-version query parameter (?api-version=) is required for all requests."));
    }
    if (route.networkVersioned() && !NetworkRef.API_VERSIONS.contains(in.apiVersion())) {
      // ARM finds no provider registration for a version Microsoft.Network does not serve (wording the emulator's).
      return ResourceStore.Answer.error(ArmError.badRequest("NoRegisteredProviderFound", "No registered resource "
          + "provider found for API version '" + in.apiVersion() + "' for type '" + (route.network() == null
              ? NetworkRef.AZURE_FIREWALLS : route.network().type()) + "'. The supported api-versions are '"
          + String.join(", ", new java.util.TreeSet<>(NetworkRef.API_VERSIONS)) + "'."));
    }
    // Before the store sees the request: a refused PUT starts no operation and changes nothing.
    Optional<ResourceStore.Answer> forbidden = forbidden(in);
    if (forbidden.isPresent()) {
      return forbidden.get();
    }
    switch (route.kind()) {
      case TOKEN:
        return identity.token(in.path(), in.body());
      case METADATA:
        return identity.metadata(route.resourceKey());
      case CLUSTER_GET:
        return store.getCluster(route.ref(), now);
      case CLUSTER_PUT: {
        Optional<JsonNode> body = parse(in.body());
        if (body.isEmpty()) {
          return invalidJson();
        }
        return store.putCluster(route.ref(), body.get(), in.header("if-match"), in.header("if-none-match"),
            in.apiVersion(), now, before -> in.putBefore().set(Optional.ofNullable(before)));
      }
      case CLUSTER_PATCH: {
        Optional<JsonNode> body = parse(in.body());
        if (body.isEmpty()) {
          return invalidJson();
        }
        return store.patchCluster(route.ref(), body.get(), in.header("if-match"), now);
      }
      case PUBLIC_IP_GET:
        return store.getPublicIp(route.ref());
      case PUBLIC_IP_PREFIX_GET:
        return store.getPublicIpPrefix(route.ref());
      case SUBNET_GET:
      case NAT_GATEWAY_GET:
      case ROUTE_TABLE_GET:
      case AZURE_FIREWALL_GET:
        return store.getNetworkResource(route.network());
      case CLUSTER_LIST:
      case PUBLIC_IP_LIST:
      case PUBLIC_IP_PREFIX_LIST:
      case AZURE_FIREWALL_LIST:
        return store.list(route.list(), in.queryParameter("$skiptoken"), in.apiVersion(), now);
      case SERVICE_TAG_DETAILS:
        return ResourceStore.Answer.json(200, store.serviceTags.details(route.subscription(),
            in.queryParameter("tagName"), "true".equalsIgnoreCase(in.queryParameter("noAddressPrefixes"))));
      case OPERATION_GET: {
        String unsigned = store.signer().problem(in.path(), in.query());
        if (unsigned != null) {
          // Plausible, not copied from ARM: an authentication error naming the signature.
          return ResourceStore.Answer.error(401, "AuthenticationFailed", "Authentication failed: " + unsigned
              + ". Use the operation URL exactly as the Azure-AsyncOperation or Location header gave it.", Map.of());
        }
        return route.operationResult() ? store.getOperationResult(route.operationId(), now)
            : store.getOperation(route.operationId(), now);
      }
      default:
        if (route.list() != null) {
          return ResourceStore.Answer.error(405, "MethodNotAllowed", "The emulator does not serve " + in.method()
              + " on a list of " + route.list().kind() + ".", Map.of("Allow", "GET"));
        }
        if (route.network() != null) {
          return ResourceStore.Answer.error(405, "MethodNotAllowed", "The emulator does not serve " + in.method()
              + " on " + route.network().type() + ".", Map.of("Allow", "GET"));
        }
        return route.ref() != null && isServedType(route.ref())
            ? ResourceStore.Answer.error(405, "MethodNotAllowed", "The emulator does not serve " + in.method()
                + " on " + route.ref().type() + ".", Map.of("Allow", allowed(route.ref())))
            : ResourceStore.Answer.error(404, "InvalidResourceType", "The emulator does not serve '" + in.path()
                + "'.", Map.of());
    }
  }

  // ---------------------------------------------------------------- authorization

  /**
   * ARM's 403 when the caller's role assignments do not cover the request: the {@link RoleScope} switch (operation
   * polls need a role at subscription scope) and the scopes of the caller's principal.
   */
  private Optional<ResourceStore.Answer> forbidden(Incoming in) {
    String action = action(in.method(), in.route());
    if (action == null) {
      return Optional.empty();
    }
    ResourceStore.ListScope list = in.route().list();
    // A list's scope is the subscription or resource group it lists, as ARM names it in AuthorizationFailed.
    String scope = list == null ? ResourceIds.path(in.path()) : "/subscriptions/" + list.subscription()
        + (list.resourceGroup() == null ? "" : "/resourceGroups/" + list.resourceGroup());
    // A token revoked between authentication and now leaves no principal; name the caller anyway.
    Principal caller = in.principal() != null ? in.principal()
        : Principal.of("00000000-0000-0000-0000-000000000000");
    if (in.route().kind() == RequestKind.SERVICE_TAG_DETAILS) {
      scope = "/subscriptions/" + in.route().subscription();
    }
    boolean subscriptionScope = in.route().operationId() != null || list != null && list.resourceGroup() == null
        || in.route().kind() == RequestKind.SERVICE_TAG_DETAILS;
    if (subscriptionScope && roleScope == RoleScope.RESOURCE_GROUP) {
      return Optional.of(RoleAssignments.authorizationFailed(caller, action, scope));
    }
    return roles.refusal(in.principal(), action, scope);
  }

  /**
   * The RBAC action a request needs, as ARM names it in {@code AuthorizationFailed}; null for what is not an ARM
   * resource or operation (identity requests, unknown paths), which ARM would refuse otherwise.
   */
  private static String action(String method, Route route) {
    if (route.kind() == RequestKind.SERVICE_TAG_DETAILS) {
      return ResourceIds.NETWORK + "/locations/serviceTagDetails/read";
    }
    if (route.operationId() != null) {
      return method.equals("GET") ? "Microsoft.ContainerService/locations/"
          + (route.operationResult() ? "operationresults" : "operations") + "/read" : null;
    }
    if (route.list() != null) {
      return !method.equals("GET") ? null : switch (route.list().kind()) {
        case CLUSTER_LIST -> ResourceIds.CONTAINER_SERVICE + "/managedClusters/read";
        case PUBLIC_IP_LIST -> ResourceIds.NETWORK + "/publicIPAddresses/read";
        case AZURE_FIREWALL_LIST -> ResourceIds.NETWORK + "/azureFirewalls/read";
        default -> ResourceIds.NETWORK + "/publicIPPrefixes/read";
      };
    }
    if (route.network() != null) {
      return method.equals("GET") || method.equals("HEAD") ? route.network().readAction()
          : route.network().armType() + "/" + (method.equals("DELETE") ? "delete" : "write");
    }
    ResourceIds.Ref ref = route.ref();
    if (ref == null || route.kind().isIdentity()) {
      return null;
    }
    String type;
    if (ref.isA(ResourceIds.CONTAINER_SERVICE, "managedClusters")) {
      type = ResourceIds.CONTAINER_SERVICE + "/managedClusters";
    } else if (ref.isA(ResourceIds.NETWORK, "publicIPAddresses")) {
      type = ResourceIds.NETWORK + "/publicIPAddresses";
    } else if (ref.isA(ResourceIds.NETWORK, "publicIPPrefixes")) {
      type = ResourceIds.NETWORK + "/publicIPPrefixes";
    } else {
      type = ref.namespace() + "/" + ref.type();
    }
    return type + "/" + switch (method) {
      case "GET", "HEAD" -> "read";
      case "PUT", "PATCH" -> "write";
      case "DELETE" -> "delete";
      default -> "action";
    };
  }

  // ---------------------------------------------------------------- routing

  private Route route(String method, String path) {
    String[] s = ResourceIds.path(path).split("/", -1);
    String subscription = s.length > 2 && s[1].equalsIgnoreCase("subscriptions") ? s[2] : null;
    if (s.length == 5 && method.equals("POST") && s[2].equalsIgnoreCase("oauth2") && s[3].equalsIgnoreCase("v2.0")
        && s[4].equalsIgnoreCase("token")) {
      return new Route(RequestKind.TOKEN, ResourceIds.key(path), null, null, false, null);
    }
    String lower = ResourceIds.key(path);
    if (method.equals("GET") && (lower.endsWith("/.well-known/openid-configuration")
        || lower.equals("/common/discovery/instance"))) {
      return new Route(RequestKind.METADATA, lower, null, null, false, null);
    }
    // /subscriptions/S/providers/Microsoft.ContainerService/locations/L/operations/ID
    if (s.length == 9 && subscription != null && s[3].equalsIgnoreCase("providers")
        && s[4].equalsIgnoreCase(ResourceIds.CONTAINER_SERVICE) && s[5].equalsIgnoreCase("locations")
        && (s[7].equalsIgnoreCase("operations") || s[7].equalsIgnoreCase("operationresults"))) {
      RequestKind kind = method.equals("GET") ? RequestKind.OPERATION_GET : RequestKind.OTHER;
      return new Route(kind, lower, null, s[8], s[7].equalsIgnoreCase("operationresults"), subscription);
    }
    // /subscriptions/S/providers/Microsoft.Network/locations/L/serviceTagDetails
    if (s.length == 8 && subscription != null && s[3].equalsIgnoreCase("providers")
        && s[4].equalsIgnoreCase(ResourceIds.NETWORK) && s[5].equalsIgnoreCase("locations") && !s[6].isBlank()
        && s[7].equalsIgnoreCase("serviceTagDetails")) {
      return new Route(method.equals("GET") ? RequestKind.SERVICE_TAG_DETAILS : RequestKind.OTHER, lower, null, null,
          false, subscription);
    }
    Optional<Route> list = listRoute(method, s, lower);
    if (list.isPresent()) {
      return list.get();
    }
    Optional<NetworkRef> network = NetworkRef.parse(path);
    if (network.isPresent()) {
      NetworkRef n = network.get();
      return new Route(method.equals("GET") ? n.getKind() : RequestKind.OTHER, n.key(), null, null, false,
          n.subscription(), null, n);
    }
    Optional<ResourceIds.Ref> ref = ResourceIds.Ref.parse(path);
    if (ref.isPresent()) {
      ResourceIds.Ref r = ref.get();
      RequestKind kind = RequestKind.OTHER;
      if (r.isA(ResourceIds.CONTAINER_SERVICE, "managedClusters")) {
        kind = switch (method) {
          case "GET" -> RequestKind.CLUSTER_GET;
          case "PUT" -> RequestKind.CLUSTER_PUT;
          case "PATCH" -> RequestKind.CLUSTER_PATCH;
          default -> RequestKind.OTHER;
        };
      } else if (r.isA(ResourceIds.NETWORK, "publicIPAddresses") && method.equals("GET")) {
        kind = RequestKind.PUBLIC_IP_GET;
      } else if (r.isA(ResourceIds.NETWORK, "publicIPPrefixes") && method.equals("GET")) {
        kind = RequestKind.PUBLIC_IP_PREFIX_GET;
      }
      return new Route(kind, r.key(), r, null, false, r.subscription());
    }
    return new Route(RequestKind.OTHER, lower, null, null, false, subscription);
  }

  /**
   * {@code /subscriptions/S[/resourceGroups/G]/providers/NS/TYPE} for the three served types: a list (GET) or a
   * method the emulator does not serve there (kind OTHER, answered 405).
   */
  private static Optional<Route> listRoute(String method, String[] s, String lower) {
    boolean inGroup = s.length == 8 && s[3].equalsIgnoreCase("resourceGroups") && !s[4].isBlank();
    int p = inGroup ? 5 : 3;
    if (!(s.length == 6 || inGroup) || !s[1].equalsIgnoreCase("subscriptions") || s[2].isBlank()
        || !s[p].equalsIgnoreCase("providers")) {
      return Optional.empty();
    }
    RequestKind kind;
    if (s[p + 1].equalsIgnoreCase(ResourceIds.CONTAINER_SERVICE) && s[p + 2].equalsIgnoreCase("managedClusters")) {
      kind = RequestKind.CLUSTER_LIST;
    } else if (s[p + 1].equalsIgnoreCase(ResourceIds.NETWORK) && s[p + 2].equalsIgnoreCase("publicIPAddresses")) {
      kind = RequestKind.PUBLIC_IP_LIST;
    } else if (s[p + 1].equalsIgnoreCase(ResourceIds.NETWORK) && s[p + 2].equalsIgnoreCase("publicIPPrefixes")) {
      kind = RequestKind.PUBLIC_IP_PREFIX_LIST;
    } else if (s[p + 1].equalsIgnoreCase(ResourceIds.NETWORK)
        && s[p + 2].equalsIgnoreCase(NetworkRef.AZURE_FIREWALLS)) {
      kind = RequestKind.AZURE_FIREWALL_LIST;
    } else {
      return Optional.empty();
    }
    ResourceStore.ListScope scope = new ResourceStore.ListScope(s[2], inGroup ? s[4] : null, kind,
        String.join("/", s));
    return Optional.of(new Route(method.equals("GET") ? kind : RequestKind.OTHER, lower, null, null, false, s[2],
        scope));
  }

  private static boolean isServedType(ResourceIds.Ref ref) {
    return ref.isA(ResourceIds.CONTAINER_SERVICE, "managedClusters") || ref.isA(ResourceIds.NETWORK,
        "publicIPAddresses") || ref.isA(ResourceIds.NETWORK, "publicIPPrefixes");
  }

  private static String allowed(ResourceIds.Ref ref) {
    return ref.isA(ResourceIds.CONTAINER_SERVICE, "managedClusters") ? "GET, PUT, PATCH" : "GET";
  }

  // ---------------------------------------------------------------- answering

  private void answer(Incoming in, ResourceStore.Answer answer) {
    HttpExchange exchange = in.exchange();
    try {
      byte[] bytes = answer.body() == null ? null : MAPPER.writeValueAsBytes(answer.body());
      var headers = exchange.getResponseHeaders();
      answer.headers().forEach(headers::set);
      String requestId = UUID.randomUUID().toString();
      headers.set("x-ms-request-id", requestId);
      headers.set("x-ms-correlation-request-id",
          Optional.ofNullable(in.header("x-ms-correlation-request-id")).orElse(requestId));
      if (in.header("x-ms-client-request-id") != null) {
        headers.set("x-ms-client-request-id", in.header("x-ms-client-request-id"));
      }
      if (in.header("client-request-id") != null) {
        // MSAL checks that the token endpoint echoes its correlation ID, as Entra ID does.
        headers.set("client-request-id", in.header("client-request-id"));
      }
      headers.set("Cache-Control", "no-cache");
      String subscription = in.route().subscription();
      if (subscription != null && !in.route().kind().isIdentity()) {
        boolean write = Throttler.isWrite(in.method());
        headers.set(write ? "x-ms-ratelimit-remaining-subscription-writes"
            : "x-ms-ratelimit-remaining-subscription-reads",
            Integer.toString(throttler.remaining(write, subscription, in.principal(), clock.instant())));
      }
      if (bytes != null) {
        headers.set("Content-Type", "application/json; charset=utf-8");
      }
      record(in, answer.status());
      boolean noBody = bytes == null || answer.status() == 204 || in.method().equals("HEAD");
      exchange.sendResponseHeaders(answer.status(), noBody ? -1 : bytes.length);
      if (!noBody) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an answer: " + e.getMessage(), e);
    } catch (IOException e) {
      LOG.debug("client went away during {} {}: {}", in.method(), in.path(), e.toString());
    } finally {
      exchange.close();
    }
  }

  private void record(Incoming in, int status) {
    record(in, status, status);
  }

  /**
   * @param status what the caller got (0: no answer)
   * @param judged what the emulator decided, which differs from {@code status} when the answer was lost
   */
  private void record(Incoming in, int status, int judged) {
    Map<String, List<String>> headers = new LinkedHashMap<>(in.headers());
    if (headers.containsKey("authorization")) {
      headers.put("authorization", List.of("Bearer ***"));
    }
    String body = in.route().kind() == RequestKind.TOKEN ? IdentityEndpoint.redactForm(in.body())
        : new String(in.body(), StandardCharsets.UTF_8);
    stats.record(new RecordedRequest(in.at(), in.method(), in.path(), in.query(), headers, body, in.route().kind(),
        in.route().resourceKey(), status, in.principal() == null ? null : in.principal().clientId()));
    if (in.route().kind() == RequestKind.CLUSTER_PUT) {
      audit(in, judged);
    }
  }

  private void audit(Incoming in, int status) {
    Instant now = clock.instant();
    // A PUT refused before the store saw it (fault, bad token, bad JSON) changed nothing: the cluster now is as before.
    Optional<ObjectNode> before = in.putBefore().get();
    if (before == null) {
      before = store.cluster(in.route().ref().id(), now);
    }
    ObjectNode sent = parse(in.body()).filter(JsonNode::isObject).map(ObjectNode.class::cast).orElse(null);
    stats.audit(new PutAudit(now, in.route().ref().id(), before.orElse(null), sent, in.header("if-match"), status));
  }

  private void rememberPutBody(Incoming in) {
    parse(in.body()).filter(JsonNode::isObject)
        .ifPresent(body -> stats.lastPutBody(in.route().resourceKey(), (ObjectNode) body));
  }

  private static ResourceStore.Answer invalidJson() {
    return ResourceStore.Answer.error(ArmError.badRequest("InvalidRequestContent",
        "The request content was invalid and could not be deserialized."));
  }

  private static Optional<JsonNode> parse(byte[] body) {
    if (body.length == 0) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(MAPPER.readTree(body));
    } catch (IOException e) {
      return Optional.empty();
    }
  }


}
