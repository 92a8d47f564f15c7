package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts what kubectl needs in front of the mock server's CRUD store: discovery, {@code /version}, OpenAPI v3,
 * server-side tables, field and label selectors on lists, RFC 7386 merge patch, ServiceAccount tokens
 * ({@link TokenRequests}), {@code Status} error bodies and JSON content types. Paths are matched without their
 * query, so {@code /api?timeout=32s} is {@code /api}. Recorded expectations still win, as in the mock's own mixed
 * mode. Watches are the store's (WebSocket, for fabric8 clients); kubectl's HTTP watches are served by
 * {@link KubectlEndpoint}.
 */
final class SandboxDispatcher extends Dispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(SandboxDispatcher.class);

  /** A filtered, sorted list and the store's resourceVersion when it was read. */
  record Listing(List<JsonNode> items, String resourceVersion) {
  }

  private final Map<ServerRequest, Queue<ServerResponse>> expectations;
  private final MockDispatcher expected;
  private final Store store;
  private final ApiCatalog catalog;
  private final Clock clock;
  private final TokenRequests tokens;
  private final ListPages pages;
  /** Makes a merge patch's read and write one step, and orders writes for the watch history. */
  private final ReentrantLock writes = new ReentrantLock();
  /** Whether custom resources are checked by their CRD's x-kubernetes-validations rules, as a 1.31+ server does. */
  private volatile boolean admission = true;

  SandboxDispatcher(Map<ServerRequest, Queue<ServerResponse>> expectations, Store store, ApiCatalog catalog,
      Clock clock, TokenIssuer issuer) {
    this.expectations = expectations;
    this.expected = new MockDispatcher(expectations);
    this.store = store;
    this.catalog = catalog;
    this.clock = clock;
    this.tokens = new TokenRequests(store, issuer, clock);
    this.pages = new ListPages(clock);
  }

  ApiCatalog catalog() {
    return catalog;
  }

  void admission(boolean on) {
    this.admission = on;
  }

  /**
   * The 422 a real API server answers when {@code object} breaks its CRD's validation rules; empty when it is
   * accepted, not a custom resource, or a {@code /status} write (our CRDs have no rules on status, and spec rules
   * ratchet there because spec cannot change).
   */
  private Optional<MockResponse> refusal(ResourcePath rp, JsonNode object, JsonNode old) {
    if (!admission || "status".equals(rp.subresource())) {
      return Optional.empty();
    }
    Optional<ResourceType> type = catalog.find(rp.group(), rp.version(), rp.plural());
    if (type.isEmpty() || !type.get().custom() || type.get().schema() == null) {
      return Optional.empty();
    }
    List<CelAdmission.Cause> causes = CelAdmission.validate(type.get().schema(), object, old);
    if (causes.isEmpty()) {
      return Optional.empty();
    }
    String name = object.path("metadata").path("name").asText(rp.name() == null ? "" : rp.name());
    return Optional.of(CelAdmission.invalid(rp, type.get().kind(), name, causes));
  }

  /** kube-apiserver's limit on a write's body: 413 beyond it. */
  static final int MAX_REQUEST_BYTES = 3 * 1024 * 1024;
  /** etcd's default {@code --max-request-bytes}: a larger object cannot be stored (kube-apiserver answers 500). */
  static final int MAX_OBJECT_BYTES = 1536 * 1024;
  /** A ConfigMap's or Secret's data, all keys and values together. */
  static final int MAX_CONFIGMAP_DATA_BYTES = 1024 * 1024;

  /**
   * The size limits of a real cluster, which the mock server has none of: a body beyond 3 MiB gets 413; a ConfigMap or
   * Secret whose data is over 1 MiB, 422; an object beyond etcd's 1.5 MiB, the 500 "etcdserver: request is too large"
   * kube-apiserver passes on. A policy status that grows with its targets meets the last one first.
   */
  private Optional<MockResponse> tooLarge(RecordedRequest request, ResourcePath rp) {
    long size = request.getBody().size();
    if (size > MAX_REQUEST_BYTES) {
      return Optional.of(ApiStatus.of(413, "Request entity too large: limit is " + MAX_REQUEST_BYTES, rp));
    }
    if (request.method() == HttpMethod.PATCH) {
      return Optional.empty();
    }
    JsonNode body = Json.parse(request.getBody().getBytes());
    if (rp.group().isEmpty() && (rp.plural().equals("configmaps") || rp.plural().equals("secrets"))) {
      long data = 0;
      for (String field : List.of("data", "binaryData")) {
        var it = body.path(field).fields();
        while (it.hasNext()) {
          var e = it.next();
          data += e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
              + e.getValue().asText("").getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
      }
      if (data > MAX_CONFIGMAP_DATA_BYTES) {
        String kind = rp.plural().equals("configmaps") ? "ConfigMap" : "Secret";
        String name = body.path("metadata").path("name").asText(rp.name() == null ? "" : rp.name());
        return Optional.of(CelAdmission.invalid(rp, kind, name, List.of(new CelAdmission.Cause("FieldValueTooLong",
            "[]", "Too long: must have at most " + MAX_CONFIGMAP_DATA_BYTES + " bytes"))));
      }
    }
    if (Json.bytes(body).length > MAX_OBJECT_BYTES) {
      return Optional.of(ApiStatus.of(500, "etcdserver: request is too large", rp));
    }
    return Optional.empty();
  }

  private Optional<MockResponse> refusalOfUpdate(ResourcePath rp, JsonNode object) {
    MockResponse current = store.handleGet(rp.objectPath());
    JsonNode old = current.code() == 200 ? Json.parse(current.getBody().getBytes()) : null;
    return refusal(rp, object, old);
  }

  Clock clock() {
    return clock;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    MockResponse response;
    try {
      response = route(request);
    } catch (IllegalArgumentException e) {
      response = ApiStatus.of(400, e.getMessage(), ResourcePath.parse(Query.pathOf(request.getPath())).orElse(null));
    } catch (RuntimeException e) {
      LOG.warn("{} {} failed", request.getMethod(), request.getPath(), e);
      response = ApiStatus.of(500, String.valueOf(e.getMessage()), null);
    }
    return finish(request, response);
  }

  private MockResponse route(RecordedRequest request) {
    Queue<ServerResponse> queued = expectations.get(new SimpleRequest(request.method(), request.getPath()));
    if (queued != null && !queued.isEmpty()) {
      return expected.dispatch(request);
    }
    String path = Query.pathOf(request.getPath());
    Query query = Query.of(request.getPath());
    if (request.method() == HttpMethod.GET) {
      Optional<MockResponse> meta = metadata(path);
      if (meta.isPresent()) {
        return meta.get();
      }
    }
    Optional<ResourcePath> target = ResourcePath.parse(path);
    if (target.isEmpty()) {
      return ApiStatus.notFound(null);
    }
    ResourcePath rp = target.get();
    String contentType = mediaType(request.getHeader("Content-Type"));
    if (contentType.contains("protobuf") || contentType.contains("cbor")) {
      return ApiStatus.of(415, "the authip sandbox reads JSON and YAML only, not " + contentType + ": "
          + (TokenRequests.targets(rp) ? TokenRequests.KUBECTL_HINT
              : "use kubectl apply -f or kubectl create -f with a manifest instead of kubectl create <kind>"), rp);
    }
    if (TokenRequests.targets(rp)) {
      // the store knows no subresource but status; tokens are issued, never stored
      return tokens.handle(request, rp);
    }
    boolean dryRun = query.get("dryRun") != null && !query.get("dryRun").isEmpty();
    if (rp.collection() && (request.method() == HttpMethod.PATCH || request.method() == HttpMethod.PUT)) {
      return ApiStatus.of(405, request.getMethod() + " needs an object name", rp);
    }
    if (request.method() == HttpMethod.POST || request.method() == HttpMethod.PUT
        || request.method() == HttpMethod.PATCH) {
      Optional<MockResponse> tooLarge = tooLarge(request, rp);
      if (tooLarge.isPresent()) {
        return tooLarge.get();
      }
    }
    switch (request.method()) {
      case GET:
        return query.watch() ? store.dispatch(request) : read(request, rp, query);
      case POST:
        return locked(() -> create(request, rp, dryRun));
      case PATCH:
        return locked(() -> patch(request, rp, contentType, dryRun));
      case PUT:
        return locked(() -> {
          JsonNode body = Json.parse(request.getBody().getBytes());
          Optional<MockResponse> refused = refusalOfUpdate(rp, body);
          if (refused.isPresent()) {
            return refused.get();
          }
          return dryRun ? dryRunUpdate(rp, body) : store.dispatch(withoutQuery(request));
        });
      case DELETE:
        return locked(() -> dryRun ? store.handleGet(rp.objectPath()) : store.dispatch(request));
      default:
        return ApiStatus.of(405, request.getMethod() + " is not supported", rp);
    }
  }

  private Optional<MockResponse> metadata(String path) {
    List<String> s = ResourcePath.segments(path);
    String joined = "/" + String.join("/", s);
    if (joined.equals("/version")) {
      return Optional.of(json(EmbeddedKubernetes.versionJson()));
    } else if (joined.equals("/api")) {
      return Optional.of(json(catalog.coreVersions()));
    } else if (joined.equals("/apis")) {
      return Optional.of(json(catalog.groupList()));
    } else if (s.size() == 2 && s.get(0).equals("api")) {
      return Optional.of(catalog.resourceList("", s.get(1)).map(this::json).orElseGet(() -> ApiStatus.notFound(null)));
    } else if (s.size() == 2 && s.get(0).equals("apis")) {
      return Optional.of(catalog.group(s.get(1)).map(this::json).orElseGet(() -> ApiStatus.notFound(null)));
    } else if (s.size() == 3 && s.get(0).equals("apis")) {
      return Optional.of(catalog.resourceList(s.get(1), s.get(2)).map(this::json)
          .orElseGet(() -> ApiStatus.notFound(null)));
    } else if (joined.equals("/openapi/v3")) {
      return Optional.of(json(OpenApi.root(catalog.types())));
    } else if (s.size() == 4 && joined.startsWith("/openapi/v3/api/")) {
      return Optional.of(OpenApi.groupVersion(catalog.types(), "", s.get(3)).map(this::json)
          .orElseGet(() -> ApiStatus.notFound(null)));
    } else if (s.size() == 5 && joined.startsWith("/openapi/v3/apis/")) {
      return Optional.of(OpenApi.groupVersion(catalog.types(), s.get(3), s.get(4)).map(this::json)
          .orElseGet(() -> ApiStatus.notFound(null)));
    } else if (joined.startsWith("/openapi/")) {
      return Optional.of(ApiStatus.notFound(null));
    }
    return Optional.empty();
  }

  private MockResponse read(RecordedRequest request, ResourcePath rp, Query query) {
    boolean table = Tables.requested(request.getHeader("Accept"));
    if (!rp.collection()) {
      MockResponse found = store.handleGet(rp.objectPath());
      if (found.code() != 200) {
        return ApiStatus.notFound(rp);
      }
      if (!table) {
        return found;
      }
      JsonNode object = Json.parse(found.getBody().getBytes());
      ResourceType type = catalog.find(rp.group(), rp.version(), rp.plural()).orElse(null);
      return json(Tables.of(type, List.of(object), object.path("metadata").path("resourceVersion").asText(null),
          query.get("includeObject"), clock.instant()));
    }
    ResourceType type = catalog.find(rp.group(), rp.version(), rp.plural()).orElse(null);
    ListPages.Page page;
    try {
      page = pages.page(rp, FieldSelector.parse(query.get("fieldSelector")),
          LabelSelector.parse(query.get("labelSelector")), query.get("fieldSelector"), query.get("labelSelector"),
          limit(query.get("limit")), query.get("continue"), () -> store.list(rp.collectionPath()));
    } catch (ListPages.Refused e) {
      return ApiStatus.of(e.code, e.getMessage(), rp);
    }
    ObjectNode body;
    if (table) {
      body = Tables.of(type, page.items(), page.resourceVersion(), query.get("includeObject"), clock.instant());
    } else {
      body = JsonNodeFactory.instance.objectNode();
      body.put("apiVersion", type == null ? "v1" : type.groupVersion());
      body.put("kind", type == null ? "List" : type.kind() + "List");
      body.putObject("metadata").put("resourceVersion", page.resourceVersion());
      body.putArray("items").addAll(page.items());
    }
    if (page.continueToken() != null) {
      ObjectNode metadata = (ObjectNode) body.get("metadata");
      metadata.put("continue", page.continueToken());
      if (page.remainingItemCount() != null) {
        metadata.put("remainingItemCount", page.remainingItemCount());
      }
    }
    return json(body);
  }

  /** The {@code limit} query parameter: 0 (everything) when absent. */
  private static long limit(String text) {
    if (text == null || text.isBlank()) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(text.strip()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("limit must be an integer, not " + text);
    }
  }

  /** Forgets the lists kept for their next pages: their continue tokens get 410 Gone. */
  void expireListPages() {
    pages.expireAll();
  }

  /** The objects of a collection (one namespace, or all) that the selectors select, by namespace and name. */
  Listing list(ResourcePath rp, FieldSelector fields, LabelSelector labels) {
    Store.Snapshot all = store.list(rp.collectionPath());
    List<JsonNode> items = new ArrayList<>();
    for (Store.Item stored : all.items()) {
      JsonNode item = Json.parse(stored.json());
      if (fields.matches(item) && labels.matches(item)) {
        items.add(item);
      }
    }
    return new Listing(items, String.valueOf(all.resourceVersion()));
  }

  private MockResponse create(RecordedRequest request, ResourcePath rp, boolean dryRun) {
    JsonNode body = Json.parse(request.getBody().getBytes());
    String name = body.path("metadata").path("name").asText("");
    ResourcePath named = new ResourcePath(rp.group(), rp.version(), rp.namespace(), rp.plural(),
        name.isEmpty() ? null : name, null);
    Optional<MockResponse> refused = refusal(rp, body, null);
    if (refused.isPresent()) {
      return refused.get();
    }
    if (dryRun) {
      if (!name.isEmpty() && store.handleGet(named.objectPath()).code() == 200) {
        return alreadyExists(named);
      }
      boolean status = catalog.find(rp.group(), rp.version(), rp.plural())
          .map(ResourceType::statusSubresource).orElse(false);
      return json(201, DryRun.created(body, rp.namespace(), status, clock.instant()));
    }
    if (rp.namespace() != null) {
      ensureNamespace(rp.namespace());
    }
    MockResponse created;
    if (rp.group().isEmpty() && rp.plural().equals("namespaces") && body instanceof ObjectNode ns
        && !ns.path("status").has("phase")) {
      ns.putObject("status").put("phase", "Active");
      created = store.dispatch(withBody(request, HttpMethod.POST, Json.bytes(ns)));
    } else {
      created = store.dispatch(withoutQuery(request));
    }
    return created.code() == 409 ? alreadyExists(named) : created;
  }

  private static MockResponse alreadyExists(ResourcePath named) {
    return ApiStatus.of(409, named.qualifiedResource() + " \"" + named.name() + "\" already exists", named);
  }

  /** Like the NamespaceAutoProvision admission plugin: the examples need no Namespace manifest of their own. */
  private void ensureNamespace(String name) {
    if (store.handleGet("/api/v1/namespaces/" + name).code() == 404) {
      ObjectNode ns = JsonNodeFactory.instance.objectNode();
      ns.put("apiVersion", "v1").put("kind", "Namespace").putObject("metadata").put("name", name);
      ns.putObject("status").put("phase", "Active");
      store.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.POST, "/api/v1/namespaces",
          Headers.builder().add("Content-Type", "application/json").build(), new Buffer(Json.bytes(ns))));
    }
  }

  private MockResponse patch(RecordedRequest request, ResourcePath rp, String contentType, boolean dryRun) {
    switch (contentType) {
      case "application/json-patch+json":
        if (dryRun || admission) {
          MockResponse current = store.handleGet(rp.objectPath());
          if (current.code() != 200) {
            return ApiStatus.notFound(rp);
          }
          JsonNode patched;
          JsonNode old = Json.parse(current.getBody().getBytes());
          try {
            patched = JsonPatch.apply(Json.parse(request.getBody().getBytes()), old.deepCopy());
          } catch (RuntimeException e) {
            return ApiStatus.of(422, "the JSON patch cannot be applied: " + e.getMessage(), rp);
          }
          Optional<MockResponse> refused = refusal(rp, patched, old);
          if (refused.isPresent()) {
            return refused.get();
          }
          if (dryRun) {
            return dryRunUpdate(rp, patched);
          }
        }
        return store.dispatch(withoutQuery(request));
      case "application/merge-patch+json":
        return mergePatch(request, rp, Json.parse(request.getBody().getBytes()), dryRun);
      case "application/strategic-merge-patch+json":
        Optional<ResourceType> type = catalog.find(rp.group(), rp.version(), rp.plural());
        if (type.isEmpty() || type.get().custom()) {
          return ApiStatus.of(415, "the body of the request was in an unknown format - accepted media types "
              + "include: application/json-patch+json, application/merge-patch+json (strategic merge patch is "
              + "not supported for custom resources: use kubectl patch --type merge or --type json)", rp);
        }
        return mergePatch(request, rp,
            MergePatch.withoutStrategicDirectives(Json.parse(request.getBody().getBytes())), dryRun);
      default:
        return ApiStatus.of(415, "the body of the request was in an unknown format (" + contentType
            + ") - accepted media types include: application/json-patch+json, application/merge-patch+json"
            + (contentType.startsWith("application/apply-patch") ? " (server-side apply is not supported by the "
            + "authip sandbox: use kubectl apply without --server-side)" : ""), rp);
    }
  }

  /**
   * Applies RFC 7386 here and hands the store the result as a replacement (PUT), which keeps its rules: a
   * {@code /status} path changes only status, the main path never changes status, generation moves with spec
   * changes, a resourceVersion in the patch must still be current.
   */
  private MockResponse mergePatch(RecordedRequest request, ResourcePath rp, JsonNode patch, boolean dryRun) {
    if (!patch.isObject()) {
      return ApiStatus.of(400, "a merge patch must be a JSON object", rp);
    }
    MockResponse current = store.handleGet(rp.objectPath());
    if (current.code() != 200) {
      return ApiStatus.notFound(rp);
    }
    JsonNode old = Json.parse(current.getBody().getBytes());
    JsonNode merged = MergePatch.apply(old.deepCopy(), patch);
    Optional<MockResponse> refused = refusal(rp, merged, old);
    if (refused.isPresent()) {
      return refused.get();
    }
    return dryRun ? dryRunUpdate(rp, merged) : store.dispatch(withBody(request, HttpMethod.PUT, Json.bytes(merged)));
  }

  private MockResponse dryRunUpdate(ResourcePath rp, JsonNode requested) {
    MockResponse current = store.handleGet(rp.objectPath());
    if (current.code() != 200) {
      return ApiStatus.notFound(rp);
    }
    boolean status = catalog.find(rp.group(), rp.version(), rp.plural())
        .map(ResourceType::statusSubresource).orElse(false);
    return json(200, DryRun.updated(Json.parse(current.getBody().getBytes()), requested,
        "status".equals(rp.subresource()), status));
  }

  /**
   * The store sees writes without their query: it tells a status update by the path ending in {@code /status},
   * which {@code /status?fieldManager=kubectl} does not.
   */
  private static RecordedRequest withoutQuery(RecordedRequest request) {
    return new RecordedRequest("HTTP/1.1", request.method(), Query.pathOf(request.getPath()), request.getHeaders(),
        request.getBody());
  }

  private static RecordedRequest withBody(RecordedRequest request, HttpMethod method, byte[] body) {
    return new RecordedRequest("HTTP/1.1", method, Query.pathOf(request.getPath()),
        Headers.builder().add("Content-Type", "application/json").build(), new Buffer(body));
  }

  private MockResponse locked(Supplier<MockResponse> write) {
    writes.lock();
    try {
      return write.get();
    } finally {
      writes.unlock();
    }
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  private MockResponse finish(RecordedRequest request, MockResponse response) {
    if (response.getWebSocketListener() != null) {
      return response;
    }
    if (request.method() == HttpMethod.PATCH && response.code() == 202) {
      response.setResponseCode(200);
    }
    byte[] body = response.getBody() == null ? new byte[0] : response.getBody().getBytes();
    if (response.code() >= 400) {
      ResourcePath about = ResourcePath.parse(Query.pathOf(request.getPath())).orElse(null);
      if (!isStatus(body)) {
        return ApiStatus.forCode(response.code(), about);
      }
      return ApiStatus.normalized(response.code(), Json.parse(body), about);
    }
    if (body.length > 0 && response.header("Content-Type") == null) {
      response.setHeader("Content-Type", "application/json");
    }
    return response;
  }

  private static boolean isStatus(byte[] body) {
    return body.length > 0 && new String(body, StandardCharsets.UTF_8).contains("\"Status\"");
  }

  private MockResponse json(String body) {
    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json").setBody(body);
  }

  private MockResponse json(JsonNode body) {
    return json(200, body);
  }

  private static MockResponse json(int code, JsonNode body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(Serialization.asJson(body));
  }
}
