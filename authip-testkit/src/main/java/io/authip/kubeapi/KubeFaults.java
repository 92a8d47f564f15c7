package io.authip.kubeapi;

import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Misbehaviours of the embedded Kubernetes API, for tests: answers given before the CRUD store sees a request (a
 * conflict on a status patch, the API server unavailable for a while) and watch connections dropped on demand.
 * Thread-safe.
 */
public final class KubeFaults {

  private static final class Rule {
    final String method;
    final Pattern path;
    final Pattern body;
    final int status;
    final Instant until;
    int remaining;

    Rule(String method, Pattern path, Pattern body, int status, int remaining, Instant until) {
      this.method = method;
      this.path = path;
      this.body = body;
      this.status = status;
      this.remaining = remaining;
      this.until = until;
    }

    boolean matches(RecordedRequest request) {
      return (method == null || method.equalsIgnoreCase(request.getMethod())) && path.matcher(request.getPath()).matches()
          && (body == null || body.matcher(peekBody(request)).find());
    }
  }

  private final Clock clock;
  private final List<Rule> rules = new ArrayList<>();
  private final Set<WebSocket> watches = ConcurrentHashMap.newKeySet();
  private final AtomicInteger answered = new AtomicInteger();

  KubeFaults(Clock clock) {
    this.clock = clock;
  }

  /**
   * The next {@code times} requests with this method (null: any) whose path and query match {@code pathRegex}
   * get {@code status} with a Kubernetes {@code Status} body, e.g. 409 on
   * {@code .../authorizedippolicies/p/status}.
   */
  public synchronized void fail(String method, String pathRegex, int status, int times) {
    if (times < 1) {
      throw new IllegalArgumentException("a fault must fire at least once, got times=" + times);
    }
    rules.add(new Rule(method, Pattern.compile(pathRegex), null, status, times, null));
  }

  /**
   * As {@link #fail(String, String, int, int)}, only for requests whose body contains a match of {@code bodyRegex}:
   * e.g. the status write that records an operation's poll URL, to refuse the write at one chosen step of a change.
   */
  public synchronized void failWhenBody(String method, String pathRegex, String bodyRegex, int status, int times) {
    if (times < 1) {
      throw new IllegalArgumentException("a fault must fire at least once, got times=" + times);
    }
    rules.add(new Rule(method, Pattern.compile(pathRegex), Pattern.compile(bodyRegex), status, times, null));
  }

  /** Every request (watches included) gets 503 for {@code duration}, as an API server that is down or restarting. */
  public synchronized void unavailableFor(Duration duration) {
    rules.add(new Rule(null, Pattern.compile(".*"), null, 503, Integer.MAX_VALUE, clock.instant().plus(duration)));
  }

  /** Closes every open watch connection, as an API server restart or an idle-timeout proxy does; returns how many. */
  public int disconnectWatches() {
    int n = 0;
    for (WebSocket ws : List.copyOf(watches)) {
      if (ws.close(1001, "closed by the test (KubeFaults.disconnectWatches)")) {
        n++;
      }
      watches.remove(ws);
    }
    return n;
  }

  /** Watch connections open now. */
  public int openWatches() {
    return watches.size();
  }

  /** How many requests were answered by a fault so far. */
  public int answered() {
    return answered.get();
  }

  /** Firings still pending over the counted rules (time-bounded rules not included). */
  public synchronized int pending() {
    Instant now = clock.instant();
    rules.removeIf(r -> r.until != null && !now.isBefore(r.until));
    return rules.stream().filter(r -> r.until == null).mapToInt(r -> r.remaining).sum();
  }

  public synchronized void clear() {
    rules.clear();
  }

  synchronized Optional<MockResponse> take(RecordedRequest request) {
    Instant now = clock.instant();
    Iterator<Rule> it = rules.iterator();
    while (it.hasNext()) {
      Rule rule = it.next();
      if (rule.until != null && !now.isBefore(rule.until)) {
        it.remove();
        continue;
      }
      if (!rule.matches(request)) {
        continue;
      }
      if (rule.until == null && --rule.remaining == 0) {
        it.remove();
      }
      answered.incrementAndGet();
      return Optional.of(status(rule.status, "injected by KubeFaults"));
    }
    return Optional.empty();
  }

  /** The request's body, left in place for the store (reading the buffer would consume it). */
  private static String peekBody(RecordedRequest request) {
    return request.getBody() == null ? ""
        : new String(request.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8);
  }

  void opened(WebSocket ws) {
    watches.add(ws);
  }

  void closed(WebSocket ws) {
    watches.remove(ws);
  }

  /** A Kubernetes {@code Status} answer, as the API server sends with an error. */
  static MockResponse status(int code, String message) {
    String reason = switch (code) {
      case 409 -> "Conflict";
      case 422 -> "Invalid";
      case 429 -> "TooManyRequests";
      case 500 -> "InternalError";
      case 503 -> "ServiceUnavailable";
      case 504 -> "Timeout";
      default -> "Unknown";
    };
    var body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    body.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
        .put("message", (message == null ? "" : message + ": ") + reason).put("reason", reason).put("code", code);
    body.putObject("metadata");
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(body.toString());
  }
}
