package io.authip.operator;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.LockoutStatus;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.CapturedAccess;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.Mode;
import io.authip.api.v1alpha1.PendingOperation;
import io.authip.api.v1alpha1.SelectorStatus;
import io.authip.api.v1alpha1.TargetReason;
import io.authip.api.v1alpha1.TargetSelector;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.azure.AksGateway;
import io.authip.azure.ClusterListing;
import io.authip.azure.OperationHandle;
import io.authip.azure.OperationStatus;
import io.authip.azure.Outcome;
import io.authip.policy.AccessDiff;
import io.authip.policy.ApiServerAccess;
import io.authip.policy.ClusterSnapshot;
import io.authip.policy.EgressPath;
import io.authip.policy.ProvisioningState;
import io.authip.policy.ResyncInterval;
import io.authip.policy.TargetPlan;
import io.authip.policy.TargetPlanner;
import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass over the targets of a valid policy: poll what is pending, read, plan, and start at most one change per
 * target. Never waits for Azure's long-running operations: it records them and asks to be called again.
 */
public final class PolicySyncer {

  /** Another policy that owns a cluster, if any. */
  @FunctionalInterface
  public interface OwnerLookup {
    Optional<String> otherOwner(ClusterTarget target);
  }

  /**
   * Durably records what a restart or another replica must know: before authip writes to Azure, the status with the
   * intended change of a target (its {@code pendingOperation} without poll URL yet); after Azure accepted it, the
   * operation's poll URL. Implementations write with optimistic concurrency and throw when the write is refused (the
   * pass must then stop: no Azure write follows).
   */
  @FunctionalInterface
  public interface IntentLog {
    void record(List<TargetStatus> targets);
  }

  /**
   * @param targets the new status of every target, in spec order
   * @param events what happened
   * @param rescheduleAfter when to look again
   */
  public record Result(List<TargetStatus> targets, List<PolicyEvent> events, Duration rescheduleAfter,
      List<SelectorStatus> selectors) {
    public Result(List<TargetStatus> targets, List<PolicyEvent> events, Duration rescheduleAfter) {
      this(targets, events, rescheduleAfter, null);
    }
  }

  /** Which identities may list a subscription's (or resource group's) clusters for the policy's target selectors. */
  @FunctionalInterface
  public interface Listers {
    List<AksGateway> listers(String subscriptionId, String resourceGroup);
  }

  private static final int MAX_PRECONDITION_RETRIES = 3;
  /**
   * How stale lastSyncTime may get before a resync that found nothing else new writes it anyway. Rewriting it on
   * every resync patched the status of every policy every interval: with 1,000 policies, 1,000 writes to the API
   * server and watch events to every watcher per interval, more than half the operator's steady-state CPU. Every 10
   * minutes was still 17 status writes a second with 10,000 policies and nothing to change; every hour is 2.8.
   */
  static final Duration SYNC_TIME_REFRESH = Duration.ofHours(1);
  /**
   * Status holds the lists of each target (applied, captured, in flight) up to this many targets, the most
   * spec.targets may name: 100 targets with three lists of 200 ranges stay near 1.2 MB, within etcd's 1.5 MiB.
   */
  static final int LISTS_IN_STATUS = 100;
  /** The gateway's refusals of an operation handle that no retry can make pollable. */
  private static final java.util.Set<String> UNPOLLABLE =
      java.util.Set.of(Outcome.Failure.Rejected.UNTRUSTED_POLL_URL, Outcome.Failure.Rejected.INVALID_OPERATION_HANDLE);

  private static final Logger LOG = LoggerFactory.getLogger(PolicySyncer.class);
  private static final int MAX_FOREIGN_SHOWN = 20;

  private final AksGateway gateway;
  private final CaptureStore captures;
  private final TargetPlanner planner;
  private final OperatorConfig config;
  private final Clock clock;
  /** Consecutive Azure failures per target, for backoff. Losing it on restart only resets the backoff. */
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();
  /**
   * Per target with a change running: the cluster as it will be once the change succeeds, so that its success needs
   * no second GET. Losing it on restart only costs that GET.
   */
  private final Map<String, ClusterSnapshot> changing = new ConcurrentHashMap<>();

  /**
   * Per target whose change Azure answered with {@code Retry-After}: not polled before then. Losing it on restart only
   * means the change's end is seen in the cluster's state instead.
   */
  private final Map<String, Instant> pollAfter = new ConcurrentHashMap<>();
  /**
   * Per target, when authip last learnt of a change of its own to it (accepted, or ended): a list begun before that
   * shows the cluster as it was, and nothing is concluded from it. Losing it on restart is harmless: a new process
   * has no list yet.
   */
  private final Map<String, Instant> changedAt = new ConcurrentHashMap<>();
  /** Per target, what authip last sent it (with {@link #changedAt}): only ever used to decide to read it again. */
  private final Map<String, ApiServerAccess> sent = new ConcurrentHashMap<>();
  /** The clusters each Enforce policy's selectors took, for ownership between selectors. */
  private final Selections selections = new Selections();
  /** Lists clusters per subscription; null: every cluster is read alone (as tests of this class do). */
  private final FleetObserver observer;
  /** Checks that API servers answer the operator (spec.reachability); null: no check is possible. */
  private volatile ApiServerProber prober;
  /** Reconciles the policy whose check finished. */
  private volatile java.util.function.Consumer<ResourceID> probed = id -> { };
  /**
   * Per target changed by a policy with {@code revertOnLockout}, whose API server answered before: the change is
   * watched until the API server answers after its propagation window, or is found locked out, or for
   * {@link #WATCH_MAX_AGE} after the window. A cache of the watch in authip's record
   * ({@link CaptureStore.Entry#watch()}), written with the change before it is sent, and taken up from there after it
   * is (so also after a restart, with the failed checks counted again).
   */
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();
  /** The egress of the cluster authip runs in ({@code spec.egress.managementCluster}), as last resolved. */
  private volatile SelfEgress selfEgress;

  /**
   * A change being watched for a lockout: when it was sent, how many checks after its window failed, and whether it
   * ended (the API server answered after the window) with that end not yet recorded.
   */
  private record Watch(Instant sentAt, String digest, int failuresAfterWindow, boolean ended, List<String> before) {
    Watch ended(boolean value) {
      return new Watch(sentAt, digest, failuresAfterWindow, value, before);
    }
  }

  /**
   * How long after its propagation window a change stays watched: a watch taken up from the record (after a restart
   * or a failover) or kept in memory longer than this is dropped, so that an API server that is down for other reasons
   * long after a change never makes authip put an older list back.
   */
  static final Duration WATCH_MAX_AGE = Duration.ofHours(1);

  /** The management cluster's egress blocks, and when they were resolved. */
  private record SelfEgress(CidrSet blocks, Instant at) {
  }

  /** Checks after the propagation window that must all fail before a change counts as a lockout. */
  static final int LOCKOUT_CHECKS = 2;

  /**
   * Enables {@code spec.reachability}: checks run on the prober's threads and reconcile the policy when done (through
   * the trigger {@link #onListed} sets).
   */
  void reachability(ApiServerProber prober) {
    this.prober = prober;
  }

  public PolicySyncer(AksGateway gateway, CaptureStore captures, OperatorConfig config, Clock clock) {
    this(gateway, captures, config, clock, null);
  }

  public PolicySyncer(AksGateway gateway, CaptureStore captures, OperatorConfig config, Clock clock,
      FleetObserver observer) {
    this.observer = observer;
    this.gateway = gateway;
    this.captures = captures;
    this.planner = new TargetPlanner(config.maxRanges(), config.vnetIntegrationMaxRanges());
    this.config = config;
    this.clock = clock;
  }

  /**
   * @param specChanged the spec changed since the status was written (observedGeneration behind): the flap guard
   *     starts afresh
   */
  /** Where the policies waiting for a list, or targeting a cluster a list found changed, are triggered. */
  void onListed(java.util.function.Consumer<ResourceID> trigger) {
    this.probed = trigger;
    if (observer != null) {
      observer.trigger(trigger);
    }
  }

  /** Every target through the operator's own gateway, as in open tenancy (tests). */
  Result sync(AuthorizedIpPolicy policy, CidrSet staticRanges, OwnerLookup owners, IntentLog intents,
      boolean specChanged) {
    return sync(policy, staticRanges, (t, a) -> new TargetRoute.Allowed(gateway, null), (sub, rg) -> List.of(gateway),
        owners, intents, specChanged);
  }

  /** Without target selectors' listers: selectors list with no identity (tests of named targets). */
  public Result sync(AuthorizedIpPolicy policy, CidrSet staticRanges, TargetRoute.Router routes, OwnerLookup owners,
      IntentLog intents, boolean specChanged) {
    return sync(policy, staticRanges, routes, (sub, rg) -> List.of(), owners, intents, specChanged);
  }

