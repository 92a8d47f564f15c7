package io.authip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file under {@code src/test/resources/invalid/} states in its comment header what is wrong with it:
 * <ul>
 *   <li>{@code # expect: FIELD: MESSAGE} — authip validate reports an error on FIELD whose message contains MESSAGE;
 *       the file lists every error it has, no more, no fewer;</li>
 *   <li>{@code # schema-refuses: LOCATION: MESSAGE} — the CRD schema refuses it there (the API server would);</li>
 *   <li>{@code # schema-accepts: WHY} — the schema cannot see the problem, only authip validate does;</li>
 *   <li>{@code # schema-none: WHY} — no CRD applies (an unknown kind).</li>
 * </ul>
 */
class InvalidExamplesTest {

  static final Path DIR = CrdSchema.PROJECT.resolve("authip-operator/src/test/resources/invalid");

  static Stream<Path> files() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(DIR)) {
      files = list.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(15);
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void authipValidateReportsExactlyTheExpectedErrors(Path file) throws IOException {
    List<String[]> expected = new ArrayList<>();
    for (String line : header(file, "expect")) {
      int colon = line.indexOf(": ");
      expected.add(new String[] {line.substring(0, colon), line.substring(colon + 2)});
    }
    assertThat(expected).as("%s has no '# expect:' line", file.getFileName()).isNotEmpty();

    Cli cli = Cli.run("validate", "--output", "json", file.toString());
    assertThat(cli.exitCode()).as("%s: %s", file.getFileName(), cli.err()).isEqualTo(1);
    List<String[]> actual = new ArrayList<>();
    for (JsonNode report : new ObjectMapper().readTree(cli.out())) {
      for (JsonNode error : report.get("errors")) {
        actual.add(new String[] {error.get("field").asText(), error.get("message").asText()});
      }
    }
    List<String> actualText = actual.stream().map(e -> e[0] + ": " + e[1]).toList();
    for (String[] e : expected) {
      assertThat(actual).as("%s: an error on %s containing \"%s\"; got %s", file.getFileName(), e[0], e[1],
          actualText).anyMatch(a -> a[0].equals(e[0]) && a[1].contains(e[1]));
    }
    assertThat(actual).as("%s: every error is listed in the header; got %s", file.getFileName(), actualText)
        .hasSameSizeAs(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void theCrdSchemaRefusesWhatItCanSee(Path file) throws IOException {
    List<String> refuses = header(file, "schema-refuses");
    List<String> accepts = header(file, "schema-accepts");
    List<String> none = header(file, "schema-none");
    assertThat(refuses.size() + accepts.size() + none.size()).as("%s says what the schema does", file.getFileName())
        .isPositive();

    List<JsonNode> documents = CrdSchema.documents(file);
    if (!none.isEmpty()) {
      assertThat(documents).allSatisfy(d -> assertThat(CrdSchema.forKind(d.path("kind").asText())).isEmpty());
      return;
    }
    List<String> violations = new ArrayList<>();
    for (JsonNode doc : documents) {
      violations.addAll(CrdSchema.violations(doc));
    }
    if (refuses.isEmpty()) {
      assertThat(violations).as("%s: the schema accepts it (%s)", file.getFileName(), accepts).isEmpty();
      return;
    }
    for (String expected : refuses) {
      assertThat(violations).as("%s: schema violation %s", file.getFileName(), expected)
          .anyMatch(v -> v.startsWith(expected));
    }
    assertThat(violations).as("%s: every schema violation is listed", file.getFileName()).hasSameSizeAs(refuses);
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
}
