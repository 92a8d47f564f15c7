package io.authip.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real kubectl binary against a kubeconfig, with its own discovery cache. */
public final class Kubectl {

  public record Result(int exit, String out, String err) {
  }

  private final Path binary;
  private final Path kubeconfig;
  private final Path cacheDir;
  private final Path scratch;

  public Kubectl(Path kubeconfig, Path cacheDir, Path scratch) {
    this.binary = binary();
    this.kubeconfig = kubeconfig;
    this.cacheDir = cacheDir;
    this.scratch = scratch;
  }

  /** Fails (does not skip) when kubectl is missing: these tests exist to prove the real binary works. */
  public static Path binary() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "kubectl");
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return fail("kubectl is not on the PATH (" + System.getenv("PATH") + "): the sandbox tests drive the real "
        + "kubectl binary, v1.32 on every machine of this project; install it or put it on the PATH");
  }

  private List<String> command(String... args) {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--kubeconfig", kubeconfig.toString(),
        "--cache-dir", cacheDir.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  public Result run(String... args) {
    return run(Map.of(), args);
  }

  public Result run(Map<String, String> environment, String... args) {
    try {
      Path out = Files.createTempFile(scratch, "kubectl", ".out");
      Path err = Files.createTempFile(scratch, "kubectl", ".err");
      ProcessBuilder builder = new ProcessBuilder(command(args)).redirectOutput(out.toFile())
          .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().putAll(environment);
      Process p = builder.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("kubectl " + String.join(" ", args) + " did not finish within 60s; stderr: " + Files.readString(err));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return fail("cannot run kubectl " + String.join(" ", args), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted while running kubectl " + String.join(" ", args));
    }
  }

  /** Runs and requires exit status 0; returns stdout. */
  public String ok(String... args) {
    return ok(Map.of(), args);
  }

  public String ok(Map<String, String> environment, String... args) {
    Result r = run(environment, args);
    assertThat(r.exit()).as("kubectl %s%nstdout: %s%nstderr: %s", String.join(" ", args), r.out(), r.err())
        .isZero();
    return r.out();
  }

  /** Starts kubectl in the background with stdout and stderr in {@code output}. */
  public Process start(Path output, String... args) {
    try {
      return new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(output.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    } catch (IOException e) {
      return fail("cannot start kubectl " + String.join(" ", args), e);
    }
  }
}