  /**
   * @param routes which identity reaches each target, or why none may: a refused target gets not a single Azure
   *     request, and keeps whatever the cluster has
   */
  public Result sync(AuthorizedIpPolicy policy, CidrSet staticRanges, TargetRoute.Router routes, Listers listers,
      OwnerLookup owners, IntentLog intents, boolean specChanged) {
    AuthorizedIpPolicySpec spec = policy.getSpec();
    // Selection, counting and the pass itself each ask for a target's route: decided once per pass.
    Map<String, TargetRoute> decided = new HashMap<>();
    TargetRoute.Router router = routes;
    routes = (t, a) -> decided.computeIfAbsent(t.key() + "|" + a, k -> router.route(t, a));
    Duration resync = config.effectiveResync(
        ResyncInterval.parse(spec.effectiveResyncInterval()).orElse(Duration.ofMinutes(5)));
    Map<String, TargetStatus> previous = new HashMap<>();
    if (policy.getStatus() != null && policy.getStatus().getTargets() != null) {
      for (TargetStatus t : policy.getStatus().getTargets()) {
        if (t.getClusterId() != null) {
          previous.put(key(t.getClusterId()), t);
        }
      }
    }
    List<PolicyEvent> events = new ArrayList<>();
    Selection selection = select(policy, spec, routes, listers, resync, previous, events);
    List<ClusterTarget> targets = selection.targets();
    List<TargetStatus> out = new ArrayList<>();
    Duration next = resync;
    if (observer != null) {
      ResourceID self = ResourceID.fromResource(policy);
      for (ClusterTarget t : targets) {
        if (routes.route(t, spec.effectiveAccess()) instanceof TargetRoute.Allowed a) {
          observer.note(a.gateway(), t, self);
        }
      }
    }
    List<Step> deferred = new ArrayList<>();
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      ClusterTarget target = targets.get(i);
      TargetStatus prev = previous.get(target.key());
      TargetStatus status = prev == null ? fresh(target) : prev.copy();
      String selectedBy = selection.selectedBy().get(target.key());
      status.setSelectedBy(selectedBy);
      if (specChanged) {
        status.setRecentCorrections(null);
      }
      int index = i;
      // The status as it stands while this target is being worked on: the targets done, this one, the rest as read.
      Supplier<List<TargetStatus>> sofar = () -> {
        List<TargetStatus> all = new ArrayList<>(out);
        all.add(status);
        for (ClusterTarget rest : targets.subList(index + 1, targets.size())) {
          TargetStatus p = previous.get(rest.key());
          all.add(p == null ? fresh(rest) : p);
        }
        all.addAll(selection.carried());
        return all;
      };
      TargetRoute route = routes.route(target, spec.effectiveAccess());
      Step step = new Step(target, status, prev, resync, events, policy, intents, sofar, i == targets.size() - 1,
          route instanceof TargetRoute.Allowed a ? a.gateway() : null, targets.size() > 1,
          targets.size() > LISTS_IN_STATUS, specChanged);
      // Only a valid Enforce policy owns a cluster: an Observe policy neither blocks another nor is blocked.
      Optional<String> owner = route instanceof TargetRoute.Refused || spec.effectiveMode() != Mode.Enforce
          ? Optional.empty() : selectedBy == null ? owners.otherOwner(target).map(o -> "the older policy " + o)
          : owners.otherOwner(target).map(o -> "policy " + o + ", which names it in spec.targets (a named target "
              + "wins over selectors)")
              .or(() -> selections.olderThan(policy, target.key()).map(o -> "the older policy " + o
                  + ", whose target selectors also select it"));
      if (route instanceof TargetRoute.Refused refused) {
        // Tenancy: not a single Azure request for this cluster, and whatever it has stays as it is. A change already
        // in flight keeps its record in status, to be followed once the cluster is granted again.
        boolean changed = status.getState() != TargetState.Blocked && status.getState() != TargetState.Error
            || !refused.reason().is(status.getReason()) || !refused.message().equals(status.getMessage());
        step.state(refused.reason() == TargetReason.NotGranted ? TargetState.Blocked : TargetState.Error,
            refused.reason(), refused.message());
        status.setDriftDetectedAt(null);
        if (changed) {
          events.add(new PolicyEvent(refused.reason() == TargetReason.NotGranted ? EventReason.NotGranted
              : EventReason.IdentityUnavailable, target.getClusterName() + ": " + refused.message(), target.key()));
        }
      } else if (owner.isPresent()) {
        step.blocked(TargetReason.TargetConflict, "the cluster is already managed by " + owner.get()
            + "; remove it from one of the two policies");
        status.setPendingOperation(null);
        events.add(new PolicyEvent(EventReason.TargetConflict, target.getClusterName() + ": managed by " + owner.get(),
            target.key()));
      } else {
        try (var mdc = LogContext.cluster(target.resourceId())) {
          syncTarget(spec, staticRanges, step);
        }
        keepRecentSyncTime(step.status, prev);
      }
      out.add(step.status);
      if (!step.records.isEmpty()) {
        steps.add(step);
      }
      if (step.deferred != null) {
        deferred.add(step);
      }
      if (step.after.compareTo(next) < 0) {
        next = step.after;
      }
    }
    out.addAll(selection.carried());
    recordCaptures(policy, steps, deferred);
    for (Step step : steps) {
      if (step.after.compareTo(next) < 0) {
        next = step.after;
      }
    }
    if (!deferred.isEmpty()) {
      // Write-ahead for the whole pass: every intent durable in one status write (a refused write stops the pass
      // here, before any PUT), then the PUTs.
      intents.record(out);
      for (Step step : deferred) {
        try (var mdc = LogContext.cluster(step.target.resourceId())) {
          step.deferred.run();
        }
        if (step.after.compareTo(next) < 0) {
          next = step.after;
        }
      }
    }
    return new Result(out, events, next, selection.selectors());
  }

  /**
   * Records the captures and the lists about to be sent of a pass's targets, as far as not recorded yet (one write
   * per capture ConfigMap). When that fails nothing is sent to any of the deferred changes: each is dropped, its
   * target's status as it was before the change was planned, with the reason. (A capture alone is only needed before
   * a write, and the write path records it first or does not write.)
   */
  private void recordCaptures(AuthorizedIpPolicy policy, List<Step> steps, List<Step> deferred) {
    if (steps.isEmpty()) {
      return;
    }
    List<CaptureStore.Record> records = new ArrayList<>();
    steps.forEach(s -> records.addAll(s.records));
    Map<String, CaptureStore.Entry> written;
    try {
      written = captures.recordAll(policy, records);
    } catch (CaptureStore.NotRecorded e) {
      LOG.warn("{}", e.getMessage());
      for (Step step : List.copyOf(deferred)) {
        TargetStatus ts = step.status;
        ts.setAccess(step.before.getAccess());
        ts.setAppliedRanges(step.before.getAppliedRanges());
        ts.setRangeCount(step.before.getRangeCount());
        ts.setRangesDigest(step.before.getRangesDigest());
        ts.setPendingOperation(step.before.getPendingOperation());
        markDrift(ts, step.prev, step.desired);
        step.state(TargetState.Error, TargetReason.IntentNotRecorded, e.getMessage() + "; nothing was sent to Azure");
        step.retryIn(backoff(failures.merge(step.target.key(), 1, Integer::sum)));
        step.deferred = null;
      }
      deferred.clear();
      return;
    }
    for (Step step : steps) {
      CaptureStore.Entry entry = written.get(step.target.key());
      if (entry != null) {
        showCapture(step, entry);
        step.record = entry;
      }
    }
  }

  /**
   * The targets of one pass: those named in spec.targets, then those the selectors select (each cluster once, a named
   * one never as selected).
   *
   * @param selectedBy per selected cluster's key, which selector took it
   * @param carried status entries of clusters a selector took before and cannot judge now (its list is not there
   *     yet, or failed): kept in status exactly as they were, and nothing is sent to them
   * @param selectors what each selector selected; null when the policy has none
   */
  private record Selection(List<ClusterTarget> targets, Map<String, String> selectedBy, List<TargetStatus> carried,
      List<SelectorStatus> selectors) {
  }

  private Selection select(AuthorizedIpPolicy policy, AuthorizedIpPolicySpec spec, TargetRoute.Router routes,
      Listers listers, Duration resync, Map<String, TargetStatus> previous, List<PolicyEvent> events) {
    List<ClusterTarget> named = spec.targetsOrEmpty();
    List<TargetSelector> selectors = spec.targetSelectorsOrEmpty();
    ResourceID self = ResourceID.fromResource(policy);
    if (selectors.isEmpty()) {
      selections.forget(self);
      released(previous, java.util.Set.of(), spec, events);
      return new Selection(named, Map.of(), List.of(), null);
    }
    java.util.Set<String> taken = new java.util.HashSet<>();
    named.forEach(t -> taken.add(t.key()));
    Map<String, String> selectedBy = new HashMap<>();
    List<ClusterTarget> selected = new ArrayList<>();
    List<TargetStatus> carried = new ArrayList<>();
    List<SelectorStatus> statuses = new ArrayList<>();
    Instant notBefore = now().minus(resync);
    String namespace = policy.getMetadata().getNamespace();
    for (int i = 0; i < selectors.size(); i++) {
      String label = "targetSelectors[" + i + "]";
      TargetSelector sel = selectors.get(i);
      String problem = null;
      List<ClusterListing.Listed> listed = new ArrayList<>();
      List<AksGateway> gateways = observer == null ? List.of()
          : listers.listers(sel.getSubscriptionId(), sel.getResourceGroup());
      if (observer == null) {
        problem = "this operator observes clusters one by one and cannot list them; name the clusters in spec.targets";
      } else if (gateways.isEmpty()) {
        problem = "no TargetGrant for namespace " + namespace + " covers clusters of subscription "
            + sel.getSubscriptionId() + (sel.getResourceGroup() == null ? "" : " resource group "
            + sel.getResourceGroup()) + " with an identity this installation can use; ask a cluster administrator "
            + "for a grant there";
      }
      for (AksGateway gw : gateways) {
        FleetObserver.Clusters clusters = observer.clusters(gw, sel.getSubscriptionId(), sel.getResourceGroup(),
            notBefore, self);
        if (clusters instanceof FleetObserver.Clusters.Listed l) {
          listed.addAll(l.clusters());
        } else if (clusters instanceof FleetObserver.Clusters.Waiting w && w.last() != null) {
          // A newer list is on its way: until it comes, the selection stands as the last list made it (a cluster
          // tagged or untagged since is taken or released when the newer list shows it).
          listed.addAll(w.last().clusters());
        } else if (clusters instanceof FleetObserver.Clusters.Waiting w) {
          problem = problem == null ? "waiting for " + w.why() : problem;
        } else if (clusters instanceof FleetObserver.Clusters.Failed f) {
          problem = "cannot list " + f.during() + ": " + f.failure().message();
        }
      }
      if (problem == null) {
        java.util.TreeMap<String, ClusterTarget> matches = new java.util.TreeMap<>();
        for (ClusterListing.Listed l : listed) {
          if (sel.matches(l.tags())) {
            matches.putIfAbsent(l.snapshot().target().key(), l.snapshot().target());
          }
        }
        List<ClusterTarget> mine = new ArrayList<>();
        int refused = 0;
        for (ClusterTarget t : matches.values()) {
          if (taken.contains(t.key())) {
            continue;
          }
          if (routes.route(t, spec.effectiveAccess()) instanceof TargetRoute.Refused) {
            refused++; // not named: the namespace may not know clusters outside its grants exist
            continue;
          }
          mine.add(t);
        }
        if (selected.size() + mine.size() > AuthorizedIpPolicySpec.MAX_SELECTED) {
          problem = "selects " + mine.size() + " clusters; with the other selectors that is more than the "
              + AuthorizedIpPolicySpec.MAX_SELECTED + " one policy may hold; narrow clusterTags or split the policy "
              + "(nothing is changed on the clusters it would add)";
        } else {
          for (ClusterTarget t : mine) {
            taken.add(t.key());
            selectedBy.put(t.key(), label);
            selected.add(t);
          }
          statuses.add(new SelectorStatus(label, mine.size(), true, matches.size() + " clusters carry the tags"
              + (matches.size() > mine.size() + refused ? "; " + (matches.size() - mine.size() - refused)
                  + " of them named in spec.targets or taken by an earlier selector" : "")
              + (refused > 0 ? "; " + refused + " of them outside this namespace's TargetGrants, not taken" : "")));
          continue;
        }
      }
      // Not resolved now: what the selector took before stays in status as it was, and nothing is sent to it.
      int kept = 0;
      for (TargetStatus p : previous.values()) {
        if (label.equals(p.getSelectedBy()) && !taken.contains(key(p.getClusterId()))) {
          taken.add(key(p.getClusterId()));
          carried.add(p);
          kept++;
        }
      }
      statuses.add(new SelectorStatus(label, kept, false, problem));
    }
    if (spec.effectiveMode() == Mode.Enforce) {
      java.util.Set<String> claimed = new java.util.HashSet<>(selectedBy.keySet());
      carried.forEach(c -> claimed.add(key(c.getClusterId())));
      selections.update(self, ageOf(policy), claimed);
    } else {
      selections.forget(self);
    }
    released(previous, taken, spec, events);
    List<ClusterTarget> all = new ArrayList<>(named);
    all.addAll(selected);
    carried.sort(java.util.Comparator.comparing(c -> key(c.getClusterId())));
    return new Selection(all, selectedBy, carried, statuses);
  }

  /** Clusters a selector took before and no longer takes are released: left exactly as they are. */
  private static void released(Map<String, TargetStatus> previous, java.util.Set<String> taken,
      AuthorizedIpPolicySpec spec, List<PolicyEvent> events) {
    java.util.Set<String> named = new java.util.HashSet<>();
    spec.targetsOrEmpty().forEach(t -> named.add(t.key()));
    for (Map.Entry<String, TargetStatus> e : new java.util.TreeMap<>(previous).entrySet()) {
      TargetStatus p = e.getValue();
      if (p.getSelectedBy() != null && !taken.contains(e.getKey()) && !named.contains(e.getKey())) {
        String id = p.getClusterId();
        String name = id.substring(id.lastIndexOf('/') + 1);
        events.add(new PolicyEvent(EventReason.TargetReleased, name + ": no longer selected (" + p.getSelectedBy()
            + " of the policy no longer matches it); left as it is", e.getKey()));
      }
    }
  }

  /** Orders policies by age as ownership does: creation time, then namespace/name. */
  static String ageOf(AuthorizedIpPolicy p) {
    String created = p.getMetadata().getCreationTimestamp();
    return (created == null ? "~" : created) + " " + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
  }

  /** Another policy whose selectors take the cluster, whatever its age (a restore must not undo its work). */
  Optional<String> selectedElsewhere(AuthorizedIpPolicy policy, String clusterKey) {
    return selections.other(policy, clusterKey);
  }

  /** Forgets what a deleted policy selected. */
  void forget(ResourceID policy) {
    selections.forget(policy);
  }

  /** When lastSyncTime is all that changed and the one in status is recent enough, keep that one. */
  private void keepRecentSyncTime(TargetStatus status, TargetStatus prev) {
    Instant before = prev == null ? null : parse(prev.getLastSyncTime());
    if (before == null || status.getLastSyncTime() == null || !now().isBefore(before.plus(SYNC_TIME_REFRESH))) {
      return;
    }
    String fresh = status.getLastSyncTime();
    status.setLastSyncTime(prev.getLastSyncTime());
    if (!status.equals(prev)) {
      status.setLastSyncTime(fresh);
    }
  }

  /** Mutable state of one target's pass. */
  private final class Step {
    final ClusterTarget target;
    final TargetStatus status;
    final TargetStatus prev;
    final List<PolicyEvent> events;
    final AuthorizedIpPolicy policy;
    final IntentLog intents;
    final Supplier<List<TargetStatus>> sofar;
    /** The last target of the pass: the status write that ends the pass follows at once. */
    final boolean last;
    /** The gateway of the identity that reaches this target (null when it is refused). */
    final AksGateway gateway;
    final Duration resync;
    /** One of several targets of the pass: a change's intent is recorded with the others' (see {@link #deferred}). */
    final boolean batch;
    /** The change to send once the pass's intents are recorded together; null when there is none. */
    Runnable deferred;
    /** What the deferred change sends, and this target's status before it was planned. */
    ApiServerAccess desired;
    TargetStatus before;
    /** More than {@link #LISTS_IN_STATUS} targets in the pass: status keeps no list of this target's. */
    final boolean compact;
    /** The pass follows an edit of the spec: an older list may start a change at once (see syncTarget). */
    final boolean specChanged;
    /**
     * What is still to be recorded in the capture ConfigMaps for this target: its first capture (written with its
     * change, or at the end of the pass), and in a batch pass the list about to be sent.
     */
    final List<CaptureStore.Record> records = new ArrayList<>();
    Duration after;
    /** The cluster's API server name as last read ({@code properties.fqdn}), for the reachability check. */
    String fqdn;
    /** authip's own record of this cluster (capture, lists sent, lockout watch and hold), as last read or written. */
    CaptureStore.Entry record;

    Step(ClusterTarget target, TargetStatus status, TargetStatus prev, Duration resync, List<PolicyEvent> events,
        AuthorizedIpPolicy policy, IntentLog intents, Supplier<List<TargetStatus>> sofar, boolean last,
        AksGateway gateway, boolean batch, boolean compact, boolean specChanged) {
      this.gateway = gateway;
      this.batch = batch;
      this.compact = compact;
      this.specChanged = specChanged;
      this.resync = resync;
      this.target = target;
      this.status = status;
      this.prev = prev;
      this.after = resync;
      this.events = events;
      this.policy = policy;
      this.intents = intents;
      this.sofar = sofar;
      this.last = last;
    }

    void state(TargetState state, TargetReason reason, String message) {
      status.setState(state);
      status.setReason(reason.name());
      status.setMessage(message);
    }

    void blocked(TargetReason reason, String message) {
      state(TargetState.Blocked, reason, message);
    }

    void retryIn(Duration d) {
      if (d.compareTo(after) < 0) {
        after = d;
      }
    }

    void event(EventReason reason, String message) {
      events.add(new PolicyEvent(reason, target.getClusterName() + ": " + message, target.key()));
    }
  }

  private void syncTarget(AuthorizedIpPolicySpec spec, CidrSet staticRanges, Step step) {
    TargetStatus ts = step.status;
    boolean enforce = spec.effectiveMode() == Mode.Enforce;
    String key = step.target.key();
    if (spec.effectiveEgress().managementClusterEnabled()) {
      Outcome<CidrSet> self = selfEgress();
      if (self instanceof Outcome.Failed<CidrSet> f) {
        boolean changed = ts.getState() != TargetState.Blocked || !TargetReason.UnresolvedEgress.is(ts.getReason());
        step.blocked(TargetReason.UnresolvedEgress, "spec.egress.managementCluster: " + f.failure().message()
            + "; nothing is sent without the management cluster's egress");
        if (changed) {
          step.event(EventReason.Blocked, TargetReason.UnresolvedEgress + ": " + ts.getMessage());
        }
        step.retryIn(config.errorBackoff());
        return;
      }
      // Exact addresses of authip's own cluster: added as ranges (a cover never widens a /32).
      staticRanges = staticRanges.union(((Outcome.Ok<CidrSet>) self).value());
    }
    CaptureStore.Entry record = null;
    if (enforce) {
      try {
        record = captures.entry(step.policy, key).orElse(null);
      } catch (KubernetesClientException e) {
        step.state(TargetState.Error, TargetReason.CaptureUnreadable, "cannot read authip's record of this cluster from "
            + "ConfigMap " + captures.configMapOf(step.policy, key) + " (HTTP " + e.getCode()
            + "); nothing is changed until it can be read");
        step.retryIn(backoff(failures.merge(key, 1, Integer::sum)));
        return;
      }
      showCapture(step, record);
      step.record = record;
      // Status shows the hold of authip's own record, never one written there by anyone else.
      ts.setLockout(record == null ? null : lockoutStatus(record.lockout()));
    } else {
      ts.setPrevious(null);
      ts.setLockout(null);
    }
    PendingOperation pending = ts.getPendingOperation();
    // A change recorded in status (an operation, or the intent written before its PUT): the cluster failing after it
    // may be authip's own doing. Status is tenant input: this only ever leads to sending the policy's own list again.
    boolean ownChange = pending != null;
    // The cluster as a list showed it, when this pass was handed one; a change never starts from it (see below).
    FleetObserver.Observation.Listed listed = null;
    if (pending != null && pending.getPollUrl() != null) {
      Instant after = pollAfter.get(key);
      if (after == null && observer != null && observer.lists(step.gateway, step.target)) {
        // No Retry-After to honour: the change's end shows in the cluster's own state, in a list begun after it was
        // accepted. No operation is polled.
        Ended ended = endSeenInList(step, pending);
        if (ended.listed == null) {
          return;
        }
        listed = ended.listed;
      } else {
        if (after != null && now().isBefore(after)) {
          step.state(TargetState.Updating, TargetReason.OperationInProgress, "Azure is applying " + entries(step, pending)
              + " entries (started " + pending.getStartedAt() + "; Azure asked for no poll before " + after + ")");
          step.retryIn(Duration.between(now(), after).plusMillis(1));
          return;
        }
        Polled polled = pollPending(step, pending);
        if (polled == Polled.RUNNING) {
          return;
        }
        pollAfter.remove(key);
        changedAt.put(key, now());
        ClusterSnapshot changed = changing.remove(key);
        if (polled == Polled.FAILED || (polled == Polled.SUCCEEDED && changed != null
            && inSyncAfterChange(spec, staticRanges, step, changed))) {
          return;
        }
      }
    }
    Duration queued = step.gateway.queued(step.target);
    if (queued.compareTo(Duration.ZERO) > 0 && listed == null) {
      // Its change waits for its turn in the request budget: nothing to read until then.
      step.retryIn(queued.plusMillis(1));
      return;
    }
    boolean alone = false;
    // Set when the list used is older than the policy asks for: it may start a change, never conclude there is none.
    String outdated = null;
    for (int attempt = 1; attempt <= MAX_PRECONDITION_RETRIES; attempt++) {
      if (listed == null && attempt == 1 && !alone && observer != null) {
        Instant notBefore = now().minus(step.resync);
        Instant changed = changedAt.get(key);
        if (changed != null && changed.isAfter(notBefore)) {
          notBefore = changed.plusMillis(1);
        }
        FleetObserver.Observation seen = observer.observe(step.gateway, step.target, notBefore,
            ResourceID.fromResource(step.policy));
        if (seen instanceof FleetObserver.Observation.Listed l) {
          listed = l;
        } else if (seen instanceof FleetObserver.Observation.Waiting w) {
          // An older list still tells whether a change is due (an edited spec, say): a change reads the cluster
          // alone first, so it starts now; only "nothing to change" waits for the list the policy asks for.
          Instant settled = changedAt.get(key);
          Optional<FleetObserver.Observation.Listed> older = enforce && pending == null
              ? observer.last(step.gateway, step.target) : Optional.empty();
          if (older.isPresent() && settled != null && !older.get().listedAt().isAfter(settled)) {
            // The list is older than authip's own last change: the cluster has what authip sent then.
            ApiServerAccess mine = sent.get(key);
            FleetObserver.Observation.Listed l = older.get();
            older = mine == null ? Optional.empty() : Optional.of(new FleetObserver.Observation.Listed(
                new ClusterListing.Listed(l.cluster().snapshot().afterChange(mine), l.cluster().tags()),
                l.listedAt()));
          }
          if (older.isEmpty()) {
            waitForList(step, w.why());
            return;
          }
          listed = older.get();
          outdated = w.why();
        } else if (seen instanceof FleetObserver.Observation.Failed f) {
          failure(step, f.failure(), "listing the managed clusters of " + f.during());
          return;
        }
      }
      ClusterSnapshot snapshot;
      Instant seenAt;
      if (listed != null) {
        snapshot = listed.cluster().snapshot();
        seenAt = listed.listedAt();
        listed = null;
      } else {
        Outcome<ClusterSnapshot> read = step.gateway.read(step.target);
        if (read instanceof Outcome.Failed<ClusterSnapshot> f) {
          failure(step, f.failure(), "reading the cluster");
          return;
        }
        snapshot = ((Outcome.Ok<ClusterSnapshot>) read).value();
        seenAt = now();
      }
      boolean fromList = snapshot.rawBody() == null && observer != null && !alone;
      step.fqdn = snapshot.fqdn();
      ts.setClusterId(snapshot.clusterId() == null ? step.target.resourceId() : snapshot.clusterId());
      ts.setLastSyncTime(seenAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());
      if (enforce && record == null && step.records.isEmpty()) {
        // The first read in Enforce mode: what the cluster has is the genuine pre-takeover state. Recorded with the
        // list about to be sent when this pass changes the cluster (one write), else at the end of the pass (with
        // the pass's other clusters, one write per capture ConfigMap).
        step.records.add(new CaptureStore.Record(key, ts.getClusterId(), snapshot.access(), null, now().toString()));
      }
      // The node subnets' NAT gateways and default routes first: they name more addresses to resolve.
      List<String> subnets = TargetPlanner.subnetIds(spec, snapshot);
      Map<String, EgressPath> paths = Map.of();
      if (!subnets.isEmpty() && outdated != null && fromList && !step.specChanged) {
        Optional<Map<String, EgressPath>> known = step.gateway.egressPathsCached(subnets);
        if (known.isEmpty()) {
          waitForList(step, outdated);
          return;
        }
        paths = known.get();
      } else if (!subnets.isEmpty()) {
        Outcome<Map<String, EgressPath>> p = step.gateway.egressPaths(subnets);
        if (p instanceof Outcome.Failed<Map<String, EgressPath>> f) {
          failure(step, f.failure(), "following the node subnets to their egress");
          return;
        }
        paths = ((Outcome.Ok<Map<String, EgressPath>>) p).value();
      }
      List<String> ids = TargetPlanner.egressIds(spec, snapshot, paths);
      Map<String, Cidr> resolved = Map.of();
      if (!ids.isEmpty() && outdated != null && fromList && !step.specChanged) {
        // A resync with an older list than it asks for: worth looking at only with the addresses at hand. Looking
        // them up one by one here (their cache expired with the list) made 10,000 lookups per resync at 10,000
        // clusters, which drained the read budget the newer list needed; the newer list brings them.
        Optional<Map<String, Cidr>> known = step.gateway.resolveCached(ids);
        if (known.isEmpty()) {
          waitForList(step, outdated);
          return;
        }
        resolved = known.get();
      } else if (!ids.isEmpty()) {
        Outcome<Map<String, Cidr>> r = step.gateway.resolve(ids);
        if (r instanceof Outcome.Failed<Map<String, Cidr>> f) {
          failure(step, f.failure(), "resolving egress addresses");
          return;
        }
        resolved = ((Outcome.Ok<Map<String, Cidr>>) r).value();
      }
      TargetPlan plan = planner.plan(spec, staticRanges, snapshot, paths, resolved);
      ts.setRangesLimit(planner.limitFor(snapshot));
      if (plan instanceof TargetPlan.Blocked b) {
        boolean changed = ts.getState() != TargetState.Blocked || !b.reason().is(ts.getReason());
        step.blocked(b.reason(), b.message());
        ts.setDriftDetectedAt(null);
        ts.setSupernet(null);
        clearIntent(ts);
        if (changed) {
          step.event(EventReason.Blocked, b.reason() + ": " + b.message());
        }
        return;
      }
      ApiServerAccess planned = ((TargetPlan.Desired) plan).access();
      ts.setSupernet(supernetStatus(((TargetPlan.Desired) plan).widening()));
      // A list that locked the operator out is held back while the policy asks for it: the list the cluster had
      // before is what the cluster gets. Both come from authip's own record, which tenants cannot write; status only
      // shows them.
      CaptureStore.Mark hold = record == null ? null : record.lockout();
      if (hold != null && (!spec.effectiveReachability().reverting() || !planned.digest().equals(hold.digest()))) {
        // The policy asks for another list (or no longer for reverts): the hold ends, in the record first.
        try {
          record = captures.recordMarks(step.policy, key, ts.getClusterId(), record.watch(), null, now().toString());
          step.record = record;
        } catch (CaptureStore.NotRecorded e) {
          step.state(TargetState.Error, TargetReason.IntentNotRecorded, e.getMessage() + "; the end of the lockout "
              + "hold must be recorded before anything is sent to Azure");
          step.retryIn(backoff(failures.merge(key, 1, Integer::sum)));
          return;
        }
        ts.setLockout(null);
        hold = null;
      }
      Optional<ApiServerAccess> back = hold == null ? Optional.empty() : listBefore(record, planned);
      if (hold != null && back.isEmpty()) {
        step.blocked(TargetReason.LockoutPrevented, "the list " + planned.describe() + " locked the operator out "
            + "of the API server and authip has no record of a restricted list the cluster had before it (an "
            + "unrestricted one is never put back); change the policy's list, e.g. with "
            + "spec.egress.managementCluster: true");
        return;
      }
      ApiServerAccess desired = back.orElse(planned);
      AccessDiff diff = AccessDiff.between(snapshot.access(), desired);
      boolean resend = diff.isEmpty() && resendAfterFailure(spec, step.prev, snapshot, ownChange);
      if (outdated != null && fromList && (diff.isEmpty() || snapshot.operationInProgress())) {
        waitForList(step, outdated);
        return;
      }
      if (fromList && snapshot.operationInProgress()) {
        // An operation ran on the cluster when it was listed: how it ended decides, so a later list does.
        FleetObserver.Observation next = observer.observe(step.gateway, step.target, now().plus(config.pollInterval()),
            ResourceID.fromResource(step.policy));
        if (!(next instanceof FleetObserver.Observation.Waiting)) {
          step.retryIn(config.busyRetry());
        }
        if (!diff.isEmpty()) {
          markDrift(ts, step.prev, desired);
          step.state(TargetState.Pending, TargetReason.ClusterBusy, "the cluster is " + snapshot.provisioningState()
              + " (another operation); will change " + diff.summary() + " when it finishes");
        }
        return;
      }
      if (diff.isEmpty() && !resend) {
        PendingOperation intent = ts.getPendingOperation();
        if (snapshot.operationInProgress() && intent != null && intent.getPollUrl() == null
            && sameList(intent, desired)) {
          // authip's own change, whose operation URL was never recorded (the status write after the PUT was lost,
          // or the process died): follow it through the cluster's own provisioningState.
          recordDesired(step, desired);
          step.state(TargetState.Updating, TargetReason.OperationInProgress, "Azure is applying " + desired.entryCount()
              + " entries (seen on the cluster: " + snapshot.provisioningState() + ")");
          step.retryIn(config.pollInterval());
          return;
        }
        if (!snapshot.operationInProgress()) {
          changing.remove(key);
        }
        if (intent != null && intent.getPollUrl() == null && sameList(intent, desired)) {
          ts.setLastChangeTime(now().toString());
          step.event(EventReason.Applied, "the cluster has the " + desired.entryCount() + " entries authip sent");
        }
        clearIntent(ts);
        inSync(step, desired);
        return;
      }
      if (!enforce) {
        recordDesired(step, desired);
        if (ts.getDriftDetectedAt() == null) {
          ts.setDriftDetectedAt(now().toString());
          step.event(EventReason.DriftDetected, "actual ranges differ from the policy (Observe mode, not changed): "
              + diff.summary());
        }
        step.state(TargetState.Drifted, TargetReason.DriftDetected, "Observe mode: Enforce would change " + diff.summary());
        return;
      }
      if (snapshot.operationInProgress()) {
        markDrift(ts, step.prev, desired);
        step.state(TargetState.Pending, TargetReason.ClusterBusy, "the cluster is " + snapshot.provisioningState()
            + " (another operation); will change " + diff.summary() + " when it finishes");
        step.retryIn(config.busyRetry());
        return;
      }
      boolean correction = !resend && wasInSyncWith(step.prev, desired);
      List<String> recent = recentCorrections(ts);
      if (correction && recent.size() >= config.flapCorrections()) {
        contested(step, snapshot, desired, diff, recent);
        return;
      }
      // The change's turn in the identity's request budget (Azure's published limits), before anything is recorded.
      Duration turn = step.gateway.pace(step.target, fromList);
      if (turn.compareTo(Duration.ZERO) > 0) {
        markDrift(ts, step.prev, desired);
        step.state(TargetState.Pending, TargetReason.Queued, "waiting for this identity's Azure request budget (its "
            + "reads and writes in subscription " + step.target.getSubscriptionId() + ", and this cluster's PUTs: AKS "
            + "allows 20, then one a minute) to " + diff.summary());
        step.retryIn(turn.plusMillis(1));
        return;
      }
      if (fromList) {
        // A change starts from the cluster read alone, with its raw body and eTag: a list item may lag a GET, and
        // only a GET's body is sent back. The read is planned again: the cluster may have changed since the list.
        alone = true;
        attempt--;
        continue;
      }
      CaptureStore.Mark watch = null;
      if (hold == null && spec.effectiveReachability().checking() && prober != null) {
        Optional<ApiServerProber.Probe> before = prober.latest(key);
        if (before.isEmpty() || before.get().at().isBefore(now().minus(config.checks().interval()))) {
          prober.start(key, snapshot.fqdn(), p -> probed.accept(ResourceID.fromResource(step.policy)));
          markDrift(ts, step.prev, desired);
          step.state(TargetState.Pending, TargetReason.CheckingReachability, "checking that the API server answers "
              + "before changing " + diff.summary());
          step.retryIn(prober.timeout().plusSeconds(1));
          return;
        }
        ts.setApiServer(check(before.get()));
        watches.remove(key); // a new list: the watch of the previous one (if any) is over
        if (before.get().reachable() && spec.effectiveReachability().reverting()) {
          // Watched from the record once it is written (never from memory alone: the change may not be sent).
          // The list before: what the cluster has now, or, when this sends the same list again (a retry after a
          // failed operation), what it had before the first attempt.
          CaptureStore.Mark earlier = record == null ? null : record.watch();
          List<String> had = earlier != null && earlier.digest().equals(desired.digest()) && earlier.before() != null
              ? earlier.before() : snapshot.access().toAks();
          watch = new CaptureStore.Mark(desired.digest(), now().toString(), had);
        }
      }
      // Write-ahead: authip's own record (capture, list about to be sent), then the status with the intent. Only
      // once both are durable does the PUT go out. With several targets, their records go to the capture ConfigMaps
      // together and their intents to status in one write at the end of the pass, then their PUTs.
      if (step.batch) {
        step.before = ts.copy();
        step.records.add(new CaptureStore.Record(key, ts.getClusterId(), snapshot.access(), desired,
            now().toString(), true, watch, hold));
      } else {
        try {
          List<CaptureStore.Record> records = new ArrayList<>(step.records);
          records.add(new CaptureStore.Record(key, ts.getClusterId(), snapshot.access(), desired, now().toString(),
              true, watch, hold));
          record = captures.recordAll(step.policy, records).get(key);
          step.record = record;
          step.records.clear();
        } catch (CaptureStore.NotRecorded e) {
          markDrift(ts, step.prev, desired);
          step.state(TargetState.Error, TargetReason.IntentNotRecorded, e.getMessage() + "; nothing was sent to Azure");
          step.retryIn(backoff(failures.merge(key, 1, Integer::sum)));
          return;
        }
        showCapture(step, record);
      }
      recordDesired(step, desired);
      ts.setPendingOperation(intent(step, null, now().toString(), desired));
      String change = resend ? "sending the change again (the cluster is " + snapshot.provisioningState()
          + " after it)" : "changing " + diff.summary();
      TargetReason reason = correction ? TargetReason.CorrectingDrift : resend ? TargetReason.Retrying
          : TargetReason.Applying;
      step.state(TargetState.Pending, reason, "about to send: " + change);
      ClusterSnapshot read = snapshot;
      if (step.batch) {
        step.desired = desired;
        step.deferred = () -> {
          if (send(step, read, desired, change, reason, correction, recent) == Sent.PRECONDITION_FAILED) {
            step.state(TargetState.Pending, TargetReason.ConcurrentChange, "the cluster changed between read and "
                + "write; will read it again");
            step.retryIn(config.busyRetry());
          }
        };
        return;
      }
      step.intents.record(step.sofar.get());
      if (send(step, read, desired, change, reason, correction, recent) == Sent.DONE) {
        return;
      }
      // Someone changed the cluster since our read: read again and recompute, never resend the stale body.
    }
    step.state(TargetState.Pending, TargetReason.ConcurrentChange, "the cluster kept changing between read and write ("
        + MAX_PRECONDITION_RETRIES + " attempts); will try again");
    step.retryIn(config.busyRetry());
  }

  /** What sending a change came to. */
  private enum Sent {
    /** Accepted, or refused for a reason the status now says. */
    DONE,
    /** 412: the cluster changed since it was read; read it again, never resend the stale body. */
    PRECONDITION_FAILED
  }

  /** Sends a change whose intent is recorded, and records what Azure answered in the target's status. */
  private Sent send(Step step, ClusterSnapshot snapshot, ApiServerAccess desired, String change, TargetReason reason,
      boolean correction, List<String> recent) {
    TargetStatus ts = step.status;
    String key = step.target.key();
    Outcome<OperationHandle> applied = step.gateway.apply(snapshot, desired);
    if (applied instanceof Outcome.Ok<OperationHandle> ok) {
      failures.remove(key);
      changing.put(key, snapshot.afterChange(desired));
      changedAt.put(key, now());
      sent.put(key, desired);
      if (ok.value().retryAfter() != null) {
        pollAfter.put(key, now().plus(ok.value().retryAfter()));
      } else {
        pollAfter.remove(key);
      }
      ts.setDriftDetectedAt(null);
      ts.setPendingOperation(intent(step, ok.value().pollUrl(), now().toString(), desired));
      if (correction) {
        List<String> corrections = new ArrayList<>(recent);
        corrections.add(now().toString());
        ts.setRecentCorrections(corrections);
      }
      step.state(TargetState.Updating, reason, change);
      // Widening is never silent: the event says what the cover admits beyond the list (status has it too).
      io.authip.api.v1alpha1.SupernetStatus cover = ts.getSupernet();
      String widened = cover == null ? "" : "; overflow: Supernet covers the " + cover.getEntries() + " entries with "
          + cover.getBlocks() + " blocks, admitting " + cover.getExtraAddresses() + " extra addresses ("
          + cover.getExtraPercent() + " %)";
      step.event(correction ? EventReason.DriftCorrected : EventReason.Updating,
          (correction ? "drift corrected, " : "") + change + widened);
      // The poll URL goes to status with the pass's own status write, which follows the pass's PUTs at once; if that
      // write is lost, the intent recorded before the PUT tells the next pass to follow the cluster's own state.
      step.retryIn(ok.value().retryAfter() != null ? ok.value().retryAfter().plusMillis(1) : config.pollInterval());
      return Sent.DONE;
    }
    Outcome.Failure failure = ((Outcome.Failed<OperationHandle>) applied).failure();
    if (!(failure instanceof Outcome.Failure.Transient)) {
      // Azure refused the PUT: nothing of it is in flight. A transient failure (timeout, reset, 5xx) may have been
      // carried out all the same, so its intent stays for the next read to judge.
      clearIntent(ts);
    }
    if (!(failure instanceof Outcome.Failure.PreconditionFailed)) {
      markDrift(ts, step.prev, desired);
      failure(step, failure, "changing the cluster");
      return Sent.DONE;
    }
    return Sent.PRECONDITION_FAILED;
  }

  /** How following a change through lists went; {@code listed} is set when the change is over and it succeeded. */
  private record Ended(FleetObserver.Observation.Listed listed) {
  }

  /**
   * Follows a change in the cluster's own state as the first list begun after Azure accepted it shows it (AKS sets a
   * cluster Updating before it answers the PUT): still running, it waits for the next list; ended, it is judged by
   * the cluster's provisioningState, as the gateway judges it when it cannot poll. A cluster that cannot be listed
   * is polled as before.
   */
  private Ended endSeenInList(Step step, PendingOperation pending) {
    TargetStatus ts = step.status;
    Instant accepted = parse(pending.getStartedAt());
    if (accepted == null || accepted.isAfter(now())) {
      accepted = now(); // status is tenant input: a time to come would keep the target waiting for ever
    }
    ResourceID waiter = ResourceID.fromResource(step.policy);
    FleetObserver.Observation seen = observer.observe(step.gateway, step.target, accepted.plusMillis(1), waiter);
    if (seen instanceof FleetObserver.Observation.Waiting w) {
      waitForList(step, w.why());
      return new Ended(null);
    }
    if (seen instanceof FleetObserver.Observation.Failed f) {
      failure(step, f.failure(), "listing the managed clusters of " + f.during());
      return new Ended(null);
    }
    if (!(seen instanceof FleetObserver.Observation.Listed l)) {
      Polled polled = pollPending(step, pending);
      if (polled == Polled.SUCCEEDED || polled == Polled.UNKNOWN) {
        changing.remove(step.target.key());
        // read below, alone or from the list
        FleetObserver.Observation again = observer.observe(step.gateway, step.target, accepted.plusMillis(1), waiter);
        if (again instanceof FleetObserver.Observation.Listed l2) {
          return new Ended(l2);
        }
      }
      return new Ended(null);
    }
    ClusterSnapshot cluster = l.cluster().snapshot();
    if (cluster.operationInProgress()) {
      step.state(TargetState.Updating, TargetReason.OperationInProgress, "Azure is applying " + entries(step, pending)
          + " entries (started " + pending.getStartedAt() + "; the cluster was " + cluster.provisioningState()
          + " when listed at " + l.listedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")");
      // The next list, no sooner than a poll would have come, tells more.
      FleetObserver.Observation next = observer.observe(step.gateway, step.target, now().plus(config.pollInterval()),
          waiter);
      step.retryIn(next instanceof FleetObserver.Observation.Waiting ? step.resync : config.pollInterval());
      return new Ended(null);
    }
    ts.setPendingOperation(null);
    changing.remove(step.target.key());
    // This list shows the end: it, and any later one, may be used from now on.
    changedAt.put(step.target.key(), l.listedAt().minusMillis(1));
    if (ProvisioningState.isFailure(cluster.provisioningState())) {
      int n = failures.merge(step.target.key(), 1, Integer::sum);
      String message = "the cluster's provisioningState is " + cluster.provisioningState() + " after the change (seen "
          + "in the list of " + l.listedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")";
      step.state(TargetState.Error, TargetReason.OperationFailed, "Azure reported the change as "
          + cluster.provisioningState() + ": " + message);
      step.event(EventReason.OperationFailed, cluster.provisioningState() + ": " + message);
      step.retryIn(backoff(n));
      return new Ended(null);
    }
    ts.setLastChangeTime(now().toString());
    step.event(EventReason.Applied, "Azure finished applying " + entries(step, pending) + " entries");
    return new Ended(l);
  }

  /**
   * The list this target needs is on its way and the policy is triggered when it arrives: nothing to write meanwhile,
   * except for a target seen for the first time.
   */
  private void waitForList(Step step, String why) {
    TargetStatus ts = step.status;
    if (step.prev == null || TargetReason.Pending.is(ts.getReason()) && ts.getState() == TargetState.Pending) {
      step.state(TargetState.Pending, TargetReason.Pending, "waiting for " + why);
    }
    step.retryIn(step.resync);
  }

  /**
   * Status shows authip's own record of what the cluster had before the takeover; a different value there (planted,
   * or left by an older version) is reported and overwritten, never used.
   */
  private void showCapture(Step step, CaptureStore.Entry record) {
    CapturedAccess shown = step.prev == null ? null : step.prev.getPrevious();
    CapturedAccess genuine = record == null ? null : record.captured();
    if (genuine != null && step.compact) {
      // A policy of many targets: the capture's access and time in status, its list in authip's record alone.
      genuine = new CapturedAccess(genuine.getAccess(), List.of(), genuine.getCapturedAt());
    }
    if (shown != null && !shown.equals(genuine)) {
      step.event(EventReason.CaptureMismatch, "status.targets[].previous (" + describe(shown) + ") is not what authip "
          + "recorded (" + (genuine == null ? "nothing yet" : describe(genuine)) + " in ConfigMap "
          + captures.configMapOf(step.policy, step.target.key()) + "); the status value is ignored and replaced");
    }
    step.status.setPrevious(genuine);
  }

  private static String describe(CapturedAccess c) {
    return c.getAccess() + (c.getRanges() == null || c.getRanges().isEmpty() ? "" : " " + c.getRanges());
  }

  /** The flap guard: someone keeps undoing authip's corrections, so authip stops for the rest of the window. */
  private void contested(Step step, ClusterSnapshot snapshot, ApiServerAccess desired, AccessDiff diff,
      List<String> recent) {
    TargetStatus ts = step.status;
    Instant until = parse(recent.get(0)).plus(config.flapWindow());
    List<String> foreign = snapshot.access().toAks();
    String shown = foreign.size() <= MAX_FOREIGN_SHOWN ? String.join(", ", foreign)
        : String.join(", ", foreign.subList(0, MAX_FOREIGN_SHOWN)) + " and " + (foreign.size() - MAX_FOREIGN_SHOWN)
            + " more";
    recordDesired(step, desired);
    if (ts.getDriftDetectedAt() == null) {
      ts.setDriftDetectedAt(now().toString());
    }
    boolean wasContested = step.prev != null && step.prev.getState() == TargetState.Contested;
    step.state(TargetState.Contested, TargetReason.Contested, "changed back by someone else after each of " + recent.size()
        + " corrections within " + config.flapWindow() + "; not corrected until " + until
        + " or a spec change. The cluster has " + snapshot.access().access() + (foreign.isEmpty() ? "" : " [" + shown
        + "]") + "; the policy would change " + diff.summary());
    if (!wasContested) {
      step.event(EventReason.Contested, "another writer keeps changing the cluster back (" + recent.size()
          + " corrections within " + config.flapWindow() + "); authip stops correcting until " + until
          + "; the cluster has " + snapshot.access().access() + (foreign.isEmpty() ? "" : " [" + shown + "]"));
    }
    step.retryIn(Duration.between(now(), until).plusMillis(50));
  }

  /** The corrections of the target still inside the flap window, oldest first. */
  private List<String> recentCorrections(TargetStatus ts) {
    if (ts.getRecentCorrections() == null) {
      return List.of();
    }
    Instant cutoff = now().minus(config.flapWindow());
    List<String> recent = ts.getRecentCorrections().stream().filter(t -> {
      Instant at = parse(t);
      return at != null && at.isAfter(cutoff) && !at.isAfter(now());
    }).sorted().toList();
    ts.setRecentCorrections(recent.isEmpty() ? null : new ArrayList<>(recent));
    return recent;
  }

  /** Entries of a recorded change; status is tenant input, so a missing list counts as none. */
  private static int entries(PendingOperation pending) {
    return pending.getRanges() == null ? 0 : pending.getRanges().size();
  }

  /** Entries of a recorded change, also when status holds its digest alone (a policy of many targets). */
  private static int entries(Step step, PendingOperation pending) {
    if ((pending.getRanges() == null || pending.getRanges().isEmpty()) && pending.getRangesDigest() != null
        && pending.getRangesDigest().equals(step.status.getRangesDigest()) && step.status.getRangeCount() != null) {
      return step.status.getRangeCount();
    }
    return entries(pending);
  }

  private static boolean sameList(PendingOperation intent, ApiServerAccess desired) {
    if (intent.getRangesDigest() != null) {
      return intent.getRangesDigest().equals(desired.digest());
    }
    return intent.getAccess() == desired.access() && intent.getRanges() != null
        && ApiServerAccess.fromAks(intent.getRanges()).ranges().equals(desired.ranges());
  }

  /** The change about to be sent, or sent, as status records it: its list, unless the policy has many targets. */
  private static PendingOperation intent(Step step, String pollUrl, String startedAt, ApiServerAccess desired) {
    PendingOperation p = new PendingOperation(pollUrl, startedAt, desired.access(),
        step.compact ? List.of() : desired.toAks());
    p.setRangesDigest(desired.digest());
    return p;
  }

  /** An intent whose PUT was never carried out (or is judged by now) no longer describes a change in flight. */
  private static void clearIntent(TargetStatus ts) {
    if (ts.getPendingOperation() != null && ts.getPendingOperation().getPollUrl() == null) {
      ts.setPendingOperation(null);
    }
  }

  /**
   * AKS keeps the requested ranges in a cluster's model even when the operation applying them ends Failed or
   * Canceled, and leaves the cluster in that state until a PUT succeeds: the ranges match, yet they may not be in
   * effect. When that operation was authip's own, sending the same change again is how AKS recovers (what
   * {@code az aks update} does); a cluster someone else left Failed is not authip's to re-drive.
   */
  private static boolean resendAfterFailure(AuthorizedIpPolicySpec spec, TargetStatus prev, ClusterSnapshot snapshot,
      boolean ownChange) {
    String state = snapshot.provisioningState();
    boolean ours = ownChange
        || prev != null && prev.getState() == TargetState.Error && TargetReason.OperationFailed.is(prev.getReason());
    return spec.effectiveMode() == Mode.Enforce && ours && ProvisioningState.isFailure(state);
  }

  /** What polling a running change found. */
  private enum Polled {
    /** Still running: look again later. */
    RUNNING,
    /** Azure reported it failed: the status says so, and it is retried after a backoff. */
    FAILED,
    /** It succeeded: the cluster has what was sent. */
    SUCCEEDED,
    /** Its record is gone: only reading the cluster tells what happened. */
    UNKNOWN
  }

  /**
   * After a change succeeded the cluster has exactly the ranges that were sent and is otherwise as it was read just
   * before: if the policy, as it reads now, wants precisely that, the target is in sync without reading the cluster
   * again. Anything else (the spec or a range set was edited while Azure worked) goes on to a fresh read. What
   * changed in Azure meanwhile is the next resync's to find, as it would be had it changed a moment after a read.
   */
  private boolean inSyncAfterChange(AuthorizedIpPolicySpec spec, CidrSet staticRanges, Step step,
      ClusterSnapshot after) {
    if (spec.effectiveMode() != Mode.Enforce) {
      return false;
    }
    List<String> subnets = TargetPlanner.subnetIds(spec, after);
    Map<String, EgressPath> paths = Map.of();
    if (!subnets.isEmpty()) {
      if (!(step.gateway.egressPaths(subnets) instanceof Outcome.Ok<Map<String, EgressPath>> ok)) {
        return false;
      }
      paths = ok.value();
    }
    List<String> ids = TargetPlanner.egressIds(spec, after, paths);
    Map<String, Cidr> resolved = Map.of();
    if (!ids.isEmpty()) {
      Outcome<Map<String, Cidr>> r = step.gateway.resolve(ids);
      if (!(r instanceof Outcome.Ok<Map<String, Cidr>> ok)) {
        return false;
      }
      resolved = ok.value();
    }
    if (!(planner.plan(spec, staticRanges, after, paths, resolved) instanceof TargetPlan.Desired d)
        || !AccessDiff.between(after.access(), d.access()).isEmpty()) {
      return false;
    }
    step.status.setLastSyncTime(now().toString());
    inSync(step, d.access());
    return true;
  }

  private Polled pollPending(Step step, PendingOperation pending) {
    TargetStatus ts = step.status;
    Outcome<OperationStatus> polled = step.gateway.poll(new OperationHandle(pending.getPollUrl(), ts.getClusterId()));
    if (polled instanceof Outcome.Failed<OperationStatus> f) {
      if (f.failure() instanceof Outcome.Failure.NotFound) {
        // The operation record is gone: the cluster itself tells the truth.
        ts.setPendingOperation(null);
        return Polled.UNKNOWN;
      }
      if (f.failure() instanceof Outcome.Failure.Rejected r && UNPOLLABLE.contains(r.code())) {
        // A poll URL authip would never call (status is writable by others: it may have been planted there) would
        // otherwise keep the target in Error forever. The cluster itself tells the truth.
        ts.setPendingOperation(null);
        step.event(EventReason.AzureError, r.code() + ": ignored the pending operation recorded in status; "
            + r.message());
        return Polled.UNKNOWN;
      }
      failure(step, f.failure(), "polling the running operation");
      return Polled.RUNNING;
    }
    OperationStatus op = ((Outcome.Ok<OperationStatus>) polled).value();
    if (op.fallback() != null) {
      // The gateway followed the cluster's provisioningState instead of the operation: say why (de-duplicated).
      step.event(EventReason.AzureError, op.fallback());
    }
    if (op instanceof OperationStatus.InProgress) {
      step.state(TargetState.Updating, TargetReason.OperationInProgress, "Azure is applying " + entries(step, pending)
          + " entries (started " + pending.getStartedAt() + ")");
      step.retryIn(config.pollInterval());
      return Polled.RUNNING;
    }
    ts.setPendingOperation(null);
    if (op instanceof OperationStatus.Failed failed) {
      int n = failures.merge(step.target.key(), 1, Integer::sum);
      step.state(TargetState.Error, TargetReason.OperationFailed, "Azure reported the change as " + failed.code() + ": "
          + failed.message());
      step.event(EventReason.OperationFailed, failed.code() + ": " + failed.message());
      step.retryIn(backoff(n));
      return Polled.FAILED;
    }
    ts.setLastChangeTime(now().toString());
    step.event(EventReason.Applied, "Azure finished applying " + entries(step, pending) + " entries");
    return Polled.SUCCEEDED;
  }

  private void inSync(Step step, ApiServerAccess desired) {
    TargetStatus ts = step.status;
    failures.remove(step.target.key());
    recordDesired(step, desired);
    ts.setDriftDetectedAt(null);
    Instant changed = parse(ts.getLastChangeTime());
    Instant propagatedAt = changed == null ? null : changed.plus(config.propagationDelay());
    if (step.policy.getSpec().effectiveReachability().checking() && prober != null
        && checkReachability(step, desired, propagatedAt)) {
      return;
    }
    if (ts.getLockout() != null) {
      step.blocked(TargetReason.LockoutPrevented, "the list with digest " + ts.getLockout().getHeldDigest()
          + " made the API server stop answering the operator after it propagated (found "
          + ts.getLockout().getDetectedAt() + "); the list the cluster had before, " + desired.describe()
          + ", is back in place and the new one is held until the policy's list changes (e.g. add "
          + "spec.egress.managementCluster: true or the operator's egress to the ranges)");
      return;
    }
    if (propagatedAt != null && now().isBefore(propagatedAt)) {
      step.state(TargetState.Propagating, TargetReason.Propagating, "applied; AKS takes up to "
          + config.propagationDelay().toMinutes() + " minutes to enforce it (until " + propagatedAt + ")");
      step.retryIn(Duration.between(now(), propagatedAt).plusMillis(50));
    } else {
      step.state(TargetState.InSync, TargetReason.InSync, desired.describe() + " in place");
    }
  }

  /**
   * The reachability check of a target that has (or is getting) its list: shows the latest check, starts the next
   * when due, and, for a change being watched, decides once its propagation window has passed. Returns true when it
   * found a lockout and set the target's state (the list before is put back by the next pass).
   */
  private boolean checkReachability(Step step, ApiServerAccess desired, Instant propagatedAt) {
    TargetStatus ts = step.status;
    String key = step.target.key();
    Optional<ApiServerProber.Probe> latest = prober.latest(key);
    latest.ifPresent(p -> ts.setApiServer(check(p)));
    Watch w = watches.get(key);
    if (w != null && !w.digest().equals(desired.digest())) {
      watches.remove(key);
      w = null;
    }
    CaptureStore.Mark recorded = step.record == null ? null : step.record.watch();
    if (recorded != null && !recorded.digest().equals(desired.digest())) {
      recorded = null; // a watch of another list, which the cluster no longer has: cleared with the next list sent
    }
    if (step.policy.getSpec().effectiveMode() != Mode.Enforce
        || !step.policy.getSpec().effectiveReachability().reverting()) {
      // Observe, or revertOnLockout turned off: nothing would be put back, so nothing is watched.
      watches.remove(key);
      w = null;
      if (recorded != null) {
        endWatch(step, key);
      }
      recorded = null;
    }
    if (w == null && recorded != null) {
      // Written with the change before it was sent (by this process, one before a restart, or another replica).
      Instant sentAt = parse(recorded.at());
      w = new Watch(sentAt == null ? now() : sentAt, desired.digest(), 0, false, recorded.before());
      watches.put(key, w);
    }
    if (w != null && !w.ended() && now().isAfter(w.sentAt().plus(config.propagationDelay()).plus(WATCH_MAX_AGE))) {
      LOG.info("{}: the lockout watch of the change sent at {} ends undecided after {}", key, w.sentAt(),
          WATCH_MAX_AGE);
      w = w.ended(true);
      watches.put(key, w);
    }
    if (w != null && w.ended()) {
      if (recorded != null) {
        endWatch(step, key); // its end was not recorded yet
      } else {
        watches.remove(key);
      }
      w = null;
    }
    // The window ends AKS's propagation delay after the change completed (status), and never before that delay has
    // passed since it was sent (authip's record, which no tenant writes).
    Instant windowEnd = propagatedAt;
    if (w != null) {
      Instant earliest = w.sentAt().plus(config.propagationDelay());
      windowEnd = windowEnd == null || earliest.isAfter(windowEnd) ? earliest : windowEnd;
    }
    if (windowEnd == null) {
      windowEnd = now();
    }
    Duration every = w != null ? config.pollInterval() : config.checks().interval();
    boolean due = latest.isEmpty() || latest.get().at().isBefore(now().minus(every))
        || w != null && latest.get().at().isBefore(windowEnd);
    if (due && !now().isBefore(windowEnd) && step.fqdn != null) {
      prober.start(key, step.fqdn, p -> probed.accept(ResourceID.fromResource(step.policy)));
    }
    step.retryIn(w != null ? config.pollInterval() : every);
    if (w == null || latest.isEmpty() || latest.get().at().isBefore(windowEnd)) {
      return false;
    }
    Optional<Instant> answered = prober.lastReachable(key);
    if (answered.isPresent() && !answered.get().isBefore(windowEnd)) {
      // The API server answered after the window: the change did not lock the operator out.
      watches.put(key, w.ended(true));
      endWatch(step, key);
      return false;
    }
    if (latest.get().reachable()) {
      return false;
    }
    // A failed check after the window: counted once per check.
    Watch counted = w.failuresAfterWindow() > 0 && latest.get().at().equals(lastCounted.get(key)) ? w
        : new Watch(w.sentAt(), w.digest(), w.failuresAfterWindow() + 1, false, w.before());
    lastCounted.put(key, latest.get().at());
    watches.put(key, counted);
    if (counted.failuresAfterWindow() < LOCKOUT_CHECKS) {
      step.retryIn(config.pollInterval());
      return false;
    }
    String why = latest.get().message();
    // The hold goes into authip's record before anything is put back: a restart, or another replica, goes on with it.
    CaptureStore.Mark lockout = new CaptureStore.Mark(desired.digest(), now().toString(), w.before());
    try {
      step.record = captures.recordMarks(step.policy, key, ts.getClusterId(), null, lockout, now().toString());
    } catch (CaptureStore.NotRecorded e) {
      step.state(TargetState.Error, TargetReason.IntentNotRecorded, "the API server stopped answering the operator "
          + "after the change (" + why + "), but the lockout could not be recorded: " + e.getMessage()
          + "; the list before is put back once it is");
      step.retryIn(backoff(failures.merge(key, 1, Integer::sum)));
      return true;
    }
    watches.remove(key);
    ts.setLockout(lockoutStatus(lockout));
    step.event(EventReason.LockoutPrevented, "the API server stopped answering the operator after " + desired.describe()
        + " propagated (" + counted.failuresAfterWindow() + " checks failed: " + why + "); putting back the list the "
        + "cluster had before");
    step.state(TargetState.Pending, TargetReason.LockoutPrevented, "the API server stopped answering the operator "
        + "after the change (" + why + "); putting back the list the cluster had before");
    step.retryIn(Duration.ofMillis(1));
    return true;
  }

  /**
   * Records that a watched change ended without a lockout; until that is recorded, the watch stays (ended) in memory
   * and the record is cleared on a later pass.
   */
  private void endWatch(Step step, String key) {
    CaptureStore.Entry r = step.record;
    if (r == null || r.watch() == null) {
      watches.remove(key);
      return;
    }
    try {
      step.record = captures.recordMarks(step.policy, key, step.status.getClusterId(), null, r.lockout(),
          now().toString());
      watches.remove(key);
    } catch (CaptureStore.NotRecorded e) {
      LOG.warn("{}: the end of the lockout watch is not recorded yet ({}); recorded on a later pass", key,
          e.getMessage());
    }
  }

  private static LockoutStatus lockoutStatus(CaptureStore.Mark mark) {
    if (mark == null) {
      return null;
    }
    LockoutStatus s = new LockoutStatus();
    s.setHeldDigest(mark.digest());
    s.setDetectedAt(mark.at());
    return s;
  }

  /** The time of the last failed check counted for each watched target. */
  private final Map<String, Instant> lastCounted = new ConcurrentHashMap<>();

  private static io.authip.api.v1alpha1.ApiServerCheck check(ApiServerProber.Probe p) {
    io.authip.api.v1alpha1.ApiServerCheck c = new io.authip.api.v1alpha1.ApiServerCheck();
    c.setReachable(p.reachable());
    c.setLatencyMs(p.reachable() ? p.latencyMs() : null);
    c.setCheckedAt(p.at().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());
    c.setMessage(p.message());
    return c;
  }

  /**
   * The list the cluster had before authip sent {@code locking}, from authip's own record: the cluster's list when the
   * locking change was sent, as recorded with its watch; in records without it, the latest other list authip sent, or
   * the pre-takeover capture when there is none. Empty when there is none, or when it was unrestricted (an empty list
   * is never sent unless the spec asks for it).
   */
  private static Optional<ApiServerAccess> listBefore(CaptureStore.Entry record, ApiServerAccess locking) {
    if (record == null) {
      return Optional.empty();
    }
    ApiServerAccess before = null;
    if (record.lockout() != null && record.lockout().before() != null) {
      before = ApiServerAccess.fromAks(record.lockout().before());
      if (before.access() == Access.Unrestricted) {
        return Optional.empty();
      }
      if (!before.digest().equals(locking.digest())) {
        return Optional.of(before);
      }
      before = null; // recorded when the cluster already had the locking list: the record's lists say more
    }
    // The latest other list authip sent (once the list before is put back, it is the latest sent of all), else the
    // pre-takeover capture.
    List<List<String>> sent = record.sent();
    for (int i = sent.size() - 1; i >= 0 && before == null; i--) {
      ApiServerAccess candidate = ApiServerAccess.fromAks(sent.get(i));
      if (!candidate.digest().equals(locking.digest())) {
        before = candidate;
      }
    }
    if (before == null && record.captured() != null && record.captured().getRanges() != null) {
      before = ApiServerAccess.fromAks(record.captured().getRanges());
    }
    if (before == null) {
      return Optional.empty();
    }
    return before.access() == Access.Unrestricted || before.digest().equals(locking.digest()) ? Optional.empty()
        : Optional.of(before);
  }

  /** The management cluster's egress blocks, resolved through ARM with the operator's own identity, cached. */
  private Outcome<CidrSet> selfEgress() {
    SelfEgress cached = selfEgress;
    if (cached != null && cached.at().isAfter(now().minus(config.checks().interval()))) {
      return Outcome.ok(cached.blocks());
    }
    String id = config.checks().selfClusterId();
    if (id == null) {
      return Outcome.failed(new Outcome.Failure.Rejected("NoSelfCluster", "the operator has no AUTHIP_SELF_CLUSTER_ID "
          + "(the ARM ID of the AKS cluster it runs in); set it in the operator's configuration, or list that "
          + "cluster's egress in spec.egress.publicIpResourceIds"));
    }
    ClusterTarget self = ClusterTarget.fromResourceId(id).orElseThrow();
    Outcome<ClusterSnapshot> read = gateway.read(self);
    if (read instanceof Outcome.Failed<ClusterSnapshot> f) {
      return Outcome.failed(f.failure());
    }
    ClusterSnapshot snapshot = ((Outcome.Ok<ClusterSnapshot>) read).value();
    AuthorizedIpPolicySpec defaults = new AuthorizedIpPolicySpec();
    // As a target's: through its node subnets' NAT gateways and default routes, else its load balancer.
    List<String> subnets = TargetPlanner.subnetIds(defaults, snapshot);
    Map<String, EgressPath> paths = Map.of();
    if (!subnets.isEmpty()) {
      Outcome<Map<String, EgressPath>> p = gateway.egressPaths(subnets);
      if (p instanceof Outcome.Failed<Map<String, EgressPath>> f) {
        return Outcome.failed(f.failure());
      }
      paths = ((Outcome.Ok<Map<String, EgressPath>>) p).value();
      Optional<EgressPath.Unknown> unknown = paths.values().stream().filter(EgressPath.Unknown.class::isInstance)
          .map(EgressPath.Unknown.class::cast).findFirst();
      if (unknown.isPresent()) {
        return Outcome.failed(new Outcome.Failure.Rejected("EgressUnknown", "the management cluster " + id
            + "'s egress cannot be resolved (" + unknown.get().why() + "); list it in "
            + "spec.egress.publicIpResourceIds"));
      }
    }
    List<String> ids = TargetPlanner.egressIds(defaults, snapshot, paths);
    if (ids.isEmpty()) {
      return Outcome.failed(new Outcome.Failure.Rejected("NoSelfEgress", "the management cluster " + id + " shows "
          + "no outbound IPs authip can resolve (load balancer or managed NAT gateway); list its egress in "
          + "spec.egress.publicIpResourceIds"));
    }
    Outcome<Map<String, Cidr>> resolved = gateway.resolve(ids);
    if (resolved instanceof Outcome.Failed<Map<String, Cidr>> f) {
      return Outcome.failed(f.failure());
    }
    CidrSet blocks = CidrSet.of(((Outcome.Ok<Map<String, Cidr>>) resolved).value().values());
    selfEgress = new SelfEgress(blocks, now());
    return Outcome.ok(blocks);
  }

  private void failure(Step step, Outcome.Failure failure, String during) {
    if (failure instanceof Outcome.Failure.Paced paced) {
      // Not sent: authip's own pacing. The target keeps its state until its turn (a new one says it waits).
      if (step.prev == null) {
        step.state(TargetState.Pending, TargetReason.Queued, "waiting for this identity's Azure request budget in "
            + "subscription " + step.target.getSubscriptionId());
      }
      step.retryIn(paced.after().plusMillis(1));
      return;
    }
    String message = "Azure refused " + during + ": " + failure.message();
    if (failure instanceof Outcome.Failure.Throttled t) {
      step.state(step.status.getState() == null ? TargetState.Pending : step.status.getState(), TargetReason.Throttled,
          "throttled by Azure while " + during + "; retrying after " + t.retryAfter().toSeconds() + "s");
      step.retryIn(t.retryAfter().isNegative() || t.retryAfter().isZero() ? config.busyRetry() : t.retryAfter());
      return;
    }
    if (failure instanceof Outcome.Failure.Busy) {
      step.state(TargetState.Pending, TargetReason.ClusterBusy, "another operation is running on the cluster ("
          + failure.message() + "); retrying");
      step.retryIn(config.busyRetry());
      return;
    }
    int n = failures.merge(step.target.key(), 1, Integer::sum);
    TargetReason reason = failure instanceof Outcome.Failure.NotFound ? TargetReason.ClusterNotFound
        : failure instanceof Outcome.Failure.Forbidden ? TargetReason.Forbidden
        : failure instanceof Outcome.Failure.Rejected ? TargetReason.Rejected
        : failure instanceof Outcome.Failure.PreconditionFailed ? TargetReason.ConcurrentChange
        : TargetReason.AzureUnavailable;
    if (step.status.getState() != TargetState.Error || !reason.is(step.status.getReason())) {
      step.event(EventReason.AzureError, reason + " while " + during + ": " + failure.message());
    }
    step.state(TargetState.Error, reason, message);
    step.retryIn(backoff(n));
  }

  private Duration backoff(int consecutiveFailures) {
    long factor = 1L << Math.min(consecutiveFailures - 1, 16);
    Duration d = config.errorBackoff().multipliedBy(factor);
    return d.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : d;
  }

  /** Drift: the cluster differed from what authip had put in place, and the difference is not being fixed yet. */
  private void markDrift(TargetStatus ts, TargetStatus prev, ApiServerAccess desired) {
    if (ts.getDriftDetectedAt() == null && wasInSyncWith(prev, desired)) {
      ts.setDriftDetectedAt(now().toString());
    }
  }

  private static boolean wasInSyncWith(TargetStatus prev, ApiServerAccess desired) {
    return prev != null && (prev.getState() == TargetState.InSync || prev.getState() == TargetState.Propagating
        || prev.getDriftDetectedAt() != null)
        && prev.getAccess() == desired.access() && (prev.getRangesDigest() != null
            ? prev.getRangesDigest().equals(desired.digest()) : desired.toAks().equals(prev.getAppliedRanges()));
  }

  /**
   * The list applied or desired, in the target's status. A policy of more than {@link #LISTS_IN_STATUS} targets keeps
   * the count and the digest alone: 1,000 targets with lists of 200 would make a status of several MiB, beyond the
   * 1.5 MiB etcd stores.
   */
  private static void recordDesired(Step step, ApiServerAccess desired) {
    TargetStatus ts = step.status;
    ts.setAccess(desired.access());
    ts.setAppliedRanges(step.compact ? new ArrayList<>() : new ArrayList<>(desired.toAks()));
    ts.setRangeCount(desired.access() == Access.Restricted ? desired.entryCount() : 0);
    ts.setRangesDigest(desired.digest());
  }

  private static TargetStatus fresh(ClusterTarget target) {
    TargetStatus t = new TargetStatus();
    t.setClusterId(target.resourceId());
    t.setState(TargetState.Pending);
    t.setReason(TargetReason.Pending.name());
    return t;
  }

  private Instant now() {
    return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  private static Instant parse(String s) {
    try {
      return s == null ? null : Instant.parse(s);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private static String key(String clusterId) {
    return clusterId.toLowerCase(java.util.Locale.ROOT);
  }

  /** What status shows of a cover by wider blocks; null when the list fitted. */
  static io.authip.api.v1alpha1.SupernetStatus supernetStatus(TargetPlan.Widening widening) {
    if (widening == null) {
      return null;
    }
    io.authip.api.v1alpha1.SupernetStatus s = new io.authip.api.v1alpha1.SupernetStatus();
    s.setEntries(widening.entries());
    s.setBlocks(widening.cover().blocks().size());
    s.setExtraAddresses(widening.cover().extraAddresses());
    s.setExtraPercent(widening.cover().extraPercentText());
    s.setWidestAdded(new ArrayList<>(widening.widest().stream().limit(io.authip.api.v1alpha1.SupernetStatus.WIDEST_SHOWN)
        .map(Cidr::toString).toList()));
    return s;
  }
}
