package io.authip.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/ci/authip-validate.sh, the script the pipeline recipes of docs/gitops.md call, run for real with the operator's
 * jar on a git repository of manifests: changed files found from a base commit, range sets of unchanged files
 * resolving references, annotations in GitHub's and Azure Pipelines' syntax on the right lines, exit codes.
 */
class ValidateScriptTest {

  static final Path SCRIPT = GitOpsHealthTest.PROJECT.resolve("deploy/ci/authip-validate.sh");
  static final String AUTHIP = "java -jar " + Path.of(System.getProperty("authip.operatorJar",
      GitOpsHealthTest.PROJECT.resolve("authip-operator/target/authip.jar").toString())).toAbsolutePath();
  static final String SUB = "3c1d5e7f-2a4b-4c6d-8e0f-1a2b3c4d5e6f";

  record Run(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  @TempDir
  Path repo;

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

  static String policy(String name, String cidr) {
    return """
        apiVersion: authip.io/v1alpha1
        kind: AuthorizedIpPolicy
        metadata:
          name: %s
          namespace: platform
        spec:
          targets:
            - subscriptionId: %s
              resourceGroup: prod
              clusterName: aks-prod
          rangeSetRefs:
            - name: ci-runners
          ranges:
            - cidr: %s
        """.formatted(name, SUB, cidr);
  }

  @org.junit.jupiter.api.BeforeAll
  static void jqIsThere() {
    boolean found = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, "jq")));
    String why = "jq not found on the PATH: the script needs it (sudo apt-get install jq)";
    if (!found && System.getenv("CI") != null) {
      org.assertj.core.api.Assertions.fail(why + "; in CI this test must run (.ci/run installs it)");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(found, why + "; skipped locally, always run in CI");
  }

  @BeforeEach
  void history() throws Exception {
    write("sets/ci-runners.yaml", RANGE_SET);
    write("policies/a.yaml", policy("a", "73.140.245.0/24"));
    write("apps/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n");
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("commit", "-q", "-m", "base");
  }

  @Test
  void aChangeWithAnInvalidRangeFailsWithAGitHubAnnotationOnItsLine() throws Exception {
    write("policies/b.yaml", policy("b", "10.0.0.0/8"));
    write("apps/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n");
    git("add", ".");
    git("commit", "-q", "-m", "b");

    Run run = script(Map.of("GITHUB_ACTIONS", "true"), "--base", "HEAD~1");
    assertThat(run.exit()).as(run.err()).isEqualTo(1);
    // Only the changed policy is reported; the range set of an unchanged file resolved its reference.
    assertThat(run.lines()).containsExactly(
        "::error file=policies/b.yaml,line=14,col=7,title=AuthorizedIpPolicy platform/b::spec.ranges[0].cidr: "
            + "10.0.0.0/8 is not a public range: it lies in 10.0.0.0/8 (private-use, RFC 1918); only globally "
            + "reachable addresses can reach a public API server",
        "authip-validate: 1 resource(s) checked, 0 valid, 1 invalid");
    assertThat(Files.readAllLines(repo.resolve("policies/b.yaml")).get(13)).contains("10.0.0.0/8");
  }

  @Test
  void aValidChangePassesAndUnchangedOrForeignFilesAreLeftOut() throws Exception {
    write("policies/a.yaml", policy("a", "73.140.246.0/24"));
    write("apps/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n");
    // An uncommitted change counts too (a local run before committing).
    Run run = script(Map.of(), "--format", "github", "--base", "HEAD");
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat(run.lines()).containsExactly("authip-validate: 1 resource(s) checked, 1 valid, 0 invalid");

    write("policies/a.yaml", policy("a", "73.140.245.0/24"));
    Run nothing = script(Map.of(), "--format", "github", "apps/deployment.yaml");
    assertThat(nothing.exit()).isZero();
    assertThat(nothing.out()).contains("no authip manifest among 1 file(s)");
  }

  @Test
  void azurePipelinesGetLogIssuesAndAnUnknownReferenceIsNamed() throws Exception {
    write("policies/c.yaml", policy("c", "73.140.245.0/24").replace("ci-runners", "office"));
    Run run = script(Map.of("TF_BUILD", "True"), "policies/c.yaml", "policies/a.yaml");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.lines()).containsExactly(
        "##vso[task.logissue type=error;sourcepath=policies/c.yaml;linenumber=12;columnnumber=7;code=authip]"
            + "AuthorizedIpPolicy platform/c: spec.rangeSetRefs[0].name: IpRangeSet 'office' not found in namespace "
            + "'platform'",
        "authip-validate: 2 resource(s) checked, 1 valid, 1 invalid");
  }

  @Test
  void textForPreCommitAndMessagesThatCannotBreakTheAnnotationSyntax() throws Exception {
    // A name with the characters GitHub's and Azure's syntax reserve is escaped, not cut or misread.
    write("policies/odd.yaml", policy("a", "73.140.245.0/24").replace("namespace: platform",
        "namespace: \"plat%form;x]y,z:w\""));
    Run text = script(Map.of(), "--format", "text", "policies/odd.yaml");
    Run github = script(Map.of(), "--format", "github", "policies/odd.yaml");
    Run azure = script(Map.of(), "--format", "azure", "policies/odd.yaml");
    assertThat(text.exit()).isEqualTo(1);
    // The reference cannot resolve in that namespace: the message names it, with every reserved character.
    assertThat(text.lines().get(0)).isEqualTo("policies/odd.yaml:12:7: error: AuthorizedIpPolicy plat%form;x]y,z:w/a: "
        + "spec.rangeSetRefs[0].name: IpRangeSet 'ci-runners' not found in namespace 'plat%form;x]y,z:w'");
    assertThat(github.lines().get(0)).isEqualTo("::error file=policies/odd.yaml,line=12,col=7,"
        + "title=AuthorizedIpPolicy plat%25form;x]y%2Cz%3Aw/a::spec.rangeSetRefs[0].name: IpRangeSet 'ci-runners' "
        + "not found in namespace 'plat%25form;x]y,z:w'");
    assertThat(azure.lines().get(0)).isEqualTo("##vso[task.logissue type=error;sourcepath=policies/odd.yaml;"
        + "linenumber=12;columnnumber=7;code=authip]AuthorizedIpPolicy plat%AZP25form;x]y,z:w/a: "
        + "spec.rangeSetRefs[0].name: IpRangeSet 'ci-runners' not found in namespace 'plat%AZP25form;x]y,z:w'");
  }

  @Test
  void usageErrorsAndUnreadableFilesExitWithTwo() throws Exception {
    assertThat(script(Map.of(), "--format", "xml", "policies/a.yaml").exit()).isEqualTo(2);
    assertThat(script(Map.of(), "--base", "no-such-commit").exit()).isEqualTo(2);
    Run missing = script(Map.of(), "--format", "github", "policies/gone.yaml");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.lines().get(0)).isEqualTo("::error file=policies/gone.yaml,title=cannot read the file::"
        + "no such file");
    Run broken = script(Map.of("AUTHIP", "false"), "policies/a.yaml");
    assertThat(broken.exit()).isEqualTo(2);
    assertThat(broken.err()).contains("'false validate' failed");
  }

  @Test
  void thePreCommitHookCallsTheScript() throws Exception {
    JsonNode hooks = new ObjectMapper(new YAMLFactory())
        .readTree(GitOpsHealthTest.PROJECT.resolve(".pre-commit-hooks.yaml").toFile());
    assertThat(hooks).hasSize(1);
    String entry = hooks.get(0).path("entry").asText();
    assertThat(entry).isEqualTo("deploy/ci/authip-validate.sh --format text");
    assertThat(Files.isExecutable(GitOpsHealthTest.PROJECT.resolve(entry.split(" ")[0]))).isTrue();
    assertThat(hooks.get(0).path("language").asText()).isEqualTo("script");
    // pre-commit passes the staged files that match: the script takes them as arguments.
    write("policies/b.yaml", policy("b", "10.0.0.0/8"));
    Run run = script(Map.of(), "--format", "text", "policies/b.yaml", "apps/deployment.yaml");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out()).contains("policies/b.yaml:14:7: error: AuthorizedIpPolicy platform/b: spec.ranges[0].cidr");
  }

  @Test
  void theGitHubAndAzurePipelinesRecipesRunAsWritten() throws Exception {
    // The repository of the recipes: the script copied to ci/, a pull request from a branch onto main.
    write("ci/authip-validate.sh", Files.readString(SCRIPT));
    git("add", ".");
    git("commit", "-q", "-m", "ci");
    git("update-ref", "refs/remotes/origin/main", "HEAD");
    git("checkout", "-q", "-b", "change");
    write("policies/b.yaml", policy("b", "10.0.0.0/8"));
    git("add", ".");
    git("commit", "-q", "-m", "b");
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    JsonNode workflow = yaml.readTree(GitOpsHealthTest.PROJECT.resolve("deploy/ci/github-actions.yaml").toFile());
    JsonNode steps = workflow.path("jobs").path("validate").path("steps");
    assertThat(steps.get(0).path("uses").asText()).startsWith("actions/checkout@");
    assertThat(steps.get(0).path("with").path("fetch-depth").asInt(-1)).isZero();
    JsonNode validate = steps.get(1);
    // The image runs in the workspace, under its own path, so that the file names in annotations are the repository's.
    assertThat(validate.path("env").path("AUTHIP").asText()).isEqualTo("docker run --rm -v ${{ github.workspace }}:"
        + "${{ github.workspace }} -w ${{ github.workspace }} ${{ env.AUTHIP_IMAGE }}");
    // The step as GitHub runs it for a pull request onto main (java -jar instead of the image: no Docker here).
    Run github = exec(List.of("bash", "-c", validate.path("run").asText().replace("${{ github.base_ref }}", "main")),
        Map.of("GITHUB_ACTIONS", "true", "AUTHIP", AUTHIP));
    assertThat(github.exit()).as(github.err()).isEqualTo(1);
    assertThat(github.lines()).containsExactly("::error file=policies/b.yaml,line=14,col=7,"
        + "title=AuthorizedIpPolicy platform/b::spec.ranges[0].cidr: 10.0.0.0/8 is not a public range: it lies in "
        + "10.0.0.0/8 (private-use, RFC 1918); only globally reachable addresses can reach a public API server",
        "authip-validate: 1 resource(s) checked, 0 valid, 1 invalid");

    JsonNode pipeline = yaml.readTree(GitOpsHealthTest.PROJECT.resolve("deploy/ci/azure-pipelines.yaml").toFile());
    assertThat(pipeline.path("steps").get(0).path("fetchDepth").asInt(-1)).isZero();
    JsonNode step = pipeline.path("steps").get(1);
    assertThat(step.path("env").path("AUTHIP").asText()).isEqualTo("docker run --rm -v $(Build.SourcesDirectory):"
        + "$(Build.SourcesDirectory) -w $(Build.SourcesDirectory) $(AUTHIP_IMAGE)");
    // Azure Repos names the target branch refs/heads/main.
    Run azure = exec(List.of("bash", "-c", step.path("bash").asText()), Map.of("TF_BUILD", "True",
        "SYSTEM_PULLREQUEST_TARGETBRANCH", "refs/heads/main", "AUTHIP", AUTHIP));
    assertThat(azure.exit()).as(azure.err()).isEqualTo(1);
    assertThat(azure.lines()).containsExactly("##vso[task.logissue type=error;sourcepath=policies/b.yaml;"
        + "linenumber=14;columnnumber=7;code=authip]AuthorizedIpPolicy platform/b: spec.ranges[0].cidr: 10.0.0.0/8 "
        + "is not a public range: it lies in 10.0.0.0/8 (private-use, RFC 1918); only globally reachable addresses "
        + "can reach a public API server", "authip-validate: 1 resource(s) checked, 0 valid, 1 invalid");
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  void write(String file, String content) throws IOException {
    Path path = repo.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
  }

  void git(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@example.org"));
    command.addAll(List.of(args));
    Run run = exec(command, Map.of());
    assertThat(run.exit()).as("git %s: %s", String.join(" ", args), run.err()).isZero();
  }

  Run script(Map<String, String> environment, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(args));
    Map<String, String> env = new HashMap<>(Map.of("AUTHIP", AUTHIP));
    env.putAll(environment);
    return exec(command, env);
  }

  Run exec(List<String> command, Map<String, String> environment) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile());
    // As on a runner: no CI variables unless the test sets them.
    builder.environment().keySet().removeIf(k -> k.equals("GITHUB_ACTIONS") || k.equals("TF_BUILD"));
    builder.environment().putAll(environment);
    Path out = Files.createTempFile(repo.getParent(), "out", ".txt");
    Path err = Files.createTempFile(repo.getParent(), "err", ".txt");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not finish within 120 s");
    }
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
