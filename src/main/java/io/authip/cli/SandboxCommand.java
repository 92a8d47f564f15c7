package io.authip.cli;

import io.authip.logging.Logging;
import io.authip.operator.OperatorConfig;
import io.authip.policy.Durations;
import io.authip.sandbox.LocalEnvironment;
import io.authip.sandbox.Sandbox;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sandbox", mixinStandardHelpOptions = true,
    description = {"Tries authip locally, no cloud account or cluster needed: starts an ARM emulator with sample",
        "AKS clusters, an embedded Kubernetes API (use it with kubectl), and the operator; applies the example",
        "policies and shows a live table. Ctrl-C stops everything."})
final class SandboxCommand implements Callable<Integer> {

  @Option(names = "--kube-port", defaultValue = "0", description = "Kubernetes API port (default: a free port)")
  int kubePort;

  @Option(names = "--arm-port", defaultValue = "0", description = "ARM emulator port (default: a free port)")
  int armPort;

  @Option(names = "--http-port", defaultValue = "0", description = "/metrics port (default: a free port)")
  int httpPort;

  @Option(names = "--examples", description = "Folder of policies to apply (default: the bundled examples)")
  Path examples;

  @Option(names = "--dir", description = "Where to write the kubeconfig and certificate (default: a temp folder)")
  Path dir;

  @Option(names = "--operation-seconds", defaultValue = "3",
      description = "How long the emulated Azure operations take (default: ${DEFAULT-VALUE})")
  double operationSeconds;

  @Option(names = "--once", description = "Print the table once everything settled, then exit (for scripts)")
  boolean once;

  @Option(names = "--timeout", defaultValue = "2m", converter = DurationOption.class, paramLabel = "DURATION",
      description = "With --once: give up after this long, e.g. 90s or 2m (a bare number is seconds; default: "
          + "${DEFAULT-VALUE})")
  Duration timeout;

  @Override
  public Integer call() throws IOException, InterruptedException {
    // The terminal shows the table; only problems are logged (to standard error).
    Logging.configure("warn", Logging.Format.text);
    PrintStream out = System.out;
    Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("authip-sandbox");
    Map<String, String> env = new HashMap<>(Map.of("AUTHIP_HTTP_PORT", String.valueOf(httpPort),
        "AUTHIP_POLL_INTERVAL", "1s", "AUTHIP_PROPAGATION_DELAY", "10s", "AUTHIP_BUSY_RETRY", "2s",
        "AUTHIP_ERROR_BACKOFF", "1s", "AUTHIP_MAX_BACKOFF", "10s", "AUTHIP_RESYNC_CAP", "10s"));
    OperatorConfig config = OperatorConfig.fromEnvironment(env);
    LocalEnvironment.Options options = new LocalEnvironment.Options(kubePort, armPort,
        Duration.ofMillis((long) (operationSeconds * 1000)), config, work);
    Instant started = Instant.now();
    Sandbox sandbox = Sandbox.start(options, examples, out);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sandbox.close();
      stop.countDown();
    }, "authip-sandbox-shutdown"));
    out.println();
    out.println("Ready. Use the embedded Kubernetes API with kubectl:");
    out.println("  export KUBECONFIG=" + sandbox.kubeconfig());
    out.println("  kubectl get aip -A");
    out.println("  kubectl describe aip -n platform production");
    out.println("  kubectl edit aip -n platform production     # or kubectl apply -f an edited copy");
    out.println("Metrics: curl http://127.0.0.1:" + sandbox.environment().operator().httpPort() + "/metrics");
    out.println();
    if (once) {
      Instant deadline = started.plus(timeout);
      while (!sandbox.settled() && Instant.now().isBefore(deadline)) {
        if (stop.await(250, TimeUnit.MILLISECONDS)) {
          return 130;
        }
      }
      out.print(Sandbox.render(sandbox.rows()));
      boolean settled = sandbox.settled();
      out.println(settled ? "All example targets settled in " + Duration.between(started, Instant.now()).toMillis()
          + " ms." : "Not settled after " + Durations.format(timeout) + ".");
      sandbox.close();
      return settled ? 0 : 1;
    }
    String last = "";
    while (!stop.await(1, TimeUnit.SECONDS)) {
      String table = Sandbox.render(sandbox.rows());
      if (!table.equals(last)) {
        out.println(java.time.LocalTime.now().withNano(0) + "  (Ctrl-C to stop)");
        out.print(table);
        out.println();
        last = table;
      }
    }
    return 0;
  }
}
