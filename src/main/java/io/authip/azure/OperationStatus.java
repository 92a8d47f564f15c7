package io.authip.azure;

/** The state of a long-running operation. */
public sealed interface OperationStatus {

  record InProgress() implements OperationStatus {
  }

  record Succeeded() implements OperationStatus {
  }

  /** Failed or Canceled; {@code code} is Azure's error code, or "Canceled". */
  record Failed(String code, String message) implements OperationStatus {
  }
}
