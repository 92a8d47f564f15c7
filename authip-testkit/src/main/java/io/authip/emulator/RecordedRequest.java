package io.authip.emulator;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One request as the emulator received it, for assertions. Secrets (the bearer token, client secret and client
 * assertion) are replaced by {@code ***}.
 *
 * @param at when it arrived, by the emulator's clock
 * @param method upper-case
 * @param path decoded path, as sent
 * @param query raw query string, or empty
 * @param headers lower-case names
 * @param body UTF-8 text, empty when none
 * @param kind what the emulator took it for
 * @param resourceKey the lower-cased resource ID or operation path it was counted under
 * @param status the status answered; 0 when the connection was closed without an answer
 * @param clientId the client ID of the principal the bearer token was issued to; null when the request carried no
 *     token issued by this emulator (token and metadata requests, a missing, unknown or revoked token)
 */
public record RecordedRequest(Instant at, String method, String path, String query, Map<String, List<String>> headers,
    String body, RequestKind kind, String resourceKey, int status, String clientId) {

  public RecordedRequest {
    headers = Map.copyOf(headers);
  }

  /** The first value of a header, by case-insensitive name. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The {@code api-version} query parameter, if sent. */
  public Optional<String> apiVersion() {
    for (String pair : query.split("&")) {
      if (pair.startsWith("api-version=")) {
        return Optional.of(pair.substring("api-version=".length()));
      }
    }
    return Optional.empty();
  }
}
