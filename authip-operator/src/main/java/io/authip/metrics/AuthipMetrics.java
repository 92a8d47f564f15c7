package io.authip.metrics;

import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * authip's own metrics. Labels are bounded by the number of policies and clusters (no per-request or per-range
 * labels); a deleted policy's series are removed.
 */
public final class AuthipMetrics {

  public static final String POLICY_READY = "authip.policy.ready";
  public static final String TARGET_IN_SYNC = "authip.target.in.sync";
  public static final String TARGET_DRIFTED = "authip.target.drifted";
  public static final String TARGET_RANGES = "authip.target.ranges";
  public static final String TARGET_RANGES_LIMIT = "authip.target.ranges.limit";
  public static final String TARGET_CONTESTED = "authip.target.contested";
  public static final String TARGET_NOT_GRANTED = "authip.target.not.granted";
  public static final String GRANT_VALID = "authip.grant.valid";
  public static final String GRANT_POLICIES = "authip.grant.policies";
  public static final String DRIFT_CORRECTIONS = "authip.drift.corrections";
  public static final String AZURE_REQUESTS = "authip.azure.requests";
  public static final String AZURE_REQUEST_DURATION = "authip.azure.request.duration";
  public static final String RECONCILE_DURATION = "authip.reconcile.duration";
  public static final String LEADER = "authip.leader";
  public static final String POLICIES = "authip.policies";
  public static final String AZURE_PACED = "authip.azure.paced";
  public static final String AZURE_THROTTLED = "authip.azure.throttled";
  public static final String CLUSTER_LISTS = "authip.cluster.lists";
  public static final String CLUSTER_LIST_PAGES = "authip.cluster.list.pages";

  public static final String SOURCE_AVAILABLE = "authip.source.available";
  public static final String SOURCE_STALE = "authip.source.stale";
  public static final String SOURCE_SHRINK_HELD = "authip.source.shrink.held";
  public static final String SOURCE_AGE = "authip.source.age.seconds";

  private final MeterRegistry registry;
  private final Map<String, Set<Meter.Id>> bySet = new ConcurrentHashMap<>();
  /** Per source: when its content in use was last read or confirmed, epoch millis (the age gauge's base). */
  private final Map<Meter.Id, AtomicLong> refreshedAt = new ConcurrentHashMap<>();
  private final Map<Meter.Id, AtomicLong> gauges = new ConcurrentHashMap<>();
  private final Map<String, Set<Meter.Id>> byPolicy = new ConcurrentHashMap<>();
  private final Timer reconcileTimer;
  /** 1 while this process may reconcile: it holds the Lease, or leader election is off. */
  private final AtomicLong leader = new AtomicLong();
  /** Operations whose watched counters exist (see {@link #azureCall}). */
  private final Set<String> operations = ConcurrentHashMap.newKeySet();
  /** Status codes the alerts rate(): throttling, and the server errors Azure answers most. */
  static final List<String> WATCHED_CODES = List.of("429", "500", "503");
  /** The entry limit per cluster this process applies (AUTHIP_MAX_RANGES), exported per target. */
  private final int maxRanges;

  /** With AKS's limit of 200 entries per cluster. */
  public AuthipMetrics(MeterRegistry registry) {
    this(registry, io.authip.ranges.RangeRules.AKS_MAX_ENTRIES);
  }

  /**
   * @param maxRanges the entry limit per cluster this process applies ({@code AUTHIP_MAX_RANGES}), exported as
   *     {@code authip_target_ranges_limit} so that the near-limit alert follows the configured limit
   */
  public AuthipMetrics(MeterRegistry registry, int maxRanges) {
    this.registry = registry;
    this.maxRanges = maxRanges;
    this.reconcileTimer = Timer.builder(RECONCILE_DURATION).description("Time of one policy reconciliation")
        .publishPercentileHistogram().register(registry);
    Gauge.builder(LEADER, leader, AtomicLong::get)
        .description("1 while this process holds the leader Lease (or leader election is off), 0 on a standby")
        .register(registry);
  }

  /** Sets {@code authip_leader}: true once this process holds the Lease (or runs without leader election). */
  public void leader(boolean leading) {
    leader.set(leading ? 1 : 0);
  }

