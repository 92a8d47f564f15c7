package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.azure.AddressListing;
import io.authip.azure.AksGateway;
import io.authip.azure.ClusterListing;
import io.authip.azure.OperationHandle;
import io.authip.azure.OperationStatus;
import io.authip.azure.Outcome;
import io.authip.policy.ApiServerAccess;
import io.authip.policy.ClusterSnapshot;
import io.authip.ranges.Cidr;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FleetObserverTest {

  static final String SUB = "6f1e2a3b-0000-4c5d-8e9f-0123456789ab";
  static final ResourceID P1 = new ResourceID("p1", "ns");
  static final ResourceID P2 = new ResourceID("p2", "ns");

  /** Lists what it holds; counts lists and when each began. */
  static final class ListingGateway implements AksGateway {
    final Map<String, ClusterListing.Listed> clusters = new ConcurrentHashMap<>();
    final List<Instant> listStarts = new CopyOnWriteArrayList<>();
    final List<String> scopes = new CopyOnWriteArrayList<>();
    volatile Outcome.Failure failSubscription;
    volatile Outcome.Failure failAll;
    volatile int pages = 1;
    /** While set, a list waits for it: the list is running. */
    volatile java.util.concurrent.CountDownLatch hold;

    void put(String rg, String name, String eTag, String state, Map<String, String> tags) {
      ClusterTarget t = new ClusterTarget(SUB, rg, name);
      clusters.put(t.key(), new ClusterListing.Listed(new ClusterSnapshot(t, t.resourceId(), eTag, state, false,
          "standard", "loadBalancer", ApiServerAccess.fromAks(List.of()), List.of(), List.of(), List.of(), List.of(),
          List.of()), tags));
    }

    @Override
    public Outcome<ClusterListing> listClusters(String subscriptionId, String resourceGroup) {
      listStarts.add(Instant.now());
      scopes.add(resourceGroup == null ? "subscription" : resourceGroup);
      java.util.concurrent.CountDownLatch h = hold;
      if (h != null) {
        try {
          h.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (failAll != null) {
        return Outcome.failed(failAll);
      }
      if (resourceGroup == null && failSubscription != null) {
        return Outcome.failed(failSubscription);
      }
      List<ClusterListing.Listed> out = new ArrayList<>();
      for (ClusterListing.Listed l : clusters.values()) {
        if (resourceGroup == null || l.snapshot().target().getResourceGroup().equalsIgnoreCase(resourceGroup)) {
          out.add(l);
        }
      }
      return Outcome.ok(new ClusterListing(out, pages));
    }

    @Override
    public Outcome<AddressListing> listAddresses(String subscriptionId) {
      return Outcome.ok(new AddressListing(Map.of(), 1));
    }

    @Override
    public Outcome<ClusterSnapshot> read(ClusterTarget target) {
      throw new AssertionError("not read alone");
    }

    @Override
    public Outcome<Map<String, Cidr>> resolve(Collection<String> resourceIds) {
      return Outcome.ok(Map.of());
    }

    @Override
    public Outcome<OperationHandle> apply(ClusterSnapshot snapshot, ApiServerAccess desired) {
      throw new AssertionError();
    }

    @Override
    public Outcome<OperationStatus> poll(OperationHandle handle) {
      throw new AssertionError();
    }
  }

  final FleetObserver observer = new FleetObserver(Clock.systemUTC(), 2);
  final Set<ResourceID> triggered = ConcurrentHashMap.newKeySet();
  final ListingGateway gateway = new ListingGateway();

  FleetObserverTest() {
    observer.trigger(triggered::add);
    for (int i = 0; i < 5; i++) {
      gateway.put("rg", "aks-" + i, "e" + i, "Succeeded", Map.of("env", i < 3 ? "prod" : "dev"));
    }
  }

  @AfterEach
  void close() {
    observer.close();
  }

  static ClusterTarget target(int i) {
    return new ClusterTarget(SUB, "rg", "aks-" + i);
  }

  FleetObserver.Observation observe(int i, ResourceID who, Instant notBefore) {
    return observer.observe(gateway, target(i), notBefore, who);
  }

  /** Three targets asked for: from then on the subscription is listed. */
  void threeTargets() {
    for (int i = 0; i < 3; i++) {
      observe(i, P1, Instant.now());
    }
  }

  @Test
  void oneOrTwoTargetsAreReadAloneAndAThirdMakesListingPay() {
    assertThat(observe(0, P1, Instant.now())).isInstanceOf(FleetObserver.Observation.Direct.class);
    assertThat(observe(1, P1, Instant.now())).isInstanceOf(FleetObserver.Observation.Direct.class);
    assertThat(observe(2, P1, Instant.now())).isInstanceOf(FleetObserver.Observation.Waiting.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> triggered.contains(P1));
    assertThat(observe(2, P1, Instant.now().minusSeconds(60))).isInstanceOfSatisfying(
        FleetObserver.Observation.Listed.class, l -> assertThat(l.cluster().snapshot().eTag()).isEqualTo("e2"));
    assertThat(gateway.listStarts).hasSize(1);
  }

  @Test
  void oneListServesEveryPolicyWaitingAndAClusterNotInItIsAbsent() {
    Instant before = Instant.now();
    threeTargets();
    // Asked while the list runs, or after it: one begun after 'before' serves this policy too.
    FleetObserver.Observation o = observe(4, P2, before);
    if (o instanceof FleetObserver.Observation.Waiting) {
      await().atMost(Duration.ofSeconds(10)).until(() -> triggered.contains(P2));
    } else {
      assertThat(o).isInstanceOf(FleetObserver.Observation.Listed.class);
      triggered.add(P2);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> triggered.containsAll(Set.of(P1, P2)));
    assertThat(gateway.listStarts).hasSize(1);
    assertThat(observer.observe(gateway, new ClusterTarget(SUB, "rg", "gone"), Instant.now().minusSeconds(60), P2))
        .isInstanceOf(FleetObserver.Observation.Absent.class);
  }

  @Test
  void aPolicyAskingWhileARecentEnoughListRunsWaitsForItAndAsksForNoOther() {
    threeTargets();
    await().atMost(Duration.ofSeconds(10)).until(() -> triggered.contains(P1));
    triggered.clear();
    gateway.hold = new java.util.concurrent.CountDownLatch(1);
    Instant asked = Instant.now();
    observe(0, P1, asked);
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.listStarts.size() == 2);
    // While it runs: a policy content with a list begun after 'asked' waits for this one.
    assertThat(observe(1, P2, asked)).isInstanceOf(FleetObserver.Observation.Waiting.class);
    gateway.hold.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> triggered.containsAll(Set.of(P1, P2)));
    assertThat(observe(1, P2, asked)).isInstanceOf(FleetObserver.Observation.Listed.class);
    sleep(FleetObserver.minInterval(2).multipliedBy(2));
    assertThat(gateway.listStarts).as("no list after the one that served both").hasSize(2);
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void listsOfOneScopeAreSpacedByTheReadBudget() {
    threeTargets();
    await().atMost(Duration.ofSeconds(10)).until(() -> triggered.contains(P1));
    // Known after the next list: 2 pages of clusters and 1 of addresses, 1.2 s apart at a tenth of 25 reads/s.
    gateway.pages = 2;
    observe(0, P1, Instant.now());
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.listStarts.size() == 2);
    observe(0, P1, Instant.now());
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.listStarts.size() == 3);
    Duration apart = Duration.between(gateway.listStarts.get(1), gateway.listStarts.get(2));
    assertThat(apart).isGreaterThanOrEqualTo(FleetObserver.minInterval(3).minusMillis(20));
    assertThat(FleetObserver.minInterval(3)).isEqualTo(Duration.ofMillis(1200));
    // More pages than targets: reading the three alone is cheaper than listing.
    gateway.pages = 4;
    observe(0, P1, Instant.now());
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.listStarts.size() == 4);
    await().atMost(Duration.ofSeconds(10)).until(() -> observe(0, P1, Instant.now())
        instanceof FleetObserver.Observation.Direct);
    assertThat(FleetObserver.minInterval(201)).isEqualTo(Duration.ofMillis(80_400));
  }

  @Test
  void aClusterThatChangedBetweenTwoListsTriggersThePoliciesTargetingIt() {
    threeTargets();
    observe(4, P2, Instant.now());
    await().atMost(Duration.ofSeconds(10)).until(() -> triggered.containsAll(Set.of(P1, P2)));
    triggered.clear();
    gateway.put("rg", "aks-4", "e4-changed", "Succeeded", Map.of());
    observe(0, P1, Instant.now()); // P1 asks for a newer list; P2 is not waiting, but its cluster changed
    await().atMost(Duration.ofSeconds(10)).until(() -> triggered.contains(P2));
  }

  @Test
  void aSubscriptionThatMayNotBeListedIsListedPerResourceGroup() {
    gateway.failSubscription = new Outcome.Failure.Forbidden("AuthorizationFailed over scope /subscriptions/" + SUB);
    threeTargets();
    await().atMost(Duration.ofSeconds(10)).until(() -> triggered.contains(P1));
    triggered.clear();
    assertThat(observe(0, P1, Instant.now())).isInstanceOf(FleetObserver.Observation.Waiting.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> triggered.contains(P1));
    assertThat(observe(0, P1, Instant.now().minusSeconds(60))).isInstanceOf(FleetObserver.Observation.Listed.class);
    assertThat(gateway.scopes).containsExactly("subscription", "rg");
    // A selector over the whole subscription cannot be resolved this way, and says what would help.
    assertThat(observer.clusters(gateway, SUB, null, Instant.now(), P2))
        .isInstanceOfSatisfying(FleetObserver.Clusters.Failed.class,
            f -> assertThat(f.failure().message()).contains("name the resourceGroup in the selector"));
  }

  @Test
  void aGatewayThatCannotListReadsEveryClusterAlone() {
    gateway.failAll = new Outcome.Failure.Rejected(AksGateway.LIST_UNSUPPORTED, "no lists");
    threeTargets();
    await().atMost(Duration.ofSeconds(10)).until(() -> triggered.contains(P1));
    assertThat(observe(0, P1, Instant.now())).isInstanceOf(FleetObserver.Observation.Direct.class);
  }

  @Test
  void aFailedListIsReportedUntilItsBackoffEnds() {
    gateway.failAll = new Outcome.Failure.Throttled(Duration.ofSeconds(30), "429");
    threeTargets();
    await().atMost(Duration.ofSeconds(10)).until(() -> triggered.contains(P1));
    assertThat(observe(0, P1, Instant.now())).isInstanceOfSatisfying(FleetObserver.Observation.Failed.class,
        f -> {
          assertThat(f.failure()).isInstanceOf(Outcome.Failure.Throttled.class);
          assertThat(f.until()).isAfter(Instant.now().plusSeconds(25));
        });
    assertThat(gateway.listStarts).hasSize(1);
  }

  @Test
  void selectorsAlwaysListAndSeeTags() {
    assertThat(observer.clusters(gateway, SUB, null, Instant.now(), P1))
        .isInstanceOf(FleetObserver.Clusters.Waiting.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> triggered.contains(P1));
    assertThat(observer.clusters(gateway, SUB, "RG", Instant.now().minusSeconds(60), P1))
        .isInstanceOfSatisfying(FleetObserver.Clusters.Listed.class, l -> assertThat(l.clusters()).hasSize(5)
            .filteredOn(c -> "prod".equals(c.tags().get("env"))).hasSize(3));
    // With a selector on the subscription, even one named target is observed from the list.
    assertThat(observe(0, P2, Instant.now().minusSeconds(60))).isInstanceOf(FleetObserver.Observation.Listed.class);
  }
}
