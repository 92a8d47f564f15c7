package io.authip.resources;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.TargetGrant;
import io.authip.tenancy.GrantValidator;
import io.authip.policy.FieldError;
import io.authip.policy.PolicyValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads multi-document YAML (or JSON) files of Kubernetes resources for {@code authip validate} and the sandbox. The
 * authip resources in them are read by {@link ResourceSerialization}, exactly as the operator reads them from the API
 * server, so that a file and the operator report the same problems; then {@link #check} applies the semantic rules
 * ({@link PolicyValidator}) and ties every problem to its line and column.
 */
public final class ResourceReader {

  /** A position in a file, both 1-based. */
  public record Location(int line, int column) {
    @Override
    public String toString() {
      return line + ":" + column;
    }
  }

  /**
   * One problem.
   *
   * @param field a path such as {@code spec.ranges[2].cidr}; null for a file that could not be read at all
   * @param location where the YAML puts it (the field, or its nearest enclosing field); null when unknown
   */
  public record Problem(String field, String message, Location location) {
    @Override
    public String toString() {
      return field == null ? message : field + ": " + message;
    }
  }

  /** One document of a file. */
  public sealed interface Document {
    String file();

    int index();

    /**
     * An authip resource ({@link AuthorizedIpPolicy} or {@link IpRangeSet}); what could not be read in it is in its
     * {@code readProblems}, as the operator would see it. Its status is dropped, as the API server drops it on apply.
     */
    record Resource(String file, int index, HasMetadata resource, Map<String, Location> locations)
        implements Document {
    }

    /** A document in authip's group, or of authip's kinds, with a wrong apiVersion or kind. */
    record Unreadable(String file, int index, String kind, String namespace, String name, List<Problem> problems)
        implements Document {
    }

    /** Some other kind of resource (or an empty document): not ours. */
    record Other(String file, int index, String apiVersion, String kind) implements Document {
    }
  }

  /**
   * A file: its documents, or why none could be read.
   *
   * @param failure present when the file could not be read or is not YAML; {@code documents} is then empty
   */
  public record ResourceFile(String file, List<Document> documents, Optional<Problem> failure) {
    /** The authip resources of a readable file, in file order. */
    public List<HasMetadata> resources() {
      return documents.stream().filter(d -> d instanceof Document.Resource).map(d -> ((Document.Resource) d)
          .resource()).toList();
    }
  }

  /** What {@link #check} found for one authip document; valid when {@code problems} is empty. */
  public record Verdict(String file, int index, String kind, String namespace, String name, List<Problem> problems) {
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  /** kubectl refuses a key written twice in one mapping; without this the last one would silently win here. */
  private static final ObjectMapper YAML = new YAMLMapper(YAMLFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
  private static final KubernetesSerialization SERIALIZATION = ResourceSerialization.create();

  private ResourceReader() {
  }

  /** Never throws for what is in the file: a missing or unreadable file is a {@link ResourceFile#failure()}. */
  public static ResourceFile read(Path path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return failed(path.toString(), "no such file", null);
    } catch (IOException e) {
      return failed(path.toString(), Files.isDirectory(path) ? "is a directory" : firstLine(e.getMessage()), null);
    }
    return read(path.toString(), bytes);
  }

  /** Reads a whole stream (e.g. standard input); {@code file} is the name used in reports. */
  public static ResourceFile read(String file, InputStream in) {
    try {
      return read(file, in.readAllBytes());
    } catch (IOException e) {
      return failed(file, firstLine(e.getMessage()), null);
    }
  }

  public static ResourceFile read(String file, byte[] utf8) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(utf8)).toString();
    } catch (CharacterCodingException e) {
      return failed(file, "not valid YAML: the file is not UTF-8 text", null);
    }
    return read(file, text);
  }

  public static ResourceFile read(String file, String text) {
    List<JsonNode> nodes = new ArrayList<>();
    try (var parser = withoutAliases(YAML.getFactory().createParser(text))) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNextValue()) {
        nodes.add(it.nextValue());
      }
    } catch (JsonProcessingException | RuntimeException e) {
      // Jackson's iterator wraps some syntax errors in RuntimeJsonMappingException and throws others directly.
      return failed(file, "not valid YAML: " + yamlProblem(e), yamlLocation(e));
    } catch (IOException e) {
      return failed(file, firstLine(e.getMessage()), null);
    }
    List<Map<String, Location>> locations = locations(text, nodes.size());
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      docs.add(classify(file, i, nodes.get(i), locations.get(i)));
    }
    return new ResourceFile(file, List.copyOf(docs), Optional.empty());
  }

  /**
   * Applies the semantic rules to every authip document of the files, as the operator does: rangeSetRefs resolve
   * among all the given files, in the policy's namespace. One verdict per authip document, in file order; other
   * documents and unreadable files have none.
   */
  public static List<Verdict> check(List<ResourceFile> files, PolicyValidator validator) {
    Map<String, IpRangeSet> sets = new HashMap<>();
    for (ResourceFile f : files) {
      for (HasMetadata r : f.resources()) {
        if (r instanceof IpRangeSet s && s.getMetadata() != null && s.getMetadata().getName() != null) {
          sets.put(key(s.getMetadata().getNamespace(), s.getMetadata().getName()), s);
        }
      }
    }
    // Offline, a set's sources are not read: they add nothing here (the operator reads them, and refuses a set
    // until every source has content), and do not make the policies that reference it invalid.
    PolicyValidator.RangeSetLookup lookup = new PolicyValidator.RangeSetLookup() {
      @Override
      public Optional<IpRangeSet> find(String namespace, String name) {
        return Optional.ofNullable(sets.get(key(namespace, name)));
      }

      @Override
      public PolicyValidator.SourceRanges sources(IpRangeSet set) {
        return PolicyValidator.SourceRanges.NONE;
      }
    };
    List<Verdict> verdicts = new ArrayList<>();
    for (ResourceFile f : files) {
      for (Document d : f.documents()) {
        if (d instanceof Document.Unreadable u) {
          verdicts.add(new Verdict(u.file(), u.index(), u.kind(), namespace(u.namespace()), u.name(), u.problems()));
        } else if (d instanceof Document.Resource r) {
          HasMetadata resource = r.resource();
          List<FieldError> errors = resource instanceof AuthorizedIpPolicy p
              ? validator.validatePolicy(p, lookup).errors()
              : resource instanceof TargetGrant g ? GrantValidator.validate(g)
              : validator.validateRangeSet((IpRangeSet) resource);
          List<Problem> problems = errors.stream().map(e -> new Problem(e.field(), e.message(),
              locate(r.locations(), e.field()))).toList();
          var meta = resource.getMetadata();
          // A TargetGrant is cluster-scoped: it has no namespace to report.
          verdicts.add(new Verdict(r.file(), r.index(), resource.getKind(), resource instanceof TargetGrant ? null
              : namespace(meta == null ? null : meta.getNamespace()), meta == null ? null : meta.getName(), problems));
        }
      }
    }
    return verdicts;
  }

  /** The location of {@code field}, else of its nearest enclosing field, else of the document. */
  static Location locate(Map<String, Location> locations, String field) {
    String f = field == null ? "" : field;
    while (true) {
      Location at = locations.get(f);
      if (at != null || f.isEmpty()) {
        return at;
      }
      int cut = Math.max(f.lastIndexOf('.'), f.lastIndexOf('['));
      f = cut < 0 ? "" : f.substring(0, cut);
    }
  }

  private static ResourceFile failed(String file, String message, Location location) {
    return new ResourceFile(file, List.of(), Optional.of(new Problem(null, message, location)));
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

  /**
   * Where each field and list element of each document starts: a second pass over the tokens of a text that has
   * already parsed, keyed by the paths the problems use ({@code spec.ranges[2].cidr}; the document itself is "").
   */
  static List<Map<String, Location>> locations(String text, int documents) {
    List<Map<String, Location>> out = new ArrayList<>();
    record Frame(String path, boolean array, int[] index, String[] key) {
    }
    try (JsonParser p = YAML.getFactory().createParser(text)) {
      Deque<Frame> frames = new ArrayDeque<>();
      Map<String, Location> current = null;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        JsonLocation l = p.currentTokenLocation();
        Location at = new Location(l.getLineNr(), l.getColumnNr());
        if (frames.isEmpty()) {
          current = new LinkedHashMap<>();
          out.add(current);
          current.put("", at);
        }
        Frame top = frames.peek();
        if (t == JsonToken.FIELD_NAME) {
          String path = top.path().isEmpty() ? p.currentName() : top.path() + "." + p.currentName();
          top.key()[0] = path;
          current.putIfAbsent(path, at);
          continue;
        }
        if (t.isStructEnd()) {
          frames.pop();
          continue;
        }
        String path = "";
        if (top != null && top.array()) {
          path = top.path() + "[" + ++top.index()[0] + "]";
          current.putIfAbsent(path, at);
        } else if (top != null) {
          path = top.key()[0];
        }
        if (t.isStructStart()) {
          frames.push(new Frame(path, t == JsonToken.START_ARRAY, new int[] {-1}, new String[1]));
        }
      }
    } catch (IOException | RuntimeException e) {
      out.clear();
    }
    // Locations are a help, never a reason to fail: without them every problem is still reported.
    while (out.size() < documents) {
      out.add(Map.of());
    }
    return out;
  }

  /** Where and what: SnakeYAML's own first line ("while parsing a block mapping") says neither. */
  static String yamlProblem(Exception e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null) {
        return "line " + (m.getProblemMark().getLine() + 1) + ", column " + (m.getProblemMark().getColumn() + 1) + ": "
            + firstLine(m.getProblem());
      }
      if (c instanceof CharacterCodingException) {
        return "the file is not UTF-8 text";
      }
    }
    if (e instanceof JsonProcessingException j && j.getLocation() != null && j.getLocation().getLineNr() > 0) {
      return "line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ": "
          + firstLine(j.getOriginalMessage());
    }
    return firstLine(e.getMessage());
  }

  static Location yamlLocation(Exception e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null) {
        return new Location(m.getProblemMark().getLine() + 1, m.getProblemMark().getColumn() + 1);
      }
    }
    if (e instanceof JsonProcessingException j && j.getLocation() != null && j.getLocation().getLineNr() > 0) {
      return new Location(j.getLocation().getLineNr(), j.getLocation().getColumnNr());
    }
    return null;
  }

  static Document classify(String file, int index, JsonNode node, Map<String, Location> locations) {
    if (node == null || !node.isObject()) {
      // Behind the alias check, an empty document comes as an empty string rather than null.
      boolean empty = node == null || node.isNull() || node.isMissingNode() || (node.isTextual() && node.asText()
          .isEmpty());
      return new Document.Other(file, index, "", empty ? "(empty)" : "(not an object)");
    }
    String apiVersion = node.path("apiVersion").asText("");
    String kind = node.path("kind").asText("");
    boolean ourKind = kind.equals(AuthorizedIpPolicy.KIND) || kind.equals(IpRangeSet.KIND)
        || kind.equals(TargetGrant.KIND);
    boolean ourGroup = apiVersion.startsWith(AuthorizedIpPolicy.GROUP + "/");
    // A typo in our group, version or kind must not pass as "some other resource": the pipeline would stay green.
    String field = null;
    String problem = null;
    if (ourGroup && !apiVersion.equals(AuthorizedIpPolicy.API_VERSION)) {
      field = "apiVersion";
      problem = "'" + apiVersion + "' is not served; use " + AuthorizedIpPolicy.API_VERSION;
    } else if (ourGroup && !ourKind) {
      field = "kind";
      problem = (kind.isEmpty() ? "is missing" : "'" + kind + "' is not a kind of " + AuthorizedIpPolicy.API_VERSION)
          + "; expected " + AuthorizedIpPolicy.KIND + ", " + IpRangeSet.KIND + " or " + TargetGrant.KIND;
    } else if (ourKind && !ourGroup) {
      field = "apiVersion";
      problem = (apiVersion.isEmpty() ? "is missing" : "'" + apiVersion + "' is not authip's API") + "; use "
          + AuthorizedIpPolicy.API_VERSION;
    }
    if (problem != null) {
      return new Document.Unreadable(file, index, kind, text(node, "namespace"), text(node, "name"),
          List.of(new Problem(field, problem, locate(locations, field))));
    }
    if (!ourKind) {
      return new Document.Other(file, index, apiVersion, kind);
    }
    Class<? extends HasMetadata> type = kind.equals(AuthorizedIpPolicy.KIND) ? AuthorizedIpPolicy.class
        : kind.equals(TargetGrant.KIND) ? TargetGrant.class : IpRangeSet.class;
    ObjectNode copy = ((ObjectNode) node).deepCopy();
    copy.remove("status");
    // The very path of the operator: JSON as the API server would hand it over, read by the same serialization.
    HasMetadata resource = SERIALIZATION.unmarshal(copy.toString(), type);
    return new Document.Resource(file, index, resource, Map.copyOf(locations));
  }

  private static String text(JsonNode node, String field) {
    String v = node.path("metadata").path(field).asText("");
    return v.isEmpty() ? null : v;
  }

  private static String namespace(String namespace) {
    return namespace == null || namespace.isEmpty() ? "default" : namespace;
  }

  private static String key(String namespace, String name) {
    return namespace(namespace) + "/" + name;
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
