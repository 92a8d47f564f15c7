package io.authip.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** A plain JDK HTTP client that trusts only the emulator's certificate and holds a token from it. */
final class ArmTestClient {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String API = "?api-version=2025-07-01";

  private final ArmEmulator arm;
  private final HttpClient http;
  private final String clientId;
  private String token;

  ArmTestClient(ArmEmulator arm) {
    this(arm, "app");
  }

  /** A client whose token is issued to {@code clientId} (for role assignments). */
  ArmTestClient(ArmEmulator arm, String clientId) {
    this.arm = arm;
    this.clientId = clientId;
    this.http = HttpClient.newBuilder().sslContext(arm.clientSslContext()).connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** A response with its body parsed (null when empty or not JSON). */
  record Reply(int status, JsonNode body, HttpResponse<String> raw) {
    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  String token() {
    if (token == null) {
      Reply reply = send(HttpRequest.newBuilder(URI.create(arm.baseUrl() + "/" + arm.tenantId()
          + "/oauth2/v2.0/token"))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("grant_type", "client_credentials",
              "client_id", clientId, "client_secret", "s3cret", "scope",
              "https://management.core.windows.net//.default")))));
      if (reply.status() != 200) {
        throw new IllegalStateException("token request failed: " + reply.raw().body());
      }
      token = reply.body().get("access_token").asText();
    }
    return token;
  }

  Reply get(String pathOrUrl) {
    return send(authorized(pathOrUrl).GET());
  }

  Reply put(String path, JsonNode body, String ifMatch) {
    HttpRequest.Builder b = authorized(path).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (ifMatch != null) {
      b.header("If-Match", ifMatch);
    }
    return send(b);
  }

  Reply putIfNoneMatch(String path, JsonNode body, String ifNoneMatch) {
    return send(authorized(path).header("Content-Type", "application/json").header("If-None-Match", ifNoneMatch)
        .PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  Reply patch(String path, JsonNode body, String ifMatch) {
    HttpRequest.Builder b = authorized(path).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(body.toString()));
    if (ifMatch != null) {
      b.header("If-Match", ifMatch);
    }
    return send(b);
  }

  HttpRequest.Builder authorized(String pathOrUrl) {
    return HttpRequest.newBuilder(uri(pathOrUrl)).header("Authorization", "Bearer " + token())
        .timeout(Duration.ofSeconds(10));
  }

  URI uri(String pathOrUrl) {
    if (pathOrUrl.startsWith("https://")) {
      return URI.create(pathOrUrl);
    }
    return URI.create(arm.baseUrl() + pathOrUrl + (pathOrUrl.contains("?") ? "" : API));
  }

  Reply send(HttpRequest.Builder request) {
    try {
      return sendOrThrow(request);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  Reply sendOrThrow(HttpRequest.Builder request) throws IOException {
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = null;
      if (!response.body().isEmpty()) {
        try {
          body = JSON.readTree(response.body());
        } catch (IOException notJson) {
          body = null;
        }
      }
      return new Reply(response.statusCode(), body, response);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String form(Map<String, String> fields) {
    StringBuilder out = new StringBuilder();
    fields.forEach((k, v) -> out.append(out.length() == 0 ? "" : "&").append(k).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return out.toString();
  }
}
