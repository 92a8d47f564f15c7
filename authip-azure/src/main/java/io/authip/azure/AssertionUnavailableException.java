package io.authip.azure;

/**
 * The client assertion for a federated identity could not be had (for a grant's identity: the Kubernetes
 * TokenRequest for its ServiceAccount was refused or failed). Its message says which ServiceAccount and why; it
 * reaches status as it is.
 */
public final class AssertionUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final boolean transientFailure;

  /**
   * @param transientFailure whether a later attempt may succeed without anyone changing anything (no answer, 5xx)
   */
  public AssertionUnavailableException(String message, boolean transientFailure, Throwable cause) {
    super(message, cause);
    this.transientFailure = transientFailure;
  }

  public boolean transientFailure() {
    return transientFailure;
  }
}
