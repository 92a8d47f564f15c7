package io.authip.azure;

import static io.authip.azure.GatewayHarness.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.azure.Outcome.Failure;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.Fault;
import io.authip.emulator.FaultTarget;
import io.authip.emulator.RequestKind;
import io.authip.policy.ApiServerAccess;
import io.authip.policy.ClusterSnapshot;
import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fault the emulator can inject maps to its typed outcome, with the SDK's retries bounded. The harness
 * configures 2 retries 10 ms apart, a 1 s HTTP timeout and a 2 s longest Retry-After.
 */
class AzureAksGatewayFaultsTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;
  private static final ApiServerAccess OFFICE = ApiServerAccess.restricted(CidrSet.of(Cidr.parse("20.30.40.0/24")),
      null);

  @TempDir
  static Path dir;
  static GatewayHarness h;
  static AzureAksGateway gateway;
  static ClusterFixture cluster;

  @BeforeAll
  static void start() {
    h = new GatewayHarness(dir, Duration.ofMillis(200));
    gateway = h.newUnpacedGateway();
    cluster = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-faults", "aks-faults");
    h.arm.seed(cluster);
    assertThat(gateway.read(target(cluster)).isOk()).as("warm up: token, connection, classes").isTrue();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @BeforeEach
  void reset() {
    h.reset();
  }

  private static FaultTarget clusterGets() {
    return FaultTarget.resource(cluster.clusterId()).method("GET");
  }

  private static FaultTarget clusterPuts() {
    return FaultTarget.resource(cluster.clusterId()).method("PUT");
  }

  private static int clusterRequests(String method) {
    return h.arm.requestCount(cluster.clusterId(), method);
  }

  /** The outcome and how long it took. */
  private record Timed<T>(Outcome<T> outcome, Duration took) {
    Failure failure() {
      assertThat(outcome).isInstanceOf(Outcome.Failed.class);
      return ((Outcome.Failed<T>) outcome).failure();
    }
  }

  private static <T> Timed<T> timed(Supplier<Outcome<T>> call) {
    long start = System.nanoTime();
    Outcome<T> out = call.get();
    return new Timed<>(out, Duration.ofNanos(System.nanoTime() - start));
  }

  private static Outcome<ClusterSnapshot> read() {
    return gateway.read(target(cluster));
  }

  /** Reads the cluster once an earlier test's operation on it is over, then applies; only the apply is counted. */
  private static Outcome<OperationHandle> apply() {
    await().atMost(Duration.ofSeconds(5)).until(() -> "Succeeded".equals(
        h.arm.cluster(cluster.clusterId()).orElseThrow().at("/properties/provisioningState").asText()));
    Outcome<ClusterSnapshot> s = gateway.read(target(cluster));
    assertThat(s.isOk()).isTrue();
    h.arm.resetCounters();
    h.calls.clear();
    return gateway.apply(((Outcome.Ok<ClusterSnapshot>) s).value(), OFFICE);
  }

  @Test
  void aLongRetryAfterIsThrottledAtOnceWithoutSleeping() {
    h.arm.injectFault(clusterGets(), Fault.throttled(60), 5);
    Timed<ClusterSnapshot> t = timed(AzureAksGatewayFaultsTest::read);
    assertThat(t.failure()).isInstanceOfSatisfying(Failure.Throttled.class,
        f -> assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(60)));
    assertThat(clusterRequests("GET")).isEqualTo(1);
    assertThat(t.took()).isLessThan(Duration.ofSeconds(2));
    assertThat(h.calls.statuses(AzureCallListener.CLUSTER_GET)).containsExactly(429);
  }

  @Test
  void aShortRetryAfterIsWaitedForInsideTheSdk() {
    h.arm.injectFault(clusterGets(), Fault.throttled(1), 1);
    Timed<ClusterSnapshot> t = timed(AzureAksGatewayFaultsTest::read);
    assertThat(t.outcome().isOk()).isTrue();
    assertThat(clusterRequests("GET")).isEqualTo(2);
    assertThat(t.took()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(h.calls.statuses(AzureCallListener.CLUSTER_GET)).containsExactly(429, 200);
  }

  @Test
  void aThrottledPutIsThrottled() {
    h.arm.injectFault(clusterPuts(), Fault.throttled(30), 1);
    Outcome<OperationHandle> out = apply();
    assertThat(out).isInstanceOfSatisfying(Outcome.Failed.class, f -> assertThat(f.failure())
        .isEqualTo(new Failure.Throttled(Duration.ofSeconds(30), f.failure().message())));
    assertThat(clusterRequests("PUT")).isEqualTo(1);
  }

  @Test
  void operationNotAllowedIsBusy() {
    h.arm.injectFault(clusterPuts(), Fault.operationNotAllowed(), 1);
    assertThat(((Outcome.Failed<?>) apply()).failure()).isInstanceOfSatisfying(Failure.Busy.class,
        f -> assertThat(f.message()).contains("OperationNotAllowed"));
    assertThat(clusterRequests("PUT")).isEqualTo(1);
  }

  @Test
  void preconditionFailedIsPreconditionFailed() {
    h.arm.injectFault(clusterPuts(), Fault.preconditionFailed(), 1);
    assertThat(((Outcome.Failed<?>) apply()).failure()).isInstanceOf(Failure.PreconditionFailed.class);
    assertThat(clusterRequests("PUT")).isEqualTo(1);
  }

  @Test
  void aBadRequestIsRejectedWithTheServicesCodeAndMessage() {
    h.arm.injectFault(clusterPuts(), Fault.status(400, "InvalidParameter", "The value of parameter x is invalid."),
        1);
    assertThat(((Outcome.Failed<?>) apply()).failure()).isInstanceOfSatisfying(Failure.Rejected.class, f -> {
      assertThat(f.code()).isEqualTo("InvalidParameter");
      assertThat(f.message()).contains("The value of parameter x is invalid.");
    });
    assertThat(clusterRequests("PUT")).isEqualTo(1);
  }

  @Test
  void forbiddenIsForbidden() {
    h.arm.injectFault(clusterGets(), Fault.status(403, "AuthorizationFailed", "The client does not have "
        + "authorization to perform action 'Microsoft.ContainerService/managedClusters/read'."), 1);
    assertThat(((Outcome.Failed<?>) read()).failure()).isInstanceOfSatisfying(Failure.Forbidden.class,
        f -> assertThat(f.message()).contains("managedClusters/read"));
    assertThat(clusterRequests("GET")).isEqualTo(1);
  }

  @Test
  void aServerErrorIsRetriedQuickly() {
    h.arm.injectFault(clusterGets(), Fault.internalServerError(), 1);
    assertThat(read().isOk()).isTrue();
    assertThat(h.calls.statuses(AzureCallListener.CLUSTER_GET)).containsExactly(500, 200);
  }

  @Test
  void persistentServerErrorsAreTransientAfterTheBoundedRetries() {
    h.arm.injectFault(clusterGets(), Fault.internalServerError(), 10);
    assertThat(((Outcome.Failed<?>) read()).failure()).isInstanceOf(Failure.Transient.class);
    assertThat(clusterRequests("GET")).isEqualTo(3);
  }

  @Test
  void aRetryAfterOnA503IsNotSleptOn() {
    h.arm.injectFault(clusterGets(), Fault.serviceUnavailable(30), 1);
    Timed<ClusterSnapshot> t = timed(AzureAksGatewayFaultsTest::read);
    assertThat(t.outcome().isOk()).isTrue();
    assertThat(t.took()).isLessThan(Duration.ofSeconds(3));
    assertThat(clusterRequests("GET")).isEqualTo(2);
  }

  @Test
  void aConnectionResetIsRetriedThenTransient() {
    h.arm.injectFault(clusterGets(), Fault.connectionReset(), 1);
    assertThat(read().isOk()).isTrue();
    assertThat(h.calls.statuses(AzureCallListener.CLUSTER_GET)).containsExactly(0, 200);

    h.reset();
    h.arm.injectFault(clusterGets(), Fault.connectionReset(), 10);
    assertThat(((Outcome.Failed<?>) read()).failure()).isInstanceOf(Failure.Transient.class);
    assertThat(h.calls.statuses(AzureCallListener.CLUSTER_GET)).containsExactly(0, 0, 0);
  }

  @Test
  void aSlowAnswerWithinTheTimeoutIsFine() {
    h.arm.injectFault(clusterGets(), Fault.delay(Duration.ofMillis(150)), 1);
    assertThat(read().isOk()).isTrue();
    assertThat(clusterRequests("GET")).isEqualTo(1);
  }

  @Test
  void anAnswerThatNeverComesInTimeIsTransient() {
    h.arm.injectFault(clusterGets(), Fault.delay(Duration.ofSeconds(3)), 3);
    Timed<ClusterSnapshot> t = timed(AzureAksGatewayFaultsTest::read);
    assertThat(t.failure()).isInstanceOf(Failure.Transient.class);
    assertThat(t.took()).isLessThan(Duration.ofSeconds(6));
    assertThat(h.calls.statuses(AzureCallListener.CLUSTER_GET)).containsExactly(0, 0, 0);
    // The emulator still answers the abandoned requests when their delay ends (and counts them only then): let
    // that happen here, not during a later test.
    await().atMost(Duration.ofSeconds(15)).until(() -> clusterRequests("GET") == 3);
  }

  @Test
  void faultsOnThePutAreRetriedOnlyWhereSafe() {
    // A 500 on the PUT is retried with the same If-Match: if the first attempt had been applied, the retry would
    // get 412, never overwrite anything.
    h.arm.injectFault(clusterPuts(), Fault.internalServerError(), 1);
    assertThat(apply().isOk()).isTrue();
    assertThat(h.calls.statuses(AzureCallListener.CLUSTER_PUT)).containsExactly(500, 200);
  }

  @Test
  void faultsWhilePollingAreTyped() {
    Outcome<OperationHandle> started = apply();
    assertThat(started.isOk()).isTrue();
    OperationHandle handle = ((Outcome.Ok<OperationHandle>) started).value();
    h.arm.injectFault(FaultTarget.resource(handle.pollUrl()), Fault.throttled(120), 1);
    assertThat(((Outcome.Failed<?>) gateway.poll(handle)).failure()).isInstanceOf(Failure.Throttled.class);
    h.arm.injectFault(FaultTarget.resource(handle.pollUrl()), Fault.serviceUnavailable(-1), 10);
    assertThat(((Outcome.Failed<?>) gateway.poll(handle)).failure()).isInstanceOf(Failure.Transient.class);
    h.arm.clearFaults();
    assertThat(gateway.poll(handle).isOk()).isTrue();
  }

  @Test
  void faultsOnAddressLookupsAreTypedAndNotCached() {
    String ip = cluster.publicIps().keySet().iterator().next();
    h.arm.injectFault(FaultTarget.resource(ip), Fault.throttled(45), 1);
    AzureAksGateway fresh = h.newUnpacedGateway();
    assertThat(((Outcome.Failed<?>) fresh.resolve(List.of(ip))).failure()).isInstanceOf(Failure.Throttled.class);
    Outcome<Map<String, Cidr>> again = fresh.resolve(List.of(ip));
    assertThat(again.isOk()).isTrue();
    assertThat(h.calls.statuses(AzureCallListener.PUBLIC_IP_GET)).containsExactly(429, 200);
  }

  @Test
  void aRefusedTokenIsForbiddenAndNothingReachesArm() {
    h.arm.injectFault(FaultTarget.kind(RequestKind.TOKEN), Fault.status(401, "invalid_client",
        "AADSTS7000215: Invalid client secret provided."), 10);
    AzureAksGateway fresh = h.newUnpacedGateway();
    Outcome<ClusterSnapshot> out = fresh.read(target(cluster));
    assertThat(out).isInstanceOfSatisfying(Outcome.Failed.class,
        f -> assertThat(f.failure()).isInstanceOf(Failure.Forbidden.class));
    assertThat(clusterRequests("GET")).isZero();
    assertThat(h.arm.requestCount(RequestKind.TOKEN)).isPositive();
  }

  @Test
  void aTokenEndpointHiccupIsRetriedWithTheSameBoundedPolicy() {
    h.arm.injectFault(FaultTarget.kind(RequestKind.TOKEN), Fault.serviceUnavailable(-1), 1);
    AzureAksGateway fresh = h.newUnpacedGateway();
    assertThat(fresh.read(target(cluster)).isOk()).isTrue();
    assertThat(h.arm.requestCount(RequestKind.TOKEN)).isEqualTo(2);
  }
}
