package io.authip.operator;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.CapturedAccess;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.DeletionPolicy;
import io.authip.api.v1alpha1.Mode;
import io.authip.azure.AksGateway;
import io.authip.azure.OperationHandle;
import io.authip.azure.Outcome;
import io.authip.policy.AccessDiff;
import io.authip.policy.ApiServerAccess;
import io.authip.policy.ClusterSnapshot;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * On deletion with {@code deletionPolicy: Restore}: puts back on every cluster of the spec that this policy owns the
 * access authip captured before it first changed that cluster, taken from authip's own record ({@link CaptureStore}),
 * never from status. A cluster is only put back while it still holds a list authip sent: a cluster someone changed
 * since is left as it is ({@code RestoreSkipped}). Done for a cluster when it reads back the captured access. Bounded
 * in time: past the restore timeout (counted from the deletion timestamp the API server set) authip gives up, says so,
 * and the finalizer is released, so deleting a namespace never hangs.
 */
public final class PolicyRestorer {

  /**
   * @param done true when nothing is left to do (the finalizer can go)
   * @param events what happened
   * @param waitingOn short descriptions of the clusters still being restored
   */
  public record Result(boolean done, List<PolicyEvent> events, List<String> waitingOn) {
  }

  private final AksGateway gateway;
  private final CaptureStore captures;
  private final Duration timeout;

  public PolicyRestorer(AksGateway gateway, CaptureStore captures, Duration timeout) {
    this.gateway = gateway;
    this.captures = captures;
    this.timeout = timeout;
  }

  /**
   * @param owners who else owns a cluster (only clusters this policy owns are restored)
   */
  /** Every cluster through the operator's own gateway, as in open tenancy (tests). */
  Result restore(AuthorizedIpPolicy policy, PolicySyncer.OwnerLookup owners, Instant now) {
    return restore(policy, (t, a) -> new TargetRoute.Allowed(gateway, null), owners, now);
  }

  /**
   * @param routes which identity reaches each cluster, for the access to restore; a cluster no longer granted (the
   *     grant was deleted or narrowed) is left as it is
   */
  public Result restore(AuthorizedIpPolicy policy, TargetRoute.Router routes, PolicySyncer.OwnerLookup owners,
      Instant now) {
    List<PolicyEvent> events = new ArrayList<>();
    if (policy.getSpec() == null || policy.getSpec().effectiveDeletionPolicy() != DeletionPolicy.Restore
        || policy.getSpec().effectiveMode() == Mode.Observe) {
      events.add(new PolicyEvent(EventReason.Retained, "policy deleted; clusters keep their current ranges", null));
      return new Result(true, events, List.of());
    }
    Map<String, CaptureStore.Entry> records = new java.util.HashMap<>();
    try {
      if (policy.getSpec().targetSelectorsOrEmpty().isEmpty()) {
        // Only the named clusters: each one's own capture ConfigMap.
        for (ClusterTarget t : policy.getSpec().targetsOrEmpty()) {
          if (t != null) {
            captures.entry(policy, t.key()).ifPresent(e -> records.put(t.key(), e));
          }
        }
      } else {
        records.putAll(captures.entries(policy));
      }
    } catch (KubernetesClientException e) {
      return giveUpOrWait(policy, now, events, List.of("authip's capture record is unreadable (HTTP " + e.getCode()
          + ")"));
    }
    List<String> waiting = new ArrayList<>();
    List<ClusterTarget> targets = new ArrayList<>(policy.getSpec().targetsOrEmpty());
    if (!policy.getSpec().targetSelectorsOrEmpty().isEmpty()) {
      // Clusters the selectors took: authip's own records say which it changed for this policy.
      java.util.Set<String> named = new java.util.HashSet<>();
      targets.forEach(t -> named.add(t.key()));
      new java.util.TreeMap<>(records).forEach((key, entry) -> {
        if (!named.contains(key)) {
          ClusterTarget.fromResourceId(entry.clusterId()).ifPresent(targets::add);
        }
      });
    }
    for (ClusterTarget target : targets) {
      if (target == null || owners.otherOwner(target).isPresent()) {
        continue; // not this policy's cluster
      }
      CaptureStore.Entry record = records.get(target.key());
      if (record == null || record.sent().isEmpty()) {
        continue; // authip never changed it for this policy: nothing to put back
      }
      if (record.captured() == null || record.captured().getAccess() == null) {
        events.add(new PolicyEvent(EventReason.RestoreSkipped, target.getClusterName() + ": authip's record holds no "
            + "captured access; left as it is", target.key()));
        continue;
      }
      TargetRoute route = routes.route(target, record.captured().getAccess());
      if (route instanceof TargetRoute.Refused refused) {
        events.add(new PolicyEvent(EventReason.RestoreSkipped, target.getClusterName() + ": not restored, left as it "
            + "is: " + refused.message(), target.key()));
        continue;
      }
      AksGateway via = ((TargetRoute.Allowed) route).gateway();
      try (var mdc = LogContext.cluster(target.resourceId())) {
        restoreOne(via, target, record, events).ifPresent(waiting::add);
      }
    }
    if (waiting.isEmpty()) {
      events.add(new PolicyEvent(EventReason.Restored, "policy deleted; every cluster it changed has its captured "
          + "access back, or was left as someone else changed it", null));
      return new Result(true, events, List.of());
    }
    return giveUpOrWait(policy, now, events, waiting);
  }

