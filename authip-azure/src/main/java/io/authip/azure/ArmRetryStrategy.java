package io.authip.azure;

import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.RequestRetryCondition;
import com.azure.core.http.policy.RetryStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bounded retries inside the SDK, so that a reconcile never sleeps for long:
 * <ul>
 *   <li>5xx (but 501/505), 408, connection resets and timeouts: a few quick retries with jittered backoff; a
 *       {@code Retry-After} on these is ignored (ARM sends long ones with 503s, the caller's own backoff is
 *       better);</li>
 *   <li>429 with a {@code Retry-After} no longer than the configured maximum: retried after exactly that delay;</li>
 *   <li>429 with a longer (or no) {@code Retry-After}: not retried, the caller gets Throttled at once and
 *       reschedules.</li>
 * </ul>
 * The retry policy must be built with a header name that never appears so that it asks
 * {@link #calculateRetryDelay(RequestRetryCondition)} instead of reading {@code Retry-After} itself.
 */
final class ArmRetryStrategy implements RetryStrategy {

  /** Given to {@code RetryPolicy} as its "retry-after header": absent from every response, see the class comment. */
  static final String NEVER_SENT_HEADER = "x-authip-delay-from-strategy";
  private static final int MAX_BACKOFF_FACTOR = 8;

  private final int maxRetries;
  private final Duration baseDelay;
  private final Duration maxRetryAfter;

  ArmRetryStrategy(int maxRetries, Duration baseDelay, Duration maxRetryAfter) {
    this.maxRetries = maxRetries;
    this.baseDelay = baseDelay;
    this.maxRetryAfter = maxRetryAfter;
  }

  @Override
  public int getMaxRetries() {
    return maxRetries;
  }

  @Override
  public Duration calculateRetryDelay(int retryAttempts) {
    long factor = Math.min(MAX_BACKOFF_FACTOR, 1L << Math.min(retryAttempts, 20));
    long nanos = baseDelay.toNanos() * factor;
    // +-20% jitter so that many reconcilers failing together do not retry in lockstep.
    double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    return Duration.ofNanos((long) (nanos * jitter));
  }

  @Override
  public Duration calculateRetryDelay(RequestRetryCondition condition) {
    HttpResponse r = condition.getResponse();
    if (r != null && r.getStatusCode() == HTTP_STATUS_TOO_MANY_REQUESTS) {
      Optional<Duration> after = retryAfter(r);
      if (after.isPresent()) {
        return after.get();
      }
    }
    return calculateRetryDelay(condition.getTryCount());
  }

  @Override
  public boolean shouldRetryCondition(RequestRetryCondition condition) {
    HttpResponse r = condition.getResponse();
    if (r != null) {
      int status = r.getStatusCode();
      if (status == HTTP_STATUS_TOO_MANY_REQUESTS) {
        return retryAfter(r).map(d -> d.compareTo(maxRetryAfter) <= 0).orElse(false);
      }
      return status == 408 || (status >= 500 && status != 501 && status != 505);
    }
    return ArmErrors.isNetworkFailure(condition.getThrowable());
  }

  private static Optional<Duration> retryAfter(HttpResponse r) {
    return RetryAfter.parse(r.getHeaderValue(RetryAfter.HEADER), Instant.now());
  }
}
