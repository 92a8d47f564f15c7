package io.authip.sandbox;

import io.authip.emulator.ArmEmulator;
import io.authip.emulator.RangeOrder;
import io.authip.emulator.RecordedRequest;
import io.authip.emulator.SeedFile;
import io.authip.emulator.Throttling;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "emulator", mixinStandardHelpOptions = true,
    description = {"Runs the local Azure Resource Manager emulator over HTTPS on 127.0.0.1 until Ctrl-C.",
        "It serves managed clusters, public IPs, public IP prefixes and a token endpoint (docs/emulator.md).",
        "Exit status: 0 stopped, 2 usage, seed or start-up error."})
final class EmulatorCommand implements Callable<Integer> {

  static final String TRUST_STORE_PASSWORD = "emulator";

  @Spec
  CommandSpec spec;

  @Option(names = "--port", defaultValue = "8443", paramLabel = "N", description = "Port on 127.0.0.1; 0 picks a free one "
      + "(default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--seed", paramLabel = "FILE", description = "YAML or JSON seed file (e.g. deploy/emulator/seed.yaml).")
  Path seed;

  @Option(names = "--operation-seconds", defaultValue = "2", paramLabel = "S",
      description = "How long a cluster update stays InProgress, decimals allowed; 0 ends at once "
          + "(default: ${DEFAULT-VALUE}).")
  double operationSeconds;

  @Option(names = "--cert-out", paramLabel = "FILE",
      description = "Where to write the certificate (PEM); a PKCS12 trust store goes beside it as FILE.p12 "
          + "(default: a new file in the temporary directory).")
  Path certOut;

  @Option(names = "--tenant-id", defaultValue = ArmEmulator.DEFAULT_TENANT_ID, paramLabel = "ID",
      description = "Tenant the token endpoint serves (default: ${DEFAULT-VALUE}).")
  String tenantId;

  enum ThrottlingChoice { none, azure }

  @Option(names = "--throttling", defaultValue = "none", paramLabel = "MODE", description = "none, or azure: Azure's published "
      + "limits, 429 after 250 reads (+25/s) and 200 writes (+10/s) per principal and subscription, 20 PUTs (+1/min) "
      + "per cluster and 500 cluster list pages (+1/s) per subscription (default: ${DEFAULT-VALUE}).")
  ThrottlingChoice throttling;

  @Option(names = "--range-order", defaultValue = "AS_SENT", paramLabel = "ORDER", description = "How stored authorizedIPRanges are "
      + "ordered: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  RangeOrder rangeOrder;

  @Option(names = {"-v", "--verbose"}, description = "Print one line per request.")
  boolean verbose;

  @Option(names = "--check", description = "Start, load the seed, print the summary and stop at once.")
  boolean check;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (port < 0 || port > 65535) {
      err.println("authip emulator: --port must be 0..65535, got " + port);
      return 2;
    }
    if (!(operationSeconds >= 0) || operationSeconds > 86_400) {
      err.println("authip emulator: --operation-seconds must be 0..86400, got " + operationSeconds);
      return 2;
    }
    ArmEmulator.Builder builder = ArmEmulator.builder().port(port).tenantId(tenantId)
        .operationDuration(Duration.ofMillis(Math.round(operationSeconds * 1000)))
        .throttling(throttling == ThrottlingChoice.azure ? Throttling.azure() : Throttling.none())
        .rangeOrder(rangeOrder);
    if (verbose) {
      builder.requestListener(r -> err.println(trace(r)));
    }
    ArmEmulator arm;
    try {
      arm = builder.start();
    } catch (UncheckedIOException | IllegalArgumentException e) {
      err.println("authip emulator: " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      arm.close();
      stopped.countDown();
    }, "authip-emulator-shutdown");
    try {
      SeedFile.Summary summary = seed == null ? new SeedFile.Summary(0, 0, 0) : arm.seed(seed);
      Path pem = certOut != null ? certOut : Files.createTempFile("authip-emulator-", ".pem");
      Path trustStore = pem.resolveSibling(pem.getFileName() + ".p12");
      arm.writeCertificatePem(pem);
      arm.writeTrustStore(trustStore, TRUST_STORE_PASSWORD.toCharArray());
      banner(out, arm, summary, pem.toAbsolutePath(), trustStore.toAbsolutePath());
    } catch (IllegalArgumentException | IOException | UncheckedIOException e) {
      err.println("authip emulator: " + e.getMessage());
      arm.close();
      return 2;
    }
    if (check) {
      arm.close();
      return 0;
    }
    Runtime.getRuntime().addShutdownHook(hook);
    out.println("Press Ctrl-C to stop.");
    out.flush();
    stopped.await();
    return 0;
  }

  private void banner(PrintWriter out, ArmEmulator arm, SeedFile.Summary summary, Path pem, Path trustStore) {
    String url = arm.baseUrl();
    out.println("ARM emulator listening on " + url);
    out.println("  tenant ID:       " + arm.tenantId());
    out.println("  certificate:     " + pem);
    out.println("  trust store:     " + trustStore + " (PKCS12, password " + TRUST_STORE_PASSWORD + ")");
    out.println("  seeded:          " + summary.clusters() + " managed clusters, " + summary.publicIps()
        + " public IPs, " + summary.publicIpPrefixes() + " public IP prefixes");
    out.println("  operations take: " + operationSeconds + " s");
    out.println("  throttling:      " + throttling + ", stored range order: " + rangeOrder);
    out.println();
    out.println("Point authip (or any Azure SDK client) at it:");
    out.println("  cloud: custom, ARM endpoint " + url + "/ and authority host " + url + "/");
    out.println("  AZURE_TENANT_ID=" + arm.tenantId() + " AZURE_CLIENT_ID=<any> AZURE_CLIENT_SECRET=<any>");
    out.println("  JVM trust: -Djavax.net.ssl.trustStore=" + trustStore + " -Djavax.net.ssl.trustStorePassword="
        + TRUST_STORE_PASSWORD);
    out.println("Try it:");
    out.println("  TOKEN=$(curl -s --cacert " + pem + " " + url + "/" + arm.tenantId() + "/oauth2/v2.0/token \\");
    out.println("    -d grant_type=client_credentials -d client_id=me -d client_secret=x \\");
    out.println("    -d scope=https://management.core.windows.net//.default | sed 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/')");
    out.println("  curl -s --cacert " + pem + " -H \"Authorization: Bearer $TOKEN\" \\");
    out.println("    '" + url + "/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerService/"
        + "managedClusters/<name>?api-version=2025-07-01'");
    out.flush();
  }

  private static String trace(RecordedRequest r) {
    return r.at() + " " + r.method() + " " + r.path() + (r.query().isEmpty() ? "" : "?" + r.query()) + " -> "
        + (r.status() == 0 ? "connection reset" : r.status());
  }
}
