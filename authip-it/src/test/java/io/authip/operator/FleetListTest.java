package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.api.v1alpha1.TargetSelector;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.emulator.ArmEmulator;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.Fault;
import io.authip.emulator.FaultTarget;
import io.authip.emulator.PutInvariants;
import io.authip.emulator.RequestKind;
import io.authip.emulator.Throttling;
import io.authip.policy.ApiServerAccess;
import io.authip.sandbox.LocalEnvironment;
import io.authip.testing.Edits;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Observation by list against the emulator's paged lists: every target of a subscription is seen in its list, read
 * alone only right before a change, completion seen without polling, target selectors, pacing under 429, and a list
 * that breaks off half-way. Each test has its own environment (the emulator's options differ).
 */
class FleetListTest {

  static final String SUB = "5a0c3e1f-2b4d-4e6f-8a9b-0c1d2e3f4a5b";
  static final Duration WAIT = Duration.ofSeconds(60);
  static final String NS = "fleet";

  LocalEnvironment env;
  KubernetesClient k8s;
  ArmEmulator arm;

  void start(UnaryOperator<ArmEmulator.Builder> emulator) {
    start(LocalEnvironment.Options.forTesting().withEmulator(emulator));
  }

  void start(LocalEnvironment.Options options) {
    env = LocalEnvironment.start(options);
    env.grantAll(SUB);
    env.startOperator();
    k8s = env.kube().client();
    arm = env.arm();
  }

  @AfterEach
  void stop() {
    if (env != null) {
      PutInvariants.check(arm);
      env.requireNoForbiddenRequests();
      env.close();
    }
  }

  @Test
  void aSubscriptionIsListedInPagesAndAClusterIsReadAloneOnlyRightBeforeItsChange() {
    start(b -> b.listPageSize(10));
    List<ClusterFixture> fleet = seed(25, "rg-a", Map.of());
    AuthorizedIpPolicy p = create(policy("p", fleet, null));

    awaitAll(p, 25, TargetState.InSync);
    assertThat(arm.requestCount(RequestKind.CLUSTER_PUT)).isEqualTo(25);
    // One GET per change (its raw body and eTag), none to observe: the list shows every cluster.
    assertThat(arm.requestCount(RequestKind.CLUSTER_GET)).isEqualTo(25);
    // Egress addresses came with the subscription's list of public IPs, not one GET each.
    assertThat(arm.requestCount(RequestKind.PUBLIC_IP_GET)).isZero();
    assertThat(arm.requestCount(RequestKind.CLUSTER_LIST)).isGreaterThanOrEqualTo(3);
    assertThat(arm.requestCount(RequestKind.PUBLIC_IP_LIST)).isGreaterThanOrEqualTo(3);

    // Steady state (resync capped at 1 s here): lists only, and never more often than the read budget allows.
    arm.resetCounters();
    int listsBefore = arm.requestCount(RequestKind.CLUSTER_LIST);
    sleep(Duration.ofSeconds(5));
    assertThat(arm.requestCount(RequestKind.CLUSTER_GET)).isZero();
    assertThat(arm.requestCount(RequestKind.CLUSTER_PUT)).isZero();
    assertThat(arm.requestCount(RequestKind.OPERATION_GET)).isZero();
    int pages = arm.requestCount(RequestKind.CLUSTER_LIST) - listsBefore;
    assertThat(pages).as("list pages in 5 s").isPositive();
    // 3 cluster pages and 3 address pages per list: at most one list per 2.4 s (a tenth of 25 reads/s).
    assertThat(pages).as("list pages in 5 s").isLessThanOrEqualTo(3 * 3);

    // Drift: seen in a list and corrected with one GET and one PUT.
    ClusterFixture drifted = fleet.get(7);
    setRangesOutOfBand(drifted, "8.8.8.0/24");
    await().atMost(WAIT).until(() -> authorizedRanges(drifted).contains("73.140.245.0/24"));
    assertThat(arm.requestCount(drifted.clusterId(), "PUT")).isEqualTo(1);
    assertThat(arm.requestCount(drifted.clusterId(), "GET")).isEqualTo(1);
  }

  @Test
  void aResyncAheadOfTheNextListLooksNoAddressUpWhenTheirCacheHasExpired() {
    // Addresses cached for 1 s; the 1 s resync cap asks for lists more often than the read budget's tenth allows (6
    // pages: one list per 2.4 s), so most resyncs find only an older list. They wait for the newer one, which brings
    // the addresses, instead of looking every one up alone.
    start(LocalEnvironment.Options.forTesting().withEmulator(b -> b.listPageSize(10))
        .withAzureSetting(io.authip.azure.AzureConfig.RESOLVE_CACHE_TTL, "1s"));
    List<ClusterFixture> fleet = seed(12, "rg-ttl", Map.of());
    AuthorizedIpPolicy p = create(policy("p", fleet, null));
    awaitAll(p, 12, TargetState.InSync);

    arm.resetCounters();
    sleep(Duration.ofSeconds(8));
    assertThat(arm.requestCount(RequestKind.CLUSTER_LIST)).as("lists went on").isPositive();
    assertThat(arm.requestCount(RequestKind.PUBLIC_IP_GET)).isZero();
    assertThat(arm.requestCount(RequestKind.PUBLIC_IP_PREFIX_GET)).isZero();
    assertThat(arm.requestCount(RequestKind.CLUSTER_GET)).isZero();
    assertThat(get(p).getStatus().getTargets()).allSatisfy(t -> assertThat(t.getState()).isEqualTo(TargetState.InSync));
  }

  @Test
  void anEditIsSentWithoutWaitingForTheNextList() {
    // Pages of one: 8 clusters and their 16 public IPs make a list of 24 pages, at most one every 9.6 s.
    start(b -> b.listPageSize(1));
    List<ClusterFixture> fleet = seed(8, "rg-edit", Map.of());
    AuthorizedIpPolicy p = create(policy("p", fleet, null));
    awaitAll(p, 8, TargetState.InSync);

    for (int i = 1; i <= 1; i++) {
      String marker = "20.42." + i + ".0/24";
      // Right after a list has ended: the next may not begin for 9.6 s.
      int pages = arm.requestCount(RequestKind.CLUSTER_LIST);
      await().atMost(WAIT).pollInterval(Duration.ofMillis(10))
          .until(() -> arm.requestCount(RequestKind.CLUSTER_LIST) >= pages + 8);
      int listed = arm.requestCount(RequestKind.CLUSTER_LIST);
      Edits.edit(k8s.resources(AuthorizedIpPolicy.class).inNamespace(NS).withName("p"), r -> {
        r.getSpec().setRanges(new ArrayList<>(List.of(RangeEntry.of("73.140.245.0/24"), RangeEntry.of(marker))));
        return r;
      });
      await().atMost(WAIT).until(() -> authorizedRanges(fleet.get(0)).contains(marker));
      assertThat(arm.requestCount(RequestKind.CLUSTER_LIST)).as("list pages before the edit reached Azure")
          .isLessThan(listed + 8);
      awaitAll(p, 8, TargetState.InSync);
    }
  }

  @Test
  void withoutRetryAfterTheEndOfAChangeIsSeenInTheNextListWithoutPolling() {
    start(b -> b.listPageSize(10).withoutOperationRetryAfter());
    List<ClusterFixture> fleet = seed(12, "rg-b", Map.of());
    AuthorizedIpPolicy p = create(policy("p", fleet, null));

    awaitAll(p, 12, TargetState.InSync);
    assertThat(arm.requestCount(RequestKind.CLUSTER_PUT)).isEqualTo(12);
    assertThat(arm.requestCount(RequestKind.OPERATION_GET)).isZero();
    assertThat(arm.requestCount(RequestKind.CLUSTER_GET)).isEqualTo(12);
  }

  @Test
  void retryAfterOnTheChangeIsHonouredWithOnePollEach() {
    // The operation lasts 300 ms and Azure asks for no poll before 1 s: one poll each finds it done.
    start(b -> b.listPageSize(10).operationRetryAfter(1));
    List<ClusterFixture> fleet = seed(6, "rg-c", Map.of());
    AuthorizedIpPolicy p = create(policy("p", fleet, null));

    awaitAll(p, 6, TargetState.InSync);
    assertThat(arm.requestCount(RequestKind.CLUSTER_PUT)).isEqualTo(6);
    assertThat(arm.requestCount(RequestKind.OPERATION_GET)).isEqualTo(6);
  }

  @Test
  void aSelectorTakesTaggedClustersPicksUpNewOnesAndReleasesOnesNoLongerTagged() {
    start(b -> b.listPageSize(4));
    List<ClusterFixture> prod = seed(5, "rg-prod", Map.of("env", "prod"));
    List<ClusterFixture> other = seed(3, "rg-dev", Map.of("env", "dev"));
    AuthorizedIpPolicy p = create(selecting("sel", Map.of("Env", "prod")));

    awaitAll(p, 5, TargetState.InSync);
    assertThat(get(p).getStatus().getTargets()).allSatisfy(t ->
        assertThat(t.getSelectedBy()).isEqualTo("targetSelectors[0]"));
    assertThat(get(p).getStatus().getSelectors()).singleElement().satisfies(s -> {
      assertThat(s.getMatched()).isEqualTo(5);
      assertThat(s.getResolved()).isTrue();
    });
    for (ClusterFixture c : other) {
      assertThat(arm.requestCount(c.clusterId(), "PUT")).as(c.name()).isZero();
    }

    // A cluster tagged later is taken at the next list.
    arm.tagCluster(other.get(0).clusterId(), Map.of("env", "prod"));
    awaitAll(p, 6, TargetState.InSync);
    assertThat(authorizedRanges(other.get(0))).contains("73.140.245.0/24");

    // One no longer tagged is released: out of status, left exactly as it is.
    ClusterFixture released = prod.get(2);
    List<String> before = authorizedRanges(released);
    int putsBefore = arm.requestCount(released.clusterId(), "PUT");
    arm.untagCluster(released.clusterId(), "env");
    awaitAll(p, 5, TargetState.InSync);
    assertThat(get(p).getStatus().getTargets()).noneMatch(t -> t.getClusterId().equalsIgnoreCase(
        released.clusterId()));
    assertThat(authorizedRanges(released)).isEqualTo(before);
    assertThat(arm.requestCount(released.clusterId(), "PUT")).isEqualTo(putsBefore);
    await().atMost(WAIT).until(() -> events("sel").stream().anyMatch(e -> "TargetReleased".equals(e.getReason())
        && e.getMessage().contains(released.name())));
  }

  @Test
  void aSelectorOfManyClustersWithLongListsKeepsItsStatusWithinWhatEtcdStores() {
    // 300 clusters with 190 ranges each: three lists per target in status would make about 3 MB, which the API
    // server refuses (500, etcd's limit). Beyond 100 targets status keeps each list's count and digest instead.
    start(b -> b.listPageSize(100));
    List<ClusterFixture> many = seed(300, "rg-many", Map.of("env", "big"));
    AuthorizedIpPolicy big = selecting("big", Map.of("env", "big"));
    List<RangeEntry> ranges = new ArrayList<>();
    for (int i = 0; i < 190; i++) {
      ranges.add(RangeEntry.of("20." + (100 + i / 100) + "." + (i % 100) * 2 + ".0/24")); // none adjacent
    }
    big.getSpec().setRanges(ranges);
    AuthorizedIpPolicy p = create(big);

    awaitAll(p, 300, TargetState.InSync);
    AuthorizedIpPolicy done = get(p);
    assertThat(k8s.getKubernetesSerialization().asJson(done).length()).as("policy bytes").isLessThan(1_000_000);
    for (ClusterFixture c : many) {
      TargetStatus t = done.getStatus().getTargets().stream()
          .filter(x -> x.getClusterId().equalsIgnoreCase(c.clusterId())).findFirst().orElseThrow();
      List<String> actual = authorizedRanges(c);
      assertThat(actual).hasSizeGreaterThan(190);
      assertThat(t.getAppliedRanges()).isEmpty();
      assertThat(t.getRangeCount()).isEqualTo(actual.size());
      assertThat(t.getRangesDigest()).isEqualTo(ApiServerAccess.fromAks(actual).digest());
      assertThat(t.getPrevious()).isNotNull();
      assertThat(t.getPrevious().getRanges()).isEmpty();
      assertThat(arm.requestCount(c.clusterId(), "PUT")).as(c.name()).isEqualTo(1);
    }

    // Nothing to change: no status write (the compact entries compare equal pass after pass).
    String version = get(p).getMetadata().getResourceVersion();
    // (A selector whose list is older than the resync stays resolved from it while the next is made: Ready does not
    // flap to SelectorFailed at every resync.)
    sleep(Duration.ofSeconds(3));
    assertThat(get(p).getMetadata().getResourceVersion()).isEqualTo(version);

    // Drift on one: corrected, and counted as a correction by the digest of the list it was in sync with.
    ClusterFixture drifted = many.get(42);
    setRangesOutOfBand(drifted, "8.8.8.0/24");
    await().atMost(WAIT).until(() -> authorizedRanges(drifted).size() > 190);
    await().atMost(WAIT).until(() -> get(p).getStatus().getTargets().stream()
        .filter(x -> x.getClusterId().equalsIgnoreCase(drifted.clusterId())).findFirst()
        .map(x -> x.getState() == TargetState.InSync && x.getRecentCorrections() != null
            && x.getRecentCorrections().size() == 1).orElse(false));
    assertThat(arm.requestCount(drifted.clusterId(), "PUT")).isEqualTo(2);
  }

  @Test
  void aClusterNamedInAnotherPolicyWinsOverASelectorEvenAnOlderOne() {
    start(b -> b);
    List<ClusterFixture> prod = seed(3, "rg-win", Map.of("env", "prod"));
    AuthorizedIpPolicy selector = create(selecting("older-selector", Map.of("env", "prod")));
    awaitAll(selector, 3, TargetState.InSync);

    AuthorizedIpPolicy named = policy("newer-named", List.of(prod.get(1)), null);
    named.getSpec().setRanges(List.of(RangeEntry.of("52.160.96.17")));
    named = create(named);
    awaitAll(named, 1, TargetState.InSync);
    await().atMost(WAIT).until(() -> authorizedRanges(prod.get(1)).contains("52.160.96.17/32"));
    await().atMost(WAIT).until(() -> get(selector).getStatus().getTargets().stream()
        .anyMatch(t -> t.getClusterId().equalsIgnoreCase(prod.get(1).clusterId())
            && "TargetConflict".equals(t.getReason()) && t.getState() == TargetState.Blocked
            && t.getMessage().contains("names it in spec.targets")));
    // The selector no longer writes it: the named policy's list stays.
    sleep(Duration.ofSeconds(3));
    assertThat(authorizedRanges(prod.get(1))).contains("52.160.96.17/32").doesNotContain("73.140.245.0/24");
  }

  @Test
  void underAzuresThrottlingEveryClusterConvergesAndA429HoldsTheBudgetNotAThread() {
    // A write bucket far smaller than Azure's: the server's answers correct the operator's own pacing.
    start(b -> b.listPageSize(10).throttling(Throttling.none().withWrites(5, 2)));
    List<ClusterFixture> fleet = seed(20, "rg-429", Map.of());
    AuthorizedIpPolicy p = create(policy("p", fleet, null));

    awaitAll(p, 20, TargetState.InSync);
    int throttled = arm.throttledCount(RequestKind.CLUSTER_PUT);
    System.out.println("429s answered to 20 cluster PUTs: " + throttled);
    assertThat(arm.requestCount(RequestKind.CLUSTER_PUT) - throttled).isEqualTo(20);
    assertThat(throttled).as("429s: the remaining-writes header and the first 429 hold the bucket")
        .isLessThan(20);
  }

  @Test
  void aListThatBreaksOffHalfWayChangesNothingAndIsMadeAgain() {
    start(b -> b.listPageSize(5));
    // The second page of the first list fails (the SDK's retries included): nothing of the first page is used.
    arm.injectFault(FaultTarget.kind(RequestKind.CLUSTER_LIST), Fault.connectionReset(), 4, 1);
    List<ClusterFixture> fleet = seed(12, "rg-half", Map.of());
    AuthorizedIpPolicy p = create(policy("p", fleet, null));

    awaitAll(p, 12, TargetState.InSync);
    assertThat(arm.pendingFaults()).isZero();
    assertThat(arm.requestCount(RequestKind.CLUSTER_PUT)).isEqualTo(12);

    // A restart while the next list is half read: the new process starts from nothing and changes nothing twice.
    arm.injectFault(FaultTarget.kind(RequestKind.CLUSTER_LIST), Fault.delay(Duration.ofSeconds(2)), 1, 1);
    sleep(Duration.ofMillis(1500));
    env.stopOperator();
    setRangesOutOfBand(fleet.get(3), "8.8.8.0/24");
    env.startOperator();
    await().atMost(WAIT).until(() -> authorizedRanges(fleet.get(3)).contains("73.140.245.0/24"));
    awaitAll(p, 12, TargetState.InSync);
    assertThat(arm.requestCount(RequestKind.CLUSTER_PUT)).isEqualTo(13);
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  List<ClusterFixture> seed(int n, String rg, Map<String, String> tags) {
    List<ClusterFixture> out = new ArrayList<>(ClusterFixture.fleet(ClusterFixture.Kind.LOAD_BALANCER_MANAGED_OUTBOUND,
        List.of(SUB), List.of(rg), n, "aks-" + rg + "-{i}", tags));
    arm.seedAll(out);
    return out;
  }

  AuthorizedIpPolicy policy(String name, List<ClusterFixture> clusters, String unused) {
    AuthorizedIpPolicy p = new AuthorizedIpPolicy();
    p.getMetadata().setName(name);
    p.getMetadata().setNamespace(NS);
    AuthorizedIpPolicySpec spec = new AuthorizedIpPolicySpec();
    List<ClusterTarget> targets = new ArrayList<>();
    for (ClusterFixture c : clusters) {
      targets.add(new ClusterTarget(c.subscription(), c.resourceGroup(), c.name()));
    }
    spec.setTargets(targets);
    spec.setRanges(new ArrayList<>(List.of(RangeEntry.of("73.140.245.0/24"))));
    p.setSpec(spec);
    return p;
  }

  AuthorizedIpPolicy selecting(String name, Map<String, String> tags) {
    AuthorizedIpPolicy p = policy(name, List.of(), null);
    p.getSpec().setTargets(null);
    p.getSpec().setTargetSelectors(List.of(new TargetSelector(SUB, null, tags)));
    return p;
  }

  AuthorizedIpPolicy create(AuthorizedIpPolicy p) {
    if (k8s.namespaces().withName(NS).get() == null) {
      k8s.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
          .withName(NS).endMetadata().build()).create();
    }
    return k8s.resource(p).create();
  }

  AuthorizedIpPolicy get(AuthorizedIpPolicy p) {
    return k8s.resources(AuthorizedIpPolicy.class).inNamespace(NS).withName(p.getMetadata().getName()).get();
  }

  void awaitAll(AuthorizedIpPolicy p, int n, TargetState state) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
      AuthorizedIpPolicy r = get(p);
      List<TargetStatus> ts = r == null || r.getStatus() == null ? List.of() : r.getStatus().getTargets();
      return ts.size() == n && ts.stream().allMatch(t -> t.getState() == state);
    });
  }

  List<Event> events(String policy) {
    return k8s.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> policy.equals(e.getInvolvedObject().getName())).toList();
  }

  List<String> authorizedRanges(ClusterFixture c) {
    JsonNode ranges = arm.cluster(c.clusterId()).orElseThrow().path("properties").path("apiServerAccessProfile")
        .path("authorizedIPRanges");
    List<String> out = new ArrayList<>();
    ranges.forEach(n -> out.add(n.asText()));
    return out;
  }

  void setRangesOutOfBand(ClusterFixture c, String... ranges) {
    arm.editCluster(c.clusterId(), body -> {
      ObjectNode profile = ((ObjectNode) body.path("properties")).with("apiServerAccessProfile");
      ArrayNode list = profile.putArray("authorizedIPRanges");
      for (String r : ranges) {
        list.add(r);
      }
    });
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
