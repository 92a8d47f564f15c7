package io.authip.operator;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.CapturedAccess;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.Mode;
import io.authip.api.v1alpha1.PendingOperation;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.azure.AksGateway;
import io.authip.azure.ClusterSnapshot;
import io.authip.azure.OperationHandle;
import io.authip.azure.OperationStatus;
import io.authip.azure.Outcome;
import io.authip.policy.AccessDiff;
import io.authip.policy.ApiServerAccess;
import io.authip.policy.ResyncInterval;
import io.authip.policy.TargetPlan;
import io.authip.policy.TargetPlanner;
import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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
   * @param targets the new status of every target, in spec order
   * @param events what happened
   * @param rescheduleAfter when to look again
   */
  public record Result(List<TargetStatus> targets, List<PolicyEvent> events, Duration rescheduleAfter) {
  }

  private static final int MAX_PRECONDITION_RETRIES = 3;
  /**
   * How stale lastSyncTime may get before a resync that found nothing else new writes it anyway. Rewriting it on
   * every resync patched the status of every policy every interval: with 1,000 policies, 1,000 writes to the API
   * server and watch events to every watcher per interval, more than half the operator's steady-state CPU.
   */
  static final Duration SYNC_TIME_REFRESH = Duration.ofMinutes(10);
  /** The gateway's refusals of an operation handle that no retry can make pollable. */
  private static final java.util.Set<String> UNPOLLABLE =
      java.util.Set.of("UntrustedPollUrl", "InvalidOperationHandle");

  private final AksGateway gateway;
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

  public PolicySyncer(AksGateway gateway, OperatorConfig config, Clock clock) {
    this.gateway = gateway;
    this.planner = new TargetPlanner(config.maxRanges());
    this.config = config;
    this.clock = clock;
  }

  public Result sync(AuthorizedIpPolicy policy, CidrSet staticRanges, OwnerLookup owners) {
    AuthorizedIpPolicySpec spec = policy.getSpec();
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
    List<TargetStatus> out = new ArrayList<>();
    List<PolicyEvent> events = new ArrayList<>();
    Duration next = resync;
    for (ClusterTarget target : spec.targetsOrEmpty()) {
      TargetStatus prev = previous.get(target.key());
      Step step = new Step(target, prev == null ? fresh(target) : prev.copy(), prev, resync, events);
      Optional<String> owner = owners.otherOwner(target);
      if (owner.isPresent()) {
        step.blocked("TargetConflict", "the cluster is already managed by the older policy " + owner.get()
            + "; remove it from one of the two policies");
        events.add(new PolicyEvent(EventReason.TargetConflict, target.getClusterName() + ": managed by " + owner.get(),
            target.key()));
      } else {
        syncTarget(spec, staticRanges, step);
        keepRecentSyncTime(step.status, prev);
      }
      out.add(step.status);
      if (step.after.compareTo(next) < 0) {
        next = step.after;
      }
    }
    return new Result(out, events, next);
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
    Duration after;

    Step(ClusterTarget target, TargetStatus status, TargetStatus prev, Duration resync, List<PolicyEvent> events) {
      this.target = target;
      this.status = status;
      this.prev = prev;
      this.after = resync;
      this.events = events;
    }

    void state(TargetState state, String reason, String message) {
      status.setState(state);
      status.setReason(reason);
      status.setMessage(message);
    }

    void blocked(String reason, String message) {
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
    PendingOperation pending = ts.getPendingOperation();
    // A change this process started whose end it never saw, because the status that recorded it was lost (a refused
    // status write): should the cluster now be Failed or Canceled, that failure may be authip's own.
    boolean unseenOwnChange = pending == null && changing.containsKey(step.target.key());
    if (pending != null) {
      Polled polled = pollPending(step, pending);
      if (polled == Polled.RUNNING) {
        return;
      }
      ClusterSnapshot after = changing.remove(step.target.key());
      if (polled == Polled.FAILED || (polled == Polled.SUCCEEDED && after != null
          && inSyncAfterChange(spec, staticRanges, step, after))) {
        return;
      }
    }
    for (int attempt = 1; attempt <= MAX_PRECONDITION_RETRIES; attempt++) {
      Outcome<ClusterSnapshot> read = gateway.read(step.target);
      if (read instanceof Outcome.Failed<ClusterSnapshot> f) {
        failure(step, f.failure(), "reading the cluster");
        return;
      }
      ClusterSnapshot snapshot = ((Outcome.Ok<ClusterSnapshot>) read).value();
      ts.setClusterId(snapshot.clusterId() == null ? step.target.resourceId() : snapshot.clusterId());
      ts.setLastSyncTime(now().toString());
      if (ts.getPrevious() == null && spec.effectiveMode() == Mode.Enforce) {
        ApiServerAccess before = snapshot.access();
        ts.setPrevious(new CapturedAccess(before.access(), before.toAks(), now().toString()));
      }
      List<String> ids = TargetPlanner.egressIds(spec, snapshot);
      Map<String, Cidr> resolved = Map.of();
      if (!ids.isEmpty()) {
        Outcome<Map<String, Cidr>> r = gateway.resolve(ids);
        if (r instanceof Outcome.Failed<Map<String, Cidr>> f) {
          failure(step, f.failure(), "resolving egress addresses");
          return;
        }
        resolved = ((Outcome.Ok<Map<String, Cidr>>) r).value();
      }
      TargetPlan plan = planner.plan(spec, staticRanges, snapshot, resolved);
      if (plan instanceof TargetPlan.Blocked b) {
        boolean changed = ts.getState() != TargetState.Blocked || !b.reason().equals(ts.getReason());
        step.blocked(b.reason(), b.message());
        ts.setDriftDetectedAt(null);
        if (changed) {
          step.event(EventReason.Blocked, b.reason() + ": " + b.message());
        }
        return;
      }
      ApiServerAccess desired = ((TargetPlan.Desired) plan).access();
      AccessDiff diff = AccessDiff.between(snapshot.access(), desired);
      boolean resend = diff.isEmpty() && resendAfterFailure(spec, step.prev, snapshot, unseenOwnChange);
      if (diff.isEmpty() && !resend) {
        if (!snapshot.operationInProgress()) {
          changing.remove(step.target.key());
        }
        inSync(step, desired);
        return;
      }
      if (spec.effectiveMode() == Mode.Observe) {
        recordDesired(ts, desired);
        if (ts.getDriftDetectedAt() == null) {
          ts.setDriftDetectedAt(now().toString());
          step.event(EventReason.DriftDetected, "actual ranges differ from the policy (Observe mode, not changed): "
              + diff.summary());
        }
        step.state(TargetState.Drifted, "DriftDetected", "Observe mode: Enforce would change " + diff.summary());
        return;
      }
      if (snapshot.operationInProgress()) {
        markDrift(ts, step.prev, desired);
        step.state(TargetState.Pending, "ClusterBusy", "the cluster is " + snapshot.provisioningState()
            + " (another operation); will change " + diff.summary() + " when it finishes");
        step.retryIn(config.busyRetry());
        return;
      }
      boolean correction = wasInSyncWith(step.prev, desired);
      Outcome<OperationHandle> applied = gateway.apply(snapshot, desired);
      if (applied instanceof Outcome.Ok<OperationHandle> ok) {
        failures.remove(step.target.key());
        changing.put(step.target.key(), snapshot.afterChange(desired));
        recordDesired(ts, desired);
        ts.setDriftDetectedAt(null);
        ts.setPendingOperation(new PendingOperation(ok.value().pollUrl(), now().toString(), desired.access(),
            desired.toAks()));
        String change = resend ? "sending the change again (the cluster is " + snapshot.provisioningState()
            + " after it)" : "changing " + diff.summary();
        step.state(TargetState.Updating, correction ? "CorrectingDrift" : resend ? "Retrying" : "Applying", change);
        step.event(correction ? EventReason.DriftCorrected : EventReason.Updating,
            (correction ? "drift corrected, " : "") + change);
        step.retryIn(config.pollInterval());
        return;
      }
      Outcome.Failure failure = ((Outcome.Failed<OperationHandle>) applied).failure();
      if (!(failure instanceof Outcome.Failure.PreconditionFailed)) {
        markDrift(ts, step.prev, desired);
        failure(step, failure, "changing the cluster");
        return;
      }
      // Someone changed the cluster since our read: read again and recompute, never resend the stale body.
    }
    step.state(TargetState.Pending, "ConcurrentChange", "the cluster kept changing between read and write ("
        + MAX_PRECONDITION_RETRIES + " attempts); will try again");
    step.retryIn(config.busyRetry());
  }

  /**
   * AKS keeps the requested ranges in a cluster's model even when the operation applying them ends Failed or
   * Canceled, and leaves the cluster in that state until a PUT succeeds: the ranges match, yet they may not be in
   * effect. When that operation was authip's own, sending the same change again is how AKS recovers (what
   * {@code az aks update} does); a cluster someone else left Failed is not authip's to re-drive.
   */
  private static boolean resendAfterFailure(AuthorizedIpPolicySpec spec, TargetStatus prev, ClusterSnapshot snapshot,
      boolean unseenOwnChange) {
    String state = snapshot.provisioningState();
    boolean ours = unseenOwnChange
        || prev != null && prev.getState() == TargetState.Error && "OperationFailed".equals(prev.getReason());
    return spec.effectiveMode() == Mode.Enforce && ours && state != null
        && (state.equalsIgnoreCase("Failed") || state.equalsIgnoreCase("Canceled"));
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
    List<String> ids = TargetPlanner.egressIds(spec, after);
    Map<String, Cidr> resolved = Map.of();
    if (!ids.isEmpty()) {
      Outcome<Map<String, Cidr>> r = gateway.resolve(ids);
      if (!(r instanceof Outcome.Ok<Map<String, Cidr>> ok)) {
        return false;
      }
      resolved = ok.value();
    }
    if (!(planner.plan(spec, staticRanges, after, resolved) instanceof TargetPlan.Desired d)
        || !AccessDiff.between(after.access(), d.access()).isEmpty()) {
      return false;
    }
    step.status.setLastSyncTime(now().toString());
    inSync(step, d.access());
    return true;
  }

  private Polled pollPending(Step step, PendingOperation pending) {
    TargetStatus ts = step.status;
    Outcome<OperationStatus> polled = gateway.poll(new OperationHandle(pending.getPollUrl(), ts.getClusterId()));
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
      step.state(TargetState.Updating, "OperationInProgress", "Azure is applying " + pending.getRanges().size()
          + " entries (started " + pending.getStartedAt() + ")");
      step.retryIn(config.pollInterval());
      return Polled.RUNNING;
    }
    ts.setPendingOperation(null);
    if (op instanceof OperationStatus.Failed failed) {
      int n = failures.merge(step.target.key(), 1, Integer::sum);
      step.state(TargetState.Error, "OperationFailed", "Azure reported the change as " + failed.code() + ": "
          + failed.message());
      step.event(EventReason.OperationFailed, failed.code() + ": " + failed.message());
      step.retryIn(backoff(n));
      return Polled.FAILED;
    }
    ts.setLastChangeTime(now().toString());
    step.event(EventReason.Applied, "Azure finished applying " + pending.getRanges().size() + " entries");
    return Polled.SUCCEEDED;
  }

  private void inSync(Step step, ApiServerAccess desired) {
    TargetStatus ts = step.status;
    failures.remove(step.target.key());
    recordDesired(ts, desired);
    ts.setDriftDetectedAt(null);
    Instant changed = parse(ts.getLastChangeTime());
    Instant propagatedAt = changed == null ? null : changed.plus(config.propagationDelay());
    if (propagatedAt != null && now().isBefore(propagatedAt)) {
      step.state(TargetState.Propagating, "Propagating", "applied; AKS takes up to "
          + config.propagationDelay().toMinutes() + " minutes to enforce it (until " + propagatedAt + ")");
      step.retryIn(Duration.between(now(), propagatedAt).plusMillis(50));
    } else {
      step.state(TargetState.InSync, "InSync", desired.describe() + " in place");
    }
  }

  private void failure(Step step, Outcome.Failure failure, String during) {
    String message = "Azure refused " + during + ": " + failure.message();
    if (failure instanceof Outcome.Failure.Throttled t) {
      step.state(step.status.getState() == null ? TargetState.Pending : step.status.getState(), "Throttled",
          "throttled by Azure while " + during + "; retrying after " + t.retryAfter().toSeconds() + "s");
      step.retryIn(t.retryAfter().isNegative() || t.retryAfter().isZero() ? config.busyRetry() : t.retryAfter());
      return;
    }
    if (failure instanceof Outcome.Failure.Busy) {
      step.state(TargetState.Pending, "ClusterBusy", "another operation is running on the cluster ("
          + failure.message() + "); retrying");
      step.retryIn(config.busyRetry());
      return;
    }
    int n = failures.merge(step.target.key(), 1, Integer::sum);
    String reason = failure instanceof Outcome.Failure.NotFound ? "ClusterNotFound"
        : failure instanceof Outcome.Failure.Forbidden ? "Forbidden"
        : failure instanceof Outcome.Failure.Rejected ? "Rejected"
        : failure instanceof Outcome.Failure.PreconditionFailed ? "ConcurrentChange"
        : "AzureUnavailable";
    if (step.status.getState() != TargetState.Error || !reason.equals(step.status.getReason())) {
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
        && prev.getAccess() == desired.access() && desired.toAks().equals(prev.getAppliedRanges());
  }

  private static void recordDesired(TargetStatus ts, ApiServerAccess desired) {
    ts.setAccess(desired.access());
    ts.setAppliedRanges(new ArrayList<>(desired.toAks()));
    ts.setRangeCount(desired.access() == Access.Restricted ? desired.entryCount() : 0);
  }

  private static TargetStatus fresh(ClusterTarget target) {
    TargetStatus t = new TargetStatus();
    t.setClusterId(target.resourceId());
    t.setState(TargetState.Pending);
    t.setReason("Pending");
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
}
