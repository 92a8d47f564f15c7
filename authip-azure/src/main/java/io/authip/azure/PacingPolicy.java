package io.authip.azure;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.fasterxml.jackson.databind.JsonNode;
import io.authip.azure.ArmPacer.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Reports what ARM says about its buckets to an {@link ArmPacer}, for one principal (a pipeline belongs to one
 * identity). Per attempt (it sits after the retry policy), for requests under {@code /subscriptions/{id}/}:
 * <ul>
 *   <li>{@code x-ms-ratelimit-remaining-subscription-reads} / {@code -writes} (and {@code -deletes}, and the
 *       {@code -global-} forms; the lowest wins) lower the principal's {@link Kind#READ} / {@link Kind#WRITE}
 *       bucket;</li>
 *   <li>a 429 with a {@code Retry-After} (or {@link ArmErrors#DEFAULT_THROTTLE} without one) empties one bucket
 *       until then: the AKS bucket for a managed cluster PUT ({@link Kind#CLUSTER_PUT}) or a managedClusters LIST
 *       ({@link Kind#CLUSTER_LIST}), unless ARM itself throttled (error {@code SubscriptionRequestsThrottled} or
 *       {@code TooManyRequestsReceived}, or the remaining header is 0); else the READ or WRITE bucket by method
 *       (GET/HEAD read; PUT/PATCH/POST/DELETE write). A 429 {@code RetryableErrorDueToAnotherOperation} is a busy
 *       resource, not throttling, and is not reported.</li>
 * </ul>
 * It never waits: a 429's body (small) is buffered to read its error code, and the response goes on unchanged.
 * A failure of the pacer never fails the call.
 */
final class PacingPolicy implements HttpPipelinePolicy {

  static final String REMAINING_PREFIX = "x-ms-ratelimit-remaining-subscription-";
  private static final String[] READ_HEADERS = {REMAINING_PREFIX + "reads", REMAINING_PREFIX + "global-reads"};
  private static final String[] WRITE_HEADERS = {REMAINING_PREFIX + "writes", REMAINING_PREFIX + "global-writes",
      REMAINING_PREFIX + "deletes", REMAINING_PREFIX + "global-deletes"};
  private static final Pattern SUBSCRIPTION = Pattern.compile("^/subscriptions/([^/]+)(?:/.*)?$",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern CLUSTER = Pattern.compile(
      "^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.ContainerService/managedClusters/([^/]+)/?$",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern CLUSTER_LIST = Pattern.compile(
      "^/subscriptions/[^/]+(?:/resourceGroups/[^/]+)?/providers/Microsoft\\.ContainerService/managedClusters/?$",
      Pattern.CASE_INSENSITIVE);
  private static final String NOT_THROTTLING = "retryableerrorduetoanotheroperation";
  private static final Set<String> ARM_THROTTLING = Set.of("subscriptionrequeststhrottled",
      "toomanyrequestsreceived", "tenantrequeststhrottled");
  private static final Logger LOG = LoggerFactory.getLogger(PacingPolicy.class);

  private final ArmPacer pacer;
  private final String principal;

  /**
   * @param principal the identity the pipeline authenticates as (its client or object id), as given to
   *     {@link ArmPacer#reserve}
   */
  PacingPolicy(ArmPacer pacer, String principal) {
    this.pacer = Objects.requireNonNull(pacer, "pacer");
    this.principal = Objects.requireNonNull(principal, "principal");
  }

  @Override
  public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
    HttpRequest request = context.getHttpRequest();
    return next.process().flatMap(response -> {
      if (response.getStatusCode() != 429) {
        report(request, response, null);
        return Mono.just(response);
      }
      HttpResponse buffered = response.buffer();
      return buffered.getBodyAsByteArray()
          .defaultIfEmpty(new byte[0])
          .onErrorReturn(new byte[0])
          .map(body -> {
            report(request, buffered, body);
            return buffered;
          });
    });
  }

  @Override
  public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
    HttpRequest request = context.getHttpRequest();
    HttpResponse response = next.processSync();
    if (response.getStatusCode() != 429) {
      report(request, response, null);
      return response;
    }
    HttpResponse buffered = response.buffer();
    byte[] body;
    try {
      body = buffered.getBodyAsBinaryData().toBytes();
    } catch (RuntimeException e) {
      body = new byte[0];
    }
    report(request, buffered, body);
    return buffered;
  }

  @Override
  public HttpPipelinePosition getPipelinePosition() {
    return HttpPipelinePosition.PER_RETRY;
  }

  /** @param body the body of a 429, else null */
  private void report(HttpRequest request, HttpResponse response, byte[] body) {
    try {
      String path = request.getUrl().getPath();
      Matcher sub = SUBSCRIPTION.matcher(path == null ? "" : path);
      if (!sub.matches()) {
        return;
      }
      String subscription = sub.group(1);
      Kind generic = isRead(request.getHttpMethod()) ? Kind.READ : Kind.WRITE;
      long remaining = remaining(response, generic == Kind.READ ? READ_HEADERS : WRITE_HEADERS);
      if (remaining >= 0) {
        pacer.observe(principal, subscription, generic, remaining);
      }
      if (response.getStatusCode() != 429) {
        return;
      }
      String code = errorCode(body);
      if (NOT_THROTTLING.equals(code)) {
        return;
      }
      Duration after = RetryAfter.parse(response.getHeaderValue(RetryAfter.HEADER), Instant.now())
          .orElse(ArmErrors.DEFAULT_THROTTLE);
      boolean byArm = ARM_THROTTLING.contains(code) || remaining == 0;
      Matcher cluster = CLUSTER.matcher(path);
      if (!byArm && request.getHttpMethod() == HttpMethod.PUT && cluster.matches()) {
        pacer.throttled(principal, subscription,
            ArmPacer.clusterId(cluster.group(1), cluster.group(2), cluster.group(3)), Kind.CLUSTER_PUT, after);
      } else if (!byArm && generic == Kind.READ && CLUSTER_LIST.matcher(path).matches()) {
        pacer.throttled(principal, subscription, Kind.CLUSTER_LIST, after);
      } else {
        pacer.throttled(principal, subscription, generic, after);
      }
    } catch (RuntimeException e) {
      // Pacing is advisory: a bug here must not turn an answer into a failure.
      LOG.warn("could not report an ARM answer to the pacer: {}", e.toString());
    }
  }

  static boolean isRead(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD;
  }

  /** The lowest of the headers present and readable, or -1 when none is. */
  static long remaining(HttpResponse response, String[] headers) {
    long lowest = -1;
    for (String h : headers) {
      String v = response.getHeaderValue(h);
      if (v == null) {
        continue;
      }
      try {
        long n = Long.parseLong(v.strip());
        if (n >= 0 && (lowest < 0 || n < lowest)) {
          lowest = n;
        }
      } catch (NumberFormatException ignored) {
        // An unreadable count tells nothing.
      }
    }
    return lowest;
  }

  /** The ARM error code of a body, lower-cased, or "" when there is none. */
  private static String errorCode(byte[] body) {
    if (body == null || body.length == 0) {
      return "";
    }
    try {
      JsonNode node = ClusterJson.parse(body);
      JsonNode error = node.has("error") ? node.get("error") : node;
      return error.path("code").asText("").toLowerCase(Locale.ROOT);
    } catch (Exception notJson) {
      return "";
    }
  }
}