  private Result giveUpOrWait(AuthorizedIpPolicy policy, Instant now, List<PolicyEvent> events, List<String> waiting) {
    Instant deleted = parse(policy.getMetadata().getDeletionTimestamp());
    if (deleted != null && !now.isBefore(deleted.plus(timeout))) {
      events.add(new PolicyEvent(EventReason.RestoreFailed, "gave up restoring after " + timeout + " (set by "
          + "AUTHIP_RESTORE_TIMEOUT); left as they are: " + String.join("; ", waiting)
          + "; the finalizer is released", null));
      return new Result(true, events, waiting);
    }
    return new Result(false, events, waiting);
  }

  /** Empty when the cluster is done. */
  private Optional<String> restoreOne(AksGateway gateway, ClusterTarget target, CaptureStore.Entry record,
      List<PolicyEvent> events) {
    String name = target.getClusterName();
    CapturedAccess captured = record.captured();
    ApiServerAccess before = ApiServerAccess.fromAks(captured.getRanges());
    if (before.access() != captured.getAccess() || !before.unrecognized().isEmpty()) {
      // Never happens with a record authip wrote; refuse rather than send something nobody captured.
      events.add(new PolicyEvent(EventReason.RestoreSkipped, name + ": the recorded capture (" + captured.getAccess()
          + " " + captured.getRanges() + ") is not consistent; left as it is", target.key()));
      return Optional.empty();
    }
    Outcome<ClusterSnapshot> read = gateway.read(target);
    if (read instanceof Outcome.Failed<ClusterSnapshot> f) {
      if (f.failure() instanceof Outcome.Failure.NotFound) {
        return Optional.empty(); // the cluster is gone: nothing to restore
      }
      return Optional.of(name + ": " + f.failure().reason() + " " + f.failure().message());
    }
    ClusterSnapshot snapshot = ((Outcome.Ok<ClusterSnapshot>) read).value();
    AccessDiff diff = AccessDiff.between(snapshot.access(), before);
    if (diff.isEmpty()) {
      return Optional.empty();
    }
    if (!record.holdsListSentByAuthip(snapshot.access())) {
      events.add(new PolicyEvent(EventReason.RestoreSkipped, name + ": the cluster's ranges were changed since authip "
          + "applied them (it has " + shown(snapshot.access()) + "); left as they are instead of restoring "
          + shown(before), target.key()));
      return Optional.empty();
    }
    if (snapshot.privateCluster()) {
      events.add(new PolicyEvent(EventReason.RestoreSkipped, name + ": the cluster is now private (authorized IP "
          + "ranges do not apply to it); left as it is instead of restoring " + shown(before), target.key()));
      return Optional.empty();
    }
    if (snapshot.operationInProgress()) {
      return Optional.of(name + ": busy (" + snapshot.provisioningState() + ")");
    }
    Outcome<OperationHandle> applied = gateway.apply(snapshot, before);
    if (applied.isOk()) {
      events.add(new PolicyEvent(EventReason.Updating, name + ": restoring " + shown(before) + ": "
          + diff.summary(), target.key()));
      return Optional.of(name + ": restoring");
    }
    Outcome.Failure failure = ((Outcome.Failed<OperationHandle>) applied).failure();
    return Optional.of(name + ": " + failure.reason() + " " + failure.message());
  }

  /** An access with its entries, at most 20 of them, for messages. */
  static String shown(ApiServerAccess access) {
    List<String> list = access.toAks();
    if (access.access() != io.authip.api.v1alpha1.Access.Restricted) {
      return access.access().name();
    }
    return list.size() <= 20 ? list.toString()
        : list.subList(0, 20) + " and " + (list.size() - 20) + " more";
  }

  private static Instant parse(String s) {
    try {
      return s == null ? null : Instant.parse(s);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
