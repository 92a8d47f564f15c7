package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint kubectl talks to, on 127.0.0.1 only. Requests go to the {@link SandboxDispatcher}, except
 * watches: kubectl (and {@code kubectl delete}/{@code wait}, which wait through a watch) reads a watch as one
 * long chunked HTTP response, which the mock server cannot stream, so they are streamed here from the
 * {@link WatchHub}.
 */
final class KubectlEndpoint implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KubectlEndpoint.class);
  /** How long a watch stays quiet before a newline (or a bookmark) checks that the client is still there. */
  private static final Duration HEARTBEAT = Duration.ofSeconds(5);
  /** What a real API server's --min-request-timeout gives watches that ask for no timeout. */
  private static final Duration DEFAULT_WATCH_TIMEOUT = Duration.ofMinutes(30);
  private static final Set<String> HOP_BY_HOP = Set.of("content-length", "transfer-encoding", "connection");

  private final HttpServer server;
  private final ExecutorService executor;
  private final SandboxDispatcher dispatcher;
  private final WatchHub hub;
  private final RbacFront rbac;

  private KubectlEndpoint(HttpServer server, ExecutorService executor, SandboxDispatcher dispatcher,
      WatchHub hub, RbacFront rbac) {
    this.rbac = rbac;
    this.server = server;
    this.executor = executor;
    this.dispatcher = dispatcher;
    this.hub = hub;
  }

  /** @param port 0 for a free one */
  static KubectlEndpoint start(int port, SandboxDispatcher dispatcher, WatchHub hub, RbacFront rbac) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 64);
    } catch (BindException e) {
      throw new UncheckedIOException("port " + port + " on 127.0.0.1 is in use; choose another or 0 for a free one",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "authip-sandbox-api-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    KubectlEndpoint endpoint = new KubectlEndpoint(server, executor, dispatcher, hub, rbac);
    server.createContext("/", endpoint::handle);
    server.setExecutor(executor);
    server.start();
    return endpoint;
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) {
    try (exchange) {
      String rawQuery = exchange.getRequestURI().getRawQuery();
      String path = exchange.getRequestURI().getRawPath();
      String pathAndQuery = rawQuery == null ? path : path + "?" + rawQuery;
      Query query = Query.parse(rawQuery);
      String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
      byte[] body = exchange.getRequestBody().readAllBytes();
      Headers.Builder headers = Headers.builder();
      exchange.getRequestHeaders().forEach((name, values) -> values.forEach(v -> headers.add(name, v)));
      RecordedRequest recorded;
      try {
        recorded = new RecordedRequest("HTTP/1.1", HttpMethod.valueOf(method), pathAndQuery, headers.build(),
            new Buffer(body));
      } catch (IllegalArgumentException unknownMethod) {
        send(exchange, ApiStatus.of(405, method + " is not supported", null));
        return;
      }
      Optional<MockResponse> refused = rbac.check(recorded);
      if (refused.isPresent()) {
        send(exchange, refused.get());
        return;
      }
      if (method.equals("GET") && query.watch()) {
        if (isWebSocketUpgrade(exchange)) {
          // No upgrade here. A finished 200 makes fabric8 clients fall back to an HTTP watch at once (a 503
          // would too, but only after ten retries with backoff); a stream would leave the handshake hanging.
          exchange.sendResponseHeaders(200, -1);
        } else {
          watch(exchange, path, query);
        }
        return;
      }
      send(exchange, dispatcher.dispatch(recorded));
    } catch (IOException e) {
      LOG.debug("client went away: {}", e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
    }
  }

  private static boolean isWebSocketUpgrade(HttpExchange exchange) {
    String upgrade = exchange.getRequestHeaders().getFirst("Upgrade");
    return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket");
  }

  private static void send(HttpExchange exchange, MockResponse response) throws IOException {
    response.getHeaders().toMultimap().forEach((name, values) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(v -> exchange.getResponseHeaders().add(name, v));
      }
    });
    byte[] body = response.getBody() == null ? new byte[0] : response.getBody().getBytes();
    exchange.sendResponseHeaders(response.code(), body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }

  private void watch(HttpExchange exchange, String path, Query query) throws IOException {
    Optional<ResourcePath> target = ResourcePath.parse(path);
    if (target.isEmpty()) {
      send(exchange, ApiStatus.notFound(null));
      return;
    }
    ResourcePath rp = target.get();
    FieldSelector fields;
    LabelSelector labels;
    try {
      fields = FieldSelector.parse(query.get("fieldSelector"));
      labels = LabelSelector.parse(query.get("labelSelector"));
    } catch (IllegalArgumentException e) {
      send(exchange, ApiStatus.of(400, e.getMessage(), rp));
      return;
    }
    Predicate<JsonNode> selected = o -> (rp.namespace() == null
        || rp.namespace().equals(o.path("metadata").path("namespace").asText()))
        && (rp.name() == null || rp.name().equals(o.path("metadata").path("name").asText()))
        && fields.matches(o) && labels.matches(o);
    long since = version(query.get("resourceVersion"));
    boolean initialEvents = since <= 0 || query.isTrue("sendInitialEvents");
    Stream stream = new Stream(exchange, rp, query);
    WatchHub.Subscription subscription;
    try {
      subscription = hub.subscribe(initialEvents ? -1 : since);
    } catch (WatchHub.Expired e) {
      stream.open();
      stream.event("ERROR", ApiStatus.body(410, e.getMessage(), rp));
      return;
    }
    try (subscription) {
      stream.open();
      long last = since;
      if (initialEvents) {
        SandboxDispatcher.Listing listing = dispatcher.list(rp, fields, labels);
        last = version(listing.resourceVersion());
        for (JsonNode item : listing.items()) {
          if (selected.test(item)) {
            stream.event("ADDED", item);
          }
        }
        if (query.isTrue("sendInitialEvents")) {
          stream.bookmark(last, true);
        }
      }
      Instant deadline = Instant.now().plus(timeout(query));
      while (true) {
        long remaining = Duration.between(Instant.now(), deadline).toMillis();
        if (remaining <= 0) {
          break;
        }
        WatchHub.Change change = subscription.poll(Math.min(remaining, HEARTBEAT.toMillis()), TimeUnit.MILLISECONDS);
        if (change == null) {
          if (subscription.ended()) {
            break;
          }
          stream.heartbeat(last);
          continue;
        }
        if (change.resourceVersion() <= last
            || !(change.group().equals(rp.group()) && change.version().equals(rp.version())
            && change.plural().equals(rp.plural()))) {
          continue;
        }
        last = change.resourceVersion();
        boolean was = change.before() != null && selected.test(change.before());
        boolean is = change.after() != null && selected.test(change.after());
        JsonNode object = change.after() != null ? change.after() : change.before();
        if (was && is) {
          stream.event("MODIFIED", object);
        } else if (was) {
          stream.event("DELETED", object);
        } else if (is) {
          stream.event("ADDED", object);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long version(String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Duration timeout(Query query) {
    long seconds = version(query.get("timeoutSeconds"));
    return seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_WATCH_TIMEOUT;
  }

  /** One watch response: JSON events, one per line, in a chunked body. */
  private final class Stream {
    private final HttpExchange exchange;
    private final ResourcePath rp;
    private final boolean table;
    private final boolean bookmarks;
    private final String includeObject;
    private final ResourceType type;
    private OutputStream out;

    Stream(HttpExchange exchange, ResourcePath rp, Query query) {
      this.exchange = exchange;
      this.rp = rp;
      this.table = Tables.requested(exchange.getRequestHeaders().getFirst("Accept"));
      this.bookmarks = query.isTrue("allowWatchBookmarks");
      this.includeObject = query.get("includeObject");
      this.type = dispatcher.catalog().find(rp.group(), rp.version(), rp.plural()).orElse(null);
    }

    void open() throws IOException {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, 0);
      out = exchange.getResponseBody();
    }

    void event(String eventType, JsonNode object) throws IOException {
      JsonNode payload = object;
      if (table && !eventType.equals("ERROR")) {
        payload = Tables.of(type, List.of(object), object.path("metadata").path("resourceVersion").asText(null),
            includeObject, dispatcher.clock().instant());
      }
      ObjectNode event = JsonNodeFactory.instance.objectNode();
      event.put("type", eventType);
      event.set("object", payload);
      write(Json.bytes(event));
    }

    void bookmark(long resourceVersion, boolean initialEventsEnd) throws IOException {
      ObjectNode object = JsonNodeFactory.instance.objectNode();
      object.put("kind", type == null ? "Status" : type.kind());
      object.put("apiVersion", rp.groupVersion());
      ObjectNode metadata = object.putObject("metadata");
      metadata.put("resourceVersion", String.valueOf(resourceVersion));
      if (initialEventsEnd) {
        metadata.putObject("annotations").put("k8s.io/initial-events-end", "true");
      }
      ObjectNode event = JsonNodeFactory.instance.objectNode();
      event.put("type", "BOOKMARK");
      event.set("object", object);
      write(Json.bytes(event));
    }

    /** Whitespace between events is allowed by every watch decoder; a write to a closed client fails. */
    void heartbeat(long resourceVersion) throws IOException {
      if (bookmarks && !table) {
        bookmark(resourceVersion, false);
      } else {
        out.write('\n');
        out.flush();
      }
    }

    private void write(byte[] json) throws IOException {
      out.write(json);
      out.write('\n');
      out.flush();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
