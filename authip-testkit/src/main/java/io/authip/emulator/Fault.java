package io.authip.emulator;

import java.time.Duration;
import java.util.Objects;

/** A misbehaviour the emulator can be told to show instead of (or before) its normal answer. */
public sealed interface Fault {

  /**
   * An error answer in ARM's shape {@code {"error":{"code":..,"message":..}}}.
   *
   * @param retryAfterSeconds sent as {@code Retry-After} when not negative
   */
  record ErrorResponse(int status, String code, String message, int retryAfterSeconds) implements Fault {
    public ErrorResponse {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
      if (status < 400 || status > 599) {
        throw new IllegalArgumentException("an error status must be 4xx or 5xx, got " + status);
      }
    }
  }

  /** The connection is closed without any answer, as a reset or a dropped load balancer connection looks. */
  record ConnectionReset() implements Fault {
  }

  /**
   * The request is carried out as usual, then, {@code after} that, the connection is closed without the answer: the
   * caller cannot tell whether a PUT happened, as when a proxy or the network drops a response. A non-zero
   * {@code after} holds the caller at the moment its change has been made.
   */
  record LostResponse(Duration after) implements Fault {
    public LostResponse {
      if (after.isNegative()) {
        throw new IllegalArgumentException("a delay cannot be negative: " + after);
      }
    }
  }

  /** The normal answer, after a pause. */
  record Delay(Duration delay) implements Fault {
    public Delay {
      if (delay.isNegative()) {
        throw new IllegalArgumentException("a delay cannot be negative: " + delay);
      }
    }
  }

  /** 429 TooManyRequests with {@code Retry-After: seconds}, as ARM and AKS throttle. */
  static Fault throttled(int retryAfterSeconds) {
    return new ErrorResponse(429, "TooManyRequests",
        "The request is being throttled as the limit has been reached for operation type - Write_ObservationWindow_"
            + "00:01:00. For more information, see - https://aka.ms/srpthrottlinglimits",
        retryAfterSeconds);
  }

  /**
   * 429 as Azure Resource Manager answers when the caller's read or write bucket for the subscription is empty (not
   * AKS's per-cluster limit): {@code SubscriptionRequestsThrottled} with {@code Retry-After: seconds}.
   */
  static Fault subscriptionThrottled(int retryAfterSeconds) {
    return new ErrorResponse(429, "SubscriptionRequestsThrottled",
        "Number of 'write' requests for subscription exceeded. Please try again after '" + retryAfterSeconds
            + "' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling for additional "
            + "information.", retryAfterSeconds);
  }

  /** 409 OperationNotAllowed: another operation is running on the cluster. */
  static Fault operationNotAllowed() {
    return new ErrorResponse(409, "OperationNotAllowed",
        "Operation is not allowed: Another operation (Updating) is in progress, please wait for it to finish before "
            + "starting a new operation.", -1);
  }

  /** 412 PreconditionFailed, as for a stale {@code If-Match}. */
  static Fault preconditionFailed() {
    return new ErrorResponse(412, "PreconditionFailed",
        "Operation failed with status: 'Precondition Failed'. Details: the eTag in If-Match does not match the "
            + "current eTag of the resource.", -1);
  }

  static Fault internalServerError() {
    return new ErrorResponse(500, "InternalServerError",
        "An internal server error occurred. Please try again later.", -1);
  }

  /** 503 with {@code Retry-After} when {@code retryAfterSeconds} is not negative. */
  static Fault serviceUnavailable(int retryAfterSeconds) {
    return new ErrorResponse(503, "ServiceUnavailable",
        "The service is temporarily unavailable. Please try again later.", retryAfterSeconds);
  }

  static Fault status(int status, String code, String message) {
    return new ErrorResponse(status, code, message, -1);
  }

  static Fault connectionReset() {
    return new ConnectionReset();
  }

  static Fault lostResponse() {
    return new LostResponse(Duration.ZERO);
  }

  static Fault lostResponse(Duration after) {
    return new LostResponse(after);
  }

  static Fault delay(Duration delay) {
    return new Delay(delay);
  }
}
