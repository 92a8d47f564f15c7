package io.authip.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Applies a {@link Throttling} policy: one read bucket per subscription, one PUT bucket per cluster. */
final class Throttler {

  private final Throttling policy;
  private final Map<String, TokenBucket> reads = new HashMap<>();
  private final Map<String, TokenBucket> puts = new HashMap<>();

  Throttler(Throttling policy) {
    this.policy = policy;
  }

  /** The 429 to answer instead, if the request's bucket is empty. */
  synchronized Optional<ResourceStore.Answer> check(RequestKind kind, String method, String resourceKey,
      String subscription, Instant now) {
    if (policy.putsThrottled() && kind == RequestKind.CLUSTER_PUT) {
      Duration wait = puts.computeIfAbsent(resourceKey,
          k -> new TokenBucket(policy.clusterPutBucket(), policy.clusterPutRefill(), now)).take(now);
      if (!wait.isZero()) {
        long seconds = seconds(wait);
        return Optional.of(ResourceStore.Answer.error(429, "TooManyRequests", "Too many requests to update managed "
            + "cluster '" + resourceKey.substring(resourceKey.lastIndexOf('/') + 1) + "'. Please retry after "
            + seconds + " seconds.", Map.of("Retry-After", Long.toString(seconds))));
      }
    }
    if (policy.readsThrottled() && method.equals("GET") && subscription != null && !kind.isIdentity()) {
      Duration perRead = Duration.ofNanos(Math.max(1, Math.round(1e9 / policy.readsPerSecond())));
      Duration wait = reads.computeIfAbsent(subscription.toLowerCase(Locale.ROOT),
          k -> new TokenBucket(policy.readBucket(), perRead, now)).take(now);
      if (!wait.isZero()) {
        long seconds = seconds(wait);
        return Optional.of(ResourceStore.Answer.error(429, "SubscriptionRequestsThrottled", "Number of 'read' "
            + "requests for subscription '" + subscription + "' exceeded. Please try again after '" + seconds
            + "' seconds.", Map.of("Retry-After", Long.toString(seconds))));
      }
    }
    return Optional.empty();
  }

  private static long seconds(Duration wait) {
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }
}
