package io.authip.emulator;

/**
 * How the emulator answers a write whose {@code If-Match} names an eTag the cluster no longer has. AKS has been seen
 * answering both ways; a client must treat them alike (re-read, never resend the stale body).
 */
public enum StaleETagAnswer {
  /** 412 {@code PreconditionFailed}. */
  PRECONDITION_FAILED,
  /** 409 {@code EtagMismatch}, message "Operation is not allowed: Another operation is in progress". */
  ETAG_MISMATCH,
  /** Per cluster, the first stale write gets 412, the second 409, and so on: the default, so tests meet both. */
  ALTERNATE
}
