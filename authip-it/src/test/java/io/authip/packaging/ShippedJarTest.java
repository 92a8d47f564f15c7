package io.authip.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The operator's jar is what the image ships, with write access to production clusters: it must hold no test
 * double (the ARM emulator with its token endpoint, the embedded Kubernetes API, fault injectors, the sandbox), no
 * mock server and no BouncyCastle, which only the emulator's certificate used. The sandbox's jar holds them all.
 * Failsafe runs this after both jars are packaged (paths from authip-it/pom.xml).
 */
class ShippedJarTest {

  static final Path OPERATOR_JAR = Path.of(System.getProperty("authip.operatorJar",
      Project.DIR.resolve("authip-operator/target/authip.jar").toString()));
  static final Path SANDBOX_JAR = Path.of(System.getProperty("authip.sandboxJar",
      Project.DIR.resolve("authip-sandbox/target/authip-sandbox.jar").toString()));

  /** Prefixes of entries that must never be in the operator's jar, with why. */
  static final List<String> FORBIDDEN = List.of(
      "io/authip/emulator/",                       // the ARM emulator, its identity endpoint and fault plans
      "io/authip/kubeapi/",                        // the embedded Kubernetes API and its RBAC front
      "io/authip/sandbox/",                        // the sandbox and emulator commands
      "io/fabric8/kubernetes/client/server/mock/", // fabric8's mock API server
      "io/fabric8/mockwebserver/",                 // the web server under it
      "org/bouncycastle/",                         // only the emulator's self-signed certificate needed it
      "org/junit/", "org/assertj/", "org/awaitility/",
      "io/vertx/", "io/fabric8/kubernetes/client/vertx/", // the operator's client runs on the JDK's HTTP client
      "examples/", "rbac/");                       // the sandbox's copies of deploy/

  @Test
  void theOperatorJarHoldsNoTestDoubleNoMockServerAndNoBouncyCastle() throws IOException {
    List<String> entries = entries(OPERATOR_JAR);
    for (String prefix : FORBIDDEN) {
      assertThat(entries).as("entries of %s under %s", OPERATOR_JAR, prefix)
          .noneMatch(e -> e.startsWith(prefix));
    }
    assertThat(entries).contains("io/authip/cli/Main.class", "io/authip/operator/AuthipOperator.class",
        "io/authip/azure/AzureAksGateway.class", "io/authip/policy/TargetPlanner.class",
        "io/authip/resources/ResourceSerialization.class", "io/authip/resources/ResourceReader.class", "io/authip/api/v1alpha1/AuthorizedIpPolicy.class",
        "META-INF/fabric8/authorizedippolicies.authip.io-v1.yml");
    try (JarFile jar = new JarFile(OPERATOR_JAR.toFile())) {
      Attributes main = jar.getManifest().getMainAttributes();
      assertThat(main.getValue(Attributes.Name.MAIN_CLASS)).isEqualTo("io.authip.cli.Main");
      assertThat(main.getValue(Attributes.Name.IMPLEMENTATION_VERSION)).isNotBlank();
    }
  }

  @Test
  void theSandboxJarHoldsTheTestKitAndRunsTheSandboxMain() throws IOException {
    List<String> entries = entries(SANDBOX_JAR);
    assertThat(entries).contains("io/authip/sandbox/SandboxMain.class", "io/authip/emulator/ArmEmulator.class",
        "io/authip/kubeapi/EmbeddedKubernetes.class", "io/authip/kubeapi/RbacFront.class", "io/authip/cli/Main.class",
        "rbac/rbac.yaml");
    assertThat(entries).anyMatch(e -> e.startsWith("examples/") && e.endsWith(".yaml"));
    try (JarFile jar = new JarFile(SANDBOX_JAR.toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue(Attributes.Name.MAIN_CLASS))
          .isEqualTo("io.authip.sandbox.SandboxMain");
    }
  }

  @Test
  void theOperatorJarIsMuchSmallerThanTheSandboxJar() throws IOException {
    // Not a size budget (that would break on any dependency bump), a check that the split took the weight out:
    // BouncyCastle and the mock server alone were about a fifth of the single jar.
    assertThat(Files.size(OPERATOR_JAR)).isLessThan(Files.size(SANDBOX_JAR));
  }

  static List<String> entries(Path jar) throws IOException {
    assertThat(jar).as("%s (built by `./mvnw verify` before the integration tests)", jar).isRegularFile();
    try (JarFile file = new JarFile(jar.toFile())) {
      return Collections.list(file.entries()).stream().map(ZipEntry::getName).toList();
    }
  }
}
