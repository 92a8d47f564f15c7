package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * The mock server's CRUD store, which also tells the {@link WatchHub} about every change (the mock streams
 * watches only over WebSocket, kubectl watches over HTTP) and {@link #normalized stores objects} as a real API
 * server would.
 */
final class Store extends KubernetesCrudDispatcher {

  private final WatchHub hub;

  Store(WatchHub hub) {
    this.hub = hub;
  }

  @Override
  public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
      GenericKubernetesResource resource, String newState) {
    String after = normalized(newState);
    String before = oldAttributes == null ? null : getMap().get(oldAttributes);
    super.processEvent(path, pathAttributes, oldAttributes, resource, after);
    if (!Objects.equals(before, after)) {
      publish(path, before, after);
    }
  }

  private void publish(String path, String before, String after) {
    Optional<ResourcePath> target = ResourcePath.parse(Query.pathOf(path));
    if (target.isEmpty()) {
      return;
    }
    JsonNode old = before == null ? null : Json.parse(before);
    JsonNode now = after == null ? null : Json.parse(after);
    long version;
    if (now == null) {
      // a deletion is a change of its own, later than anything a client has listed so far
      version = requestResourceVersion();
      ((ObjectNode) old.path("metadata")).put("resourceVersion", String.valueOf(version));
    } else {
      version = parseVersion(now.path("metadata").path("resourceVersion").asText());
    }
    ResourcePath p = target.get();
    hub.publish(new WatchHub.Change(version, p.group(), p.version(), p.plural(), old, now));
  }

  private static long parseVersion(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Repairs what the mock writes differently from a real API server: a deletion timestamp in local time without
   * a zone (kubectl cannot read it) and {@code "status": null} after updating an object that has no status yet.
   */
  static String normalized(String state) {
    if (state == null || !(state.contains("\"deletionTimestamp\"") || state.contains("\"status\":null"))) {
      return state;
    }
    JsonNode node = Json.parse(state);
    if (!(node instanceof ObjectNode object) || !(node.path("metadata") instanceof ObjectNode meta)) {
      return state;
    }
    if (object.has("status") && object.get("status").isNull()) {
      object.remove("status");
    }
    String ts = meta.path("deletionTimestamp").asText("");
    if (!ts.isEmpty() && !isRfc3339(ts)) {
      try {
        Instant instant = LocalDateTime.parse(ts).atZone(ZoneId.systemDefault()).toInstant()
            .truncatedTo(ChronoUnit.SECONDS);
        meta.put("deletionTimestamp", instant.toString());
        if (!meta.has("deletionGracePeriodSeconds")) {
          meta.put("deletionGracePeriodSeconds", 0);
        }
      } catch (DateTimeParseException unreadable) {
        // left as it is: nothing better to write
      }
    }
    return Serialization.asJson(node);
  }

  private static boolean isRfc3339(String ts) {
    try {
      Instant.parse(ts);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
