package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;

/** {@code v1 Status} error bodies, which kubectl turns into {@code Error from server (NotFound): ...}. */
final class ApiStatus {

  private ApiStatus() {
  }

  static MockResponse of(int code, String message, ResourcePath about) {
    return response(code, body(code, message, about));
  }

  static ObjectNode body(int code, String message, ResourcePath about) {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("kind", "Status").put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure").put("message", message).put("reason", reason(code, message));
    if (about != null) {
      ObjectNode details = status.putObject("details");
      if (about.name() != null) {
        details.put("name", about.name());
      }
      details.put("group", about.group()).put("kind", about.plural());
    }
    status.put("code", code);
    return status;
  }

  static MockResponse notFound(ResourcePath about) {
    String message = about == null || about.name() == null ? "the server could not find the requested resource"
        : about.qualifiedResource() + " \"" + about.name() + "\" not found";
    return of(404, message, about);
  }

  static MockResponse forCode(int code, ResourcePath about) {
    if (code == 404) {
      return notFound(about);
    }
    return of(code, "the request failed with HTTP " + code, about);
  }

  /**
   * The mock's own error bodies say {@code reason: Invalid} whatever the code, which kubectl prints as
   * {@code The X "" is invalid}: give them the reason their code means and the resource from the path.
   */
  static MockResponse normalized(int code, JsonNode status, ResourcePath about) {
    String message = status.path("message").asText("the request failed with HTTP " + code);
    if (code == 422 && status instanceof ObjectNode invalid) {
      return response(code, invalid);
    }
    return of(code, message, about);
  }

  static MockResponse response(int code, ObjectNode body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(Serialization.asJson(body));
  }

  private static String reason(int code, String message) {
    switch (code) {
      case 400:
        return "BadRequest";
      case 404:
        return "NotFound";
      case 405:
        return "MethodNotAllowed";
      case 409:
        return message.contains("already exists") ? "AlreadyExists" : "Conflict";
      case 410:
        return "Expired";
      case 415:
        return "UnsupportedMediaType";
      case 422:
        return "Invalid";
      default:
        return code >= 500 ? "InternalError" : "BadRequest";
    }
  }
}
