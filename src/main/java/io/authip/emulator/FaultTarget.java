package io.authip.emulator;

import java.util.Locale;

/**
 * Which requests a fault applies to. {@link #any()} covers every ARM request but never the identity endpoints (token,
 * metadata): those are reached only through {@link #kind(RequestKind)}.
 *
 * @param resourceKey a resource ID or operation URL in any spelling (kept as its lower-cased path), or null for any
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

  /** The same target, narrowed to one HTTP method. */
  public FaultTarget method(String httpMethod) {
    return new FaultTarget(resourceKey, kind, httpMethod);
  }

  boolean matches(RequestKind requestKind, String requestResourceKey, String requestMethod) {
    if (kind == null ? requestKind.isIdentity() : kind != requestKind) {
      return false;
    }
    return (resourceKey == null || resourceKey.equals(requestResourceKey))
        && (method == null || method.equals(requestMethod));
  }
}
