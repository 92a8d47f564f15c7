package io.authip.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.authip.emulator.ArmEmulator;
import io.authip.emulator.ClusterFixture;
import java.util.ArrayList;
import java.util.List;

/** What the emulated clusters hold, for the end-to-end tests. */
public final class Clusters {

  private Clusters() {
  }

  /** The cluster's {@code authorizedIPRanges} as the emulator stores them (empty: no restriction). */
  public static List<String> ranges(ArmEmulator arm, ClusterFixture c) {
    JsonNode ranges = arm.cluster(c.clusterId()).orElseThrow().path("properties").path("apiServerAccessProfile")
        .path("authorizedIPRanges");
    List<String> out = new ArrayList<>();
    ranges.forEach(n -> out.add(n.asText()));
    return out;
  }
}
