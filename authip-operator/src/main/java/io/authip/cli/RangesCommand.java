package io.authip.cli;

import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import io.authip.ranges.RangeRules;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "ranges", mixinStandardHelpOptions = true,
    description = {"Prints the canonical set of IPv4 ranges AKS would get, one CIDR per line in address order.",
        "Duplicates and overlaps are removed and adjacent ranges merged into the fewest CIDR blocks.",
        "Input: one entry per line or comma-separated; '#' starts a comment.",
        "Exit status: 0 ok, 1 invalid entries or over --max, 2 usage or read error."})
final class RangesCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @ParentCommand
  Main main;

  @Option(names = "--max", defaultValue = "" + RangeRules.AKS_MAX_ENTRIES,
      description = "Largest allowed number of ranges after merging (default: ${DEFAULT-VALUE}).")
  int max;

  @Parameters(arity = "0..1", paramLabel = "FILE", description = "File to read, or - for standard input (default).")
  String file;

  @Option(names = "--fit", paramLabel = "N", description = "When the set has more than N ranges, print instead the "
      + "cover by at most N CIDR blocks that admits the fewest addresses beyond it (never a non-public range or one "
      + "of --never-cover); stderr says 'N blocks, E extra addresses (P %%)'.")
  Integer fit;

  @Option(names = "--max-extra-percent", paramLabel = "P", description = "With --fit: refuse (exit 1) a cover "
      + "admitting more than P %% of the set's own addresses.")
  Double maxExtraPercent;

  @Option(names = "--max-extra-addresses", paramLabel = "E", description = "With --fit: refuse (exit 1) a cover "
      + "admitting more than E addresses beyond the set.")
  Long maxExtraAddresses;

  @Option(names = "--never-cover", paramLabel = "FILE", description = "With --fit: CIDRs no block of the cover may "
      + "overlap, in the input's format.")
  String neverCover;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (max < 1) {
      err.println("authip ranges: --max must be at least 1");
      return 2;
    }
    List<String> lines;
    try {
      lines = file == null || file.equals("-")
          ? new BufferedReader(new InputStreamReader(main.stdin(), StandardCharsets.UTF_8)).lines().toList()
          : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      err.println("authip ranges: cannot read " + file + ": no such file");
      return 2;
    } catch (IOException | java.io.UncheckedIOException e) {
      err.println("authip ranges: cannot read " + file + ": " + e.getMessage());
      return 2;
    }
    List<Cidr> cidrs = new ArrayList<>();
    int invalid = 0;
    int entries = 0;
    String source = file == null || file.equals("-") ? "<stdin>" : file;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (i == 0 && line.startsWith("\uFEFF")) {
        // Windows editors start UTF-8 files with a byte order mark; it is not part of the first entry.
        line = line.substring(1);
      }
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      for (String entry : line.split(",")) {
        if (entry.isBlank()) {
          continue;
        }
        entries++;
        RangeRules.Checked checked = RangeRules.check(entry);
        if (checked instanceof RangeRules.Checked.Valid v) {
          cidrs.add(v.cidr());
        } else {
          invalid++;
          err.println(source + ":" + (i + 1) + ": " + ((RangeRules.Checked.Invalid) checked).message());
        }
      }
    }
    if (invalid > 0) {
      err.println("authip ranges: " + invalid + " of " + entries + " entries are invalid; nothing printed");
      return 1;
    }
    CidrSet set = CidrSet.of(cidrs);
    if (fit != null || maxExtraPercent != null || maxExtraAddresses != null || neverCover != null) {
      return fit(set, entries, out, err);
    }
    var over = RangeRules.limitProblem(set.size(), max);
    if (over.isPresent()) {
      err.println("authip ranges: " + over.get() + " (--max " + max + "); nothing printed");
      return 1;
    }
    set.toStrings().forEach(out::println);
    out.flush();
    err.println(entries + " entries -> " + set.size() + " ranges, " + set.addressCount() + " addresses");
    return 0;
  }

  private int fit(CidrSet set, int entries, PrintWriter out, PrintWriter err) {
    if (fit == null) {
      err.println("authip ranges: --max-extra-percent, --max-extra-addresses and --never-cover go with --fit N");
      return 2;
    }
    if (fit < 1 || (maxExtraPercent != null && maxExtraPercent < 0)
        || (maxExtraAddresses != null && maxExtraAddresses < 0)) {
      err.println("authip ranges: --fit must be at least 1, --max-extra-percent and --max-extra-addresses at least 0");
      return 2;
    }
    List<Cidr> never = new ArrayList<>();
    if (neverCover != null) {
      List<String> lines;
      try {
        lines = Files.readAllLines(Path.of(neverCover), StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        err.println("authip ranges: cannot read --never-cover " + neverCover + ": no such file");
        return 2;
      } catch (IOException | java.io.UncheckedIOException e) {
        err.println("authip ranges: cannot read --never-cover " + neverCover + ": " + e.getMessage());
        return 2;
      }
      int bad = 0;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).replace("\uFEFF", "");
        int hash = line.indexOf('#');
        for (String entry : (hash >= 0 ? line.substring(0, hash) : line).split(",")) {
          if (entry.isBlank()) {
            continue;
          }
          try {
            never.add(Cidr.parse(entry.strip().contains("/") ? entry.strip() : entry.strip() + "/32"));
          } catch (IllegalArgumentException e) {
            bad++;
            err.println(neverCover + ":" + (i + 1) + ": " + e.getMessage());
          }
        }
      }
      if (bad > 0) {
        err.println("authip ranges: " + bad + " entries of --never-cover are invalid; nothing printed");
        return 1;
      }
    }
    CidrSet forbidden = CidrSet.of(never);
    java.util.Optional<io.authip.ranges.SupernetCover.Result> result;
    try {
      result = io.authip.ranges.SupernetCover.fit(set, fit, forbidden, CidrSet.empty());
    } catch (IllegalArgumentException e) {
      err.println("authip ranges: " + e.getMessage() + " (--never-cover); nothing printed");
      return 1;
    }
    if (result.isEmpty()) {
      err.println("authip ranges: no cover of " + set.size() + " ranges by " + fit + " blocks avoids the non-public "
          + "ranges" + (never.isEmpty() ? "" : " and --never-cover") + "; nothing printed");
      return 1;
    }
    io.authip.ranges.SupernetCover.Result r = result.get();
    java.util.Optional<String> over = r.exceeds(maxExtraAddresses, "--max-extra-addresses", maxExtraPercent,
        "--max-extra-percent");
    if (over.isPresent()) {
      err.println("authip ranges: the best cover of " + set.size() + " ranges by at most " + fit + " blocks admits "
          + r.extraAddresses() + " extra addresses (" + r.extraPercentText() + " %), over " + over.get()
          + "; nothing printed");
      return 1;
    }
    r.blocks().forEach(b -> out.println(b));
    out.flush();
    err.println(r.summary());
    return 0;
  }
}
