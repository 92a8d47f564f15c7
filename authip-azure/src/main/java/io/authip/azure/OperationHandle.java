package io.authip.azure;

/**
 * A long-running operation that Azure accepted; stored in status so that any process can poll it.
 *
 * @param pollUrl the {@code Azure-AsyncOperation} URL, or {@code Location} when there is none
 * @param clusterId the cluster being changed
 */
public record OperationHandle(String pollUrl, String clusterId) {
}
