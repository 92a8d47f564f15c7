package io.authip.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Rendered Kubernetes manifests (helm template, kubectl kustomize, or plain files), parsed once. */
final class Manifests {

  static final ObjectMapper YAML = new YAMLMapper();

  /** Labels that only say who rendered an object, not what it is: they differ between Helm and kustomize. */
  static final Set<String> RENDERER_LABELS =
      Set.of("helm.sh/chart", "app.kubernetes.io/managed-by", "app.kubernetes.io/version");

  private final List<ObjectNode> objects;

  private Manifests(List<ObjectNode> objects) {
    this.objects = List.copyOf(objects);
  }

  static Manifests parse(String yaml) {
    List<ObjectNode> objects = new ArrayList<>();
    try (var docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc instanceof ObjectNode object && object.has("kind")) {
          objects.add(object);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse rendered YAML", e);
    }
    return new Manifests(objects);
  }

  List<ObjectNode> all() {
    return objects;
  }

  List<ObjectNode> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }

  Optional<ObjectNode> find(String kind, String namespace, String name) {
    return objects.stream()
        .filter(o -> kind.equals(o.path("kind").asText()))
        .filter(o -> name.equals(o.path("metadata").path("name").asText()))
        .filter(o -> namespace.equals(o.path("metadata").path("namespace").asText()))
        .findFirst();
  }

  ObjectNode one(String kind) {
    List<ObjectNode> found = ofKind(kind);
    assertThat(found).as("exactly one %s in %s", kind, ids()).hasSize(1);
    return found.get(0);
  }

  <T> T one(String kind, Class<T> type) {
    return as(one(kind), type);
  }

  static <T> T as(JsonNode node, Class<T> type) {
    try {
      return YAML.treeToValue(node, type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + id(node) + " as " + type.getSimpleName(), e);
    }
  }

  /** "Kind namespace/name" of every object, sorted. */
  Set<String> ids() {
    Set<String> ids = new TreeSet<>();
    objects.forEach(o -> ids.add(id(o)));
    return ids;
  }

  static String id(JsonNode o) {
    JsonNode metadata = o.path("metadata");
    return o.path("kind").asText() + " " + metadata.path("namespace").asText("") + "/" + metadata.path("name").asText();
  }

  /** A deep copy without the labels that only name the renderer. */
  static ObjectNode withoutRendererLabels(ObjectNode object) {
    ObjectNode copy = object.deepCopy();
    stripRendererLabels(copy.path("metadata").path("labels"));
    stripRendererLabels(copy.path("spec").path("template").path("metadata").path("labels"));
    return copy;
  }

  private static void stripRendererLabels(JsonNode labels) {
    if (labels instanceof ObjectNode map) {
      map.remove(RENDERER_LABELS);
    }
  }
}
