package io.authip.emulator;

import java.time.Duration;

/**
 * Automatic throttling, off unless asked for: token buckets refilled from the emulator's clock, answering 429 with
 * {@code Retry-After} when empty, as ARM and AKS do under load. A bucket of size 0 is off.
 *
 * <p>The limits Azure publishes (Microsoft Learn, "Understand how Azure Resource Manager throttles requests" and
 * "Quotas, virtual machine size restrictions, and region availability in AKS", throttling of the AKS resource
 * provider APIs), all in {@link #azure()}:
 *
 * <table>
 * <caption>published limits</caption>
 * <tr><th>bucket</th><th>key</th><th>size</th><th>refill</th></tr>
 * <tr><td>ARM reads (GET, HEAD; lists too)</td><td>principal and subscription</td><td>250</td><td>25/s</td></tr>
 * <tr><td>ARM writes (PUT, PATCH, DELETE, POST)</td><td>principal and subscription</td><td>200</td><td>10/s</td></tr>
 * <tr><td>AKS PUT managedClusters</td><td>cluster</td><td>20</td><td>1/min</td></tr>
 * <tr><td>AKS LIST managedClusters (each page)</td><td>subscription</td><td>500</td><td>1/s</td></tr>
 * </table>
 *
 * @param readBucket reads one principal may burst in one subscription (ARM: 250); 0 = reads are never throttled
 * @param readsPerSecond refill of the read bucket (ARM: 25 per second)
 * @param clusterPutBucket PUTs one managed cluster may burst (AKS: 20); 0 = cluster PUTs are never throttled
 * @param clusterPutRefill time to earn one more PUT on a cluster (AKS: one minute)
 * @param writeBucket writes one principal may burst in one subscription (ARM: 200); 0 = writes are never throttled
 * @param writesPerSecond refill of the write bucket (ARM: 10 per second)
 * @param clusterListBucket managed-cluster list pages a subscription may burst, whoever asks (AKS: 500); 0 = off
 * @param clusterListsPerSecond refill of the list bucket (AKS: 1 per second)
 */
public record Throttling(int readBucket, double readsPerSecond, int clusterPutBucket, Duration clusterPutRefill,
    int writeBucket, double writesPerSecond, int clusterListBucket, double clusterListsPerSecond) {

  /** ARM's read bucket: what {@code x-ms-ratelimit-remaining-subscription-reads} reports when reads are not throttled. */
  public static final int ARM_READ_BUCKET = 250;
  /** ARM's write bucket: what {@code x-ms-ratelimit-remaining-subscription-writes} reports when writes are not. */
  public static final int ARM_WRITE_BUCKET = 200;

  public Throttling {
    if (readBucket < 0 || clusterPutBucket < 0 || writeBucket < 0 || clusterListBucket < 0) {
      throw new IllegalArgumentException("bucket sizes cannot be negative");
    }
    if (readBucket > 0 && !(readsPerSecond > 0)) {
      throw new IllegalArgumentException("readsPerSecond must be positive when reads are throttled");
    }
    if (writeBucket > 0 && !(writesPerSecond > 0)) {
      throw new IllegalArgumentException("writesPerSecond must be positive when writes are throttled");
    }
    if (clusterListBucket > 0 && !(clusterListsPerSecond > 0)) {
      throw new IllegalArgumentException("clusterListsPerSecond must be positive when cluster lists are throttled");
    }
    if (clusterPutBucket > 0 && (clusterPutRefill == null || clusterPutRefill.isNegative()
        || clusterPutRefill.isZero())) {
      throw new IllegalArgumentException("clusterPutRefill must be positive when cluster PUTs are throttled");
    }
  }

  /** Reads and cluster PUTs only; writes and cluster lists are not throttled. */
  public Throttling(int readBucket, double readsPerSecond, int clusterPutBucket, Duration clusterPutRefill) {
    this(readBucket, readsPerSecond, clusterPutBucket, clusterPutRefill, 0, 0, 0, 0);
  }

  /** No throttling: the builder's default. */
  public static Throttling none() {
    return new Throttling(0, 0, 0, null);
  }

  /**
   * Reads and cluster PUTs as published: 250 reads, +25 per second, per principal and subscription; 20 PUTs, +1 per
   * minute, per cluster. Writes and cluster lists are not throttled ({@link #azure()} throttles them too).
   */
  public static Throttling azureLike() {
    return new Throttling(250, 25, 20, Duration.ofMinutes(1));
  }

  /**
   * Every limit Azure publishes: reads 250, +25/s, and writes 200, +10/s, per principal and subscription (ARM); PUTs
   * 20, +1/min, per managed cluster, and managed-cluster list pages 500, +1/s, per subscription (AKS).
   */
  public static Throttling azure() {
    return new Throttling(ARM_READ_BUCKET, 25, 20, Duration.ofMinutes(1), ARM_WRITE_BUCKET, 10, 500, 1);
  }

  /** This policy with another ARM write bucket (0 = writes not throttled). */
  public Throttling withWrites(int bucket, double perSecond) {
    return new Throttling(readBucket, readsPerSecond, clusterPutBucket, clusterPutRefill, bucket, perSecond,
        clusterListBucket, clusterListsPerSecond);
  }

  /** This policy with another AKS managed-cluster list bucket (0 = lists not throttled beyond reads). */
  public Throttling withClusterLists(int bucket, double perSecond) {
    return new Throttling(readBucket, readsPerSecond, clusterPutBucket, clusterPutRefill, writeBucket,
        writesPerSecond, bucket, perSecond);
  }

  boolean readsThrottled() {
    return readBucket > 0;
  }

  boolean writesThrottled() {
    return writeBucket > 0;
  }

  boolean putsThrottled() {
    return clusterPutBucket > 0;
  }

  boolean listsThrottled() {
    return clusterListBucket > 0;
  }
}
