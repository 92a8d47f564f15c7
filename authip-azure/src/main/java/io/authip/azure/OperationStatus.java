package io.authip.azure;

/**
 * The state of a long-running operation.
 *
 * <p>{@link #fallback()} is null when the state came from the operation's own URL. When that URL could not be called
 * (refused by {@link OperationUrl}, or answered 401/403, as when the role is assigned at resource-group scope while
 * AKS operations live at subscription scope), the state is read from the cluster's {@code provisioningState}
 * instead, and {@code fallback} says why, in a sentence fit for an event.
 */
public sealed interface OperationStatus {

  /** Why the state was read from the cluster rather than from the operation, or null. */
  String fallback();

  record InProgress(String fallback) implements OperationStatus {
    public InProgress() {
      this(null);
    }
  }

  record Succeeded(String fallback) implements OperationStatus {
    public Succeeded() {
      this(null);
    }
  }

  /** Failed or Canceled; {@code code} is Azure's error code, or "Canceled". */
  record Failed(String code, String message, String fallback) implements OperationStatus {
    public Failed(String code, String message) {
      this(code, message, null);
    }
  }
}
