package io.authip.azure;

import java.time.Duration;
import java.util.function.Function;

/** The typed result of one gateway call: a value, or one of the failures ARM can give. */
public sealed interface Outcome<T> {

  record Ok<T>(T value) implements Outcome<T> {
  }

  record Failed<T>(Failure failure) implements Outcome<T> {
  }

  static <T> Outcome<T> ok(T value) {
    return new Ok<>(value);
  }

  static <T> Outcome<T> failed(Failure failure) {
    return new Failed<>(failure);
  }

  default boolean isOk() {
    return this instanceof Ok;
  }

  default <U> Outcome<U> map(Function<T, U> f) {
    if (this instanceof Ok<T> ok) {
      return new Ok<>(f.apply(ok.value()));
    }
    return new Failed<>(((Failed<T>) this).failure());
  }

  /** Why a call did not succeed. {@code message} is the service's, safe to show to a user. */
  sealed interface Failure {
    String message();

    /** One CamelCase word for status reasons and metrics. */
    default String reason() {
      return getClass().getSimpleName();
    }

    /** 404: the cluster or resource does not exist (or is not visible). */
    record NotFound(String message) implements Failure {
    }

    /** 401/403: the identity lacks a permission. */
    record Forbidden(String message) implements Failure {
    }

    /** 409 OperationNotAllowed, or a provisioning state that is not terminal: another operation runs. */
    record Busy(String message) implements Failure {
    }

    /** 412: the eTag changed since the read; someone else changed the cluster. Re-read, never resend. */
    record PreconditionFailed(String message) implements Failure {
    }

    /** 429: come back after {@code retryAfter}. */
    record Throttled(Duration retryAfter, String message) implements Failure {
    }

    /**
     * Not sent: this identity's request budget for the subscription (as authip paces it, with Azure's published
     * limits) has no room before {@code after} from now. Come back then; the slot is kept for the same call.
     */
    record Paced(Duration after, String message) implements Failure {
    }

    /** 400 and other refusals by the service: the request itself is wrong. */
    record Rejected(String code, String message) implements Failure {
      /** The gateway's own code: the operation handle is empty; no retry can make it pollable. */
      public static final String INVALID_OPERATION_HANDLE = "InvalidOperationHandle";
      /** The gateway's own code: the poll URL is not on the cloud's ARM endpoint; no retry makes it trusted. */
      public static final String UNTRUSTED_POLL_URL = "UntrustedPollUrl";
    }

    /** 5xx, timeouts, connection resets: try again with backoff. */
    record Transient(String message) implements Failure {
    }
  }
}
