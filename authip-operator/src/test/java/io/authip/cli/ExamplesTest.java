package io.authip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What the documentation shows must work: every example passes authip validate and the CRD schema. */
class ExamplesTest {

  static List<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(CrdSchema.PROJECT.resolve("deploy/examples"))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void everyExamplePassesAuthipValidate() throws IOException {
    List<Path> files = examples();
    assertThat(files).isNotEmpty();
    String[] args = Stream.concat(Stream.of("validate", "--output", "json"), files.stream().map(Path::toString))
        .toArray(String[]::new);
    Cli cli = Cli.run(args);
    assertThat(cli.exitCode()).as(cli.out() + cli.err()).isZero();
    assertThat(cli.err()).isEmpty();
    JsonNode reports = new ObjectMapper().readTree(cli.out());
    Set<String> filesWithResources = new TreeSet<>();
    for (JsonNode report : reports) {
      assertThat(report.get("valid").asBoolean()).as(report.toString()).isTrue();
      filesWithResources.add(report.get("file").asText());
    }
    assertThat(filesWithResources).as("every example file holds an authip resource")
        .containsExactlyInAnyOrderElementsOf(files.stream().map(Path::toString).toList());
  }

  @Test
  void everyExampleConformsToTheGeneratedCrdSchema() throws IOException {
    int documents = 0;
    for (Path file : examples()) {
      for (JsonNode doc : CrdSchema.documents(file)) {
        assertThat(CrdSchema.violations(doc)).as("%s against crds/", file.getFileName()).isEmpty();
        documents++;
      }
    }
    assertThat(documents).isGreaterThanOrEqualTo(examples().size());
  }

  /** The schema is not vacuous: a document it must refuse is refused. */
  @Test
  void theSchemaRefusesAnObviouslyBrokenPolicy() throws IOException {
    JsonNode broken = CrdSchema.YAML.readTree("""
        apiVersion: authip.io/v1alpha1
        kind: AuthorizedIpPolicy
        metadata: {name: broken}
        spec:
          access: Sometimes
          targets: not-a-list
        """);
    assertThat(CrdSchema.violations(broken)).hasSize(2);
    assertThat(CrdSchema.kinds()).containsExactly("AuthorizedIpPolicy", "IpRangeSet", "TargetGrant");
  }
}
