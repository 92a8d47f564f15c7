package io.authip.azure;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** Reads a long-running operation's state from what its poll URL answered. Pure. */
final class OperationStatuses {

  private OperationStatuses() {
  }

  /**
   * @param httpStatus a success status of the poll GET
   * @param body the parsed body, or null
   */
  static OperationStatus from(int httpStatus, JsonNode body) {
    if (httpStatus == 202) {
      return new OperationStatus.InProgress();
    }
    if (body == null || !body.isObject()) {
      // A Location poll answers the final resource (or 204 without one) once the operation is over.
      return new OperationStatus.Succeeded();
    }
    JsonNode state = body.get("status");
    if (state == null || state.isNull()) {
      state = body.path("properties").get("provisioningState");
    }
    if (state == null || state.isNull()) {
      return new OperationStatus.Succeeded();
    }
    String s = state.asText();
    JsonNode error = body.path("error");
    String code = error.path("code").asText("");
    String message = ArmErrors.abbreviate(error.path("message").asText(""));
    switch (s.toLowerCase(Locale.ROOT)) {
      case "succeeded":
        return new OperationStatus.Succeeded();
      case "failed":
        return new OperationStatus.Failed(code.isEmpty() ? "Failed" : code,
            message.isEmpty() ? "the operation failed without a message" : message);
      case "canceled":
      case "cancelled":
        return new OperationStatus.Failed("Canceled", message.isEmpty() ? "the operation was canceled" : message);
      default:
        // ARM: every other state (InProgress, Updating, Accepted, ...) is not terminal.
        return new OperationStatus.InProgress();
    }
  }
}
