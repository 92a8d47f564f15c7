package io.authip.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A forked JVM running {@link OperatorProcess} ({@code authip run}), so that its memory and CPU are its own; used by
 * the fleet benchmark and by the leader-election test (two of them, one killed).
 */
public final class OperatorChild implements AutoCloseable {

  /** The child's own figures at one moment. */
  public record Stats(long cpuNanos, long heapUsed, long peakHeap, long rssKiB, long hwmKiB, int threads) {

    double cpuSeconds() {
      return cpuNanos / 1e9;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> stats = new LinkedBlockingQueue<>();

  private OperatorChild(Process process) {
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::readStdout, "bench-child-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * @param jvmArgs more options for the operator JVM, after the image's, e.g. -XX:TieredStopAtLevel=4 to undo one
   * @param env the whole environment of {@code authip run} (AUTHIP_* and AZURE_* variables)
   * @param kubeUrl the Kubernetes API the operator talks to
   * @param log where the operator's standard error goes
   */
  static OperatorChild start(String xmx, List<String> jvmArgs, Map<String, String> env, String kubeUrl, Path log,
      Path jfr) {
    return start(xmx, jvmArgs, env, List.of("-Dkubernetes.master=" + kubeUrl, "-Dkubernetes.namespace=default",
        // the operator's ServiceAccount: every request is authorized by the shipped RBAC (env.kube().rbac())
        "-Dkubernetes.auth.token=" + io.authip.kubeapi.Rbac.OPERATOR_TOKEN,
        "-Dkubernetes.auth.tryKubeConfig=false",
        // HTTP/1.1: the mock API server's HTTP/2 sends a large LIST answer as one oversized frame
        "-Dkubernetes.http2.disable=true"), log, jfr);
  }

  /**
   * As a pod with a mounted kubeconfig would run it: the Kubernetes API, the credentials (e.g. a bearer token) and
   * the namespace all come from {@code kubeconfig} (variable {@code KUBECONFIG}), nothing from system properties.
   */
  public static OperatorChild startWithKubeconfig(String xmx, Map<String, String> env, Path kubeconfig, Path log) {
    Map<String, String> withConfig = new java.util.LinkedHashMap<>(env);
    withConfig.put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
    return start(xmx, List.of(), withConfig, List.of("-Dkubernetes.auth.tryKubeConfig=true"), log, null);
  }

  private static OperatorChild start(String xmx, List<String> jvmArgs, Map<String, String> env,
      List<String> kubernetes, Path log, Path jfr) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + xmx,
        // As the container image runs it (Dockerfile), -Xmx in place of -XX:MaxRAMPercentage.
        "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData"));
    cmd.addAll(kubernetes);
    cmd.addAll(List.of("-Dkubernetes.auth.tryServiceAccount=false",
        "-cp", System.getProperty("java.class.path"),
        OperatorProcess.class.getName()));
    cmd.addAll(1, jvmArgs);
    if (jfr != null) {
      // A profile of the whole run, to find where CPU and allocations go; off for the figures themselves.
      cmd.add(1, "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + jfr);
    }
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("AUTHIP_") || k.startsWith("AZURE_")
        || k.startsWith("KUBERNETES_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("KUBECONFIG")
        || k.startsWith("POD_"));
    pb.environment().putAll(env);
    pb.redirectError(log.toFile());
    try {
      return new OperatorChild(pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the operator JVM", e);
    }
  }

  private void readStdout() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith(OperatorProcess.STATS_PREFIX)) {
          stats.add(line.substring(OperatorProcess.STATS_PREFIX.length()));
        }
      }
    } catch (IOException e) {
      // The child ended; stats() reports it.
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** The exit status, once the JVM has ended. */
  public java.util.OptionalInt exitCode() {
    return process.isAlive() ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(process.exitValue());
  }

  /**
   * Kills the JVM with SIGKILL, as the kernel's OOM killer or a node loss would: no shutdown hook, no graceful stop,
   * no Lease release. Waits until it is gone.
   */
  public void kill() {
    try {
      if (!process.destroyForcibly().waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the operator JVM " + process.pid() + " outlived SIGKILL for 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Asks the child for its figures now. */
  Stats stats() {
    try {
      stdin.write("stats\n");
      stdin.flush();
      String line = stats.poll(30, TimeUnit.SECONDS);
      if (line == null) {
        throw new IllegalStateException("the operator JVM did not answer 'stats' (alive: " + alive() + ")");
      }
      JsonNode n = JSON.readTree(line);
      return new Stats(n.get("cpuNanos").asLong(), n.get("heapUsed").asLong(), n.get("peakHeap").asLong(),
          n.get("rssKiB").asLong(), n.get("hwmKiB").asLong(), n.get("threads").asInt());
    } catch (IOException e) {
      throw new UncheckedIOException("the operator JVM is gone", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Stops the operator as Kubernetes would: SIGTERM, then SIGKILL after 20 s. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(20));
  }

  /**
   * SIGTERM, then SIGKILL once {@code grace} has passed, as the kubelet does with the pod's grace period.
   *
   * @return true when the JVM ended by itself within {@code grace}
   */
  public boolean stop(Duration grace) {
    process.destroy();
    try {
      if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    return false;
  }
}