  /**
   * Exports {@code authip_policies}: the AuthorizedIpPolicy resources this process sees (its informer cache), on a
   * standby as on the leader, so that an alert can tell "no reconciles" from "nothing to reconcile".
   */
  public void policiesSeen(java.util.function.Supplier<Number> count) {
    Gauge.builder(POLICIES, count).description("AuthorizedIpPolicy resources in this process's informer cache")
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The {@code cluster} label: subscription/resourceGroup/name, lower-cased. */
  public static String clusterLabel(String clusterId) {
    String[] p = clusterId.split("/");
    // /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}
    String label = p.length >= 9 ? p[2] + "/" + p[4] + "/" + p[8] : clusterId;
    return label.toLowerCase(Locale.ROOT);
  }

  /** Replaces the gauges of one policy with the values of its latest status. */
  public void recordPolicy(String namespace, String policy, boolean ready, List<TargetStatus> targets) {
    String key = namespace + "/" + policy;
    Set<Meter.Id> seen = ConcurrentHashMap.newKeySet();
    Tags policyTags = Tags.of("namespace", namespace, "policy", policy);
    seen.add(set(POLICY_READY, "1 when every target of the policy has the desired ranges", policyTags, ready ? 1 : 0));
    for (TargetStatus t : targets) {
      if (t.getClusterId() == null) {
        continue;
      }
      Tags tags = policyTags.and("cluster", clusterLabel(t.getClusterId()));
      boolean inSync = t.getState() == TargetState.InSync || t.getState() == TargetState.Propagating;
      seen.add(set(TARGET_IN_SYNC, "1 when the cluster has the desired ranges", tags, inSync ? 1 : 0));
      seen.add(set(TARGET_DRIFTED, "1 while the cluster's ranges differ from the policy and are not being changed",
          tags, t.getDriftDetectedAt() != null ? 1 : 0));
      seen.add(set(TARGET_RANGES, "Entries in the cluster's desired authorized IP ranges", tags,
          t.getRangeCount() == null ? 0 : t.getRangeCount()));
      // Per cluster: API Server VNet Integration raises it (the target's status says which limit authip applied).
      seen.add(set(TARGET_RANGES_LIMIT, "Entries the cluster accepts at most (authip refuses a longer list)", tags,
          t.getRangesLimit() != null && t.getRangesLimit() > 0 ? t.getRangesLimit() : maxRanges));
      seen.add(set(TARGET_CONTESTED, "1 while another writer keeps changing the cluster back and authip has stopped "
          + "correcting it (flap guard)", tags, t.getState() == TargetState.Contested ? 1 : 0));
      boolean notGranted = io.authip.api.v1alpha1.TargetReason.NotGranted.is(t.getReason())
          || io.authip.api.v1alpha1.TargetReason.IdentityUnavailable.is(t.getReason());
      seen.add(set(TARGET_NOT_GRANTED, "1 while no TargetGrant lets the policy's namespace change the cluster with "
          + "the policy's access (or the grant's identity cannot be used): nothing is sent to Azure for it", tags,
          notGranted ? 1 : 0));
    }
    Set<Meter.Id> before = byPolicy.put(key, seen);
    if (before != null) {
      before.stream().filter(id -> !seen.contains(id)).forEach(this::remove);
    }
  }

  /**
   * Sets the series of one TargetGrant (label {@code grant}: bounded by the number of grants): whether it is valid and
   * how many policies change clusters through it.
   */
  public void recordGrant(String grant, boolean valid, int policies) {
    Tags tags = Tags.of("grant", grant);
    set(GRANT_VALID, "1 when the TargetGrant is valid (an invalid grant grants nothing)", tags, valid ? 1 : 0);
    set(GRANT_POLICIES, "AuthorizedIpPolicies that change clusters through the TargetGrant", tags, policies);
  }

  /** Removes the series of a deleted TargetGrant. */
  public void forgetGrant(String grant) {
    Tags tags = Tags.of("grant", grant);
    for (String name : List.of(GRANT_VALID, GRANT_POLICIES)) {
      remove(new Meter.Id(name, tags, null, null, Meter.Type.GAUGE));
    }
  }

  /** One source of an IpRangeSet, as its latest reconcile saw it. */
  public record SourceSample(String source, boolean available, boolean stale, boolean held,
      java.time.Instant refreshedAt) {
  }

  /**
   * Replaces the series of one IpRangeSet's sources (label {@code source}: the tag name or URL, bounded by the
   * sources a set may have): whether content is in use, whether the last read failed (stale), whether a refresh is
   * held by the shrink guard, and the age of the content in use.
   */
  public void recordRangeSet(String namespace, String set, List<SourceSample> sources) {
    Set<Meter.Id> seen = ConcurrentHashMap.newKeySet();
    for (SourceSample s : sources) {
      Tags tags = Tags.of("namespace", namespace, "iprangeset", set, "source", s.source());
      seen.add(set(SOURCE_AVAILABLE, "1 when the source has content in use (0: never read successfully; the "
          + "IpRangeSet is not used)", tags, s.available() ? 1 : 0));
      seen.add(set(SOURCE_STALE, "1 while the source's last read failed and its last good content is in use", tags,
          s.stale() ? 1 : 0));
      seen.add(set(SOURCE_SHRINK_HELD, "1 while a refresh of the source is held back for removing too much", tags,
          s.held() ? 1 : 0));
      if (s.refreshedAt() != null) {
        Meter.Id id = new Meter.Id(SOURCE_AGE, tags, null, null, Meter.Type.GAUGE);
        AtomicLong at = refreshedAt.computeIfAbsent(id, k -> {
          AtomicLong h = new AtomicLong();
          Gauge.builder(SOURCE_AGE, h, x -> (System.currentTimeMillis() - x.get()) / 1000.0)
              .description("Seconds since the source's content in use was read or confirmed unchanged")
              .tags(tags).register(registry);
          return h;
        });
        at.set(s.refreshedAt().toEpochMilli());
        seen.add(id);
      }
    }
    Set<Meter.Id> before = bySet.put(namespace + "/" + set, seen);
    if (before != null) {
      before.stream().filter(id -> !seen.contains(id)).forEach(this::remove);
    }
  }

  /** The IpRangeSets (namespace/name) that have source series. */
  public Set<String> rangeSetsRecorded() {
    return Set.copyOf(bySet.keySet());
  }

  /** Removes the series of a deleted IpRangeSet (or one without sources any more). */
  public void forgetRangeSet(String key) {
    Set<Meter.Id> ids = bySet.remove(key);
    if (ids != null) {
      ids.forEach(this::remove);
    }
  }

  /** Removes every series of a deleted policy. */
  public void forgetPolicy(String namespace, String policy) {
    Set<Meter.Id> ids = byPolicy.remove(namespace + "/" + policy);
    if (ids != null) {
      ids.forEach(this::remove);
    }
    registry.getMeters().stream()
        .filter(m -> m.getId().getName().equals(DRIFT_CORRECTIONS)
            && namespace.equals(m.getId().getTag("namespace")) && policy.equals(m.getId().getTag("policy")))
        .forEach(registry::remove);
  }

  public void driftCorrected(String namespace, String policy, String clusterId) {
    Counter.builder(DRIFT_CORRECTIONS).description("Drift found and corrected in Enforce mode")
        .tags("namespace", namespace, "policy", policy, "cluster", clusterLabel(clusterId))
        .register(registry).increment();
  }

  /** One Azure Resource Manager request. {@code code} is the HTTP status, or 0 when no answer came. */
  public void azureCall(String operation, int code, Duration duration) {
    if (operations.add(operation)) {
      // The counters the alerts watch exist at 0 from an operation's first request: a series that appears with its
      // first increment already in it (a burst of 429s between two scrapes) shows Prometheus's rate() no increase.
      for (String watched : WATCHED_CODES) {
        Counter.builder(AZURE_REQUESTS).description("Azure Resource Manager requests by operation and status code")
            .tags("operation", operation, "code", watched).register(registry);
      }
    }
    Counter.builder(AZURE_REQUESTS).description("Azure Resource Manager requests by operation and status code")
        .tags("operation", operation, "code", String.valueOf(code)).register(registry).increment();
    Timer.builder(AZURE_REQUEST_DURATION).description("Azure Resource Manager request duration")
        .tags("operation", operation).publishPercentileHistogram().register(registry).record(duration);
  }

  /**
   * Exports what the pacer counts, per bucket kind (read, write, cluster_put, cluster_list): calls that had to wait
   * for their turn, and 429s Azure answered all the same.
   */
  public void pacer(io.authip.azure.ArmPacer pacer) {
    for (io.authip.azure.ArmPacer.Kind kind : io.authip.azure.ArmPacer.Kind.values()) {
      String k = kind.name().toLowerCase(Locale.ROOT);
      FunctionCounter.builder(AZURE_PACED, pacer, p -> p.counters(kind).delayed())
          .description("Azure requests that waited for their turn in authip's copy of Azure's request budget")
          .tags("kind", k).register(registry);
      FunctionCounter.builder(AZURE_THROTTLED, pacer, p -> p.counters(kind).throttled())
          .description("429 answers from Azure, by the request budget they emptied").tags("kind", k)
          .register(registry);
    }
  }

  /** Exports how many cluster lists (and pages of lists, addresses included) the fleet observer made. */
  public void lists(java.util.function.LongSupplier lists, java.util.function.LongSupplier pages) {
    FunctionCounter.builder(CLUSTER_LISTS, lists, LongSupplier::getAsLong)
        .description("Lists of a subscription's (or resource group's) managed clusters, shared by its policies")
        .register(registry);
    FunctionCounter.builder(CLUSTER_LIST_PAGES, pages, LongSupplier::getAsLong)
        .description("Pages those lists took, with the lists of public IPs and prefixes").register(registry);
  }

  public void reconciled(Duration duration) {
    reconcileTimer.record(duration);
  }

  private Meter.Id set(String name, String description, Tags tags, long value) {
    Meter.Id id = new Meter.Id(name, tags, null, description, Meter.Type.GAUGE);
    AtomicLong holder = gauges.computeIfAbsent(id, k -> {
      AtomicLong h = new AtomicLong();
      Gauge.builder(name, h, AtomicLong::get).description(description).tags(tags).register(registry);
      return h;
    });
    holder.set(value);
    return id;
  }

  private void remove(Meter.Id id) {
    gauges.remove(id);
    refreshedAt.remove(id);
    registry.find(id.getName()).tags(id.getTags()).meters().forEach(registry::remove);
  }
}
