package io.authip.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Applies a {@link Throttling} policy. ARM's buckets come first, as ARM's front door throttles before the resource
 * provider sees anything: a read or write bucket per principal and subscription. Then AKS's: a PUT bucket per cluster
 * and a list bucket per subscription. A request refused by an AKS bucket has used its ARM token, as it would in Azure.
 */
final class Throttler {

  /** Who the buckets are keyed by when a request carries no principal (it is refused with 401 anyway). */
  static final String NO_PRINCIPAL = "00000000-0000-0000-0000-000000000000";

  private final Throttling policy;
  private final Map<String, TokenBucket> reads = new HashMap<>();
  private final Map<String, TokenBucket> writes = new HashMap<>();
  private final Map<String, TokenBucket> puts = new HashMap<>();
  private final Map<String, TokenBucket> lists = new HashMap<>();
  private final Map<RequestKind, Integer> throttled = new EnumMap<>(RequestKind.class);

  Throttler(Throttling policy) {
    this.policy = policy;
  }

  /** Whether a request takes from the write bucket rather than the read bucket. */
  static boolean isWrite(String method) {
    return !method.equals("GET") && !method.equals("HEAD");
  }

  /**
   * The 429 to answer instead, if one of the request's buckets is empty; otherwise a token is taken from each.
   *
   * @param principal whom the request's token was issued to, or null
   */
  synchronized Optional<ResourceStore.Answer> check(RequestKind kind, String method, String resourceKey,
      String subscription, Principal principal, Instant now) {
    Optional<ResourceStore.Answer> answer = decide(kind, method, resourceKey, subscription, principal, now);
    answer.ifPresent(a -> throttled.merge(kind, 1, Integer::sum));
    return answer;
  }

  private Optional<ResourceStore.Answer> decide(RequestKind kind, String method, String resourceKey,
      String subscription, Principal principal, Instant now) {
    if (subscription == null || kind.isIdentity()) {
      return Optional.empty();
    }
    boolean write = isWrite(method);
    if (write ? policy.writesThrottled() : policy.readsThrottled()) {
      Duration wait = armBucket(write, subscription, principal, now).take(now);
      if (!wait.isZero()) {
        long seconds = seconds(wait);
        String actor = principal == null ? NO_PRINCIPAL : principal.objectId();
        String what = !write ? "read" : method.equals("DELETE") ? "delete" : "write";
        // ARM's wording, as answered since the 2024 token-bucket model.
        return Optional.of(ResourceStore.Answer.error(429, "SubscriptionRequestsThrottled", "Number of '" + what
            + "' requests for subscription '" + subscription + "' actor '" + actor + "' exceeded. Please try again "
            + "after '" + seconds + "' seconds after additional tokens are available. Refer to "
            + "https://aka.ms/arm-throttling for additional information.",
            Map.of("Retry-After", Long.toString(seconds))));
      }
    }
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
    if (policy.listsThrottled() && kind == RequestKind.CLUSTER_LIST) {
      Duration wait = lists.computeIfAbsent(subscription.toLowerCase(Locale.ROOT),
          k -> new TokenBucket(policy.clusterListBucket(), perToken(policy.clusterListsPerSecond()), now)).take(now);
      if (!wait.isZero()) {
        long seconds = seconds(wait);
        return Optional.of(ResourceStore.Answer.error(429, "TooManyRequests", "Too many requests to list managed "
            + "clusters in subscription '" + subscription + "'. Please retry after " + seconds + " seconds.",
            Map.of("Retry-After", Long.toString(seconds))));
      }
    }
    return Optional.empty();
  }

  /**
   * What {@code x-ms-ratelimit-remaining-subscription-reads} (or {@code -writes}) reports: the whole tokens left in
   * the principal's bucket for the subscription, or ARM's full bucket when that bucket is off.
   */
  synchronized int remaining(boolean write, String subscription, Principal principal, Instant now) {
    if (!(write ? policy.writesThrottled() : policy.readsThrottled())) {
      return write ? Throttling.ARM_WRITE_BUCKET : Throttling.ARM_READ_BUCKET;
    }
    return armBucket(write, subscription, principal, now).available(now);
  }

  /** 429s answered by the buckets (not by injected faults) for requests of this kind. */
  synchronized int throttledCount(RequestKind kind) {
    return throttled.getOrDefault(kind, 0);
  }

  synchronized void resetCounts() {
    throttled.clear();
  }

  private TokenBucket armBucket(boolean write, String subscription, Principal principal, Instant now) {
    String key = subscription.toLowerCase(Locale.ROOT) + "|"
        + (principal == null ? NO_PRINCIPAL : principal.clientId().toLowerCase(Locale.ROOT));
    return write
        ? writes.computeIfAbsent(key, k -> new TokenBucket(policy.writeBucket(), perToken(policy.writesPerSecond()),
            now))
        : reads.computeIfAbsent(key, k -> new TokenBucket(policy.readBucket(), perToken(policy.readsPerSecond()),
            now));
  }

  private static Duration perToken(double perSecond) {
    return Duration.ofNanos(Math.max(1, Math.round(1e9 / perSecond)));
  }

  private static long seconds(Duration wait) {
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }
}
