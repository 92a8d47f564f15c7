package io.authip.azure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;

/**
 * The raw managed-cluster JSON, edited as a tree so that every field authip does not own (read-only ones, fields
 * newer than the SDK's model) goes back to Azure exactly as it was read.
 */
final class ClusterJson {

  /** Numbers kept exactly as written ({@code 1.0} stays {@code 1.0}), so a round trip changes nothing. */
  static final ObjectMapper MAPPER = JsonMapper.builder()
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();

  private ClusterJson() {
  }

  static JsonNode parse(byte[] body) throws IOException {
    if (body == null || body.length == 0) {
      return null;
    }
    return MAPPER.readTree(body);
  }

  static byte[] write(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  static String eTag(JsonNode cluster) {
    JsonNode e = cluster.get("eTag");
    return e == null || e.isNull() ? null : e.asText();
  }

  static String provisioningState(JsonNode cluster) {
    JsonNode s = cluster.path("properties").get("provisioningState");
    return s == null || s.isNull() ? null : s.asText();
  }

  /**
   * A copy of {@code cluster} in which only {@code properties.apiServerAccessProfile.authorizedIPRanges} is
   * {@code ranges}; {@code apiServerAccessProfile} (and {@code properties}) are created when absent.
   *
   * @throws IllegalArgumentException when {@code properties} or {@code apiServerAccessProfile} is not an object
   */
  static ObjectNode withAuthorizedRanges(JsonNode cluster, List<String> ranges) {
    if (!(cluster instanceof ObjectNode root)) {
      throw new IllegalArgumentException("the managed cluster body is not a JSON object");
    }
    ObjectNode copy = root.deepCopy();
    ObjectNode properties = objectField(copy, "properties");
    ObjectNode profile = objectField(properties, "apiServerAccessProfile");
    ArrayNode list = profile.putArray("authorizedIPRanges");
    ranges.forEach(list::add);
    return copy;
  }

  private static ObjectNode objectField(ObjectNode parent, String name) {
    JsonNode n = parent.get(name);
    if (n == null || n.isNull()) {
      return parent.putObject(name);
    }
    if (!(n instanceof ObjectNode o)) {
      throw new IllegalArgumentException("'" + name + "' of the managed cluster is not a JSON object");
    }
    return o;
  }
}
