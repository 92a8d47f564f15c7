package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authip.emulator.ArmEmulator;
import io.authip.emulator.RecordedRequest;
import io.authip.emulator.RequestKind;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Checked on every PUT the emulator recorded, after every end-to-end test. */
final class PutInvariants {

  private static final ObjectMapper JSON = new ObjectMapper();

  private PutInvariants() {
  }

  static void check(ArmEmulator arm) {
    for (RecordedRequest r : arm.requests()) {
      if (r.kind() != RequestKind.CLUSTER_PUT) {
        continue;
      }
      assertThat(r.header("If-Match")).as("If-Match on PUT %s", r.path()).isPresent();
      JsonNode body = parse(r.body());
      JsonNode ranges = body.path("properties").path("apiServerAccessProfile").path("authorizedIPRanges");
      assertThat(ranges.isArray() && ranges.size() > 0)
          .as("never an empty list (no test policy asks for Unrestricted): PUT %s sent %s", r.path(), ranges)
          .isTrue();
    }
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
