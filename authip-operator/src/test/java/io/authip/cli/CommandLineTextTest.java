package io.authip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** Help text and version of the operator's command line. */
class CommandLineTextTest {

  /** Every description of every command, option and parameter: whole sentences, so each ends with a period. */
  static List<String> unfinishedDescriptions(CommandLine root) {
    List<String> problems = new ArrayList<>();
    collect(root, problems);
    return problems;
  }

  private static void collect(CommandLine cli, List<String> problems) {
    CommandSpec spec = cli.getCommandSpec();
    String name = spec.qualifiedName();
    String[] description = spec.usageMessage().description();
    if (description.length == 0) {
      problems.add(name + ": no description");
    }
    for (String line : description) {
      // picocli's own "%n" (a line break) may follow the period
      if (!line.replace("%n", "").strip().endsWith(".")) {
        problems.add(name + ": \"" + line + "\"");
      }
    }
    for (ArgSpec arg : spec.args()) {
      String text = String.join(" ", arg.renderedDescription());
      if (!text.strip().endsWith(".")) {
        problems.add(name + " " + (arg.isOption() ? ((CommandLine.Model.OptionSpec) arg).longestName()
            : arg.paramLabel()) + ": \"" + text + "\"");
      }
    }
    cli.getSubcommands().values().forEach(sub -> collect(sub, problems));
  }

  @Test
  void everyHelpDescriptionIsWholeSentences() {
    CommandLine cli = Main.commandLine(java.io.InputStream.nullInputStream());
    assertThat(unfinishedDescriptions(cli)).isEmpty();
    // The command list shows each command's first description line: a whole sentence, not the first half of one.
    Cli help = Cli.run("--help");
    assertThat(help.out().replaceAll("\\s+", " ")).contains(
        "Runs the operator: watches AuthorizedIpPolicy and IpRangeSet resources and drives the AKS clusters they name.",
        "Prints the canonical set of IPv4 ranges AKS would get, one CIDR per line in address order.");
    for (String command : List.of("run", "validate", "ranges")) {
      Cli sub = Cli.run(command, "--help");
      assertThat(sub.exitCode()).isZero();
      assertThat(sub.out()).startsWith("Usage: authip " + command);
    }
  }

  @Test
  void versionIsTheBuildsVersion() throws Exception {
    String pom = Files.readString(Path.of(System.getProperty("authip.projectDir", "."), "pom.xml"));
    // the project's own version: the first <version> after the root's <artifactId>
    Matcher m = Pattern.compile("<artifactId>authip-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
    assertThat(m.find()).as("the root pom's version").isTrue();

    Cli cli = Cli.run("-V");

    assertThat(cli.exitCode()).isZero();
    assertThat(cli.out().strip()).isEqualTo("authip " + m.group(1));
    assertThat(Main.version()).doesNotContain("development", "${");
  }
}
