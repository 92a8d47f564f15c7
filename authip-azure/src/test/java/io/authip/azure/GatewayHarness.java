package io.authip.azure;

import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.emulator.ArmEmulator;
import io.authip.emulator.ClusterFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The ARM emulator on 127.0.0.1 and gateways configured for it exactly as a user would configure authip for a
 * custom cloud (environment variables, a CA file), with retries kept short so that fault tests run quickly.
 */
final class GatewayHarness implements AutoCloseable {

  static final String CLIENT_ID = "0d1c2b3a-4f5e-4d6c-8b7a-9e8f7a6b5c4d";

  final ArmEmulator arm;
  final Path caFile;
  final Calls calls = new Calls();

  /** What the gateway told its {@link AzureCallListener}. */
  record Call(String operation, int status, Duration duration, Map<String, String> rateLimitHeaders) {
  }

  static final class Calls implements AzureCallListener {
    final ConcurrentLinkedQueue<Call> all = new ConcurrentLinkedQueue<>();

    @Override
    public void onCall(String operation, int statusCode, Duration duration, Map<String, String> rateLimitHeaders) {
      all.add(new Call(operation, statusCode, duration, rateLimitHeaders));
    }

    long count(String operation) {
      return all.stream().filter(c -> c.operation().equals(operation)).count();
    }

    List<Integer> statuses(String operation) {
      return all.stream().filter(c -> c.operation().equals(operation)).map(Call::status).toList();
    }

    void clear() {
      all.clear();
    }
  }

  GatewayHarness(Path dir, Duration operationDuration) {
    this.arm = ArmEmulator.builder().operationDuration(operationDuration).start();
    this.caFile = dir.resolve("arm-emulator.pem");
    arm.writeCertificatePem(caFile);
  }

  /** The environment of an operator pointed at the emulator with a client secret. */
  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("AZURE_CLOUD", "Custom");
    env.put("AUTHIP_ARM_ENDPOINT", arm.baseUrl());
    env.put("AUTHIP_AUTHORITY_HOST", arm.baseUrl());
    env.put("AUTHIP_ARM_CA_FILE", caFile.toString());
    env.put("AZURE_TENANT_ID", arm.tenantId());
    env.put("AZURE_CLIENT_ID", CLIENT_ID);
    env.put("AZURE_CLIENT_SECRET", "emulator-client-secret");
    env.put("AUTHIP_AZURE_MAX_RETRIES", "2");
    env.put("AUTHIP_AZURE_RETRY_DELAY", "10ms");
    env.put("AUTHIP_AZURE_HTTP_TIMEOUT", "1s");
    env.put("AUTHIP_AZURE_MAX_RETRY_AFTER", "2s");
    return env;
  }

  AzureConfig config() {
    return AzureConfig.fromEnvironment(env());
  }

  /** A new gateway, as after a restart: its own HTTP client, credential, token and cache. */
  AzureAksGateway newGateway() {
    return AzureAksGateway.create(config(), calls);
  }

  /**
   * A new gateway that does not pace itself: for tests of how single answers are classified, where one test's 429
   * must not hold the budget of the next.
   */
  AzureAksGateway newUnpacedGateway() {
    Map<String, String> env = env();
    env.put(AzureConfig.PACING, "off");
    return AzureAksGateway.create(AzureConfig.fromEnvironment(env), calls);
  }

  static ClusterTarget target(ClusterFixture f) {
    return new ClusterTarget(f.subscription(), f.resourceGroup(), f.name());
  }

  void reset() {
    arm.clearFaults();
    arm.resetCounters();
    calls.clear();
  }

  @Override
  public void close() {
    arm.close();
  }
}
