package io.authip.emulator;

import java.util.Locale;

/**
 * Which requests a fault applies to. {@link #any()} covers every ARM request but never the identity endpoints (token,
 * metadata): those are reached only through {@link #kind(RequestKind)}.
 *
 * @param resourceKey lower-cased resource ID or operation path, or null for any; with kind {@code OPERATION_GET} it
 *     may also be the ID of the cluster the operation runs on (see {@link #operationsOf(String)})
 * @param kind a request kind, or null for any ARM kind
 * @param method an HTTP method (kept upper-case), or null for any
 */
public record FaultTarget(String resourceKey, RequestKind kind, String method) {

  public FaultTarget {
    resourceKey = resourceKey == null ? null : ResourceIds.key(resourceKey);
    method = method == null ? null : method.toUpperCase(Locale.ROOT);
  }

  public static FaultTarget any() {
    return new FaultTarget(null, null, null);
  }

  /** Requests for one resource, whatever the spelling of its ID; an operation's poll URL works too. */
  public static FaultTarget resource(String resourceIdOrUrl) {
    return new FaultTarget(resourceIdOrUrl, null, null);
  }

  public static FaultTarget kind(RequestKind kind) {
    return new FaultTarget(null, kind, null);
  }

  /**
   * Polls of the long-running operations of one cluster, whatever their URL: a test cannot know an operation's URL
   * before the PUT that starts it.
   */
  public static FaultTarget operationsOf(String clusterId) {
    return new FaultTarget(ResourceIds.key(clusterId), RequestKind.OPERATION_GET, null);
  }

  /** The same target, narrowed to one HTTP method. */
  public FaultTarget method(String httpMethod) {
    return new FaultTarget(resourceKey, kind, httpMethod);
  }

  /**
   * @param operationClusterKey for an operation poll, the key of the cluster it runs on (or null)
   */
  boolean matches(RequestKind requestKind, String requestResourceKey, String operationClusterKey,
      String requestMethod) {
    if (kind == null ? requestKind.isIdentity() : kind != requestKind) {
      return false;
    }
    boolean resource = resourceKey == null || resourceKey.equals(requestResourceKey)
        || (kind == RequestKind.OPERATION_GET && resourceKey.equals(operationClusterKey));
    return resource && (method == null || method.equals(requestMethod));
  }
}
