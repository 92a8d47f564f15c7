package io.authip.azure;

import com.fasterxml.jackson.databind.JsonNode;
import io.authip.policy.ProvisioningState;

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
    // ARM: every state but the terminal ones (InProgress, Updating, Accepted, ...) is not terminal.
    return ProvisioningState.terminal(s).<OperationStatus>map(t -> switch (t) {
      case Succeeded -> new OperationStatus.Succeeded();
      case Failed -> new OperationStatus.Failed(code.isEmpty() ? t.name() : code,
          message.isEmpty() ? "the operation failed without a message" : message);
      case Canceled -> new OperationStatus.Failed(t.name(), message.isEmpty() ? "the operation was canceled" : message);
    }).orElseGet(OperationStatus.InProgress::new);
  }
}
