package io.authip.sandbox;

import io.authip.cli.DurationOption;
import io.authip.logging.Logging;
import io.authip.operator.OperatorConfig;
import io.authip.policy.Durations;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sandbox", mixinStandardHelpOptions = true,
    description = {"Tries authip locally, no cloud account or cluster needed.",
        "Starts an ARM emulator with sample AKS clusters, an embedded Kubernetes API (use it with kubectl) and the "
        + "operator, applies the example policies and shows a live table. Ctrl-C stops everything and removes the "
        + "temporary folder.",
        "With --no-operator it starts the emulator and the Kubernetes API only and prints the environment for an "
        + "`authip run` started in another shell."})
final class SandboxCommand implements Callable<Integer> {

  @Option(names = "--kube-port", defaultValue = "0", description = "Kubernetes API port (default: a free port).")
  int kubePort;

  @Option(names = "--arm-port", defaultValue = "0", description = "ARM emulator port (default: a free port).")
  int armPort;

  @Option(names = "--http-port", defaultValue = "0", description = "/metrics port (default: a free port).")
  int httpPort;

  @Option(names = "--examples", description = "Folder of policies to apply (default: deploy/examples of the "
      + "checkout, as on disk; outside a checkout the copy in the jar).")
  Path examples;

  @Option(names = "--dir", description = "Where to write the kubeconfig and certificate, kept on exit (default: a "
      + "temporary folder, removed on exit).")
  Path dir;

  @Option(names = "--operation-seconds", defaultValue = "3",
      description = "How long the emulated Azure operations take (default: ${DEFAULT-VALUE}).")
  double operationSeconds;

  @Option(names = "--once", description = "Print the table once everything settled, then exit (for scripts).")
  boolean once;

  @Option(names = "--no-operator", description = "Start only the emulator and the Kubernetes API and print the "
      + "environment lines for `authip run`.")
  boolean noOperator;

  @Option(names = "--timeout", defaultValue = "2m", converter = DurationOption.class, paramLabel = "DURATION",
      description = "With --once: give up after this long, e.g. 90s or 2m (a bare number is seconds; default: "
          + "${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() throws IOException, InterruptedException {
    // The terminal shows the table; only problems are logged (to standard error).
    Logging.configure("warn", Logging.Format.text);
    PrintStream out = System.out;
    Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("authip-sandbox");
    AtomicBoolean cleaned = new AtomicBoolean();
    Sandbox[] running = new Sandbox[1];
    Runnable cleanup = () -> {
      if (cleaned.compareAndSet(false, true)) {
        if (running[0] != null) {
          running[0].close();
        }
        if (dir == null) {
          deleteRecursively(work);
        }
      }
    };
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      cleanup.run();
      stop.countDown();
    }, "authip-sandbox-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return run(out, work, running, stop);
    } finally {
      cleanup.run();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run: it did the same cleanup
      }
    }
  }

  private int run(PrintStream out, Path work, Sandbox[] running, CountDownLatch stop) throws IOException,
      InterruptedException {
    Map<String, String> env = new HashMap<>(Map.of("AUTHIP_HTTP_PORT", String.valueOf(httpPort),
        "AUTHIP_POLL_INTERVAL", "1s", "AUTHIP_PROPAGATION_DELAY", "10s", "AUTHIP_BUSY_RETRY", "2s",
        "AUTHIP_ERROR_BACKOFF", "1s", "AUTHIP_MAX_BACKOFF", "10s", "AUTHIP_RESYNC_CAP", "10s"));
    OperatorConfig config = OperatorConfig.fromEnvironment(env);
    LocalEnvironment.Options options = new LocalEnvironment.Options(kubePort, armPort,
        Duration.ofMillis((long) (operationSeconds * 1000)), config, work);
    Instant started = Instant.now();
    Sandbox.Examples found = Sandbox.locateExamples(examples, Path.of(""), Sandbox.codeLocation());
    Sandbox sandbox = Sandbox.start(options, found, !noOperator, out);
    running[0] = sandbox;
    out.println();
    if (noOperator) {
      out.println("Ready (no operator). In another shell, paste these lines and start the operator:");
      Sandbox.exportLines(sandbox.runEnvironment(httpPort != 0 ? httpPort : freePort()))
          .forEach(l -> out.println("  " + l));
      out.println("  ./authip run");
    } else {
      out.println("Ready. Use the embedded Kubernetes API with kubectl:");
      out.println("  export KUBECONFIG=" + sandbox.kubeconfig());
      out.println("  kubectl get aip -A");
      out.println("  kubectl describe aip -n platform production");
      out.println("  kubectl edit aip -n platform production     # or kubectl apply -f an edited copy");
      out.println("Metrics: curl http://127.0.0.1:" + sandbox.environment().operator().httpPort() + "/metrics");
    }
    out.println(dir == null ? "The temporary folder " + work + " is removed on exit." : "Files in " + work + ".");
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
      return settled ? 0 : 1;
    }
    boolean ansi = LiveTable.redrawInPlace(System.console() != null, System.getenv("TERM"));
    LiveTable table = new LiveTable(ansi);
    while (!stop.await(1, TimeUnit.SECONDS)) {
      String frame = table.next(LocalTime.now().withNano(0) + "  (Ctrl-C to stop)", Sandbox.render(sandbox.rows()));
      if (frame != null) {
        out.print(frame);
        out.flush();
      }
    }
    return 0;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("authip sandbox: could not remove " + root + ": " + e.getMessage());
    }
  }
}
