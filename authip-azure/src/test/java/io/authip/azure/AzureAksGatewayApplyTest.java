package io.authip.azure;

import static io.authip.azure.GatewayHarness.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.azure.Outcome.Failure;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.RecordedRequest;
import io.authip.emulator.RequestKind;
import io.authip.policy.ApiServerAccess;
import io.authip.policy.ClusterSnapshot;
import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** apply and poll through the real SDK over HTTPS against the ARM emulator. */
class AzureAksGatewayApplyTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;
  private static final ApiServerAccess OFFICE = ApiServerAccess.restricted(
      CidrSet.of(Cidr.parse("20.30.40.0/24"), Cidr.parse("52.1.2.3/32")), null);

  @TempDir
  static Path dir;
  static GatewayHarness h;
  static AzureAksGateway gateway;

  @BeforeAll
  static void start() {
    h = new GatewayHarness(dir, Duration.ofMillis(600));
    gateway = h.newGateway();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @BeforeEach
  void reset() {
    h.reset();
  }

  private static ClusterFixture seed(String name) {
    ClusterFixture f = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-apply", name)
        .withAuthorizedIpRanges("20.1.2.3/32");
    h.arm.seed(f);
    return f;
  }

  private static ClusterSnapshot read(ClusterFixture f) {
    return ((Outcome.Ok<ClusterSnapshot>) gateway.read(target(f))).value();
  }

  private static <T> T ok(Outcome<T> out) {
    assertThat(out).isInstanceOf(Outcome.Ok.class);
    return ((Outcome.Ok<T>) out).value();
  }

  private static Failure failure(Outcome<?> out) {
    assertThat(out).isInstanceOf(Outcome.Failed.class);
    return ((Outcome.Failed<?>) out).failure();
  }

  private static List<RecordedRequest> puts(ClusterFixture f) {
    return h.arm.requests().stream()
        .filter(r -> r.kind() == RequestKind.CLUSTER_PUT && r.resourceKey().equalsIgnoreCase(f.clusterId()))
        .toList();
  }

  private static ObjectNode withoutRanges(JsonNode cluster) {
    ObjectNode copy = cluster.deepCopy();
    ((ObjectNode) copy.at("/properties/apiServerAccessProfile")).remove("authorizedIPRanges");
    return copy;
  }

  @Test
  void changesOnlyTheRangesWithIfMatchAndASecondGatewayPollsItToTheEnd() {
    ClusterFixture f = seed("aks-one-field");
    ClusterSnapshot s = read(f);
    ObjectNode asRead = h.arm.cluster(f.clusterId()).orElseThrow();

    OperationHandle handle = ok(gateway.apply(s, OFFICE));

    ObjectNode sent = h.arm.lastPutBody(f.clusterId()).orElseThrow();
    assertThat(sent.at("/properties/apiServerAccessProfile/authorizedIPRanges").toString())
        .isEqualTo("[\"20.30.40.0/24\",\"52.1.2.3/32\"]");
    assertThat(withoutRanges(sent)).as("every other field goes back exactly as read").isEqualTo(withoutRanges(asRead));
    assertThat(sent.at("/properties/futureProfile/modes/1").asText()).as("a field the SDK model does not know")
        .isEqualTo("Managed");
    assertThat(sent.get("futureTopLevelField").asText()).isEqualTo("kept");
    assertThat(asRead.at("/properties/apiServerAccessProfile/authorizedIPRanges").toString())
        .isEqualTo("[\"20.1.2.3/32\"]");
    assertThat(puts(f)).singleElement().satisfies(put -> assertThat(put.header("If-Match")).contains(s.eTag()));
    assertThat(handle.clusterId()).isEqualTo(s.clusterId());
    assertThat(handle.pollUrl()).startsWith(h.arm.baseUrl() + "/subscriptions/");

    // A restarted operator: new gateway, new HTTP client, new token; only the stored handle survives.
    AzureAksGateway afterRestart = h.newGateway();
    assertThat(ok(afterRestart.poll(handle))).as("apply returned without waiting")
        .isEqualTo(new OperationStatus.InProgress());
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> ok(afterRestart.poll(handle)), st -> st instanceof OperationStatus.Succeeded);

    ClusterSnapshot after = ok(afterRestart.read(target(f)));
    assertThat(after.access()).isEqualTo(OFFICE);
    assertThat(after.provisioningState()).isEqualTo("Succeeded");
    assertThat(after.eTag()).isNotEqualTo(s.eTag());
    assertThat(h.calls.statuses(AzureCallListener.CLUSTER_PUT)).containsExactly(200);
    assertThat(h.calls.count(AzureCallListener.OPERATION_GET)).isGreaterThanOrEqualTo(2);
  }

  @Test
  void unrestrictedAndLoadBalancerOnlyAreSentAsAksEncodesThem() {
    ClusterFixture f = seed("aks-encodings");
    OperationHandle first = ok(gateway.apply(read(f), ApiServerAccess.LOAD_BALANCER_ONLY));
    assertThat(h.arm.lastPutBody(f.clusterId()).orElseThrow()
        .at("/properties/apiServerAccessProfile/authorizedIPRanges").toString()).isEqualTo("[\"0.0.0.0/32\"]");
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> ok(gateway.poll(first)), st -> st instanceof OperationStatus.Succeeded);

    ok(gateway.apply(read(f), ApiServerAccess.UNRESTRICTED));
    assertThat(h.arm.lastPutBody(f.clusterId()).orElseThrow()
        .at("/properties/apiServerAccessProfile/authorizedIPRanges").toString()).isEqualTo("[]");
  }

  @Test
  void createsTheAccessProfileWhenTheClusterHasNone() {
    ClusterFixture f = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-apply", "aks-no-profile")
        .withEdit(body -> ((ObjectNode) body.get("properties")).remove("apiServerAccessProfile"));
    h.arm.seed(f);
    ObjectNode asRead = h.arm.cluster(f.clusterId()).orElseThrow();
    assertThat(asRead.at("/properties/apiServerAccessProfile").isMissingNode()).isTrue();
    ok(gateway.apply(read(f), OFFICE));
    ObjectNode sent = h.arm.lastPutBody(f.clusterId()).orElseThrow();
    assertThat(sent.at("/properties/apiServerAccessProfile").toString())
        .isEqualTo("{\"authorizedIPRanges\":[\"20.30.40.0/24\",\"52.1.2.3/32\"]}");
    ((ObjectNode) sent.get("properties")).remove("apiServerAccessProfile");
    assertThat(sent).isEqualTo(asRead);
  }

  @Test
  void anEmptyRestrictedListIsRefusedWithoutCallingAzure() {
    ClusterFixture f = seed("aks-empty-restricted");
    ClusterSnapshot s = read(f);
    h.reset();
    Failure fail = failure(gateway.apply(s, ApiServerAccess.restricted(CidrSet.empty(), null)));
    assertThat(fail).isInstanceOfSatisfying(Failure.Rejected.class,
        r -> assertThat(r.code()).isEqualTo("EmptyAuthorizedRanges"));
    assertThat(h.calls.all).isEmpty();
    assertThat(h.arm.requestCounts()).isEmpty();
  }

  @Test
  void aClusterReadWhileAnotherOperationRunsIsBusyWithoutCallingAzure() {
    ClusterFixture f = seed("aks-busy");
    h.arm.beginExternalOperation(f.clusterId(), Duration.ofSeconds(30));
    ClusterSnapshot s = read(f);
    assertThat(s.provisioningState()).isEqualTo("Updating");
    h.reset();
    assertThat(failure(gateway.apply(s, OFFICE))).isInstanceOf(Failure.Busy.class);
    assertThat(h.arm.requestCounts()).isEmpty();
  }

  /** apply() sends back the body read() returned: a change since then is refused by If-Match, never overwritten. */
  @Test
  void aChangeSinceTheReadIsAPreconditionFailureAndTheStaleBodyIsNotWritten() {
    ClusterFixture f = seed("aks-stale");
    ClusterSnapshot s = read(f);
    h.arm.editCluster(f.clusterId(), body -> ((ObjectNode) body.get("tags")).put("changedBy", "portal"));
    h.reset();
    Failure fail = failure(gateway.apply(s, OFFICE));
    assertThat(fail).isInstanceOf(Failure.PreconditionFailed.class);
    assertThat(h.arm.requestCount(f.clusterId(), "GET")).as("the body came with the snapshot").isZero();
    assertThat(puts(f)).singleElement().satisfies(put -> {
      assertThat(put.status()).isEqualTo(412);
      assertThat(put.header("If-Match")).contains(s.eTag());
    });
    ObjectNode now = h.arm.cluster(f.clusterId()).orElseThrow();
    assertThat(now.at("/tags/changedBy").asText()).isEqualTo("portal");
    assertThat(now.at("/properties/apiServerAccessProfile/authorizedIPRanges").toString())
        .isEqualTo("[\"20.1.2.3/32\"]");
  }

  /** Someone edits the cluster in the portal between our GET and our PUT: their change wins, ours is refused. */
  @Test
  void aConcurrentChangeIsNeverOverwritten() {
    ClusterFixture f = seed("aks-race");
    // The GET is read()'s: apply() sends back the body that read returned.
    h.arm.mutateAfterNextGet(f.clusterId(), body -> {
      ((ObjectNode) body.get("tags")).put("changedBy", "portal");
      ((ObjectNode) body.at("/properties/autoUpgradeProfile")).put("upgradeChannel", "stable");
    });
    ClusterSnapshot s = read(f);
    Failure fail = failure(gateway.apply(s, OFFICE));
    assertThat(fail).isInstanceOf(Failure.PreconditionFailed.class);
    assertThat(puts(f)).singleElement().satisfies(put -> {
      assertThat(put.status()).isEqualTo(412);
      assertThat(put.header("If-Match")).contains(s.eTag());
    });
    ObjectNode now = h.arm.cluster(f.clusterId()).orElseThrow();
    assertThat(now.at("/tags/changedBy").asText()).isEqualTo("portal");
    assertThat(now.at("/properties/autoUpgradeProfile/upgradeChannel").asText()).isEqualTo("stable");
    assertThat(now.at("/properties/apiServerAccessProfile/authorizedIPRanges").toString())
        .isEqualTo("[\"20.1.2.3/32\"]");
  }

  @Test
  void theServicesValidationComesBackAsRejected() {
    ClusterFixture f = ClusterFixture.privateCluster(SUB, "rg-apply", "aks-private");
    h.arm.seed(f);
    Failure fail = failure(gateway.apply(read(f), OFFICE));
    assertThat(fail).isInstanceOf(Failure.Rejected.class);
    assertThat(((Failure.Rejected) fail).code()).isNotBlank();

    ClusterFixture g = seed("aks-too-many");
    List<Cidr> many = new ArrayList<>();
    for (int i = 0; i < 201; i++) {
      many.add(Cidr.host((20L << 24) + 2L * i));
    }
    Failure tooMany = failure(gateway.apply(read(g), ApiServerAccess.restricted(CidrSet.of(many), null)));
    assertThat(tooMany).isInstanceOfSatisfying(Failure.Rejected.class,
        r -> assertThat(r.message()).contains("200"));
  }

  @Test
  void operationsThatFailOrAreCanceledAreReportedWithTheirCode() {
    ClusterFixture f = seed("aks-op-failed");
    h.arm.failNextOperation(f.clusterId(), "ReconcileAgentPoolError", "the agent pool could not be updated");
    OperationHandle failed = ok(gateway.apply(read(f), OFFICE));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> ok(gateway.poll(failed)), st -> !(st instanceof OperationStatus.InProgress));
    assertThat(ok(gateway.poll(failed))).isEqualTo(new OperationStatus.Failed("ReconcileAgentPoolError",
        "the agent pool could not be updated"));

    ClusterFixture g = seed("aks-op-canceled");
    h.arm.cancelNextOperation(g.clusterId());
    OperationHandle canceled = ok(gateway.apply(read(g), OFFICE));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> ok(gateway.poll(canceled)), st -> !(st instanceof OperationStatus.InProgress));
    assertThat(ok(gateway.poll(canceled))).isInstanceOfSatisfying(OperationStatus.Failed.class,
        st -> assertThat(st.code()).isEqualTo("Canceled"));
  }

  @Test
  void aPollUrlOffTheArmEndpointNeverGetsAToken() {
    Failure fail = failure(gateway.poll(new OperationHandle("https://attacker.example/steal?api-version=1", "x")));
    assertThat(fail).isInstanceOfSatisfying(Failure.Rejected.class,
        r -> assertThat(r.code()).isEqualTo("UntrustedPollUrl"));
    Failure plain = failure(gateway.poll(new OperationHandle(h.arm.baseUrl().replace("https", "http") + "/x", "x")));
    assertThat(plain).isInstanceOf(Failure.Rejected.class);
    assertThat(h.calls.all).isEmpty();
    assertThat(h.arm.requestCounts()).isEmpty();
  }

  /** ARM may give only a Location URL: 202 while running, 204 at the end. */
  @Test
  void aLocationUrlIsPolledToo() {
    ClusterFixture f = seed("aks-location");
    OperationHandle handle = ok(gateway.apply(read(f), OFFICE));
    String path = handle.pollUrl().substring(h.arm.baseUrl().length(), handle.pollUrl().indexOf('?'));
    OperationHandle location = new OperationHandle(h.arm.signedUrl(path.replace("/operations/", "/operationresults/")),
        handle.clusterId());
    assertThat(ok(gateway.poll(location))).isEqualTo(new OperationStatus.InProgress());
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> ok(gateway.poll(location)), st -> st instanceof OperationStatus.Succeeded);
    assertThat(h.calls.statuses(AzureCallListener.OPERATION_GET)).startsWith(202).endsWith(204);
    assertThat(h.calls.count(AzureCallListener.CLUSTER_GET)).as("no fallback to the cluster was needed").isEqualTo(1);
  }

  /** Rewriting a signed URL (here: operations to operationresults) breaks its signature, as at ARM. */
  @Test
  void anEditedOperationUrlIsRefusedByTheEmulatorAndTheClusterTellsInstead() {
    ClusterFixture f = seed("aks-edited-url");
    OperationHandle handle = ok(gateway.apply(read(f), OFFICE));
    OperationHandle edited = new OperationHandle(handle.pollUrl().replace("/operations/", "/operationresults/"),
        handle.clusterId());
    h.calls.clear();
    OperationStatus st = ok(gateway.poll(edited));
    assertThat(st).isInstanceOf(OperationStatus.InProgress.class);
    assertThat(st.fallback()).startsWith("OperationUnauthenticated").contains("AuthenticationFailed", "signature");
    assertThat(h.calls.statuses(AzureCallListener.OPERATION_GET)).containsExactly(401);
    assertThat(h.calls.statuses(AzureCallListener.CLUSTER_GET)).containsExactly(200);
  }

  @Test
  void anUnknownOperationIsNotFound() {
    String url = h.arm.signedUrl("/subscriptions/" + SUB + "/providers/Microsoft.ContainerService/locations/"
        + "westeurope/operations/00000000-0000-0000-0000-000000000000");
    String cluster = "/subscriptions/" + SUB + "/resourceGroups/rg-apply/providers/Microsoft.ContainerService/"
        + "managedClusters/aks-none";
    assertThat(failure(gateway.poll(new OperationHandle(url, cluster)))).isInstanceOf(Failure.NotFound.class);
  }
}
