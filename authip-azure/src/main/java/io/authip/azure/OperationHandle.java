package io.authip.azure;

import java.time.Duration;

/**
 * A long-running operation that Azure accepted; stored in status so that any process can poll it.
 *
 * @param pollUrl the {@code Azure-AsyncOperation} URL, or {@code Location} when there is none
 * @param clusterId the cluster being changed
 * @param retryAfter the {@code Retry-After} Azure answered with, if any: no poll before it; null when Azure gave none
 *     (the change's end is then seen in the cluster's own state, by the next list)
 */
public record OperationHandle(String pollUrl, String clusterId, Duration retryAfter) {

  public OperationHandle(String pollUrl, String clusterId) {
    this(pollUrl, clusterId, null);
  }
}
