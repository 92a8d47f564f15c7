package io.authip.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.policy.FieldError;
import io.authip.policy.PolicyValidator;
import io.authip.ranges.RangeRules;
import io.authip.resources.ResourceFiles;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true,
    description = {"Checks AuthorizedIpPolicy and IpRangeSet resources offline, e.g. in a GitOps pipeline.",
        "rangeSetRefs resolve among all the given files. Other kinds are skipped with a note.",
        "Exit status: 0 all valid, 1 some resource invalid, 2 usage or read error."})
final class ValidateCommand implements Callable<Integer> {

  enum Output { text, json }

  /** One line of the report. */
  record Report(String file, String kind, String namespace, String name, boolean valid, List<FieldError> errors) {
  }

  @Spec
  CommandSpec spec;

  @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default: text).")
  Output output;

  @Option(names = "--max-ranges", defaultValue = "" + RangeRules.AKS_MAX_ENTRIES,
      description = "Entry limit per cluster (default: ${DEFAULT-VALUE}, AKS's limit).")
  int maxRanges;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "YAML files, multi-document allowed.")
  List<Path> files;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (maxRanges < 1) {
      err.println("authip validate: --max-ranges must be at least 1");
      return 2;
    }
    List<ResourceFiles.Document> docs = new ArrayList<>();
    for (Path file : files) {
      try {
        docs.addAll(ResourceFiles.read(file));
      } catch (IOException e) {
        err.println("authip validate: cannot read " + file + ": " + ResourceFiles.firstLine(
            e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
        return 2;
      }
    }
    List<Report> reports = validate(docs, new PolicyValidator(maxRanges), err);
    if (output == Output.json) {
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Report r : reports) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("file", r.file());
        row.put("kind", r.kind());
        row.put("namespace", r.namespace());
        row.put("name", r.name());
        row.put("valid", r.valid());
        row.put("errors", r.errors().stream().map(ValidateCommand::jsonError).toList());
        rows.add(row);
      }
      out.println(json.writeValueAsString(rows));
    } else {
      for (Report r : reports) {
        String who = r.kind() + " " + r.namespace() + "/" + (r.name() == null ? "(no name)" : r.name());
        if (r.valid()) {
          out.println(r.file() + ": " + who + ": valid");
        } else {
          out.println(r.file() + ": " + who + ": " + r.errors().size() + (r.errors().size() == 1 ? " error" : " errors"));
          r.errors().forEach(e -> out.println("  " + e));
        }
      }
      long invalid = reports.stream().filter(r -> !r.valid()).count();
      out.println(reports.size() + " resources checked, " + (reports.size() - invalid) + " valid, " + invalid
          + " invalid");
    }
    out.flush();
    return reports.stream().allMatch(Report::valid) ? 0 : 1;
  }

  /** Keys in a fixed order: {@code Map.of} iterates in an order that changes from run to run. */
  private static Map<String, String> jsonError(FieldError e) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("field", e.field());
    m.put("message", e.message());
    return m;
  }

  static List<Report> validate(List<ResourceFiles.Document> docs, PolicyValidator validator, PrintWriter notes) {
    Map<String, IpRangeSet> sets = new HashMap<>();
    for (ResourceFiles.Document d : docs) {
      if (d instanceof ResourceFiles.Document.Authip a && a.resource() instanceof IpRangeSet s
          && s.getMetadata() != null && s.getMetadata().getName() != null) {
        sets.put(key(s.getMetadata().getNamespace(), s.getMetadata().getName()), s);
      }
    }
    PolicyValidator.RangeSetLookup lookup = (ns, name) -> Optional.ofNullable(sets.get(key(ns, name)));
    List<Report> reports = new ArrayList<>();
    for (ResourceFiles.Document d : docs) {
      if (d instanceof ResourceFiles.Document.Other o) {
        notes.println("note: " + o.file() + ": document " + (o.index() + 1) + ": skipped "
            + (o.kind().isEmpty() ? "a resource without kind" : o.kind()) + " (not an authip resource)");
      } else if (d instanceof ResourceFiles.Document.Unreadable u) {
        reports.add(new Report(u.file(), u.kind(), ns(u.namespace()), u.name(), false, u.errors()));
      } else if (d instanceof ResourceFiles.Document.Authip a) {
        CustomResource<?, ?> r = (CustomResource<?, ?>) a.resource();
        List<FieldError> errors = r instanceof AuthorizedIpPolicy p
            ? validator.validatePolicy(p, lookup).errors()
            : validator.validateRangeSet((IpRangeSet) r);
        String namespace = r.getMetadata() == null ? null : r.getMetadata().getNamespace();
        String name = r.getMetadata() == null ? null : r.getMetadata().getName();
        reports.add(new Report(a.file(), r.getKind(), ns(namespace), name, errors.isEmpty(), errors));
      }
    }
    return reports;
  }

  private static String ns(String namespace) {
    return namespace == null || namespace.isEmpty() ? "default" : namespace;
  }

  private static String key(String namespace, String name) {
    return ns(namespace) + "/" + name;
  }
}
