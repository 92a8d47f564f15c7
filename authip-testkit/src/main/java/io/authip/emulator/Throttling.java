package io.authip.emulator;

import java.time.Duration;

/**
 * Automatic throttling, off unless asked for: token buckets refilled from the emulator's clock, answering 429 with
 * {@code Retry-After} when empty, as ARM and AKS do under load.
 *
 * @param readBucket GETs a subscription may burst (ARM: 250); 0 = reads are never throttled
 * @param readsPerSecond refill of the read bucket (ARM: 25 per second)
 * @param clusterPutBucket PUTs one managed cluster may burst (AKS: 20); 0 = cluster PUTs are never throttled
 * @param clusterPutRefill time to earn one more PUT on a cluster (AKS: one minute)
 */
public record Throttling(int readBucket, double readsPerSecond, int clusterPutBucket, Duration clusterPutRefill) {

  public Throttling {
    if (readBucket < 0 || clusterPutBucket < 0) {
      throw new IllegalArgumentException("bucket sizes cannot be negative");
    }
    if (readBucket > 0 && !(readsPerSecond > 0)) {
      throw new IllegalArgumentException("readsPerSecond must be positive when reads are throttled");
    }
    if (clusterPutBucket > 0 && (clusterPutRefill == null || clusterPutRefill.isNegative()
        || clusterPutRefill.isZero())) {
      throw new IllegalArgumentException("clusterPutRefill must be positive when cluster PUTs are throttled");
    }
  }

  /** No throttling: the default. */
  public static Throttling none() {
    return new Throttling(0, 0, 0, null);
  }

  /** The documented limits: 250 reads, +25 per second, per subscription; 20 PUTs, +1 per minute, per cluster. */
  public static Throttling azureLike() {
    return new Throttling(250, 25, 20, Duration.ofMinutes(1));
  }

  boolean readsThrottled() {
    return readBucket > 0;
  }

  boolean putsThrottled() {
    return clusterPutBucket > 0;
  }
}
