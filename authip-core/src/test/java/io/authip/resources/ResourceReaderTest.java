package io.authip.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.policy.PolicyValidator;
import io.authip.resources.ResourceReader.Document;
import io.authip.resources.ResourceReader.Location;
import io.authip.resources.ResourceReader.Problem;
import io.authip.resources.ResourceReader.ResourceFile;
import io.authip.resources.ResourceReader.Verdict;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResourceReaderTest {

  static final String POLICY = """
      apiVersion: authip.io/v1alpha1
      kind: AuthorizedIpPolicy
      metadata:
        name: p
        namespace: team
      spec:
        targets:
          - subscriptionId: 6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b
            resourceGroup: rg
            clusterName: aks
        ranges:
          - cidr: 73.140.245.0/24
          - cidr: 10.0.0.0/8
        rangeSetRefs:
          - name: office
      status:
        observedGeneration: nonsense
      """;
  static final String SET = """
      apiVersion: authip.io/v1alpha1
      kind: IpRangeSet
      metadata:
        name: office
        namespace: team
      spec:
        ranges:
          - cidr: 20.42.0.0/24
            descrption: typo
      """;

  @TempDir
  Path dir;

  @Test
  void everyFieldAndListElementHasItsLineAndColumnPerDocument() {
    ResourceFile file = ResourceReader.read("f.yaml", POLICY + "---\n" + SET);
    assertThat(file.failure()).isEmpty();
    assertThat(file.documents()).hasSize(2);
    Map<String, Location> first = ((Document.Resource) file.documents().get(0)).locations();
    assertThat(first.get("")).isEqualTo(new Location(1, 1));
    assertThat(first.get("spec.ranges")).isEqualTo(new Location(11, 3));
    assertThat(first.get("spec.ranges[1]")).isEqualTo(new Location(13, 7));
    assertThat(first.get("spec.ranges[1].cidr")).isEqualTo(new Location(13, 7));
    assertThat(first.get("spec.rangeSetRefs[0].name")).isEqualTo(new Location(15, 7));
    Map<String, Location> second = ((Document.Resource) file.documents().get(1)).locations();
    assertThat(second.get("")).isEqualTo(new Location(19, 1));
    assertThat(second.get("spec.ranges[0].descrption")).isEqualTo(new Location(27, 7));
  }

  @Test
  void aProblemWithoutAPositionOfItsOwnGetsItsNearestEnclosingField() {
    Map<String, Location> at = Map.of("", new Location(1, 1), "spec", new Location(6, 1),
        "spec.ranges", new Location(10, 3), "spec.ranges[0]", new Location(11, 7));
    assertThat(ResourceReader.locate(at, "spec.ranges[0].cidr")).isEqualTo(new Location(11, 7));
    assertThat(ResourceReader.locate(at, "spec.targets")).isEqualTo(new Location(6, 1));
    assertThat(ResourceReader.locate(at, "metadata.name")).isEqualTo(new Location(1, 1));
    assertThat(ResourceReader.locate(Map.of(), "spec")).isNull();
  }

  @Test
  void resourcesAreReadExactlyAsTheOperatorReadsThemWithoutTheirStatus() {
    ResourceFile file = ResourceReader.read("f.yaml", POLICY + "---\n" + SET);
    AuthorizedIpPolicy policy = (AuthorizedIpPolicy) file.resources().get(0);
    // The API server drops status on apply; a planted one in a file is not the file's problem.
    assertThat(policy.getStatus()).isNull();
    assertThat(policy.getReadProblems()).isEmpty();
    IpRangeSet set = (IpRangeSet) file.resources().get(1);
    IpRangeSet viaOperator = ResourceSerialization.create().unmarshal("{\"apiVersion\":\"authip.io/v1alpha1\","
        + "\"kind\":\"IpRangeSet\",\"metadata\":{\"name\":\"office\",\"namespace\":\"team\"},\"spec\":{\"ranges\":"
        + "[{\"cidr\":\"20.42.0.0/24\",\"descrption\":\"typo\"}]}}", IpRangeSet.class);
    assertThat(set.getReadProblems()).isEqualTo(viaOperator.getReadProblems()).containsExactly(
        "spec.ranges[0].descrption: unknown field 'descrption'; did you mean 'description'?");
  }

  @Test
  void checkResolvesReferencesAcrossFilesAndLocatesEveryProblem() {
    ResourceFile policy = ResourceReader.read("policy.yaml", POLICY);
    ResourceFile set = ResourceReader.read("set.yaml", SET);
    List<Verdict> verdicts = ResourceReader.check(List.of(policy, set), new PolicyValidator());
    assertThat(verdicts).extracting(Verdict::file, Verdict::kind, Verdict::namespace, Verdict::name)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("policy.yaml", "AuthorizedIpPolicy", "team", "p"),
            org.assertj.core.groups.Tuple.tuple("set.yaml", "IpRangeSet", "team", "office"));
    assertThat(verdicts.get(0).problems()).extracting(Problem::field, Problem::location).containsExactly(
        org.assertj.core.groups.Tuple.tuple("spec.ranges[1].cidr", new Location(13, 7)),
        org.assertj.core.groups.Tuple.tuple("spec.rangeSetRefs[0].name", new Location(15, 7)));
    assertThat(verdicts.get(0).problems().get(1).message()).startsWith("IpRangeSet 'office' is invalid: "
        + "spec.ranges[0].descrption: unknown field");
    assertThat(verdicts.get(1).problems()).singleElement().extracting(Problem::location)
        .isEqualTo(new Location(9, 7));
  }

  @Test
  void whatCannotBeReadIsAFailureOfTheFileNeverAnException() throws IOException {
    ResourceFile missing = ResourceReader.read(dir.resolve("nope.yaml"));
    assertThat(missing.failure()).get().extracting(Problem::message).isEqualTo("no such file");
    assertThat(ResourceReader.read(dir).failure()).get().extracting(Problem::message).isEqualTo("is a directory");

    ResourceFile latin1 = ResourceReader.read("-", new ByteArrayInputStream("name: caf\u00e9\n"
        .getBytes(StandardCharsets.ISO_8859_1)));
    assertThat(latin1.failure()).get().extracting(Problem::message)
        .isEqualTo("not valid YAML: the file is not UTF-8 text");

    ResourceFile broken = ResourceReader.read("b.yaml", "a: 1\nb: [1\n");
    assertThat(broken.documents()).isEmpty();
    assertThat(broken.failure()).get().satisfies(p -> {
      assertThat(p.field()).isNull();
      assertThat(p.message()).startsWith("not valid YAML: line 3, column 1: ");
      assertThat(p.location()).isEqualTo(new Location(3, 1));
    });
    Path file = dir.resolve("ok.yaml");
    Files.writeString(file, SET);
    assertThat(ResourceReader.read(file).resources()).hasSize(1);
  }

  @Test
  void otherKindsAndEmptyDocumentsAreNotOurs() {
    ResourceFile file = ResourceReader.read("f.yaml", "apiVersion: v1\nkind: ConfigMap\n---\n---\n" + SET);
    assertThat(file.documents()).hasSize(3);
    assertThat(file.documents().get(0)).isInstanceOf(Document.Other.class);
    assertThat(((Document.Other) file.documents().get(1)).kind()).isEqualTo("(empty)");
    assertThat(file.resources()).hasSize(1);
  }

  /** The reader belongs to the core module: no Azure, JOSDK, picocli, operator, CLI, emulator or sandbox code. */
  @Test
  void thePackageImportsNothingOutsideTheCore() throws IOException {
    List<String> forbidden = List.of("com.azure", "io.javaoperatorsdk", "picocli", "io.authip.azure",
        "io.authip.operator", "io.authip.cli", "io.authip.emulator", "io.authip.sandbox");
    List<String> found = new ArrayList<>();
    try (Stream<Path> sources = Files.list(Path.of("src/main/java/io/authip/resources"))) {
      for (Path source : sources.toList()) {
        for (String line : Files.readAllLines(source)) {
          String l = line.strip();
          if ((l.startsWith("import ") || l.contains(" io.authip.") || l.contains("(io.authip."))
              && forbidden.stream().anyMatch(f -> l.contains(f + "."))) {
            found.add(source.getFileName() + ": " + l);
          }
        }
      }
    }
    assertThat(found).isEmpty();
  }
}
