package io.authip.azure;

import static io.authip.azure.GatewayHarness.target;
import static org.assertj.core.api.Assertions.assertThat;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.azure.Outcome.Failure;
import io.authip.emulator.ClusterFixture.Kind;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.Fault;
import io.authip.emulator.FaultTarget;
import io.authip.emulator.RequestKind;
import io.authip.policy.ClusterSnapshot;
import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** read and resolve through the real SDK over HTTPS against the ARM emulator. */
class AzureAksGatewayReadTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;

  @TempDir
  static Path dir;
  static GatewayHarness h;
  static AzureAksGateway gateway;

  @BeforeAll
  static void start() {
    h = new GatewayHarness(dir, Duration.ZERO);
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

  private static ClusterSnapshot read(ClusterFixture f) {
    Outcome<ClusterSnapshot> out = gateway.read(target(f));
    assertThat(out).isInstanceOf(Outcome.Ok.class);
    return ((Outcome.Ok<ClusterSnapshot>) out).value();
  }

  private static List<String> egressIds(ClusterSnapshot s) {
    List<String> ids = new ArrayList<>();
    ids.addAll(s.lbEffectiveOutboundIpIds());
    ids.addAll(s.lbOutboundIpIds());
    ids.addAll(s.lbOutboundIpPrefixIds());
    ids.addAll(s.natGatewayEffectiveOutboundIpIds());
    s.agentPools().stream().filter(p -> p.nodePublicIpPrefixId() != null).forEach(p -> ids.add(p.nodePublicIpPrefixId()));
    return ids;
  }

  @Test
  void readsApiServerVnetIntegration() {
    ClusterFixture plain = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-read", "aks-plain");
    ClusterFixture vnet = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-read", "aks-vnet").withVnetIntegration();
    h.arm.seed(plain);
    h.arm.seed(vnet);
    assertThat(read(plain).vnetIntegration()).isFalse();
    assertThat(read(vnet).vnetIntegration()).isTrue();
  }

  /** The shapes whose egress is on the cluster itself (the others': AzureAksGatewayEgressPathTest). */
  @ParameterizedTest
  @EnumSource(value = Kind.class, mode = EnumSource.Mode.EXCLUDE,
      names = {"USER_ASSIGNED_NAT_GATEWAY", "USER_DEFINED_ROUTING_FIREWALL", "USER_DEFINED_ROUTING_APPLIANCE"})
  void readsAndResolvesEveryShapeOfCluster(Kind kind) {
    ClusterFixture f = ClusterFixture.of(kind, SUB, "rg-read", "aks-" + kind.name().toLowerCase().replace('_', '-'));
    h.arm.seed(f);

    ClusterSnapshot s = read(f);
    assertThat(s.clusterId()).isEqualToIgnoringCase(f.clusterId());
    assertThat(s.eTag()).isEqualTo(h.arm.eTag(f.clusterId()));
    assertThat(s.provisioningState()).isEqualTo("Succeeded");
    assertThat(s.operationInProgress()).isFalse();
    assertThat(s.access()).isEqualTo(io.authip.policy.ApiServerAccess.UNRESTRICTED);
    assertThat(s.privateCluster()).isEqualTo(kind == Kind.PRIVATE_CLUSTER);
    assertThat(s.basicLoadBalancer()).isEqualTo(kind == Kind.BASIC_LOAD_BALANCER);
    assertThat(s.outboundType()).isEqualTo(kind == Kind.MANAGED_NAT_GATEWAY ? "managedNATGateway" : "loadBalancer");

    List<String> ids = egressIds(s);
    Outcome<Map<String, Cidr>> resolved = gateway.resolve(ids);
    assertThat(resolved).isInstanceOf(Outcome.Ok.class);
    assertThat(((Outcome.Ok<Map<String, Cidr>>) resolved).value().keySet()).as("keyed by the IDs lower-cased")
        .containsExactlyInAnyOrderElementsOf(ids.stream().map(String::toLowerCase).distinct().toList());
    Set<String> blocks = new HashSet<>();
    ((Outcome.Ok<Map<String, Cidr>>) resolved).value().values().forEach(c -> blocks.add(c.toString()));
    assertThat(blocks).containsExactlyInAnyOrderElementsOf(f.egressCidrs());

    switch (kind) {
      case LOAD_BALANCER_MANAGED_OUTBOUND, PRIVATE_CLUSTER -> {
        assertThat(s.lbEffectiveOutboundIpIds()).hasSize(2);
        assertThat(s.lbOutboundIpIds()).isEmpty();
      }
      case LOAD_BALANCER_CUSTOM_OUTBOUND -> {
        assertThat(s.lbOutboundIpIds()).hasSize(2);
        assertThat(s.lbOutboundIpPrefixIds()).hasSize(1);
        assertThat(h.calls.count(AzureCallListener.PREFIX_GET)).isEqualTo(1);
      }
      case MANAGED_NAT_GATEWAY -> {
        assertThat(s.natGatewayEffectiveOutboundIpIds()).hasSize(2);
        assertThat(s.lbEffectiveOutboundIpIds()).isEmpty();
      }
      case NODE_PUBLIC_IP_PREFIX -> {
        assertThat(s.agentPools()).extracting(ClusterSnapshot.AgentPool::name).containsExactly("system", "edge");
        assertThat(s.agentPools().get(1).enableNodePublicIp()).isTrue();
        assertThat(s.agentPools().get(1).nodePublicIpPrefixId()).containsIgnoringCase("publicIPPrefixes/");
        assertThat(s.poolsWithNodePublicIpWithoutPrefix()).isEmpty();
      }
      case NODE_PUBLIC_IP_WITHOUT_PREFIX -> assertThat(s.poolsWithNodePublicIpWithoutPrefix())
          .containsExactly(new ClusterSnapshot.AgentPool("edge", true, null));
      case BASIC_LOAD_BALANCER -> {
        assertThat(s.loadBalancerSku()).isEqualTo("basic");
        assertThat(ids).isEmpty();
      }
      default -> throw new AssertionError("no expectations for " + kind);
    }
    if (kind != Kind.BASIC_LOAD_BALANCER) {
      assertThat(s.loadBalancerSku()).isEqualTo("standard");
    }
  }

  @Test
  void currentRangesAreReadCanonically() {
    ClusterFixture restricted = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-read", "aks-ranges")
        .withAuthorizedIpRanges("20.1.2.3", "20.1.3.0/24", "20.1.2.3/32");
    ClusterFixture lbOnly = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-read", "aks-lbonly")
        .withAuthorizedIpRanges("0.0.0.0/32");
    ClusterFixture empty = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-read", "aks-empty")
        .withAuthorizedIpRanges(List.of());
    h.arm.seed(restricted);
    h.arm.seed(lbOnly);
    h.arm.seed(empty);

    assertThat(read(restricted).access().access()).isEqualTo(Access.Restricted);
    assertThat(read(restricted).access().ranges())
        .isEqualTo(CidrSet.of(Cidr.parse("20.1.2.3/32"), Cidr.parse("20.1.3.0/24")));
    assertThat(read(lbOnly).access().access()).isEqualTo(Access.LoadBalancerOnly);
    assertThat(read(empty).access().access()).isEqualTo(Access.Unrestricted);
  }

  @Test
  void aMissingClusterIsNotFound() {
    Outcome<ClusterSnapshot> out = gateway.read(new ClusterTarget(SUB, "rg-read", "does-not-exist"));
    assertThat(out).isInstanceOfSatisfying(Outcome.Failed.class,
        f -> assertThat(f.failure()).isInstanceOf(Failure.NotFound.class));
  }

  @Test
  void anInvalidTargetNeverReachesAzure() {
    Outcome<ClusterSnapshot> out = gateway.read(new ClusterTarget(SUB, "rg/../../x", "aks"));
    assertThat(out).isInstanceOfSatisfying(Outcome.Failed.class,
        f -> assertThat(f.failure()).isInstanceOf(Failure.Rejected.class));
    assertThat(h.calls.all).isEmpty();
  }

  @Test
  void aMissingPublicIpFailsClosedNamingIt() {
    String missing = "/subscriptions/" + SUB + "/resourceGroups/rg-read/providers/Microsoft.Network/publicIPAddresses/gone";
    ClusterFixture f = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-read", "aks-missing-ip");
    h.arm.seed(f);
    List<String> ids = new ArrayList<>(egressIds(read(f)));
    ids.add(missing);
    Outcome<Map<String, Cidr>> out = gateway.resolve(ids);
    assertThat(out).isInstanceOfSatisfying(Outcome.Failed.class, fail -> {
      assertThat(fail.failure()).isInstanceOf(Failure.NotFound.class);
      assertThat(fail.failure().message()).contains(missing);
    });
  }

  @Test
  void aPublicIpWithoutAddressFailsClosedNamingIt() {
    String id = "/subscriptions/" + SUB + "/resourceGroups/rg-read/providers/Microsoft.Network/publicIPAddresses/"
        + "unallocated";
    h.arm.putPublicIp(id, null);
    Outcome<Map<String, Cidr>> out = gateway.resolve(List.of(id));
    assertThat(out).isInstanceOfSatisfying(Outcome.Failed.class, fail -> {
      assertThat(fail.failure()).isInstanceOf(Failure.Rejected.class);
      assertThat(fail.failure().message()).contains(id).contains("has no ipAddress");
    });
  }

  @Test
  void callsAreRecordedWithRateLimitHeadersAndTheSdkApiVersions() {
    ClusterFixture f = ClusterFixture.loadBalancerCustomOutbound(SUB, "rg-read", "aks-recorded");
    h.arm.seed(f);
    gateway.resolve(egressIds(read(f)));
    assertThat(h.calls.statuses(AzureCallListener.CLUSTER_GET)).containsExactly(200);
    assertThat(h.calls.statuses(AzureCallListener.PUBLIC_IP_GET)).containsExactly(200, 200);
    assertThat(h.calls.statuses(AzureCallListener.PREFIX_GET)).containsExactly(200);
    GatewayHarness.Call get = h.calls.all.peek();
    assertThat(get.rateLimitHeaders()).containsKey("x-ms-ratelimit-remaining-subscription-reads");
    assertThat(get.duration()).isPositive();
    assertThat(h.arm.apiVersions()).contains(AzureAksGateway.CLUSTER_API_VERSION);
  }

  /** N clusters share two egress IPs: N cluster GETs, and each shared IP looked up once. */
  @Test
  void readAndResolveOfManyClustersLooksEachSharedAddressUpOnce() {
    int n = 12;
    List<ClusterFixture> clusters = sharingEgress("rg-shared", n);
    AzureAksGateway fresh = h.newGateway();
    h.reset();
    for (ClusterFixture f : clusters) {
      ClusterSnapshot s = ((Outcome.Ok<ClusterSnapshot>) fresh.read(target(f))).value();
      assertThat(fresh.resolve(egressIds(s)).isOk()).isTrue();
    }
    assertThat(h.calls.count(AzureCallListener.CLUSTER_GET)).isEqualTo(n);
    assertThat(h.calls.count(AzureCallListener.PUBLIC_IP_GET)).isEqualTo(2);
    assertThat(h.calls.all).hasSize(n + 2);
    assertThat(h.arm.requestCount(RequestKind.CLUSTER_GET)).isEqualTo(n);
    assertThat(h.arm.requestCount(RequestKind.PUBLIC_IP_GET)).isEqualTo(2);
  }

  /** The same with every cluster handled by its own thread at once, while the lookups are slow. */
  @Test
  void concurrentCallersShareTheLookups() throws Exception {
    int n = 10;
    List<ClusterFixture> clusters = sharingEgress("rg-concurrent", n);
    AzureAksGateway fresh = h.newGateway();
    h.reset();
    h.arm.injectFault(FaultTarget.kind(RequestKind.PUBLIC_IP_GET), Fault.delay(Duration.ofMillis(400)), 2);
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (ClusterFixture f : clusters) {
        Callable<Boolean> task = () -> {
          go.await();
          ClusterSnapshot s = ((Outcome.Ok<ClusterSnapshot>) fresh.read(target(f))).value();
          return fresh.resolve(egressIds(s)).isOk();
        };
        results.add(pool.submit(task));
      }
      go.countDown();
      for (Future<Boolean> r : results) {
        assertThat(r.get(20, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(h.arm.requestCount(RequestKind.CLUSTER_GET)).isEqualTo(n);
    assertThat(h.arm.requestCount(RequestKind.PUBLIC_IP_GET)).isEqualTo(2);
    assertThat(h.calls.count(AzureCallListener.PUBLIC_IP_GET)).isEqualTo(2);
  }

  private static List<ClusterFixture> sharingEgress(String rg, int n) {
    Map<String, String> shared = new LinkedHashMap<>();
    shared.put("/subscriptions/" + SUB + "/resourceGroups/" + rg + "/providers/Microsoft.Network/publicIPAddresses/"
        + "egress-a", "20.90.0.1");
    // The same kind of ID in the lower-case spelling AKS also uses: still one resource.
    shared.put("/subscriptions/" + SUB + "/resourcegroups/" + rg + "/providers/Microsoft.Network/publicIPAddresses/"
        + "egress-b", "20.90.0.2");
    List<ClusterFixture> clusters = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, String> spelling = new LinkedHashMap<>();
      // Half the clusters refer to the IPs with a differently cased ID.
      shared.forEach((id, ip) -> spelling.put(clusters.size() % 2 == 0 ? id : id.toUpperCase().replace(
          "/SUBSCRIPTIONS/", "/subscriptions/"), ip));
      ClusterFixture f = ClusterFixture.loadBalancerManagedOutbound(SUB, rg, "aks-" + i).withEffectiveOutboundIps(
          i % 2 == 0 ? shared : spelling);
      h.arm.seed(f);
      clusters.add(f);
    }
    return clusters;
  }

  @Test
  void aClusterListedAsBeforeIsReusedAndAChangedOneIsMappedAgain() {
    String sub = "0f0e0d0c-0b0a-4909-8807-060504030201";
    ClusterFixture same = ClusterFixture.loadBalancerManagedOutbound(sub, "rg-list", "aks-same");
    ClusterFixture edited = ClusterFixture.loadBalancerManagedOutbound(sub, "rg-list", "aks-edited");
    ClusterFixture tagged = ClusterFixture.loadBalancerManagedOutbound(sub, "rg-list", "aks-tagged");
    List.of(same, edited, tagged).forEach(h.arm::seed);
    ClusterListing first = listed(sub);
    h.arm.editCluster(edited.clusterId(), body -> ((com.fasterxml.jackson.databind.node.ObjectNode) body
        .path("properties")).with("apiServerAccessProfile").putArray("authorizedIPRanges").add("8.8.8.0/24"));
    h.arm.tagCluster(tagged.clusterId(), Map.of("env", "prod"));

    ClusterListing second = listed(sub);
    assertThat(find(second, same)).isSameAs(find(first, same));
    assertThat(find(second, edited).snapshot().access().ranges().toStrings()).containsExactly("8.8.8.0/24");
    assertThat(find(second, edited).snapshot().eTag()).isNotEqualTo(find(first, edited).snapshot().eTag());
    assertThat(find(second, tagged).tags()).containsEntry("env", "prod");
    assertThat(find(first, tagged).tags()).doesNotContainKey("env");
  }

  private static ClusterListing listed(String sub) {
    Outcome<ClusterListing> out = gateway.listClusters(sub, null);
    assertThat(out).isInstanceOf(Outcome.Ok.class);
    return ((Outcome.Ok<ClusterListing>) out).value();
  }

  private static ClusterListing.Listed find(ClusterListing listing, ClusterFixture f) {
    return listing.clusters().stream().filter(l -> l.snapshot().target().key().equals(target(f).key()))
        .findFirst().orElseThrow();
  }
}
