package io.authip.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class OperationStatusesTest {

  private static JsonNode json(String s) throws Exception {
    return ClusterJson.parse(s.getBytes());
  }

  @Test
  void asyncOperationStates() throws Exception {
    assertThat(OperationStatuses.from(200, json("{\"status\":\"InProgress\"}")))
        .isEqualTo(new OperationStatus.InProgress());
    assertThat(OperationStatuses.from(200, json("{\"status\":\"Updating\"}")))
        .isEqualTo(new OperationStatus.InProgress());
    assertThat(OperationStatuses.from(200, json("{\"status\":\"Succeeded\"}")))
        .isEqualTo(new OperationStatus.Succeeded());
    assertThat(OperationStatuses.from(200,
        json("{\"status\":\"Failed\",\"error\":{\"code\":\"ReconcileError\",\"message\":\"boom\"}}")))
        .isEqualTo(new OperationStatus.Failed("ReconcileError", "boom"));
    assertThat(OperationStatuses.from(200, json("{\"status\":\"Canceled\",\"error\":{\"code\":\"OperationCanceled\","
        + "\"message\":\"another operation\"}}"))).isEqualTo(new OperationStatus.Failed("Canceled", "another operation"));
    assertThat(OperationStatuses.from(200, json("{\"status\":\"Failed\"}")))
        .isEqualTo(new OperationStatus.Failed("Failed", "the operation failed without a message"));
  }

  @Test
  void locationAndResourcePolling() throws Exception {
    assertThat(OperationStatuses.from(202, null)).isEqualTo(new OperationStatus.InProgress());
    assertThat(OperationStatuses.from(204, null)).isEqualTo(new OperationStatus.Succeeded());
    assertThat(OperationStatuses.from(200, json("{\"properties\":{\"provisioningState\":\"Updating\"}}")))
        .isEqualTo(new OperationStatus.InProgress());
    assertThat(OperationStatuses.from(200, json("{\"properties\":{\"provisioningState\":\"Canceled\"}}")))
        .isEqualTo(new OperationStatus.Failed("Canceled", "the operation was canceled"));
  }
}
