package io.authip.packaging;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds Prometheus's binaries (Debian's {@code prometheus} package: {@code /usr/bin/prometheus} and
 * {@code /usr/bin/promtool}; or {@code -Dauthip.prometheus=} / {@code -Dauthip.promtool=}). Locally, a test that needs
 * one is skipped with a message saying how to get it; in CI ({@code CI} set, as {@code .ci/run} sets it) it fails,
 * so the alerts are always proven there ({@code .ci/run} installs the package when it is missing).
 */
final class PrometheusTools {

  private PrometheusTools() {
  }

  static Path promtool() {
    return require("promtool");
  }

  static Path prometheus() {
    return require("prometheus");
  }

  static Path require(String name) {
    Optional<Path> found = find(name);
    if (found.isPresent()) {
      return found.get();
    }
    String why = name + " not found (neither -Dauthip." + name + " nor on the PATH): install Debian's prometheus "
        + "package (sudo apt-get install prometheus), which brings prometheus and promtool";
    if (System.getenv("CI") != null) {
      fail(why + "; in CI this test must run (.ci/run installs the package)");
    }
    Assumptions.abort(why + "; skipped locally, always run in CI");
    throw new AssertionError("unreachable");
  }

  static Optional<Path> find(String name) {
    String explicit = System.getProperty("authip." + name, "");
    if (!explicit.isBlank()) {
      return Optional.of(Path.of(explicit)).filter(Files::isExecutable);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path candidate = Path.of(dir).resolve(name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
