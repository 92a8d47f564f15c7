package io.authip.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the sandbox finds its examples, and how it draws its table. */
class SandboxUnitsTest {

  @TempDir
  Path dir;

  @Test
  void examplesComeFromTheCheckoutOfTheWorkingDirectoryOrOfTheJarElseFromTheJar() throws Exception {
    Path checkout = Files.createDirectories(dir.resolve("repo"));
    Files.writeString(checkout.resolve("pom.xml"), "<project/>");
    Files.createDirectories(checkout.resolve("deploy/examples"));
    Path deep = Files.createDirectories(checkout.resolve("authip-sandbox/target"));
    Path jar = deep.resolve("authip-sandbox.jar");
    Path outside = Files.createDirectories(dir.resolve("elsewhere"));

    assertThat(Sandbox.locateExamples(null, deep, null).folder()).isEqualTo(checkout.resolve("deploy/examples"));
    assertThat(Sandbox.locateExamples(null, outside, jar).folder()).isEqualTo(checkout.resolve("deploy/examples"));
    assertThat(Sandbox.locateExamples(null, outside, jar).description()).contains("from the checkout, as on disk");
    Sandbox.Examples bundled = Sandbox.locateExamples(null, outside, outside.resolve("authip-sandbox.jar"));
    assertThat(bundled.folder()).isNull();
    assertThat(bundled.description()).contains("the copy built into the jar");
    Path mine = Files.createDirectories(dir.resolve("mine"));
    assertThat(Sandbox.locateExamples(mine, deep, jar).folder()).isEqualTo(mine);
    // A folder named deploy/examples without a pom.xml above it is not a checkout.
    Files.createDirectories(outside.resolve("deploy/examples"));
    assertThat(Sandbox.locateExamples(null, outside, null).folder()).isNull();
  }

  @Test
  void onATerminalTheTableIsRedrawnInPlaceElsewhereAppended() {
    assertThat(LiveTable.redrawInPlace(true, "xterm-256color")).isTrue();
    assertThat(LiveTable.redrawInPlace(true, "dumb")).isFalse();
    assertThat(LiveTable.redrawInPlace(true, null)).isFalse();
    assertThat(LiveTable.redrawInPlace(false, "xterm")).isFalse();

    String first = "A\nB\n";
    String second = "A\nC\n";
    LiveTable plain = new LiveTable(false);
    assertThat(plain.next("10:00:00", first)).isEqualTo("10:00:00\nA\nB\n\n".replace("\n", System.lineSeparator()));
    assertThat(plain.next("10:00:01", first)).isNull();
    assertThat(plain.next("10:00:02", second)).doesNotContain("\u001b").startsWith("10:00:02");

    LiveTable ansi = new LiveTable(true);
    assertThat(ansi.next("10:00:00", first)).doesNotContain("\u001b");
    // heading, two table lines and the blank line: four lines up, erase, draw
    assertThat(ansi.next("10:00:02", second)).startsWith("\u001b[4F\u001b[J10:00:02");
    assertThat(ansi.next("10:00:03", second)).isNull();
  }

  @Test
  void everyHelpDescriptionOfTheSandboxJarIsWholeSentences() {
    picocli.CommandLine cli = SandboxMain.commandLine(java.io.InputStream.nullInputStream());
    List<String> unfinished = new ArrayList<>();
    collect(cli, unfinished);
    assertThat(cli.getSubcommands()).containsKeys("sandbox", "emulator", "run", "validate", "ranges");
    assertThat(unfinished).isEmpty();
  }

  private static void collect(picocli.CommandLine cli, List<String> unfinished) {
    var spec = cli.getCommandSpec();
    for (String line : spec.usageMessage().description()) {
      if (!line.replace("%n", "").strip().endsWith(".")) {
        unfinished.add(spec.qualifiedName() + ": " + line);
      }
    }
    for (var arg : spec.args()) {
      String text = String.join(" ", arg.renderedDescription()).strip();
      if (!text.endsWith(".")) {
        unfinished.add(spec.qualifiedName() + " " + arg.paramLabel() + ": " + text);
      }
    }
    cli.getSubcommands().values().forEach(sub -> collect(sub, unfinished));
  }
}
