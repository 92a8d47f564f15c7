package io.authip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RangesCommandTest {

  static final String MIXED = """
      # office and VPN
      73.140.245.0/24
      137.117.106.88/29, 73.140.245.7   # the VPN pool, and a host inside the office
      20.42.1.0/24,20.42.0.0/24

        52.160.96.17\t
      ,, # empty entries between commas are ignored
      """;

  @TempDir
  Path dir;

  @Test
  void printsTheCanonicalSetFromAFileOneCidrPerLineInAddressOrder() throws IOException {
    Cli cli = Cli.run("ranges", write("ranges.txt", MIXED));
    assertThat(cli.exitCode()).isZero();
    assertThat(cli.outLines()).containsExactly("20.42.0.0/23", "52.160.96.17/32", "73.140.245.0/24",
        "137.117.106.88/29");
    assertThat(cli.err()).isEqualTo("6 entries -> 4 ranges, 777 addresses" + System.lineSeparator());
  }

  @Test
  void readsStandardInputWithADashOrWithoutAFile() {
    for (Cli cli : new Cli[] {Cli.runWithStdin(MIXED, "ranges", "-"), Cli.runWithStdin(MIXED, "ranges")}) {
      assertThat(cli.exitCode()).isZero();
      assertThat(cli.outLines()).containsExactly("20.42.0.0/23", "52.160.96.17/32", "73.140.245.0/24",
          "137.117.106.88/29");
    }
  }

  @Test
  void windowsLineEndingsAndAByteOrderMarkAreFine() throws IOException {
    Path file = dir.resolve("crlf.txt");
    Files.write(file, "\uFEFF73.140.245.0/24\r\n20.42.0.0/24\r\n".getBytes(StandardCharsets.UTF_8));
    Cli cli = Cli.run("ranges", file.toString());
    assertThat(cli.err()).doesNotContain("invalid");
    assertThat(cli.exitCode()).isZero();
    assertThat(cli.outLines()).containsExactly("20.42.0.0/24", "73.140.245.0/24");
  }

  @Test
  void invalidEntriesAreNamedByLineAndNothingIsPrinted() throws IOException {
    String file = write("bad.txt", """
        73.140.245.0/24
        137.117.106.90/29
        10.0.0.0/8, 2001:db8::/32
        # 0.0.0.0/32 in a comment is ignored
        0.0.0.0/32
        """);
    Cli cli = Cli.run("ranges", file);
    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.out()).isEmpty();
    assertThat(cli.errLines()).containsExactly(
        file + ":2: 137.117.106.90/29 is not the first address of its range; did you mean 137.117.106.88/29?",
        file + ":3: 10.0.0.0/8 is not a public range: it lies in 10.0.0.0/8 (private-use, RFC 1918); only globally "
            + "reachable addresses can reach a public API server",
        file + ":3: '2001:db8::/32' is an IPv6 range; AKS authorized IP ranges accept IPv4 only",
        file + ":5: 0.0.0.0/32 is AKS's marker for \"load balancer outbound IPs only\" and cannot be combined with "
            + "other ranges; set access: LoadBalancerOnly instead of listing it",
        "authip ranges: 4 of 5 entries are invalid; nothing printed");
  }

  @Test
  void standardInputIsNamedInErrors() {
    Cli cli = Cli.runWithStdin("73.140.245.0/24\n73.140.245.07\n", "ranges");
    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.errLines()).first().asString().startsWith("<stdin>:2: '73.140.245.07' has a leading zero");
  }

  @Test
  void overMaxIsAnErrorThatSaysByHowMuchAndPrintsNothing() {
    Cli cli = Cli.runWithStdin("73.140.245.0/24\n20.42.0.0/24\n52.160.96.17\n", "ranges", "--max", "2");
    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.out()).isEmpty();
    assertThat(cli.errLines()).containsExactly("authip ranges: 3 ranges after merging duplicates, overlaps and "
        + "adjacent ranges; 1 over the limit of 2 (--max 2); nothing printed");
  }

  @Test
  void maxCountsAfterMerging() {
    Cli cli = Cli.runWithStdin("20.42.0.0/24\n20.42.1.0/24\n20.42.0.7\n", "ranges", "--max", "1");
    assertThat(cli.exitCode()).isZero();
    assertThat(cli.outLines()).containsExactly("20.42.0.0/23");
  }

  @Test
  void theDefaultMaxIsAks200() {
    String hosts201 = IntStream.range(0, 201).mapToObj(i -> "20.50." + (i / 100) + "." + (2 * (i % 100)))
        .collect(Collectors.joining("\n"));
    Cli over = Cli.runWithStdin(hosts201, "ranges");
    assertThat(over.exitCode()).isEqualTo(1);
    assertThat(over.err()).contains("201 ranges after merging duplicates, overlaps and adjacent ranges; 1 over the "
        + "limit of 200 (--max 200)");
    Cli wider = Cli.runWithStdin(hosts201, "ranges", "--max", "201");
    assertThat(wider.exitCode()).isZero();
    assertThat(wider.outLines()).hasSize(201);
  }

  @Test
  void emptyInputPrintsNothing() {
    Cli cli = Cli.runWithStdin("# nothing here\n\n", "ranges");
    assertThat(cli.exitCode()).isZero();
    assertThat(cli.out()).isEmpty();
    assertThat(cli.err()).startsWith("0 entries -> 0 ranges, 0 addresses");
  }

  @Test
  void usageAndReadErrorsExitWith2() {
    Path missing = dir.resolve("missing.txt");
    Cli cli = Cli.run("ranges", missing.toString());
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.errLines()).containsExactly("authip ranges: cannot read " + missing + ": no such file");

    assertThat(Cli.run("ranges", dir.toString()).exitCode()).isEqualTo(2);
    assertThat(Cli.run("ranges", "--max", "0").exitCode()).isEqualTo(2);
    assertThat(Cli.run("ranges", "--max", "many").exitCode()).isEqualTo(2);
    assertThat(Cli.run("ranges", "--bogus").exitCode()).isEqualTo(2);
    assertThat(Cli.run("ranges", "a.txt", "b.txt").exitCode()).isEqualTo(2);
  }

  @Test
  void helpExitsWith0() {
    Cli cli = Cli.run("ranges", "--help");
    assertThat(cli.exitCode()).isZero();
    assertThat(cli.out()).contains("Usage: authip ranges", "--max");
  }

  String write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file.toString();
  }

  // ---- --fit ------------------------------------------------------------------------------------------------------

  static final String GAPS = "20.0.0.0/24\n20.0.2.0/24\n20.0.4.0/24\n20.0.6.0/24\n";

  @Test
  void fitPrintsTheCoverAdmittingTheFewestExtraAddresses() throws IOException {
    Cli cli = Cli.run("ranges", "--fit", "3", write("gaps.txt", GAPS));
    assertThat(cli.exitCode()).as(cli.err()).isZero();
    // Either /22 admits 512 more; the first in address order.
    assertThat(cli.outLines()).containsExactly("20.0.0.0/22", "20.0.4.0/24", "20.0.6.0/24");
    assertThat(cli.err()).isEqualTo("3 blocks, 512 extra addresses (50.00 %)" + System.lineSeparator());
    Cli fits = Cli.run("ranges", "--fit", "4", write("gaps.txt", GAPS));
    assertThat(fits.outLines()).hasSize(4);
    assertThat(fits.err()).startsWith("4 blocks, 0 extra addresses (0.00 %)");
  }

  @Test
  void fitAvoidsNeverCoverAndRefusesOverTheBudget() throws IOException {
    String never = write("never.txt", "# a partner's range\n20.0.1.0/24\n");
    Cli cli = Cli.run("ranges", "--fit", "3", "--never-cover", never, write("gaps.txt", GAPS));
    assertThat(cli.exitCode()).isZero();
    assertThat(cli.outLines()).containsExactly("20.0.0.0/24", "20.0.2.0/24", "20.0.4.0/22");
    Cli over = Cli.run("ranges", "--fit", "1", "--max-extra-percent", "50", write("gaps.txt", GAPS));
    assertThat(over.exitCode()).isEqualTo(1);
    assertThat(over.out()).isEmpty();
    assertThat(over.err()).contains("the best cover of 4 ranges by at most 1 blocks admits 1024 extra addresses "
        + "(100.00 %), over --max-extra-percent 50.0; nothing printed");
    Cli addresses = Cli.run("ranges", "--fit", "3", "--max-extra-addresses", "511", write("gaps.txt", GAPS));
    assertThat(addresses.exitCode()).isEqualTo(1);
    assertThat(addresses.err()).contains("512 extra addresses");
    Cli impossible = Cli.run("ranges", "--fit", "1", write("split.txt", "9.255.255.0/24\n11.0.0.0/24\n"));
    assertThat(impossible.exitCode()).isEqualTo(1);
    assertThat(impossible.err()).contains("no cover of 2 ranges by 1 blocks avoids the non-public ranges");
    Cli usage = Cli.run("ranges", "--max-extra-percent", "5", write("gaps.txt", GAPS));
    assertThat(usage.exitCode()).isEqualTo(2);
  }
}
