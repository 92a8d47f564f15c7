package io.authip.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The x-kubernetes-validations rules of the checked-in CRDs (crds/), evaluated as a 1.31+ API server evaluates
 * them, against every example. Each file under authip-operator/src/test/resources/invalid says in its header what the rules do:
 * {@code # cel-refuses: FIELD: MESSAGE} (one line per cause, every cause listed) or {@code # cel-accepts: WHY}
 * (the rules cannot see the problem: the operator refuses it, see its {@code # expect:} lines), or
 * {@code # cel-none: WHY} (not an authip resource the API server would read). The examples in deploy/examples are
 * all accepted.
 */
class CrdRulesTest {

  static final Path PROJECT = Path.of(System.getProperty("authip.projectDir", "."));
  static final ObjectMapper YAML = new YAMLMapper();
  static final Map<String, JsonNode> SCHEMAS = Map.of(
      "AuthorizedIpPolicy", schema("authorizedippolicies.authip.io"),
      "IpRangeSet", schema("iprangesets.authip.io"));

  static JsonNode schema(String name) {
    try {
      return YAML.readTree(PROJECT.resolve("crds/" + name + ".yaml").toFile())
          .path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static List<String> causes(JsonNode document) {
    JsonNode schema = SCHEMAS.get(document.path("kind").asText());
    if (schema == null) {
      return List.of();
    }
    return CelAdmission.validate(schema, document, null).stream()
        .map(c -> c.field() + ": " + c.body()).toList();
  }

  static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(file.toFile())) {
      for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
        JsonNode n = it.next();
        if (n != null && n.isObject()) {
          out.add(n);
        }
      }
    }
    return out;
  }

  static Stream<Path> invalid() throws IOException {
    try (Stream<Path> list = Files.list(PROJECT.resolve("authip-operator/src/test/resources/invalid"))) {
      return list.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> list = Files.list(PROJECT.resolve("deploy/examples"))) {
      return list.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void everyInvalidExampleIsRefusedWhereCelCanSeeItAndOnlyThere(Path file) throws IOException {
    List<String> refuses = header(file, "cel-refuses");
    List<String> accepts = header(file, "cel-accepts");
    List<String> none = header(file, "cel-none");
    assertThat(refuses.size() + accepts.size() + none.size())
        .as("%s says what the CRD rules do (cel-refuses, cel-accepts or cel-none)", file.getFileName()).isPositive();
    if (!none.isEmpty()) {
      return;
    }
    List<String> actual = new ArrayList<>();
    for (JsonNode doc : documents(file)) {
      actual.addAll(causes(doc));
    }
    if (refuses.isEmpty()) {
      assertThat(actual).as("%s: the rules accept it (%s)", file.getFileName(), accepts).isEmpty();
      return;
    }
    for (String expected : refuses) {
      assertThat(actual).as("%s: a cause %s", file.getFileName(), expected).anyMatch(a -> a.startsWith(expected));
    }
    assertThat(actual).as("%s: every cause is listed in the header", file.getFileName()).hasSameSizeAs(refuses);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void theExamplesAreAccepted(Path file) throws IOException {
    List<JsonNode> docs = documents(file);
    assertThat(docs).isNotEmpty();
    for (JsonNode doc : docs) {
      assertThat(causes(doc)).as("%s %s", file.getFileName(), doc.path("metadata").path("name")).isEmpty();
    }
  }

  @Test
  void everyEntryRuleRefusesWhatTheOperatorRefusesAndAcceptsWhatItAccepts() throws IOException {
    String[][] cases = {
        {"20.50.1.7", ""},
        {"73.140.245.0/24", ""},
        {"137.117.106.90/29", "spec.ranges[0].cidr: Invalid value: \"string\": 137.117.106.90/29 is not the first "
            + "address of its range; did you mean 137.117.106.88/29?"},
        {"010.1.2.3", "spec.ranges[0].cidr: Invalid value: \"string\": must be an IPv4 address"},
        {"1.2.3.4/033", "spec.ranges[0].cidr: Invalid value: \"string\": must be an IPv4 address"},
        {"2001:db8::/32", "spec.ranges[0].cidr: Invalid value: \"string\": must be an IPv4 address"},
        {"::ffff:20.50.1.7", "spec.ranges[0].cidr: Invalid value: \"string\": must be an IPv4 address"},
        {"0.0.0.0/32", "spec.ranges[0].cidr: Invalid value: \"string\": 0.0.0.0/32 is AKS's marker"},
        {"0.0.0.0", "spec.ranges[0].cidr: Invalid value: \"string\": 0.0.0.0/32 is AKS's marker"},
        {"0.0.0.0/0", "spec.ranges[0].cidr: Invalid value: \"string\": 0.0.0.0/0 would authorize every address"},
        {"10.0.0.0/8", ""}, // not public: the operator's rule, CEL cannot list IANA's registry affordably
    };
    for (String[] c : cases) {
      ObjectNode set = (ObjectNode) YAML.readTree("apiVersion: authip.io/v1alpha1\nkind: IpRangeSet\n"
          + "metadata: {name: s, namespace: n}\nspec: {ranges: [{cidr: '" + c[0] + "'}]}\n");
      List<String> causes = causes(set);
      if (c[1].isEmpty()) {
        assertThat(causes).as(c[0]).isEmpty();
      } else {
        assertThat(causes).as(c[0]).hasSize(1);
        assertThat(causes.get(0)).as(c[0]).startsWith(c[1]);
      }
    }
  }

  @Test
  void aWrongTypeIsASchemaErrorAndBlocksTheRules() throws IOException {
    JsonNode policy = YAML.readTree("apiVersion: authip.io/v1alpha1\nkind: AuthorizedIpPolicy\n"
        + "metadata: {name: p, namespace: n}\nspec: {access: 2, ranges: [{cidr: '10.0.0.1/8'}]}\n");
    assertThat(causes(policy)).containsExactly(
        "spec.access: Invalid value: \"integer\": spec.access in body must be of type string: \"integer\"",
        "<nil>: Invalid value: \"null\": some validation rules were not checked because the object was invalid; "
            + "correct the existing errors to complete validation");
  }

  @Test
  void anUnchangedValueIsNotRecheckedOnUpdate() throws IOException {
    JsonNode schema = SCHEMAS.get("IpRangeSet");
    JsonNode old = YAML.readTree("metadata: {name: s}\nspec: {ranges: [{cidr: '1.2.3.4/8'}]}\n");
    JsonNode labelled = YAML.readTree("metadata: {name: s, labels: {a: b}}\nspec: {ranges: [{cidr: '1.2.3.4/8'}]}\n");
    JsonNode edited = YAML.readTree("metadata: {name: s}\nspec: {ranges: [{cidr: '1.2.3.4/8'}, {cidr: '5.6.7.8'}]}\n");
    assertThat(CelAdmission.validate(schema, labelled, old)).isEmpty();
    assertThat(CelAdmission.validate(schema, edited, old)).hasSize(1);
    assertThat(CelAdmission.validate(schema, old, null)).hasSize(1);
  }

  static List<String> header(Path file, String key) throws IOException {
    String prefix = "# " + key + ": ";
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.startsWith("#")) {
        break;
      }
      if (line.startsWith(prefix)) {
        out.add(line.substring(prefix.length()));
      }
    }
    return out;
  }

  /** Prints what the rules say about each invalid example (to write the headers from). */
  public static void main(String[] args) throws IOException {
    for (Path f : invalid().toList()) {
      System.out.println("== " + f.getFileName());
      try {
        for (JsonNode d : documents(f)) {
          causes(d).forEach(c -> System.out.println("# cel-refuses: " + c));
        }
      } catch (IOException | RuntimeException e) {
        System.out.println("unreadable: " + e.getMessage());
      }
    }
  }
}
