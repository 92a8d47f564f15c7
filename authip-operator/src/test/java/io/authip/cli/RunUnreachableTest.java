package io.authip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code authip run} with no Kubernetes API to talk to: one line that says what was tried and how to change it. */
class RunUnreachableTest {

  @TempDir
  Path dir;

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Path kubeconfig(int port) throws Exception {
    Path file = dir.resolve("kubeconfig");
    Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: nowhere
          cluster:
            server: https://127.0.0.1:%d
        contexts:
        - name: ctx-nowhere
          context:
            cluster: nowhere
            user: someone
        users:
        - name: someone
          user: {}
        current-context: ctx-nowhere
        """.formatted(port));
    return file;
  }

  /** Runs {@code authip run} in a JVM of its own (it reads the process environment), stdout and stderr merged. */
  private record Run(int exitCode, List<String> lines) {
  }

  private Run run(Map<String, String> env, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("KUBE") || k.startsWith("AUTHIP_") || k.startsWith("AZURE_")
        || k.equals("POD_NAMESPACE"));
    pb.environment().put("HOME", dir.toString());
    pb.environment().putAll(Map.of("AZURE_TENANT_ID", "00000000-0000-0000-0000-000000000001",
        "AZURE_CLIENT_ID", "authip-test", "AZURE_CLIENT_SECRET", "not-a-secret", "AUTHIP_HTTP_PORT", "0"));
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String text = new String(out, StandardCharsets.UTF_8);
    System.out.println(text);
    return new Run(p.exitValue(), text.lines().filter(l -> !l.isBlank()).toList());
  }

  @Test
  void aClosedPortGivesOneLineNamingKubeconfigContextUrlAndHowToSetThem() throws Exception {
    int port = closedPort();
    Path kubeconfig = kubeconfig(port);

    Run viaEnv = run(Map.of("KUBECONFIG", kubeconfig.toString()));

    assertThat(viaEnv.exitCode()).isEqualTo(RunCommand.UNREACHABLE);
    assertThat(viaEnv.lines()).hasSize(1);
    assertThat(viaEnv.lines().get(0)).startsWith("authip run: cannot reach the Kubernetes API at https://127.0.0.1:"
        + port).contains("kubeconfig " + kubeconfig.toAbsolutePath(), "context ctx-nowhere", "KUBECONFIG=",
        "--kubeconfig FILE", "in-cluster").doesNotContain("Exception\n", "\tat ");

    Run viaOption = run(Map.of(), "--kubeconfig", kubeconfig.toString(), "--context", "ctx-nowhere");
    assertThat(viaOption.exitCode()).isEqualTo(RunCommand.UNREACHABLE);
    assertThat(viaOption.lines()).hasSize(1);
    assertThat(viaOption.lines().get(0)).contains("https://127.0.0.1:" + port, kubeconfig.toAbsolutePath().toString(),
        "context ctx-nowhere");
  }

  @Test
  void aMissingKubeconfigFileIsOneLineToo() throws Exception {
    Run run = run(Map.of(), "--kubeconfig", dir.resolve("missing").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.lines()).hasSize(1);
    assertThat(run.lines().get(0)).contains("--kubeconfig", "missing", "no such file");
  }

  @Test
  void theLineSaysInClusterWhenThatIsWhatWasTried() {
    String url = "https://10.0.0.1:443/";
    String line = KubernetesReachability.describe(url, null, null, Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"),
        "no connection (refused or closed)");
    assertThat(line).contains("https://10.0.0.1:443/", "in-cluster configuration (KUBERNETES_SERVICE_HOST=10.0.0.1)",
        "context none");

    assertThat(KubernetesReachability.describe(url, new File("/nonexistent/kubeconfig"), "c", Map.of(), "x"))
        .contains("kubeconfig /nonexistent/kubeconfig", "context c");
    assertThat(KubernetesReachability.describe(url, null, null, Map.of(), "x")).contains("no kubeconfig",
        "not in a cluster");
  }
}
