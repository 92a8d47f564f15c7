package io.authip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValidateCommandTest {

  static final String SUB = "6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b";
  static final String POLICY_HEAD = """
      apiVersion: authip.io/v1alpha1
      kind: AuthorizedIpPolicy
      metadata:
        name: production
        namespace: platform
      spec:
        targets:
          - subscriptionId: %s
            resourceGroup: prod-weu
            clusterName: aks-prod-weu
      """.formatted(SUB);
  static final String RANGE_SET = """
      apiVersion: authip.io/v1alpha1
      kind: IpRangeSet
      metadata:
        name: ci-runners
        namespace: platform
      spec:
        ranges:
          - cidr: 20.42.0.0/24
      """;

  @TempDir
  Path dir;

  @Test
  void validResourcesExitWith0() throws IOException {
    String file = write("ok.yaml", POLICY_HEAD + """
          ranges:
            - cidr: 73.140.245.0/24
              description: office network
            - cidr: 137.117.106.88/29
          rangeSetRefs:
            - name: ci-runners
        ---
        """ + RANGE_SET);
    Cli cli = Cli.run("validate", file);
    assertThat(cli.exitCode()).isZero();
    assertThat(cli.outLines()).containsExactly(
        file + ": AuthorizedIpPolicy platform/production: valid",
        file + ": IpRangeSet platform/ci-runners: valid",
        "2 resources checked, 2 valid, 0 invalid");
    assertThat(cli.err()).isEmpty();
  }

  @Test
  void invalidResourcesExitWith1AndListEveryErrorWithItsField() throws IOException {
    String file = write("bad.yaml", POLICY_HEAD + """
          ranges:
            - cidr: 73.140.245.0/24
            - cidr: 10.0.0.0/8
            - cidr: 73.140.245.0/24
            - cidr: 137.117.106.90/29
          resyncInterval: 10s
        """);
    Cli cli = Cli.run("validate", file);
    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.outLines()).containsExactly(
        file + ": AuthorizedIpPolicy platform/production: 3 errors",
        "  13:7: spec.ranges[1].cidr: 10.0.0.0/8 is not a public range: it lies in 10.0.0.0/8 (private-use, RFC 1918); "
            + "only globally reachable addresses can reach a public API server",
        "  15:7: spec.ranges[3].cidr: 137.117.106.90/29 is not the first address of its range; did you mean "
            + "137.117.106.88/29?",
        "  16:3: spec.resyncInterval: '10s' is out of range; the interval must be between 1m and 24h",
        "1 resources checked, 0 valid, 1 invalid");
  }

  @Test
  void targetGrantsAreCheckedWithEveryProblemAndItsLine() throws IOException {
    String good = write("grant.yaml", """
        apiVersion: authip.io/v1alpha1
        kind: TargetGrant
        metadata:
          name: team-payments
        spec:
          namespaces: [payments]
          targets:
            - subscriptionId: 6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b
              resourceGroup: "rg-payments-*"
        """);
    String bad = write("bad-grant.yaml", """
        apiVersion: authip.io/v1alpha1
        kind: TargetGrant
        metadata:
          name: typo
        spec:
          namespaces: [payments]
          targets:
            - subscriptionId: "*"
              resourceGroup: "rg payments"
          allowedAccess: [Everything]
        """);
    Cli cli = Cli.run("validate", good, bad);
    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.outLines()).contains(
        good + ": TargetGrant team-payments: valid",
        bad + ": TargetGrant typo: 3 errors");
    assertThat(cli.out()).contains("8:7: spec.targets[0].subscriptionId: '*' is not a subscription ID")
        .contains("9:7: spec.targets[0].resourceGroup: 'rg payments' is not a resource group name or glob")
        .contains("spec.allowedAccess[0]");
  }

  @Test
  void jsonOutputIsOneArrayWithAnObjectPerResource() throws IOException {
    String good = write("good.yaml", RANGE_SET);
    String bad = write("bad.yaml", POLICY_HEAD + """
          ranges:
            - cidr: 137.117.106.90/29
          rangeSetRefs:
            - name: ci-runners
        """);
    Cli cli = Cli.run("validate", "--output", "json", good, bad);
    assertThat(cli.exitCode()).isEqualTo(1);
    JsonNode json = new ObjectMapper().readTree(cli.out());
    assertThat(json.isArray()).isTrue();
    assertThat(json).hasSize(2);
    assertThat(fieldNames(json.get(0))).containsExactly("file", "kind", "namespace", "name", "valid", "errors");
    assertThat(json.get(0).get("file").asText()).isEqualTo(good);
    assertThat(json.get(0).get("kind").asText()).isEqualTo("IpRangeSet");
    assertThat(json.get(0).get("namespace").asText()).isEqualTo("platform");
    assertThat(json.get(0).get("name").asText()).isEqualTo("ci-runners");
    assertThat(json.get(0).get("valid").isBoolean()).isTrue();
    assertThat(json.get(0).get("valid").asBoolean()).isTrue();
    assertThat(json.get(0).get("errors").isArray()).isTrue();
    assertThat(json.get(0).get("errors")).isEmpty();

    JsonNode policy = json.get(1);
    assertThat(policy.get("file").asText()).isEqualTo(bad);
    assertThat(policy.get("kind").asText()).isEqualTo("AuthorizedIpPolicy");
    assertThat(policy.get("valid").asBoolean()).isFalse();
    assertThat(policy.get("errors")).hasSize(1);
    JsonNode error = policy.get("errors").get(0);
    assertThat(fieldNames(error)).containsExactly("field", "message", "line", "column");
    assertThat(error.get("field").asText()).isEqualTo("spec.ranges[0].cidr");
    assertThat(error.get("line").asInt()).isEqualTo(12);
    assertThat(error.get("column").asInt()).isEqualTo(7);
    assertThat(error.get("message").asText())
        .isEqualTo("137.117.106.90/29 is not the first address of its range; did you mean 137.117.106.88/29?");
    assertThat(cli.err()).isEmpty();

    Cli shortOption = Cli.run("validate", "-o", "json", good);
    assertThat(shortOption.exitCode()).isZero();
    assertThat(new ObjectMapper().readTree(shortOption.out())).hasSize(1);
  }

  @Test
  void rangeSetRefsResolveAmongAllGivenFilesOnlyInTheSameNamespace() throws IOException {
    String policy = write("policy.yaml", POLICY_HEAD + """
          rangeSetRefs:
            - name: ci-runners
        """);
    String set = write("set.yaml", RANGE_SET);
    String otherNamespace = write("elsewhere.yaml", RANGE_SET.replace("namespace: platform", "namespace: team-b"));
    assertThat(Cli.run("validate", policy, set).exitCode()).isZero();
    assertThat(Cli.run("validate", set, policy).exitCode()).isZero();
    Cli alone = Cli.run("validate", policy, otherNamespace);
    assertThat(alone.exitCode()).isEqualTo(1);
    assertThat(alone.outLines()).contains("  12:7: spec.rangeSetRefs[0].name: IpRangeSet 'ci-runners' not found in "
        + "namespace 'platform'");
  }

  @Test
  void aSetWithSourcesIsCheckedWithoutReadingThemAndItsPoliciesStayValid() throws IOException {
    String policy = write("policy.yaml", POLICY_HEAD + """
          rangeSetRefs:
            - name: devops
        """);
    String set = write("set.yaml", """
        apiVersion: authip.io/v1alpha1
        kind: IpRangeSet
        metadata:
          name: devops
          namespace: platform
        spec:
          sources:
            - azureServiceTag: {name: AzureDevOps, location: westeurope}
            - url: {url: "http://api.github.com/meta", jsonPath: "$.hooks[*]"}
          refreshInterval: 6h
        """);
    Cli bad = Cli.run("validate", policy, set);
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.out()).contains("spec.sources[1].url.url: 'http://api.github.com/meta' is not https; feeds are read "
        + "over HTTPS only");
    Cli good = Cli.run("validate", policy, write("fixed.yaml", Files.readString(Path.of(set)).replace("http://",
        "https://")));
    assertThat(good.exitCode()).as(good.out()).isZero();
  }

  @Test
  void otherKindsAreSkippedWithANoteOnStandardError() throws IOException {
    String file = write("mixed.yaml", """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: platform
        ---
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          rnages: not ours
        ---
        """ + RANGE_SET);
    Cli cli = Cli.run("validate", "-o", "json", file);
    assertThat(cli.exitCode()).isZero();
    assertThat(new ObjectMapper().readTree(cli.out())).hasSize(1);
    assertThat(cli.errLines()).containsExactly(
        "note: " + file + ": document 1: skipped Namespace (not an authip resource)",
        "note: " + file + ": document 2: skipped (empty) (not an authip resource)",
        "note: " + file + ": document 3: skipped ConfigMap (not an authip resource)");
  }

  @Test
  void aResourceWithoutNamespaceIsInDefault() throws IOException {
    String file = write("ns.yaml", RANGE_SET.replace("  namespace: platform\n", ""));
    Cli cli = Cli.run("validate", file);
    assertThat(cli.outLines()).first().isEqualTo(file + ": IpRangeSet default/ci-runners: valid");
  }

  /** Kubernetes prunes unknown fields silently; validate is where a typo gets caught. */
  @Test
  void unknownFieldsAreReportedWithTheirPath() throws IOException {
    String file = write("typo.yaml", POLICY_HEAD + """
          rnages:
            - cidr: 73.140.245.0/24
        """);
    Cli cli = Cli.run("validate", "-o", "json", file);
    assertThat(cli.exitCode()).isEqualTo(1);
    JsonNode error = new ObjectMapper().readTree(cli.out()).get(0).get("errors").get(0);
    assertThat(error.get("field").asText()).isEqualTo("spec.rnages");
    assertThat(error.get("message").asText()).isEqualTo("unknown field 'rnages'; did you mean 'ranges'?");
    assertThat(error.get("line").asInt()).isEqualTo(11);
    assertThat(error.get("column").asInt()).isEqualTo(3);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      access: 2|spec.access|'2' is not a valid value; allowed: Restricted, LoadBalancerOnly, Unrestricted
      access: Open|spec.access|'Open' is not a valid value; allowed: Restricted, LoadBalancerOnly, Unrestricted
      access: restricted|spec.access|'restricted' is not a valid value; allowed: Restricted, LoadBalancerOnly, Unrestricted
      mode: 1|spec.mode|'1' is not a valid value; allowed: Enforce, Observe
      ranges: 73.140.245.0/24|spec.ranges|has the wrong type (a string); expected a list
      ranges: [73.140.245.0/24]|spec.ranges[0]|has the wrong type (a string); expected an object
      ranges: [{cidr: 1}]|spec.ranges[0].cidr|has the wrong type (the number 1); expected a string
      egress: {loadBalancer: maybe}|spec.egress.loadBalancer|has the wrong type (the string 'maybe'); expected true or false
      egress: {natGateway: 'false'}|spec.egress.natGateway|has the wrong type (the string 'false'); expected true or false
      egress: {natGateway: {a: 1}}|spec.egress.natGateway|has the wrong type (an object); expected true or false
      egress: {publicIpResourceIds: pip}|spec.egress.publicIpResourceIds|has the wrong type (a string); expected a list
      egress: {publicIpResourceIds: [7]}|spec.egress.publicIpResourceIds[0]|has the wrong type (the number 7); expected a string
      egress: true|spec.egress|has the wrong type (a boolean); expected an object
      rangeSetRefs: [ci-runners]|spec.rangeSetRefs[0]|has the wrong type (a string); expected an object
      resyncInterval: 5|spec.resyncInterval|has the wrong type (the number 5); expected a string
      serviceTag: true|spec.serviceTag|has the wrong type (the boolean true); expected a string
      serviceTag: [a, b]|spec.serviceTag|has the wrong type (a list); expected a string
      """)
  void wrongTypesAreReportedWithTheirPath(String line, String field, String message) throws IOException {
    String file = write("types.yaml", POLICY_HEAD + "  " + line + "\n");
    Cli cli = Cli.run("validate", "-o", "json", file);
    assertThat(cli.exitCode()).as(cli.out() + cli.err()).isEqualTo(1);
    JsonNode errors = new ObjectMapper().readTree(cli.out()).get(0).get("errors");
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).get("field").asText()).isEqualTo(field);
    assertThat(errors.get(0).get("message").asText()).isEqualTo(message);
  }

  @Test
  void aNumberWhereATargetNameBelongsIsAnError() throws IOException {
    String file = write("number.yaml", POLICY_HEAD.replace("resourceGroup: prod-weu", "resourceGroup: 2024"));
    Cli cli = Cli.run("validate", file);
    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.outLines()).contains("  9:7: spec.targets[0].resourceGroup: has the wrong type (the number 2024); "
        + "expected a string");
  }

  /** What {@code kubectl get -o yaml} prints: full metadata, status. */
  @Test
  void fullMetadataIsReadable() throws IOException {
    String file = write("live.yaml", """
        apiVersion: authip.io/v1alpha1
        kind: IpRangeSet
        metadata:
          name: ci-runners
          namespace: platform
          uid: 0b6c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d
          resourceVersion: "12345"
          generation: 3
          creationTimestamp: "2025-07-01T10:00:00Z"
          labels:
            team: platform
            app.kubernetes.io/part-of: authip
          annotations:
            kubectl.kubernetes.io/last-applied-configuration: |
              {"apiVersion":"authip.io/v1alpha1"}
          finalizers:
            - authip.io/finalizer
          ownerReferences:
            - apiVersion: v1
              kind: ConfigMap
              name: owner
              uid: 1b6c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d
              controller: true
          managedFields:
            - manager: kubectl
              operation: Apply
              apiVersion: authip.io/v1alpha1
              time: "2025-07-01T10:00:00Z"
              fieldsType: FieldsV1
              fieldsV1:
                f:spec: {}
        spec:
          ranges:
            - cidr: 20.42.0.0/24
        status:
          rangeCount: 1
        """);
    Cli cli = Cli.run("validate", file);
    assertThat(cli.outLines()).first().isEqualTo(file + ": IpRangeSet platform/ci-runners: valid");
    assertThat(cli.exitCode()).isZero();
  }

  @Test
  void statusIsIgnored() throws IOException {
    String file = write("status.yaml", RANGE_SET + """
        status:
          rangeCount: 1
          anything: goes
        """);
    assertThat(Cli.run("validate", file).exitCode()).isZero();
  }

  @ParameterizedTest(name = "[{index}] {0} {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      authip.io/v1beta1|AuthorizedIpPolicy|apiVersion|'authip.io/v1beta1' is not served; use authip.io/v1alpha1
      authip.io/v1alpha1|AuthorisedIpPolicy|kind|'AuthorisedIpPolicy' is not a kind of authip.io/v1alpha1; expected AuthorizedIpPolicy, IpRangeSet or TargetGrant
      authip.io/v1alpha1|""|kind|is missing; expected AuthorizedIpPolicy, IpRangeSet or TargetGrant
      authip/v1alpha1|AuthorizedIpPolicy|apiVersion|'authip/v1alpha1' is not authip's API; use authip.io/v1alpha1
      ""|IpRangeSet|apiVersion|is missing; use authip.io/v1alpha1
      """)
  void typosInApiVersionOrKindAreErrorsNotSkippedResources(String apiVersion, String kind, String field,
      String message) throws IOException {
    String file = write("typo.yaml", "apiVersion: '" + apiVersion + "'\nkind: '" + kind + "'\nmetadata:\n  name: x\n"
        + "spec: {}\n");
    Cli cli = Cli.run("validate", "-o", "json", file);
    assertThat(cli.exitCode()).isEqualTo(1);
    JsonNode error = new ObjectMapper().readTree(cli.out()).get(0).get("errors").get(0);
    assertThat(error.get("field").asText()).isEqualTo(field);
    assertThat(error.get("message").asText()).isEqualTo(message);
  }

  @Test
  void maxRangesWidensTheLimit() throws IOException {
    StringBuilder yaml = new StringBuilder(POLICY_HEAD).append("  ranges:\n");
    for (int i = 0; i < 201; i++) {
      yaml.append("    - cidr: 20.50.").append(i / 100).append('.').append(2 * (i % 100)).append('\n');
    }
    String file = write("big.yaml", yaml.toString());
    Cli strict = Cli.run("validate", file);
    assertThat(strict.exitCode()).isEqualTo(1);
    assertThat(strict.outLines()).contains("  6:1: spec: 201 ranges after merging duplicates, overlaps and adjacent "
        + "ranges; "
        + "1 over the limit of 200 (literal and referenced ranges, before egress is added)"
        + "; or set spec.overflow.strategy: Supernet with a budget to cover them with wider blocks");
    assertThat(Cli.run("validate", "--max-ranges", "201", file).exitCode()).isZero();
    assertThat(Cli.run("validate", "--max-ranges", "0", file).exitCode()).isEqualTo(2);
  }

  @Test
  void unreadableYamlExitsWith2AndTheOtherFilesAreStillChecked() throws IOException {
    String file = write("broken.yaml", "apiVersion: authip.io/v1alpha1\nkind: [IpRangeSet\n");
    String good = write("good.yaml", RANGE_SET);
    Cli cli = Cli.run("validate", file, good);
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.outLines()).containsExactly(good + ": IpRangeSet platform/ci-runners: valid",
        "1 resources checked, 1 valid, 0 invalid, 1 file not readable");
    assertThat(cli.errLines()).singleElement().asString().startsWith("authip validate: cannot read " + file
        + ": not valid YAML: line 3, column 1: ");
  }

  /** The issue's case: one unreadable file made the JSON report print nothing at all. */
  @Test
  void jsonOutputHasAnEntryForAnUnreadableFileWithLineAndColumnAndForEveryOtherResource() throws IOException {
    String bad = write("bad.yaml", RANGE_SET + "  - cidr: 20.42.1.0/24\n   description: x\n");
    String good = write("good.yaml", POLICY_HEAD + """
          rangeSetRefs:
            - name: ci-runners
        ---
        """ + RANGE_SET);
    Cli cli = Cli.run("validate", "--output", "json", bad, good);
    assertThat(cli.exitCode()).isEqualTo(2);
    JsonNode json = new ObjectMapper().readTree(cli.out());
    assertThat(json).hasSize(3);
    JsonNode unreadable = json.get(0);
    assertThat(fieldNames(unreadable)).containsExactly("file", "kind", "namespace", "name", "valid", "errors");
    assertThat(unreadable.get("file").asText()).isEqualTo(bad);
    assertThat(unreadable.get("kind").isNull()).isTrue();
    assertThat(unreadable.get("valid").asBoolean()).isFalse();
    JsonNode error = unreadable.get("errors").get(0);
    assertThat(error.get("field").isNull()).isTrue();
    assertThat(error.get("message").asText()).startsWith("not valid YAML: line 9, column 3: ");
    assertThat(error.get("line").asInt()).isEqualTo(9);
    assertThat(error.get("column").asInt()).isEqualTo(3);
    assertThat(json.get(1).get("file").asText()).isEqualTo(good);
    assertThat(json.get(1).get("kind").asText()).isEqualTo("AuthorizedIpPolicy");
    assertThat(json.get(1).get("valid").asBoolean()).isTrue();
    assertThat(json.get(2).get("name").asText()).isEqualTo("ci-runners");
    assertThat(cli.errLines()).singleElement().asString().startsWith("authip validate: cannot read " + bad);
  }

  /** Found by a new user: 14 problems needed four runs. All of them, in one run, text and JSON alike. */
  @Test
  void everyProblemOfAResourceIsReportedInOneRun() throws IOException {
    String file = write("fourteen.yaml", """
        apiVersion: authip.io/v1alpha1
        kind: AuthorizedIpPolicy
        metadata:
          name: fourteen
          namespace: platform
        spec:
          targets:
            - subscriptionId: my-subscription
              resourceGroup: 2024
              clusterName: -aks
          rnages:
            - cidr: 73.140.245.0/24
          ranges:
            - cidr: 10.0.0.0/8
            - cidr: 137.117.106.90/29
            - cidr: 1
            - 73.140.245.0/24
          access: 2
          mode: enforce
          egress:
            natGateway: "false"
            loadBalancr: true
            publicIpResourceIds: [firewall-pip]
          serviceTag: AzureCloud,20.20.20.20
        """);
    Cli json = Cli.run("validate", "-o", "json", file);
    assertThat(json.exitCode()).isEqualTo(1);
    List<String> fields = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    for (JsonNode e : new ObjectMapper().readTree(json.out()).get(0).get("errors")) {
      fields.add(e.get("field").asText());
      lines.add(e.get("field").asText() + "@" + e.get("line").asInt());
    }
    assertThat(fields).containsExactlyInAnyOrder("spec.targets[0].subscriptionId", "spec.targets[0].resourceGroup",
        "spec.targets[0].clusterName", "spec.rnages", "spec.ranges[0].cidr", "spec.ranges[1].cidr",
        "spec.ranges[2].cidr", "spec.ranges[3]", "spec.access", "spec.mode", "spec.egress.natGateway",
        "spec.egress.loadBalancr", "spec.egress.publicIpResourceIds[0]", "spec.serviceTag");
    assertThat(lines).contains("spec.targets[0].resourceGroup@9", "spec.rnages@11", "spec.ranges[3]@17",
        "spec.access@18", "spec.egress.loadBalancr@22", "spec.serviceTag@24");
    Cli text = Cli.run("validate", file);
    assertThat(text.exitCode()).isEqualTo(1);
    assertThat(text.outLines()).first().isEqualTo(file + ": AuthorizedIpPolicy platform/fourteen: 14 errors");
    assertThat(text.outLines()).contains("  18:3: spec.access: '2' is not a valid value; allowed: Restricted, "
        + "LoadBalancerOnly, Unrestricted", "  11:3: spec.rnages: unknown field 'rnages'; did you mean 'ranges'?",
        "  22:5: spec.egress.loadBalancr: unknown field 'loadBalancr'; did you mean 'loadBalancer'?");
  }

  @Test
  void aDashReadsStandardInput() {
    Cli cli = Cli.runWithStdin(RANGE_SET, "validate", "-");
    assertThat(cli.exitCode()).isZero();
    assertThat(cli.outLines()).containsExactly("-: IpRangeSet platform/ci-runners: valid",
        "1 resources checked, 1 valid, 0 invalid");

    // References resolve between standard input and files; standard input is named '-' in reports.
    Cli json = Cli.runWithStdin(POLICY_HEAD + "  rangeSetRefs:\n    - name: missing\n", "validate", "-o", "json", "-");
    assertThat(json.exitCode()).isEqualTo(1);
    assertThat(json.out()).contains("\"file\" : \"-\"", "IpRangeSet 'missing' not found");

    Cli broken = Cli.runWithStdin("kind: [x\n", "validate", "-o", "json", "-");
    assertThat(broken.exitCode()).isEqualTo(2);
    assertThat(broken.out()).contains("\"valid\" : false", "\"line\" : 2");

    assertThat(Cli.runWithStdin(RANGE_SET, "validate", "-", "-").exitCode()).isEqualTo(2);
  }

  @Test
  void aFileGivenTwiceIsReportedTwiceNotFourTimes() throws IOException {
    String good = write("good.yaml", RANGE_SET);
    Cli cli = Cli.run("validate", "-o", "json", good, good);
    assertThat(cli.exitCode()).isZero();
    assertThat(new ObjectMapper().readTree(cli.out())).hasSize(2);
  }

  @Test
  void aDashMixesWithFiles() throws IOException {
    String policy = write("policy.yaml", POLICY_HEAD + """
          rangeSetRefs:
            - name: ci-runners
        """);
    Cli cli = Cli.runWithStdin(RANGE_SET, "validate", policy, "-");
    assertThat(cli.exitCode()).as(cli.out()).isZero();
    assertThat(cli.outLines()).containsExactly(policy + ": AuthorizedIpPolicy platform/production: valid",
        "-: IpRangeSet platform/ci-runners: valid", "2 resources checked, 2 valid, 0 invalid");
  }

  @Test
  void anUnreadableFileOutranksAnInvalidResourceInTheExitStatus() throws IOException {
    String invalid = write("invalid.yaml", POLICY_HEAD + "  access: Open\n");
    Path missing = dir.resolve("missing.yaml");
    assertThat(Cli.run("validate", invalid).exitCode()).isEqualTo(1);
    Cli both = Cli.run("validate", "-o", "json", invalid, missing.toString());
    assertThat(both.exitCode()).isEqualTo(2);
    JsonNode json = new ObjectMapper().readTree(both.out());
    assertThat(json).hasSize(2);
    assertThat(json.get(1).get("file").asText()).isEqualTo(missing.toString());
    assertThat(json.get(1).get("errors").get(0).get("message").asText()).isEqualTo("no such file");
    assertThat(json.get(1).get("errors").get(0).get("line").isNull()).isTrue();
  }

  @Test
  void badIndentationExitsWith2() throws IOException {
    String file = write("indent.yaml", RANGE_SET + "  - cidr: 20.42.1.0/24\n   description: x\n");
    Cli cli = Cli.run("validate", file);
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).startsWith("authip validate: cannot read " + file + ": not valid YAML: ");
  }

  @Test
  void aFileThatIsNotUtf8ExitsWith2() throws IOException {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, "metadata:\n  name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    Cli cli = Cli.run("validate", file.toString());
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).startsWith("authip validate: cannot read " + file + ": ");
  }

  @Test
  void aMissingFileExitsWith2() throws IOException {
    String good = write("good.yaml", RANGE_SET);
    Path missing = dir.resolve("missing.yaml");
    Cli cli = Cli.run("validate", good, missing.toString());
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.outLines()).containsExactly(good + ": IpRangeSet platform/ci-runners: valid",
        "1 resources checked, 1 valid, 0 invalid, 1 file not readable");
    assertThat(cli.errLines()).containsExactly("authip validate: cannot read " + missing + ": no such file");
  }

  @Test
  void usageErrorsExitWith2() {
    assertThat(Cli.run("validate").exitCode()).isEqualTo(2);
    assertThat(Cli.run("validate").err()).contains("Missing required parameter");
    assertThat(Cli.run("validate", "--output", "xml", "x.yaml").exitCode()).isEqualTo(2);
    assertThat(Cli.run("validate", dir.toString()).exitCode()).isEqualTo(2);
    assertThat(Cli.run("nonsense").exitCode()).isEqualTo(2);
  }

  @Test
  void aFileWithoutAuthipResourcesIsNotAnError() throws IOException {
    String file = write("empty.yaml", "");
    Cli cli = Cli.run("validate", file);
    assertThat(cli.exitCode()).isZero();
    assertThat(cli.outLines()).containsExactly("0 resources checked, 0 valid, 0 invalid");
  }

  static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  String write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file.toString();
  }
}
