package io.authip.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.cli.Main;
import io.authip.operator.Conditions;
import io.authip.operator.IpRangeSetReconciler;
import io.authip.operator.PolicyStatusBuilder;
import io.authip.policy.FieldError;
import io.authip.policy.PolicyValidator;
import io.authip.resources.ResourceSerialization;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The promise, kept by a test: {@code authip validate} and the operator read the same YAML through the same
 * code and report the same problems. Every invalid example (authip-operator/src/test/resources/invalid/, bad-input/yaml/, and the
 * bad-input corpus) goes both ways: the {@code validate} command's JSON report, and the operator's path (JSON as the
 * API server would store it, read by the operator's serialization, validated, turned into the status message the
 * reconciler writes). The two lists of problems must be identical, message for message, and the status message must
 * be made of them.
 */
class OneReaderGoldenTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Plain YAML to JSON, as kubectl does before it sends a file: nothing of authip's reader. */
  private static final ObjectMapper KUBECTL_YAML = new YAMLMapper();
  private static final KubernetesSerialization OPERATOR = ResourceSerialization.create();
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  /** Over this a document is past the YAML parser's size limit: validate refuses the file, no resource to compare. */
  private static final int MAX_CORPUS_BODY = 1_000_000;

  @TempDir
  Path dir;

  static Stream<Path> examples() throws IOException, URISyntaxException {
    List<Path> out = new ArrayList<>();
    Path project = Path.of(System.getProperty("authip.projectDir", ".."));
    for (Path root : List.of(project.resolve("authip-operator/src/test/resources/invalid"),
        Path.of(OneReaderGoldenTest.class.getResource("/bad-input/yaml").toURI()))) {
      try (Stream<Path> s = Files.list(root)) {
        out.addAll(s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList());
      }
    }
    assertThat(out).hasSizeGreaterThan(40);
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void validateAndTheOperatorReportTheSameProblems(Path file) throws IOException {
    Optional<Map<String, List<String>>> validate = validate(file);
    if (validate.isEmpty()) {
      // Not YAML that validate judges (syntax, aliases, duplicate keys, not UTF-8): no resource to compare; that
      // the file's entry says why, with its line, is ValidateCommandTest's and BadYamlTest's business.
      return;
    }
    Map<String, List<String>> operator = operator(Files.readAllBytes(file));
    assertThat(operator).as("%s: the operator's problems, per resource", file.getFileName())
        .isEqualTo(validate.get());
  }

  @Test
  void theBadInputCorpusReadsTheSameBothWays() throws IOException {
    int compared = 0;
    int skipped = 0;
    for (BadInputCorpus.Bad bad : BadInputCorpus.all()) {
      String json = bad.json("golden");
      if (json.length() > MAX_CORPUS_BODY) {
        skipped++;
        continue;
      }
      Path file = dir.resolve(bad.name() + ".json");
      Files.writeString(file, json, StandardCharsets.UTF_8);
      Map<String, List<String>> validate = validate(file).orElseThrow(() -> new AssertionError(bad + " unreadable"));
      Map<String, List<String>> operator = operator(json.getBytes(StandardCharsets.UTF_8));
      assertThat(operator).as("%s", bad).isEqualTo(validate);
      assertThat(validate).as("%s is invalid", bad).isNotEmpty()
          .allSatisfy((who, problems) -> assertThat(problems).isNotEmpty());
      compared++;
    }
    System.out.printf("golden: %d corpus resources compared, %d over %d characters skipped%n", compared, skipped,
        MAX_CORPUS_BODY);
    assertThat(compared).isGreaterThan(100);
  }

  /**
   * What {@code authip validate --output json} reports: "kind namespace/name" → "field: message" lines; empty when
   * the file could not be read. Documents with a wrong apiVersion or kind are left out: the API server has no such
   * resource type, so they never reach the operator.
   */
  private static Optional<Map<String, List<String>>> validate(Path file) throws IOException {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new ByteArrayInputStream(new byte[0]), new PrintWriter(out), new PrintWriter(err),
        "validate", "--output", "json", file.toString());
    assertThat(code).as("exit status of validate %s: %s", file, err).isIn(1, 2);
    Map<String, List<String>> reports = new LinkedHashMap<>();
    for (JsonNode r : JSON.readTree(out.toString())) {
      if (r.get("kind").isNull()) {
        assertThat(code).isEqualTo(2);
        assertThat(r.get("errors").get(0).get("message").asText()).isNotEmpty();
        return Optional.empty();
      }
      List<String> problems = new ArrayList<>();
      boolean unserved = false;
      for (JsonNode e : r.get("errors")) {
        problems.add(e.get("field").asText() + ": " + e.get("message").asText());
        unserved |= e.get("field").asText().equals("apiVersion") || e.get("field").asText().equals("kind");
      }
      if (unserved) {
        continue;
      }
      reports.put(r.get("kind").asText() + " " + r.get("namespace").asText() + "/" + r.get("name").asText(""),
          problems);
    }
    return Optional.of(reports);
  }

  /**
   * The operator's path: each document as JSON (what the API server stores; it drops status on create), read by the
   * operator's serialization, references resolved among the same file (the informer cache), validated, and the
   * status message the reconciler writes checked to be made of exactly those problems.
   */
  private static Map<String, List<String>> operator(byte[] bytes) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    var it = KUBECTL_YAML.readerFor(JsonNode.class).readValues(new String(bytes, StandardCharsets.UTF_8));
    while (it.hasNextValue()) {
      docs.add((JsonNode) it.nextValue());
    }
    List<HasMetadata> resources = new ArrayList<>();
    Map<String, List<String>> reports = new LinkedHashMap<>();
    for (JsonNode doc : docs) {
      if (doc == null || !doc.isObject()) {
        continue;
      }
      String apiVersion = doc.path("apiVersion").asText("");
      String kind = doc.path("kind").asText("");
      if (!apiVersion.equals(AuthorizedIpPolicy.API_VERSION)
          || !(kind.equals(AuthorizedIpPolicy.KIND) || kind.equals(IpRangeSet.KIND))) {
        // The API server has no such resource (or it is not ours): it never reaches the operator.
        continue;
      }
      ObjectNode stored = ((ObjectNode) doc).deepCopy();
      stored.remove("status");
      Class<? extends HasMetadata> type = kind.equals(AuthorizedIpPolicy.KIND) ? AuthorizedIpPolicy.class
          : IpRangeSet.class;
      resources.add(OPERATOR.unmarshal(stored.toString(), type));
    }
    PolicyValidator validator = new PolicyValidator();
    PolicyValidator.RangeSetLookup lookup = (ns, name) -> resources.stream()
        .filter(r -> r instanceof IpRangeSet && name.equals(r.getMetadata().getName())
            && ns(ns).equals(ns(r.getMetadata().getNamespace())))
        .map(r -> (IpRangeSet) r).findFirst();
    for (HasMetadata r : resources) {
      List<FieldError> errors;
      String statusMessage;
      if (r instanceof AuthorizedIpPolicy p) {
        errors = validator.validatePolicy(p, lookup).errors();
        statusMessage = errors.isEmpty() ? null : Conditions.find(PolicyStatusBuilder.invalid(p, errors, NOW)
            .getConditions(), Conditions.READY).orElseThrow().getMessage();
      } else {
        errors = validator.validateRangeSet((IpRangeSet) r);
        statusMessage = errors.isEmpty() ? null : IpRangeSetReconciler.invalidMessage(errors);
      }
      List<String> lines = errors.stream().map(FieldError::toString).toList();
      if (statusMessage != null) {
        assertThat(statusMessage).as("the status message is made of the problems")
            .startsWith(String.join("; ", lines.subList(0, Math.min(5, lines.size()))));
      }
      reports.put(r.getKind() + " " + ns(r.getMetadata().getNamespace()) + "/"
          + Optional.ofNullable(r.getMetadata().getName()).orElse(""), lines);
    }
    return reports;
  }

  private static String ns(String namespace) {
    return namespace == null || namespace.isEmpty() ? "default" : namespace;
  }
}
