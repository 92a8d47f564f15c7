package io.authip.azure;

import com.azure.core.http.HttpHeader;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.util.Context;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Reports each attempt to the {@link AzureCallListener}. It sits after the retry policy, so a retried request is
 * reported once per attempt; the operation name travels in the request's {@link Context}.
 */
final class CallRecordingPolicy implements HttpPipelinePolicy {

  static final String OPERATION_KEY = "authip.operation";
  static final String UNKNOWN_OPERATION = "other";
  private static final String RATE_LIMIT_PREFIX = "x-ms-ratelimit-remaining-";
  private static final Logger LOG = LoggerFactory.getLogger(CallRecordingPolicy.class);

  private final AzureCallListener listener;

  CallRecordingPolicy(AzureCallListener listener) {
    this.listener = listener;
  }

  /** A context that names the operation for this policy. */
  static Context operation(String name) {
    return new Context(OPERATION_KEY, name);
  }

  @Override
  public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
    String op = operationOf(context);
    long start = System.nanoTime();
    return next.process()
        .doOnSuccess(r -> report(op, r, start))
        .doOnError(e -> report(op, null, start));
  }

  @Override
  public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
    String op = operationOf(context);
    long start = System.nanoTime();
    HttpResponse response;
    try {
      response = next.processSync();
    } catch (RuntimeException e) {
      report(op, null, start);
      throw e;
    }
    report(op, response, start);
    return response;
  }

  @Override
  public HttpPipelinePosition getPipelinePosition() {
    return HttpPipelinePosition.PER_RETRY;
  }

  private static String operationOf(HttpPipelineCallContext context) {
    return context.getData(OPERATION_KEY).map(Object::toString).orElse(UNKNOWN_OPERATION);
  }

  private void report(String op, HttpResponse response, long start) {
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    int status = response == null ? 0 : response.getStatusCode();
    Map<String, String> limits = response == null ? Map.of() : rateLimitHeaders(response.getHeaders());
    LOG.debug("ARM {} -> {} in {} ms", op, status, took.toMillis());
    try {
      listener.onCall(op, status, took, limits);
    } catch (RuntimeException e) {
      // A broken metrics sink must not turn a successful Azure call into a failure.
      LOG.warn("call listener failed for {}: {}", op, e.toString());
    }
  }

  static Map<String, String> rateLimitHeaders(HttpHeaders headers) {
    Map<String, String> out = new TreeMap<>();
    for (HttpHeader h : headers) {
      String name = h.getName().toLowerCase(Locale.ROOT);
      if (name.startsWith(RATE_LIMIT_PREFIX)) {
        out.put(name, h.getValue());
      }
    }
    return Map.copyOf(out);
  }
}
