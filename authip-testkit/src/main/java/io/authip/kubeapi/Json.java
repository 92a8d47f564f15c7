package io.authip.kubeapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Jackson trees with the fabric8 mapper; unreadable input is the client's fault (HTTP 400). */
final class Json {

  private Json() {
  }

  static JsonNode parse(String text) {
    try {
      return Serialization.jsonMapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the body is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  static JsonNode parse(byte[] bytes) {
    try {
      return Serialization.jsonMapper().readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("the body is not valid JSON: " + e.getMessage(), e);
    }
  }

  static byte[] bytes(JsonNode node) {
    return Serialization.asJson(node).getBytes(StandardCharsets.UTF_8);
  }
}
