package io.authip.resources;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.policy.FieldError;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads multi-document YAML (or JSON) files of Kubernetes resources. Strict: an unknown or mistyped field is an
 * error with its path, because in a GitOps pipeline a typo such as {@code rnages} must not pass silently.
 */
public final class ResourceFiles {

  /** One document of a file. */
  public sealed interface Document {
    String file();

    int index();

    /** An authip resource that could be read; {@code resource} is an AuthorizedIpPolicy or IpRangeSet. */
    record Authip(String file, int index, Object resource) implements Document {
    }

    /** An authip resource with fields of the wrong type or unknown fields. */
    record Unreadable(String file, int index, String kind, String namespace, String name, List<FieldError> errors)
        implements Document {
    }

    /** Some other kind of resource (or an empty document): not ours. */
    record Other(String file, int index, String apiVersion, String kind) implements Document {
    }
  }

  /** kubectl refuses a key written twice in one mapping; without this the last one would silently win here. */
  private static final ObjectMapper YAML = new YAMLMapper(YAMLFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
  /**
   * As strict as the API server's schema check: no coercion between scalar types. Jackson's defaults would read
   * {@code access: 2} as the third enum constant (Unrestricted) and {@code resourceGroup: 2024} as a string, and
   * call a resource valid that {@code kubectl apply} refuses.
   */
  private static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
      .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      // Else a public one-String constructor (RangeSetRef's) reads "rangeSetRefs: [x]", which the schema refuses.
      .disable(MapperFeature.AUTO_DETECT_CREATORS)
      .withCoercionConfig(LogicalType.Textual, c -> c
          .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
      .build();

  private ResourceFiles() {
  }

  /**
   * @throws IOException when the file cannot be read or is not YAML at all
   */
  public static List<Document> read(Path path) throws IOException {
    try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return read(path.toString(), reader);
    }
  }

  public static List<Document> read(String name, Reader reader) throws IOException {
    List<Document> docs = new ArrayList<>();
    try (var parser = withoutAliases(YAML.getFactory().createParser(reader))) {
      var it = YAML.readValues(parser, JsonNode.class);
      int index = 0;
      while (it.hasNextValue()) {
        JsonNode node = it.nextValue();
        docs.add(classify(name, index++, node));
      }
    } catch (JsonProcessingException | RuntimeException e) {
      // Jackson's iterator wraps some syntax errors in RuntimeJsonMappingException and throws others directly.
      throw new IOException("not valid YAML: " + yamlProblem(e), e);
    }
    return docs;
  }

  /**
   * Jackson reads an alias ({@code *name}) as the text {@code name}, not as the value it stands for: a file that
   * kubectl applies would be judged on something else. Refused instead, with its line, which also refuses alias
   * bombs.
   */
  private static JsonParser withoutAliases(JsonParser yaml) {
    return new JsonParserDelegate(yaml) {
      @Override
      public JsonToken nextToken() throws IOException {
        JsonToken t = super.nextToken();
        if (delegate instanceof YAMLParser y && y.isCurrentAlias()) {
          throw new JsonParseException(this, "the alias *" + getText() + " is not supported; write the value out");
        }
        return t;
      }
    };
  }

  /** Where and what: SnakeYAML's own first line ("while parsing a block mapping") says neither. */
  static String yamlProblem(Exception e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null) {
        return "line " + (m.getProblemMark().getLine() + 1) + ", column " + (m.getProblemMark().getColumn() + 1) + ": "
            + firstLine(m.getProblem());
      }
      if (c instanceof java.nio.charset.CharacterCodingException) {
        return "the file is not UTF-8 text";
      }
    }
    if (e instanceof JsonProcessingException j && j.getLocation() != null && j.getLocation().getLineNr() > 0) {
      return "line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ": "
          + firstLine(j.getOriginalMessage());
    }
    return firstLine(e.getMessage());
  }

  static Document classify(String file, int index, JsonNode node) {
    if (node == null || !node.isObject()) {
      // Behind the alias check, an empty document comes as an empty string rather than null.
      boolean empty = node == null || node.isNull() || node.isMissingNode() || (node.isTextual() && node.asText()
          .isEmpty());
      return new Document.Other(file, index, "", empty ? "(empty)" : "(not an object)");
    }
    String apiVersion = node.path("apiVersion").asText("");
    String kind = node.path("kind").asText("");
    boolean ourKind = kind.equals(AuthorizedIpPolicy.KIND) || kind.equals(IpRangeSet.KIND);
    boolean ourGroup = apiVersion.startsWith(AuthorizedIpPolicy.GROUP + "/");
    // A typo in our group, version or kind must not pass as "some other resource": the pipeline would stay green.
    if (ourGroup && !apiVersion.equals(AuthorizedIpPolicy.API_VERSION)) {
      return new Document.Unreadable(file, index, kind, namespace(node), name(node),
          List.of(new FieldError("apiVersion", "'" + apiVersion + "' is not served; use "
              + AuthorizedIpPolicy.API_VERSION)));
    }
    if (ourGroup && !ourKind) {
      return new Document.Unreadable(file, index, kind, namespace(node), name(node),
          List.of(new FieldError("kind", (kind.isEmpty() ? "is missing" : "'" + kind + "' is not a kind of "
              + AuthorizedIpPolicy.API_VERSION) + "; expected " + AuthorizedIpPolicy.KIND + " or "
              + IpRangeSet.KIND)));
    }
    if (ourKind && !ourGroup) {
      return new Document.Unreadable(file, index, kind, namespace(node), name(node),
          List.of(new FieldError("apiVersion", (apiVersion.isEmpty() ? "is missing" : "'" + apiVersion
              + "' is not authip's API") + "; use " + AuthorizedIpPolicy.API_VERSION)));
    }
    if (!ourKind) {
      return new Document.Other(file, index, apiVersion, kind);
    }
    Class<?> type = kind.equals(AuthorizedIpPolicy.KIND) ? AuthorizedIpPolicy.class : IpRangeSet.class;
    ObjectNode copy = ((ObjectNode) node).deepCopy();
    copy.remove("status");
    try {
      return new Document.Authip(file, index, STRICT.treeToValue(copy, type));
    } catch (JsonMappingException e) {
      return new Document.Unreadable(file, index, kind, namespace(node), name(node),
          List.of(new FieldError(path(e), describe(e))));
    } catch (IOException | IllegalArgumentException e) {
      return new Document.Unreadable(file, index, kind, namespace(node), name(node),
          List.of(new FieldError("(document)", firstLine(e.getMessage()))));
    }
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "(document)" : sb.toString();
  }

  private static String describe(JsonMappingException e) {
    if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
      String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream().map(Object::toString)
          .sorted().collect(Collectors.joining(", "));
      return "unknown field '" + u.getPropertyName() + "'" + (known.isEmpty() ? "" : "; known fields: " + known);
    }
    if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f) {
      if (f.getTargetType() != null && f.getTargetType().isEnum()) {
        return "'" + f.getValue() + "' is not a valid value; allowed: " + java.util.Arrays.stream(
            f.getTargetType().getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "));
      }
      return "has the wrong type; expected " + simpleType(f.getTargetType()) + ", got " + f.getValue();
    }
    if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m) {
      return "has the wrong type; expected " + simpleType(m.getTargetType());
    }
    return firstLine(e.getOriginalMessage());
  }

  private static String simpleType(Class<?> type) {
    if (type == null) {
      return "value";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "a boolean (true or false)";
    }
    if (type.isEnum()) {
      return "one of " + java.util.Arrays.stream(type.getEnumConstants()).map(Object::toString)
          .collect(Collectors.joining(", "));
    }
    if (type.getPackageName().startsWith("io.authip") || type.getName().startsWith("io.fabric8")) {
      return "an object";
    }
    return type.getSimpleName();
  }

  private static String namespace(JsonNode node) {
    String ns = node.path("metadata").path("namespace").asText("");
    return ns.isEmpty() ? null : ns;
  }

  private static String name(JsonNode node) {
    String n = node.path("metadata").path("name").asText("");
    return n.isEmpty() ? null : n;
  }

  public static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
