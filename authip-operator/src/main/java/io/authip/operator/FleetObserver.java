package io.authip.operator;

import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.azure.AddressListing;
import io.authip.azure.AksGateway;
import io.authip.azure.ClusterListing;
import io.authip.azure.Outcome;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observes the fleet by listing: per identity (gateway) and subscription, one shared snapshot of every managed cluster
 * ({@code ManagedClusters_List}, every page) and of every public IP address and prefix (their {@code ListAll}), from
 * which drift detection and planning work. A reconcile never waits for a list: it asks for a snapshot no older than
 * it needs, gets it at once if there is one, and otherwise is told to wait; when the list it waits for arrives, the
 * observer triggers it ({@link #trigger}).
 *
 * <p>Cadence: a list is made when some reconcile needs a newer snapshot than there is (its policy's resync interval,
 * or the end of a change it follows), never sooner after the previous one than the read budget allows
 * ({@link #minInterval}), and one list serves every policy of the subscription. A cluster that changed between two
 * lists (another eTag or provisioning state) triggers the policies that target it, so drift is seen at the list that
 * first shows it.
 *
 * <p>Where listing does not pay (fewer targets in the subscription than the list has pages, and at least three, with
 * no selector), or the identity may not list at subscription scope (then per resource group), or cannot list at all,
 * clusters are read one by one ({@link Observation.Direct}).
 */
public final class FleetObserver implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FleetObserver.class);

  /** ARM's published refill of a principal's read bucket per subscription (reads per second). */
  public static final double ARM_READS_PER_SECOND = 25;
  /** The share of the read budget routine lists may use at most: the rest is for changes and other readers. */
  public static final double LIST_BUDGET_SHARE = 0.10;
  /** Targets below which a subscription's clusters are read one by one (unless the list has more pages). */
  static final int DIRECT_BELOW = 3;
  /** A target, waiter or selector not asked about for this long is forgotten. */
  static final Duration FORGET_AFTER = Duration.ofHours(1);
  /** How long a subscription whose list was forbidden is listed per resource group before trying again. */
  static final Duration FORBIDDEN_RETRY = Duration.ofHours(1);
  private static final Duration MAX_FAILURE_BACKOFF = Duration.ofMinutes(5);

  /** What a reconcile learns about one cluster. */
  public sealed interface Observation {
    /** The cluster as the list that began at {@code listedAt} showed it. */
    record Listed(ClusterListing.Listed cluster, Instant listedAt) implements Observation {
    }

    /** A complete list that began at {@code listedAt} does not have it (read it alone to be sure). */
    record Absent(Instant listedAt) implements Observation {
    }

    /** Read the cluster alone: listing does not pay here, or is not possible. */
    record Direct() implements Observation {
    }

    /** A list newer than what there is has been asked for; the waiter is triggered when it arrives. */
    record Waiting(String why) implements Observation {
    }

    /** The last list failed; the next is not made before {@code until}. */
    record Failed(Outcome.Failure failure, String during, Instant until) implements Observation {
    }
  }

  /** The clusters of a scope (for selectors), or why there are none yet. */
  public sealed interface Clusters {
    record Listed(List<ClusterListing.Listed> clusters, Instant listedAt) implements Clusters {
    }

    /**
     * A newer list is on its way; {@code last} is the last complete one, however old (null when there is none yet):
     * what was selected stays selected from it until the newer list shows otherwise.
     */
    record Waiting(String why, Listed last) implements Clusters {
    }

    record Failed(Outcome.Failure failure, String during, Instant until) implements Clusters {
    }
  }

  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final Map<Key, Subscription> subscriptions = new ConcurrentHashMap<>();
  private volatile Consumer<ResourceID> trigger = id -> { };
  private final Stats stats = new Stats();

  /** Counts for metrics and tests. */
  public static final class Stats {
    private final java.util.concurrent.atomic.AtomicLong lists = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong pages = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong triggers = new java.util.concurrent.atomic.AtomicLong();

    public long lists() {
      return lists.get();
    }

    public long pages() {
      return pages.get();
    }

    public long failures() {
      return failures.get();
    }

    public long triggers() {
      return triggers.get();
    }
  }

  /** @param threads lists running at once (each is one subscription or resource group, page after page) */
  public FleetObserver(Clock clock, int threads) {
    this.clock = clock;
    this.executor = Executors.newScheduledThreadPool(threads, r -> {
      Thread t = new Thread(r, "authip-list");
      t.setDaemon(true);
      return t;
    });
  }

  /** Who is reconciled when a list it waits for arrives, or a cluster it targets changed. */
  public void trigger(Consumer<ResourceID> trigger) {
    this.trigger = Objects.requireNonNull(trigger, "trigger");
  }

  public Stats stats() {
    return stats;
  }

  /**
   * @param gateway the identity that reaches the cluster
   * @param notBefore the list must have begun at or after this instant (now minus the resync interval, or just after
   *     a change was accepted, to see its end)
   * @param waiter the policy to trigger when the list arrives
   */
  public Observation observe(AksGateway gateway, ClusterTarget target, Instant notBefore, ResourceID waiter) {
    Subscription s = subscription(gateway, target.getSubscriptionId());
    Instant now = clock.instant();
    synchronized (s) {
      s.targets.put(target.key(), now);
      s.interest.computeIfAbsent(target.key(), k -> new HashMap<>()).put(waiter, now);
      if (s.direct || !s.listingPays(now)) {
        return new Observation.Direct();
      }
      Scope scope = s.scopeOf(target.getResourceGroup(), now);
      if (scope.listedAt != null && !scope.listedAt.isBefore(notBefore)) {
        ClusterListing.Listed listed = scope.clusters.get(target.key());
        return listed == null ? new Observation.Absent(scope.listedAt) : new Observation.Listed(listed, scope.listedAt);
      }
      if (scope.failure != null && now.isBefore(scope.failedUntil)) {
        return new Observation.Failed(scope.failure, scope.describe(), scope.failedUntil);
      }
      scope.waiters.add(waiter);
      schedule(s, scope, notBefore, now);
      // The same words each time: a target waiting again must not rewrite its status.
      return new Observation.Waiting("the list of the managed clusters of " + scope.describe());
    }
  }

  /**
   * Counts a target before it is observed, so that a policy's first pass already knows how many targets the
   * subscription has (and lists from its first target on, rather than reading the first ones alone).
   */
  public void note(AksGateway gateway, ClusterTarget target, ResourceID waiter) {
    Subscription s = subscription(gateway, target.getSubscriptionId());
    Instant now = clock.instant();
    synchronized (s) {
      s.targets.put(target.key(), now);
      s.interest.computeIfAbsent(target.key(), k -> new HashMap<>()).put(waiter, now);
    }
  }

  /**
   * Every cluster of a subscription (or one resource group of it), for selectors; always listed, however few targets
   * the subscription has.
   */
  public Clusters clusters(AksGateway gateway, String subscriptionId, String resourceGroup, Instant notBefore,
      ResourceID waiter) {
    Subscription s = subscription(gateway, subscriptionId);
    Instant now = clock.instant();
    synchronized (s) {
      s.selectors.put(waiter, now);
      if (s.direct) {
        return new Clusters.Failed(new Outcome.Failure.Forbidden("the identity cannot list the managed clusters of "
            + "subscription " + subscriptionId + ": " + s.directWhy), "listing " + subscriptionId, now.plus(FORBIDDEN_RETRY));
      }
      List<Scope> scopes = new ArrayList<>();
      if (resourceGroup != null) {
        scopes.add(s.scopeOf(resourceGroup, now));
      } else if (s.perResourceGroup) {
        return new Clusters.Failed(new Outcome.Failure.Forbidden("the identity may not list the managed clusters of "
            + "subscription " + subscriptionId + " (only of some resource groups): " + s.directWhy
            + "; name the resourceGroup in the selector, or grant Microsoft.ContainerService/managedClusters/read on "
            + "the subscription"), "listing " + subscriptionId, now.plus(FORBIDDEN_RETRY));
      } else {
        scopes.add(s.scopeOf(null, now));
      }
      Scope scope = scopes.get(0);
      Clusters.Listed last = null;
      if (scope.listedAt != null) {
        List<ClusterListing.Listed> all = new ArrayList<>(scope.clusters.values());
        if (resourceGroup != null && !s.perResourceGroup) {
          String rg = resourceGroup.toLowerCase(Locale.ROOT);
          all.removeIf(l -> !l.snapshot().target().getResourceGroup().toLowerCase(Locale.ROOT).equals(rg));
        }
        last = new Clusters.Listed(all, scope.listedAt);
        if (!scope.listedAt.isBefore(notBefore)) {
          return last;
        }
      }
      if (scope.failure != null && now.isBefore(scope.failedUntil)) {
        return new Clusters.Failed(scope.failure, scope.describe(), scope.failedUntil);
      }
      scope.waiters.add(waiter);
      schedule(s, scope, notBefore, now);
      return new Clusters.Waiting("the list of the managed clusters of " + scope.describe(), last);
    }
  }

  /**
   * The cluster as the last list showed it, however old, without asking for a newer one; empty when the subscription
   * is not listed or has no list yet. A difference it shows is worth acting on at once (a change reads the cluster
   * alone first); that nothing differs needs a list as recent as the policy asks for.
   */
  public java.util.Optional<Observation.Listed> last(AksGateway gateway, ClusterTarget target) {
    Subscription s = subscriptions.get(new Key(gateway, target.getSubscriptionId().toLowerCase(Locale.ROOT)));
    if (s == null) {
      return java.util.Optional.empty();
    }
    synchronized (s) {
      if (s.direct) {
        return java.util.Optional.empty();
      }
      Scope scope = s.scopes.get(s.perResourceGroup ? target.getResourceGroup().toLowerCase(Locale.ROOT) : "");
      ClusterListing.Listed listed = scope == null || scope.listedAt == null ? null : scope.clusters.get(target.key());
      return listed == null ? java.util.Optional.empty()
          : java.util.Optional.of(new Observation.Listed(listed, scope.listedAt));
    }
  }

  /** True when the cluster is observed by listing (its changes' ends are then seen in a list, not polled). */
  public boolean lists(AksGateway gateway, ClusterTarget target) {
    Subscription s = subscriptions.get(new Key(gateway, target.getSubscriptionId().toLowerCase(Locale.ROOT)));
    if (s == null) {
      return false;
    }
    synchronized (s) {
      return !s.direct && s.listingPays(clock.instant());
    }
  }

  /**
   * The shortest time between two lists of a scope that took {@code pages} page requests, so that routine lists use
   * at most {@link #LIST_BUDGET_SHARE} of the read budget.
   */
  static Duration minInterval(int pages) {
    double seconds = Math.max(1, pages) / (ARM_READS_PER_SECOND * LIST_BUDGET_SHARE);
    return Duration.ofMillis((long) Math.ceil(seconds * 1000));
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  private Subscription subscription(AksGateway gateway, String subscriptionId) {
    return subscriptions.computeIfAbsent(new Key(gateway, subscriptionId.toLowerCase(Locale.ROOT)),
        k -> new Subscription(gateway, subscriptionId));
  }

  /** Must hold the subscription's lock. */
  private void schedule(Subscription s, Scope scope, Instant notBefore, Instant now) {
    if (scope.running && scope.lastStart != null && !scope.lastStart.isBefore(notBefore)) {
      // The list being made is recent enough: its end wakes the waiter. (Asking for another after it made a second
      // list per interval at 10,000 policies, whose passes after a list came in while the next was running.)
      return;
    }
    if (scope.running) {
      if (scope.again == null || notBefore.isAfter(scope.again)) {
        scope.again = notBefore;
      }
      return;
    }
    Instant due = notBefore.isAfter(now) ? notBefore : now;
    if (scope.lastStart != null) {
      Instant allowed = scope.lastStart.plus(minInterval(scope.pages));
      if (allowed.isAfter(due)) {
        due = allowed;
      }
    }
    if (scope.dueAt != null && !scope.dueAt.isAfter(due)) {
      return;
    }
    scope.dueAt = due;
    long generation = ++scope.generation;
    long delay = Math.max(0, Duration.between(now, due).toMillis());
    try {
      executor.schedule(() -> refresh(s, scope, generation), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      scope.dueAt = null;
    }
  }

  private void refresh(Subscription s, Scope scope, long generation) {
    Instant started;
    synchronized (s) {
      if (scope.generation != generation || scope.running) {
        return;
      }
      scope.running = true;
      scope.dueAt = null;
      started = clock.instant();
      scope.lastStart = started;
    }
    Outcome<ClusterListing> listed;
    Outcome<AddressListing> addresses = null;
    try {
      listed = s.gateway.listClusters(s.subscriptionId, scope.resourceGroup);
      if (listed.isOk() && scope.resourceGroup == null) {
        // The subscription's public IPs and prefixes: every listed cluster's egress resolves without a request.
        addresses = s.gateway.listAddresses(s.subscriptionId);
      }
    } catch (RuntimeException e) {
      listed = Outcome.failed(new Outcome.Failure.Transient("listing " + scope.describe() + " failed: " + e));
    }
    Set<ResourceID> wake = new HashSet<>();
    synchronized (s) {
      scope.running = false;
      stats.lists.incrementAndGet();
      Instant now = clock.instant();
      if (listed instanceof Outcome.Ok<ClusterListing> ok) {
        int pages = ok.value().pages();
        if (addresses instanceof Outcome.Ok<AddressListing> a) {
          pages += a.value().pages();
        } else if (addresses instanceof Outcome.Failed<AddressListing> f) {
          LOG.info("{}: listing public IP addresses and prefixes failed ({}); they are read one by one",
              scope.describe(), f.failure().message());
        }
        stats.pages.addAndGet(pages);
        Map<String, ClusterListing.Listed> next = new HashMap<>();
        for (ClusterListing.Listed l : ok.value().clusters()) {
          next.put(l.snapshot().target().key(), l);
        }
        if (scope.listedAt != null) {
          changed(scope.clusters, next, s, now, wake);
        }
        scope.clusters = next;
        scope.listedAt = started;
        scope.pages = pages;
        scope.failure = null;
        scope.consecutiveFailures = 0;
        s.pages = Math.max(1, ok.value().pages());
      } else {
        Outcome.Failure f = ((Outcome.Failed<ClusterListing>) listed).failure();
        stats.failures.incrementAndGet();
        if (f instanceof Outcome.Failure.Rejected r && AksGateway.LIST_UNSUPPORTED.equals(r.code())) {
          s.direct = true;
          s.directWhy = r.message();
        } else if (f instanceof Outcome.Failure.Forbidden && scope.resourceGroup == null) {
          LOG.info("{}: listing is forbidden at subscription scope ({}); listing per resource group",
              scope.describe(), f.message());
          s.perResourceGroup = true;
          s.perResourceGroupSince = now;
          s.directWhy = f.message();
        } else if (f instanceof Outcome.Failure.Forbidden) {
          LOG.info("{}: listing is forbidden ({}); reading clusters one by one", scope.describe(), f.message());
          s.direct = true;
          s.directWhy = f.message();
        } else {
          scope.consecutiveFailures++;
          scope.failure = f;
          Duration wait = f instanceof Outcome.Failure.Throttled t && !t.retryAfter().isNegative()
              && !t.retryAfter().isZero() ? t.retryAfter()
              : backoff(scope.consecutiveFailures);
          scope.failedUntil = now.plus(wait);
          LOG.info("{}: list failed ({}); next attempt after {}", scope.describe(), f.message(), wait);
        }
      }
      wake.addAll(scope.waiters);
      scope.waiters.clear();
      if (scope.resourceGroup == null) {
        // Selectors look at every cluster: any list may change what they match.
        wake.addAll(s.selectors.keySet());
      }
      s.forgetOld(now);
      if (scope.again != null) {
        Instant again = scope.again;
        scope.again = null;
        schedule(s, scope, again, now);
      }
    }
    stats.triggers.addAndGet(wake.size());
    wake.forEach(trigger);
  }

  /** Policies targeting a cluster whose eTag or provisioning state differs between two lists (or that came or went). */
  private static void changed(Map<String, ClusterListing.Listed> before, Map<String, ClusterListing.Listed> after,
      Subscription s, Instant now, Set<ResourceID> wake) {
    Set<String> keys = new HashSet<>(before.keySet());
    keys.addAll(after.keySet());
    for (String key : keys) {
      ClusterListing.Listed b = before.get(key);
      ClusterListing.Listed a = after.get(key);
      boolean same = a != null && b != null && Objects.equals(a.snapshot().eTag(), b.snapshot().eTag())
          && Objects.equals(a.snapshot().provisioningState(), b.snapshot().provisioningState())
          && a.tags().equals(b.tags());
      if (!same) {
        Map<ResourceID, Instant> interested = s.interest.get(key);
        if (interested != null) {
          wake.addAll(interested.keySet());
        }
      }
    }
  }

  private static Duration backoff(int failures) {
    Duration d = Duration.ofSeconds(5).multipliedBy(1L << Math.min(failures - 1, 10));
    return d.compareTo(MAX_FAILURE_BACKOFF) > 0 ? MAX_FAILURE_BACKOFF : d;
  }

  /** Gateways compare by identity: one per Azure identity. */
  private record Key(AksGateway gateway, String subscription) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.gateway == gateway && k.subscription.equals(subscription);
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(gateway) * 31 + subscription.hashCode();
    }
  }

  /** What is known of one subscription through one identity; guarded by its own lock. */
  private static final class Subscription {
    final AksGateway gateway;
    final String subscriptionId;
    /** Clusters asked about, with when. */
    final Map<String, Instant> targets = new HashMap<>();
    /** Per cluster, the policies that asked about it, with when. */
    final Map<String, Map<ResourceID, Instant>> interest = new HashMap<>();
    /** Policies with a selector on this subscription, with when they last asked. */
    final Map<ResourceID, Instant> selectors = new HashMap<>();
    final Map<String, Scope> scopes = new HashMap<>();
    boolean direct;
    boolean perResourceGroup;
    Instant perResourceGroupSince;
    String directWhy;
    /** Pages of the last cluster list of the whole subscription (1 until listed). */
    int pages = 1;

    Subscription(AksGateway gateway, String subscriptionId) {
      this.gateway = gateway;
      this.subscriptionId = subscriptionId;
    }

    boolean listingPays(Instant now) {
      return !selectors.isEmpty() || targets.size() >= Math.max(DIRECT_BELOW, pages);
    }

    Scope scopeOf(String resourceGroup, Instant now) {
      if (perResourceGroup && perResourceGroupSince != null
          && perResourceGroupSince.plus(FORBIDDEN_RETRY).isBefore(now)) {
        perResourceGroup = false; // try the subscription again now and then: a role may have been granted
      }
      String rg = perResourceGroup && resourceGroup != null ? resourceGroup : null;
      String key = rg == null ? "" : rg.toLowerCase(Locale.ROOT);
      return scopes.computeIfAbsent(key, k -> new Scope(subscriptionId, rg));
    }

    void forgetOld(Instant now) {
      Instant cutoff = now.minus(FORGET_AFTER);
      targets.values().removeIf(t -> t.isBefore(cutoff));
      selectors.values().removeIf(t -> t.isBefore(cutoff));
      interest.values().forEach(m -> m.values().removeIf(t -> t.isBefore(cutoff)));
      interest.values().removeIf(Map::isEmpty);
    }
  }

  /** One list: a whole subscription, or one resource group of it. */
  private static final class Scope {
    final String subscriptionId;
    final String resourceGroup;
    Map<String, ClusterListing.Listed> clusters = Map.of();
    Instant listedAt;
    Instant lastStart;
    Instant dueAt;
    Instant again;
    boolean running;
    long generation;
    int pages = 1;
    Outcome.Failure failure;
    Instant failedUntil;
    int consecutiveFailures;
    final Set<ResourceID> waiters = new HashSet<>();

    Scope(String subscriptionId, String resourceGroup) {
      this.subscriptionId = subscriptionId;
      this.resourceGroup = resourceGroup;
    }

    String describe() {
      return "subscription " + subscriptionId + (resourceGroup == null ? "" : " resource group " + resourceGroup);
    }
  }
}
