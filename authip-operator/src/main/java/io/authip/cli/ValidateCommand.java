package io.authip.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.policy.PolicyValidator;
import io.authip.ranges.RangeRules;
import io.authip.resources.ResourceReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true,
    description = {
        "Checks AuthorizedIpPolicy and IpRangeSet resources offline, e.g. in a GitOps pipeline.",
        "Every problem of every file is reported in one run, each with its field and line, read by the same code as "
            + "the operator's.",
        "rangeSetRefs resolve among all the given files; other kinds are skipped with a note; '-' reads standard "
            + "input.",
        "Exit status: 0 all valid, 1 some resource invalid, 2 usage error or a file that cannot be read (the other "
            + "files are still checked and reported)."})
final class ValidateCommand implements Callable<Integer> {

  enum Output { text, json }

  /** What standard input is called in reports. */
  static final String STDIN = "-";

  @Spec
  CommandSpec spec;

  @ParentCommand
  Main main;

  @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default: text).")
  Output output;

  @Option(names = "--max-ranges", defaultValue = "" + RangeRules.AKS_MAX_ENTRIES,
      description = "Entry limit per cluster (default: ${DEFAULT-VALUE}, AKS's limit).")
  int maxRanges;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "YAML files, multi-document allowed; - for "
      + "standard input.")
  List<String> files;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (maxRanges < 1) {
      err.println("authip validate: --max-ranges must be at least 1");
      return 2;
    }
    if (files.stream().filter(STDIN::equals).count() > 1) {
      err.println("authip validate: '-' (standard input) can be given once");
      return 2;
    }
    List<ResourceReader.ResourceFile> read = new ArrayList<>();
    for (String file : files) {
      read.add(file.equals(STDIN) ? ResourceReader.read(STDIN, main.stdin()) : ResourceReader.read(Path.of(file)));
    }
    List<ResourceReader.Verdict> verdicts = ResourceReader.check(read, new PolicyValidator(maxRanges));
    for (ResourceReader.ResourceFile f : read) {
      f.failure().ifPresent(p -> err.println("authip validate: cannot read " + f.file() + ": " + p.message()));
      for (ResourceReader.Document d : f.documents()) {
        if (d instanceof ResourceReader.Document.Other o) {
          err.println("note: " + o.file() + ": document " + (o.index() + 1) + ": skipped "
              + (o.kind().isEmpty() ? "a resource without kind" : o.kind()) + " (not an authip resource)");
        }
      }
    }
    long unreadable = read.stream().filter(f -> f.failure().isPresent()).count();
    if (output == Output.json) {
      out.println(JSON.writeValueAsString(rows(read, verdicts)));
    } else {
      for (ResourceReader.Verdict v : verdicts) {
        String who = v.kind() + " " + (v.namespace() == null ? "" : v.namespace() + "/")
            + (v.name() == null ? "(no name)" : v.name());
        if (v.valid()) {
          out.println(v.file() + ": " + who + ": valid");
        } else {
          out.println(v.file() + ": " + who + ": " + v.problems().size() + (v.problems().size() == 1 ? " error"
              : " errors"));
          v.problems().forEach(p -> out.println("  " + (p.location() == null ? "" : p.location() + ": ") + p));
        }
      }
      long invalid = verdicts.stream().filter(v -> !v.valid()).count();
      out.println(verdicts.size() + " resources checked, " + (verdicts.size() - invalid) + " valid, " + invalid
          + " invalid" + (unreadable == 0 ? "" : ", " + unreadable + (unreadable == 1 ? " file" : " files")
          + " not readable"));
    }
    out.flush();
    err.flush();
    if (unreadable > 0) {
      return 2;
    }
    return verdicts.stream().allMatch(ResourceReader.Verdict::valid) ? 0 : 1;
  }

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * One entry per authip resource and one per file that could not be read, in the order of the files; keys in a
   * fixed order ({@code Map.of} iterates in an order that changes from run to run).
   */
  static List<Map<String, Object>> rows(List<ResourceReader.ResourceFile> files,
      List<ResourceReader.Verdict> verdicts) {
    List<Map<String, Object>> rows = new ArrayList<>();
    int next = 0;
    for (ResourceReader.ResourceFile f : files) {
      f.failure().ifPresent(p -> rows.add(row(f.file(), null, null, null, List.of(p))));
      // Verdicts come in file order, one per authip document (a file given twice is reported twice).
      long ours = f.documents().stream().filter(d -> !(d instanceof ResourceReader.Document.Other)).count();
      for (long i = 0; i < ours; i++) {
        ResourceReader.Verdict v = verdicts.get(next++);
        rows.add(row(v.file(), v.kind(), v.namespace(), v.name(), v.problems()));
      }
    }
    return rows;
  }

  private static Map<String, Object> row(String file, String kind, String namespace, String name,
      List<ResourceReader.Problem> problems) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("file", file);
    row.put("kind", kind);
    row.put("namespace", namespace);
    row.put("name", name);
    row.put("valid", problems.isEmpty());
    List<Map<String, Object>> errors = new ArrayList<>();
    for (ResourceReader.Problem p : problems) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("field", p.field());
      m.put("message", p.message());
      m.put("line", p.location() == null ? null : p.location().line());
      m.put("column", p.location() == null ? null : p.location().column());
      errors.add(m);
    }
    row.put("errors", errors);
    return row;
  }
}
