package io.authip.packaging;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real `kubectl kustomize` (offline; it never contacts a cluster). */
final class Kubectl {

  /** Another binary can be named with -Dauthip.kubectl=/path/to/kubectl. */
  static final String BINARY = System.getProperty("authip.kubectl", "kubectl");

  private Kubectl() {}

  static Manifests kustomize(Path dir) {
    return Manifests.parse(run(List.of(BINARY, "kustomize", dir.toString())));
  }

  private static String run(List<String> command) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("kubectl", ".out");
      err = Files.createTempFile("kubectl", ".err");
      Process process;
      try {
        process = new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
      } catch (IOException e) {
        return fail("the kustomize tests need kubectl (1.14 or newer, for `kubectl kustomize`) on the PATH, or "
            + "-Dauthip.kubectl=/path/to/kubectl; could not start '%s': %s", BINARY, e.getMessage());
      }
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return fail("%s did not finish within 60 s", String.join(" ", command));
      }
      if (process.exitValue() != 0) {
        return fail("%s exited with %d: %s", String.join(" ", command), process.exitValue(), Files.readString(err));
      }
      return Files.readString(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    } finally {
      for (Path file : new Path[] {out, err}) {
        if (file != null) {
          file.toFile().delete();
        }
      }
    }
  }
}
