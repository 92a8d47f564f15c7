package io.authip.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.operator.OperatorConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code authip sandbox --no-operator}: the emulator and the Kubernetes API only, and the lines that let an
 * {@code authip run} of the shipped jar, started in another shell, reconcile the examples.
 */
class NoOperatorTest {

  static final Path ROOT = Path.of(System.getProperty("authip.projectDir", ".")).toAbsolutePath().normalize();
  static final Path OPERATOR_JAR = Path.of(System.getProperty("authip.operatorJar",
      ROOT.resolve("authip-operator/target/authip.jar").toString()));

  @TempDir
  Path dir;

  @Test
  void anAuthipRunStartedWithExactlyThePrintedLinesReconcilesTheExamples() throws Exception {
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    Sandbox.Examples examples = Sandbox.locateExamples(null, ROOT, null);
    int httpPort;
    try (ServerSocket s = new ServerSocket(0)) {
      httpPort = s.getLocalPort();
    }
    try (Sandbox sandbox = Sandbox.start(new LocalEnvironment.Options(0, 0, Duration.ofMillis(300),
        OperatorConfig.forTesting(), dir), examples, false, new PrintStream(progress, true, StandardCharsets.UTF_8))) {
      assertThat(progress.toString(StandardCharsets.UTF_8)).contains("--no-operator", ROOT + "/deploy/examples");
      assertThat(sandbox.environment().operator()).isNull();
      List<String> lines = Sandbox.exportLines(sandbox.runEnvironment(httpPort));
      assertThat(lines).anyMatch(l -> l.startsWith("export KUBECONFIG="))
          .anyMatch(l -> l.startsWith("export AZURE_CLOUD=")).anyMatch(l -> l.startsWith("export AUTHIP_ARM_CA_FILE="));
      // Nothing reconciles without an operator.
      assertThat(sandbox.rows()).allMatch(r -> r.state().equals("Pending"));

      Path script = dir.resolve("env.sh");
      Files.write(script, lines);
      ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". \"$1\" && exec \"$2\" -jar \"$3\" run", "run", script
          .toString(), Path.of(System.getProperty("java.home"), "bin", "java").toString(), OPERATOR_JAR.toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("run.log").toFile());
      // The other shell: none of this JVM's Kubernetes or authip settings.
      pb.environment().keySet().removeIf(k -> k.startsWith("KUBE") || k.startsWith("AUTHIP_") || k.startsWith("AZURE_")
          || k.equals("POD_NAMESPACE"));
      Process run = pb.start();
      try {
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500))
            .until(() -> !run.isAlive() || sandbox.settled());
        String log = Files.readString(dir.resolve("run.log"));
        assertThat(run.isAlive()).as(log).isTrue();
        assertThat(sandbox.rows()).extracting(r -> r.policy() + " " + r.target() + " " + r.state())
            .contains("platform/production prod-weu/aks-prod-weu InSync", "platform/batch batch/aks-batch InSync",
                "platform/internal internal/aks-internal Blocked",
                // the tenants' identities work from a separate authip run too: it mints their tokens as kubectl's user
                "team-a/web rg-team-a-weu/aks-team-a InSync", "team-b/api rg-team-b/aks-team-b InSync",
                "team-a/reach-team-b rg-team-b/aks-team-b Blocked");
        assertThat(sandbox.environment().arm().requestCount(Sandbox.sampleClusters().get(0).clusterId(), "PUT"))
            .isPositive();
      } finally {
        run.destroy();
        if (!run.waitFor(30, TimeUnit.SECONDS)) {
          run.destroyForcibly();
        }
      }
    }
  }
}
