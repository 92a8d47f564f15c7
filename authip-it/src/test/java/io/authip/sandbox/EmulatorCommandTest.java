package io.authip.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EmulatorCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return SandboxMain.execute(java.io.InputStream.nullInputStream(), new PrintWriter(out, true), new PrintWriter(err, true),
        args);
  }

  @Test
  void checkLoadsTheShippedSeedWritesTheCertificateAndStops(@TempDir Path dir) throws Exception {
    Path seed = Path.of(System.getProperty("authip.projectDir", "."), "deploy/emulator/seed.yaml");
    Path pem = dir.resolve("arm.pem");

    int code = run("emulator", "--port", "0", "--seed", seed.toString(), "--cert-out", pem.toString(), "--check");

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .containsPattern("ARM emulator listening on https://127\\.0\\.0\\.1:\\d+")
        .contains("seeded:          21 managed clusters, 38 public IPs, 6 public IP prefixes")
        .contains(pem.toAbsolutePath().toString())
        .contains("AZURE_TENANT_ID=7d6f3a2e-4b1c-4e8a-9f00-a17b5e0c0de1");
    assertThat(Files.readString(pem)).startsWith("-----BEGIN CERTIFICATE-----");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(dir.resolve("arm.pem.p12"))) {
      trust.load(in, EmulatorCommand.TRUST_STORE_PASSWORD.toCharArray());
    }
    assertThat(trust.isCertificateEntry("authip-arm-emulator")).isTrue();
  }

  @Test
  void aBadSeedIsAnErrorNamingTheEntry(@TempDir Path dir) throws Exception {
    Path seed = dir.resolve("seed.yaml");
    Files.writeString(seed, "managedClusters:\n  - fixture: loadBalancerManagedOutbound\n    resourceGroup: rg\n"
        + "    name: aks\n    colour: blue\n");

    int code = run("emulator", "--port", "0", "--seed", seed.toString(), "--check");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("managedClusters[0]: unknown key 'colour'");
  }

  @Test
  void refusesANegativeOperationTime() {
    assertThat(run("emulator", "--operation-seconds", "-1", "--check")).isEqualTo(2);
    assertThat(err.toString()).contains("--operation-seconds must be 0..86400");
  }
}
