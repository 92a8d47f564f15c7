package io.authip.azure;

import static io.authip.azure.GatewayHarness.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.azure.Outcome.Failure;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.RequestKind;
import io.authip.emulator.RoleScope;
import io.authip.emulator.StaleETagAnswer;
import io.authip.policy.ApiServerAccess;
import io.authip.policy.ClusterSnapshot;
import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poll URLs that status or a header could carry, through the real SDK: only the configured endpoint is ever called,
 * and a URL that cannot be called (or whose poll Azure refuses with 401/403) is followed through the cluster's
 * provisioningState instead of leaving the change unknowable.
 */
class AzureAksGatewayPollUrlTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;
  private static final ApiServerAccess OFFICE = ApiServerAccess.restricted(
      CidrSet.of(Cidr.parse("20.30.40.0/24")), null);

  @TempDir
  static Path dir;
  static GatewayHarness h;
  static AzureAksGateway gateway;
  /** A second local listener: nothing may ever connect to it. */
  static ServerSocket bystander;
  static final AtomicInteger connections = new AtomicInteger();

  @BeforeAll
  static void start() throws IOException {
    h = new GatewayHarness(dir, Duration.ofMillis(400));
    gateway = h.newGateway();
    bystander = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread accept = new Thread(() -> {
      while (!bystander.isClosed()) {
        try (Socket s = bystander.accept()) {
          connections.incrementAndGet();
        } catch (IOException closed) {
          return;
        }
      }
    }, "bystander");
    accept.setDaemon(true);
    accept.start();
  }

  @AfterAll
  static void stop() throws IOException {
    bystander.close();
    h.close();
  }

  @BeforeEach
  void reset() {
    h.reset();
    h.arm.roleScope(RoleScope.SUBSCRIPTION);
    h.arm.staleETagAnswer(StaleETagAnswer.ALTERNATE);
  }

  private static ClusterFixture seed(String name) {
    ClusterFixture f = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-poll", name)
        .withAuthorizedIpRanges("20.1.2.3/32");
    h.arm.seed(f);
    return f;
  }

  private static <T> T ok(Outcome<T> out) {
    assertThat(out).isInstanceOf(Outcome.Ok.class);
    return ((Outcome.Ok<T>) out).value();
  }

  /** Hostile URLs built around the emulator (ARM) and the bystander's port. */
  static List<String> hostile(String armHostPort, int otherPort) {
    String other = "127.0.0.1:" + otherPort;
    String arm = "https://" + armHostPort;
    String op = "/subscriptions/" + SUB + "/providers/Microsoft.ContainerService/locations/westeurope/operations/"
        + "0b9c7f0e-1d2a-4c3b-9e8f-7a6b5c4d3e2f?api-version=2016-03-30";
    return List.of(
        arm + "#@" + other + "/p3",
        arm + "#@" + other + op,
        arm + "@" + other + op,
        "https://x@" + other + op,
        arm + "\\@" + other + op,
        arm + "\\\\@" + other + op,
        "https://" + other + op,
        "https://" + other + "/collect",
        "https://[::ffff:127.0.0.1]:" + otherPort + op,
        "https://[::1]:" + otherPort + op,
        "https://localhost:" + otherPort + op,
        "https://127.0.0.1:0" + otherPort + op,
        "HTTPS://" + other + op,
        "hTtPs://" + armHostPort + op,
        "http://" + other + op,
        "//" + other + op,
        arm + "/%2e%2e/%2e%2e" + op,
        arm + "/..//" + other + op,
        arm + "//" + other + op,
        arm + "%40" + other + op,
        arm + "%23@" + other + op,
        arm + "?@" + other + op,
        "https://127\u30020\u30020\u30021:" + otherPort + op,
        "https://127.0.0.1\uFF1A" + otherPort + op,
        arm + " @" + other + op,
        arm + "\t@" + other + op,
        arm + "\r\n@" + other + op,
        arm + op + "#@" + other,
        arm + op + "&next=https://" + other + "/",
        arm + op.replace(SUB, "6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b"),
        "https://attacker.invalid/collect");
  }

  @Test
  void noHostileUrlReachesAnyListenerAndTheClusterTellsTheState() {
    ClusterFixture f = seed("aks-hostile");
    String armHostPort = "127.0.0.1:" + h.arm.port();
    List<String> corpus = hostile(armHostPort, bystander.getLocalPort());
    for (String url : corpus) {
      Outcome<OperationStatus> out = gateway.poll(new OperationHandle(url, f.clusterId()));
      OperationStatus st = ok(out);
      assertThat(st).as(url).isInstanceOf(OperationStatus.Succeeded.class);
      assertThat(st.fallback()).as(url).startsWith("UntrustedPollUrl: ")
          .contains("status.targets[].pendingOperation.pollUrl");
    }
    assertThat(connections.get()).as("connections to the bystander").isZero();
    assertThat(h.arm.requestCount(RequestKind.OPERATION_GET)).as("operation polls at the emulator").isZero();
    assertThat(h.calls.count(AzureCallListener.OPERATION_GET)).isZero();
    assertThat(h.calls.count(AzureCallListener.CLUSTER_GET)).as("one cluster read per refused URL")
        .isEqualTo(corpus.size());
    assertThat(h.arm.requests()).allSatisfy(r -> assertThat(r.kind()).isIn(RequestKind.TOKEN, RequestKind.CLUSTER_GET));
  }

  @Test
  void aHostileUrlWithoutAClusterToFallBackToIsRefusedAndNothingIsCalled() {
    for (String url : hostile("127.0.0.1:" + h.arm.port(), bystander.getLocalPort())) {
      Outcome<OperationStatus> out = gateway.poll(new OperationHandle(url, "x"));
      assertThat(out).isInstanceOfSatisfying(Outcome.Failed.class, fail -> assertThat(fail.failure())
          .isInstanceOfSatisfying(Failure.Rejected.class, r -> assertThat(r.code()).isEqualTo("UntrustedPollUrl")));
    }
    assertThat(connections.get()).isZero();
    assertThat(h.arm.requestCounts()).isEmpty();
  }

  @Test
  void aPollUrlIsRebuiltOnTheEndpointSoAnotherSpellingOfTheHostIsNeverUsed() {
    ClusterFixture f = seed("aks-spelling");
    OperationHandle handle = ok(gateway.apply(ok(gateway.read(target(f))), OFFICE));
    assertThat(handle.pollUrl()).startsWith(h.arm.baseUrl() + "/subscriptions/").contains("&s=");
    // The same URL with the literal segments shouted: accepted, rebuilt canonical, signature still valid.
    OperationHandle shouted = new OperationHandle(handle.pollUrl().replace("/providers/", "/PROVIDERS/")
        .replace("/operations/", "/Operations/"), handle.clusterId());
    assertThat(ok(gateway.poll(shouted)).fallback()).isNull();
    assertThat(h.arm.requests()).filteredOn(r -> r.kind() == RequestKind.OPERATION_GET)
        .allSatisfy(r -> assertThat(r.path()).contains("/providers/Microsoft.ContainerService/locations/")
            .contains("/operations/"));
  }

  /** Role at resource-group scope: ARM answers 403 on the operation; the cluster's state still tells. */
  @Test
  void a403OnTheOperationFallsBackToTheClustersProvisioningState() {
    ClusterFixture f = seed("aks-403");
    OperationHandle handle = ok(gateway.apply(ok(gateway.read(target(f))), OFFICE));
    h.arm.roleScope(RoleScope.RESOURCE_GROUP);

    OperationStatus running = ok(gateway.poll(handle));
    assertThat(running).isInstanceOf(OperationStatus.InProgress.class);
    assertThat(running.fallback()).startsWith("OperationForbidden: ").contains("AuthorizationFailed",
        "subscription scope", "locations/operations/read");
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> ok(gateway.poll(handle)), st -> st instanceof OperationStatus.Succeeded);
    assertThat(h.calls.statuses(AzureCallListener.OPERATION_GET)).containsOnly(403);

    h.arm.failNextOperation(f.clusterId(), "ReconcileVMSSAgentPoolFailed", "boom");
    OperationHandle failing = ok(gateway.apply(ok(gateway.read(target(f))), ApiServerAccess.restricted(
        CidrSet.of(Cidr.parse("20.30.41.0/24")), null)));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> ok(gateway.poll(failing)), st -> !(st instanceof OperationStatus.InProgress));
    assertThat(ok(gateway.poll(failing))).isInstanceOfSatisfying(OperationStatus.Failed.class,
        st -> assertThat(st.code()).isEqualTo("Failed"));
  }

  /** The headers of a PUT answer go through the same check; the handle never carries what they chose. */
  @Test
  void putAnswerHeadersAreCheckedAndRebuiltTooElseTheClusterIsFollowed() {
    ClusterFixture f = seed("aks-headers");
    var t = target(f);
    String op = "/subscriptions/" + SUB + "/providers/Microsoft.ContainerService/locations/westeurope/operations/"
        + "0b9c7f0e-1d2a-4c3b-9e8f-7a6b5c4d3e2f?api-version=2016-03-30";
    String good = h.arm.baseUrl() + op;
    String result = good.replace("/operations/", "/operationresults/");
    String clusterUrl = h.arm.baseUrl() + "/subscriptions/" + SUB + "/resourceGroups/rg-poll/providers/"
        + "Microsoft.ContainerService/managedClusters/aks-headers?api-version=" + AzureAksGateway.CLUSTER_API_VERSION;
    for (String bad : hostile("127.0.0.1:" + h.arm.port(), bystander.getLocalPort())) {
      assertThat(gateway.operationUrl(t, bad, result)).as(bad).isEqualTo(result);
      assertThat(gateway.operationUrl(t, bad, bad)).as(bad).isEqualTo(clusterUrl);
      assertThat(gateway.operationUrl(t, good, bad)).as(bad).isEqualTo(good);
    }
    assertThat(gateway.operationUrl(t, null, null)).isEqualTo(clusterUrl);
    // The cluster URL as handle: polled through the cluster's own state, without a notice.
    assertThat(ok(gateway.poll(new OperationHandle(clusterUrl, f.clusterId())))).isEqualTo(
        new OperationStatus.Succeeded());
    assertThat(connections.get()).isZero();
  }

  @Test
  void a409EtagMismatchIsAPreconditionFailureSoTheCallerReReads() {
    ClusterFixture f = seed("aks-etag-mismatch");
    ClusterSnapshot s = ok(gateway.read(target(f)));
    h.arm.editCluster(f.clusterId(), c -> c.with("tags").put("editedBy", "portal"));
    h.arm.staleETagAnswer(StaleETagAnswer.ETAG_MISMATCH);

    Outcome<OperationHandle> out = gateway.apply(s, OFFICE);

    assertThat(out).isInstanceOfSatisfying(Outcome.Failed.class,
        fail -> assertThat(fail.failure()).isInstanceOf(Failure.PreconditionFailed.class));
    assertThat(h.calls.statuses(AzureCallListener.CLUSTER_PUT)).containsExactly(409);
    assertThat(h.arm.cluster(f.clusterId()).orElseThrow().at("/tags/editedBy").asText()).isEqualTo("portal");
  }
}
