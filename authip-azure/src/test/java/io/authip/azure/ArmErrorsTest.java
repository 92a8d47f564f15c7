package io.authip.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.fasterxml.jackson.databind.JsonNode;
import io.authip.azure.Outcome.Failure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ArmErrorsTest {

  private static final String WHAT = "managed cluster c";

  private static JsonNode error(String code, String message) throws Exception {
    return ClusterJson.parse(("{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}").getBytes());
  }

  private static Failure of(int status, String code) throws Exception {
    return ArmErrors.fromResponse(status, new HttpHeaders(), error(code, "msg"), WHAT);
  }

  @Test
  void statusesMapToTypedFailures() throws Exception {
    assertThat(of(404, "ResourceNotFound")).isEqualTo(new Failure.NotFound(WHAT + ": ResourceNotFound: msg"));
    assertThat(of(401, "InvalidAuthenticationToken")).isInstanceOf(Failure.Forbidden.class);
    assertThat(of(403, "AuthorizationFailed")).isInstanceOf(Failure.Forbidden.class);
    assertThat(of(409, "OperationNotAllowed")).isEqualTo(new Failure.Busy(WHAT + ": OperationNotAllowed: msg"));
    assertThat(of(409, "MissingSubscriptionRegistration"))
        .isEqualTo(new Failure.Rejected("MissingSubscriptionRegistration", WHAT + ": MissingSubscriptionRegistration: msg"));
    assertThat(of(412, "PreconditionFailed")).isInstanceOf(Failure.PreconditionFailed.class);
    assertThat(of(400, "InvalidParameter")).isEqualTo(new Failure.Rejected("InvalidParameter",
        WHAT + ": InvalidParameter: msg"));
    assertThat(of(422, "Whatever")).isInstanceOf(Failure.Rejected.class);
    assertThat(of(500, "InternalServerError")).isInstanceOf(Failure.Transient.class);
    assertThat(of(503, "ServiceUnavailable")).isInstanceOf(Failure.Transient.class);
    assertThat(of(408, "RequestTimeout")).isInstanceOf(Failure.Transient.class);
  }

  /** AKS answers a stale If-Match with 409 EtagMismatch too; its message reads like "busy", but it is not. */
  @Test
  void etagMismatchIsAPreconditionFailureNotBusyNorRejected() throws Exception {
    JsonNode body = ClusterJson.parse(("{\"error\":{\"code\":\"EtagMismatch\",\"message\":\"Operation is not "
        + "allowed: Another operation is in progress\",\"details\":[{\"code\":\"Unspecified\",\"message\":"
        + "\"rpc error: code = FailedPrecondition desc = Etag mismatched\"}]}}").getBytes());
    assertThat(ArmErrors.fromResponse(409, new HttpHeaders(), body, WHAT))
        .isInstanceOf(Failure.PreconditionFailed.class);
    assertThat(of(409, "etagmismatch")).isInstanceOf(Failure.PreconditionFailed.class);
    // The unwrapped shape some tools print (no "error" envelope) classifies the same.
    JsonNode bare = ClusterJson.parse("{\"code\":\"EtagMismatch\",\"message\":\"x\"}".getBytes());
    assertThat(ArmErrors.fromResponse(409, new HttpHeaders(), bare, WHAT))
        .isInstanceOf(Failure.PreconditionFailed.class);
  }

  @Test
  void throttlingCarriesRetryAfter() throws Exception {
    HttpHeaders h = new HttpHeaders().set(HttpHeaderName.RETRY_AFTER, "37");
    assertThat(ArmErrors.fromResponse(429, h, error("TooManyRequests", "slow down"), WHAT))
        .isEqualTo(new Failure.Throttled(Duration.ofSeconds(37), WHAT + ": TooManyRequests: slow down"));
    assertThat(ArmErrors.fromResponse(429, new HttpHeaders(), null, WHAT))
        .isEqualTo(new Failure.Throttled(ArmErrors.DEFAULT_THROTTLE, WHAT + ": HTTP 429"));
  }

  @Test
  void aBodyThatIsNotArmsShapeStillClassifies() {
    assertThat(ArmErrors.fromResponse(400, new HttpHeaders(), null, WHAT))
        .isEqualTo(new Failure.Rejected("HTTP400", WHAT + ": HTTP 400"));
  }

  @Test
  void exceptionsWithoutAnswer() {
    assertThat(ArmErrors.fromException(new UncheckedIOException(new IOException("Connection reset by peer")), WHAT))
        .isInstanceOfSatisfying(Failure.Transient.class,
            f -> assertThat(f.message()).contains("Connection reset by peer"));
    assertThat(ArmErrors.fromException(new RuntimeException(new TimeoutException("no response")), WHAT))
        .isInstanceOf(Failure.Transient.class);
    assertThat(ArmErrors.fromException(new ClientAuthenticationException("AADSTS7000215: Invalid client secret",
        null), WHAT)).isInstanceOfSatisfying(Failure.Forbidden.class,
            f -> assertThat(f.message()).contains("cannot get an Azure token").contains("AADSTS7000215"));
    assertThat(ArmErrors.isUnexpected(new IllegalStateException("bug"))).isTrue();
    assertThat(ArmErrors.isUnexpected(new UncheckedIOException(new IOException("reset")))).isFalse();
  }

  @Test
  void longMessagesAreCut() {
    assertThat(ArmErrors.abbreviate("x".repeat(2000))).hasSize(503).endsWith("...");
  }

  @Test
  void retryAfterReadsSecondsAndDates() {
    java.time.Instant now = java.time.Instant.parse("2025-01-01T00:00:00Z");
    assertThat(RetryAfter.parse("12", now)).contains(Duration.ofSeconds(12));
    assertThat(RetryAfter.parse("Wed, 01 Jan 2025 00:01:00 GMT", now)).contains(Duration.ofMinutes(1));
    assertThat(RetryAfter.parse("Tue, 31 Dec 2024 23:00:00 GMT", now)).contains(Duration.ZERO);
    assertThat(RetryAfter.parse("soon", now)).isEmpty();
    assertThat(RetryAfter.parse(null, now)).isEmpty();
  }
}
