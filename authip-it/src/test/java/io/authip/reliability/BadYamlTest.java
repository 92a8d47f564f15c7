package io.authip.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * YAML that cannot reach an API server (it does not parse) and YAML that parses into something hostile, given to
 * {@code authip validate}: exit 2 with the reason and its line for the first, exit 1 with the field for the second,
 * never a stack trace, never a Java object built from a YAML tag, never an alias bomb expanded. Each file under {@code bad-input/yaml/} states its expected
 * exit status and a fragment of the message in its first two lines.
 */
class BadYamlTest {

  @TempDir
  Path dir;

  record Outcome(int exitCode, String out, String err) {
  }

  static Outcome validate(Path file) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new ByteArrayInputStream(new byte[0]), new PrintWriter(out), new PrintWriter(err),
        new String[] {"validate", file.toString()});
    return new Outcome(code, out.toString(), err.toString());
  }

  static Stream<Path> files() throws IOException, URISyntaxException {
    Path root = Path.of(BadYamlTest.class.getResource("/bad-input/yaml").toURI());
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void eachFileIsRefusedWithItsReason(Path file) throws IOException {
    List<String> head = Files.readAllLines(file, StandardCharsets.ISO_8859_1).subList(0, 2);
    int exit = Integer.parseInt(head.get(0).substring("# expect-exit: ".length()).strip());
    String expect = head.get(1).substring("# expect: ".length()).strip();

    Outcome o = validate(file);

    assertThat(o.exitCode()).as("exit status; out %s; err %s", o.out(), o.err()).isEqualTo(exit);
    assertThat(exit == 2 ? o.err() : o.out() + o.err()).as("message").contains(expect);
    assertThat(o.out() + o.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void aDocumentOverTheYamlParsersSizeLimitIsRefusedNotRead() throws IOException {
    StringBuilder sb = new StringBuilder("apiVersion: authip.io/v1alpha1\nkind: IpRangeSet\nmetadata:\n  name: big\n"
        + "spec:\n  ranges:\n");
    for (int i = 0; sb.length() < 4_000_000; i++) {
      sb.append("    - cidr: 20.64.").append((i / 256) % 256).append('.').append(i % 256).append('\n');
    }
    Path file = dir.resolve("big.yaml");
    Files.writeString(file, sb);

    Outcome o = validate(file);

    assertThat(o.exitCode()).isEqualTo(2);
    assertThat(o.err()).contains("cannot read " + file + ": not valid YAML");
  }
}
