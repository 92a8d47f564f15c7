package io.authip.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code authip sandbox} as a process, from the packaged jar: where its examples come from and what it leaves. */
class SandboxProcessTest {

  static final Path ROOT = Path.of(System.getProperty("authip.projectDir", ".")).toAbsolutePath().normalize();
  static final Path JAR = Path.of(System.getProperty("authip.sandboxJar",
      ROOT.resolve("authip-sandbox/target/authip-sandbox.jar").toString()));
  static final Pattern TEMP = Pattern.compile("The temporary folder (\\S+) is removed on exit\\.");

  @TempDir
  Path dir;

  /** A child JVM running the sandbox's jar from a working directory outside the checkout, output collected. */
  final class Child {
    final Process process;
    final StringBuffer output = new StringBuffer();

    Child(String... args) throws IOException {
      Path tmp = Files.createDirectories(dir.resolve("tmp"));
      List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
          .toString(), "-Djava.io.tmpdir=" + tmp, "-jar", JAR.toString()));
      command.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(command).directory(Files.createDirectories(dir.resolve("cwd")).toFile())
          .redirectErrorStream(true);
      pb.environment().remove("KUBECONFIG");
      process = pb.start();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            output.append(line).append('\n');
          }
        } catch (IOException e) {
          output.append("(reading failed: ").append(e).append(")\n");
        }
      }, "sandbox-child-output");
      reader.setDaemon(true);
      reader.start();
    }

    Path tempFolder() {
      Matcher m = TEMP.matcher(output);
      assertThat(m.find()).as(output.toString()).isTrue();
      return Path.of(m.group(1));
    }

    int waitFor() throws InterruptedException {
      if (!process.waitFor(180, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("the sandbox did not exit:\n" + output);
      }
      return process.exitValue();
    }
  }

  private List<Path> sandboxFolders() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("tmp"))) {
      return s.filter(p -> p.getFileName().toString().startsWith("authip-sandbox")).toList();
    }
  }

  @Test
  void onceAppliesTheCheckoutsExamplesFoundFromTheJarAndRemovesItsTemporaryFolder() throws Exception {
    Child child = new Child("sandbox", "--once", "--operation-seconds", "0.5", "--timeout", "150");

    int code = child.waitFor();

    System.out.println(child.output);
    assertThat(code).as(child.output.toString()).isZero();
    // The working directory is outside the checkout; the jar is in it, so its deploy/examples are used as on disk.
    assertThat(child.output.toString()).contains("applying the example policies from "
        + ROOT.resolve("deploy/examples") + " (from the checkout, as on disk)");
    assertThat(child.output.toString()).contains("platform/production", "InSync").doesNotContain("\u001b[");
    Path temp = child.tempFolder();
    assertThat(temp).doesNotExist();
    assertThat(sandboxFolders()).isEmpty();
  }

  @Test
  void sigtermRemovesTheTemporaryFolderToo() throws Exception {
    Child child = new Child("sandbox", "--no-operator");
    await().atMost(Duration.ofSeconds(120)).until(() -> child.output.toString().contains("./authip run"));
    Path temp = child.tempFolder();
    assertThat(temp.resolve("kubeconfig")).exists();

    child.process.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the JVM runs its shutdown hooks
    child.waitFor();

    assertThat(temp).as(child.output.toString()).doesNotExist();
    assertThat(sandboxFolders()).isEmpty();
  }
}
