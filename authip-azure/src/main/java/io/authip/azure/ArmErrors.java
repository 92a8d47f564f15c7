package io.authip.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.exception.ManagementError;
import com.azure.core.management.exception.ManagementException;
import com.fasterxml.jackson.databind.JsonNode;
import io.authip.azure.Outcome.Failure;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;

/** Turns what ARM answered (or failed to answer) into a typed {@link Failure}. Pure. */
final class ArmErrors {

  /** When a 429 carries no usable {@code Retry-After}: AKS refills its PUT bucket at one per minute. */
  static final Duration DEFAULT_THROTTLE = Duration.ofSeconds(60);
  private static final Set<String> BUSY_CODES = Set.of("operationnotallowed", "anotheroperationinprogress",
      "conflict", "");
  /** The code of AKS's 409 answer to a PUT whose If-Match no longer names the cluster's eTag. */
  static final String ETAG_MISMATCH = "EtagMismatch";
  private static final int MAX_CAUSES = 16;
  private static final int MAX_MESSAGE = 500;

  private ArmErrors() {
  }

  /**
   * @param status an HTTP status that is not a success
   * @param headers the response headers
   * @param body the response body, parsed, or null
   * @param what what was asked for, e.g. "managed cluster /subscriptions/...", for the message
   */
  static Failure fromResponse(int status, HttpHeaders headers, JsonNode body, String what) {
    String code = "";
    String message = "";
    if (body != null) {
      JsonNode error = body.has("error") ? body.get("error") : body;
      code = error.path("code").asText("");
      message = error.path("message").asText("");
    }
    return classify(status, headers, code, message, what);
  }

  /** Any exception out of the SDK, the pipeline or our own parsing. */
  static Failure fromException(Throwable t, String what) {
    // A grant's identity whose ServiceAccount token could not be had: the reason is Kubernetes', said as it is.
    AssertionUnavailableException assertion = find(t, AssertionUnavailableException.class);
    if (assertion != null) {
      return assertion.transientFailure() ? new Failure.Transient(what + ": " + assertion.getMessage())
          : new Failure.Forbidden(what + ": " + assertion.getMessage());
    }
    // Checked first: a token failure is a ClientAuthenticationException, itself an HttpResponseException.
    ClientAuthenticationException auth = find(t, ClientAuthenticationException.class);
    if (auth != null) {
      HttpResponse r = auth.getResponse();
      if (isNetworkFailure(t) || (r != null && (r.getStatusCode() >= 500 || r.getStatusCode() == 429))) {
        return new Failure.Transient(what + ": the token endpoint did not answer (" + describe(rootCause(t)) + ")");
      }
      return new Failure.Forbidden(what + ": cannot get an Azure token (" + describe(rootCause(t)) + ")");
    }
    HttpResponseException http = find(t, HttpResponseException.class);
    if (http != null && http.getResponse() != null) {
      HttpResponse r = http.getResponse();
      String code = "";
      String message = http.getMessage() == null ? "" : http.getMessage();
      if (http instanceof ManagementException m && m.getValue() != null) {
        ManagementError e = m.getValue();
        code = e.getCode() == null ? "" : e.getCode();
        message = e.getMessage() == null ? message : e.getMessage();
      }
      return classify(r.getStatusCode(), r.getHeaders(), code, message, what);
    }
    if (isNetworkFailure(t)) {
      return new Failure.Transient(what + ": no answer from Azure (" + describe(rootCause(t)) + ")");
    }
    if (find(t, SSLHandshakeException.class) != null) {
      return new Failure.Transient(what + ": TLS handshake failed (" + describe(rootCause(t)) + "); is "
          + AzureConfig.ARM_CA_FILE + " right?");
    }
    return new Failure.Transient(what + ": unexpected error (" + describe(rootCause(t)) + ")");
  }

  /** An exception that none of ARM's answers explains: worth a stack trace in the log. */
  static boolean isUnexpected(Throwable t) {
    HttpResponseException http = find(t, HttpResponseException.class);
    return (http == null || http.getResponse() == null) && !isNetworkFailure(t)
        && find(t, ClientAuthenticationException.class) == null
        && find(t, AssertionUnavailableException.class) == null
        && find(t, SSLHandshakeException.class) == null;
  }

  private static Failure classify(int status, HttpHeaders headers, String code, String message, String what) {
    String detail = what + ": " + (code.isEmpty() ? "HTTP " + status : code)
        + (message.isEmpty() ? "" : ": " + abbreviate(message));
    if (status == 404) {
      return new Failure.NotFound(detail);
    }
    if (status == 401 || status == 403) {
      return new Failure.Forbidden(detail);
    }
    if (status == 409) {
      if (ETAG_MISMATCH.equalsIgnoreCase(code)) {
        // AKS answers a stale If-Match with 409 EtagMismatch as well as with 412; its message ("Operation is not
        // allowed: Another operation is in progress") reads like busy, but the cluster changed: re-read, re-plan.
        return new Failure.PreconditionFailed(detail);
      }
      if (BUSY_CODES.contains(code.toLowerCase(java.util.Locale.ROOT))) {
        return new Failure.Busy(detail);
      }
      return new Failure.Rejected(code, detail);
    }
    if (status == 412) {
      return new Failure.PreconditionFailed(detail);
    }
    if (status == 429) {
      Duration after = RetryAfter.parse(headers == null ? null : headers.getValue(RetryAfter.HEADER), Instant.now())
          .orElse(DEFAULT_THROTTLE);
      return new Failure.Throttled(after, detail);
    }
    if (status == 408 || status >= 500) {
      return new Failure.Transient(detail);
    }
    return new Failure.Rejected(code.isEmpty() ? "HTTP" + status : code, detail);
  }

  /** No HTTP answer: a reset, a refused connection, a timeout; worth a quick retry. */
  static boolean isNetworkFailure(Throwable t) {
    Throwable c = t;
    for (int i = 0; c != null && i < MAX_CAUSES; i++, c = c.getCause()) {
      if (c instanceof SSLHandshakeException) {
        return false;
      }
      if (c instanceof IOException || c instanceof TimeoutException
          || c instanceof io.netty.handler.timeout.TimeoutException
          || c instanceof io.netty.channel.ChannelException) {
        return true;
      }
    }
    return false;
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    Throwable c = t;
    for (int i = 0; c != null && i < MAX_CAUSES; i++, c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }

  private static Throwable rootCause(Throwable t) {
    Throwable c = t;
    for (int i = 0; c.getCause() != null && c.getCause() != c && i < MAX_CAUSES; i++) {
      c = c.getCause();
    }
    return c;
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + abbreviate(firstLine(m)));
  }

  /** Service messages are short; anything longer is likely a whole body, which is not for logs and statuses. */
  static String abbreviate(String s) {
    return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "...";
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
