package io.authip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The checked-in CRDs' {@code openAPIV3Schema}, applied the way the API server applies it before authip sees a
 * resource. OpenAPI 3.0 schema objects are a draft-4 dialect; the Kubernetes extensions ({@code x-kubernetes-*}) and
 * {@code default} do not validate anything.
 */
final class CrdSchema {

  static final Path PROJECT = Path.of(System.getProperty("authip.projectDir", "."));
  static final ObjectMapper YAML = new YAMLMapper();
  private static final Map<String, JsonSchema> BY_KIND = load();

  private CrdSchema() {
  }

  private static Map<String, JsonSchema> load() {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
    Map<String, JsonSchema> schemas = new HashMap<>();
    try (Stream<Path> files = Files.list(PROJECT.resolve("crds"))) {
      for (Path file : files.sorted().toList()) {
        JsonNode crd = YAML.readTree(file.toFile());
        JsonNode version = crd.path("spec").path("versions").get(0);
        JsonNode schema = version.path("schema").path("openAPIV3Schema");
        if (schema.isMissingNode() || !(schema instanceof ObjectNode)) {
          throw new IllegalStateException(file + " has no spec.versions[0].schema.openAPIV3Schema");
        }
        schemas.put(crd.path("spec").path("names").path("kind").asText(), factory.getSchema(schema));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return schemas;
  }

  static Optional<JsonSchema> forKind(String kind) {
    return Optional.ofNullable(BY_KIND.get(kind));
  }

  static List<String> kinds() {
    return BY_KIND.keySet().stream().sorted().toList();
  }

  /** The violations of one document, as {@code "$.path: message"}; empty when it conforms. */
  static List<String> violations(JsonNode document) {
    JsonSchema schema = forKind(document.path("kind").asText()).orElseThrow(
        () -> new IllegalArgumentException("no CRD for kind '" + document.path("kind").asText() + "'"));
    List<String> out = new ArrayList<>();
    for (ValidationMessage m : schema.validate(document)) {
      out.add(m.getMessage());
    }
    return out;
  }

  /** Every non-empty document of a YAML file. */
  static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
      while (it.hasNextValue()) {
        JsonNode node = it.nextValue();
        if (node != null && !node.isNull() && !node.isMissingNode()) {
          docs.add(node);
        }
      }
    }
    return docs;
  }
}
