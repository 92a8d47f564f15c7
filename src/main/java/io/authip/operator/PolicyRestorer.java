package io.authip.operator;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.CapturedAccess;
import io.authip.api.v1alpha1.DeletionPolicy;
import io.authip.api.v1alpha1.Mode;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.azure.AksGateway;
import io.authip.azure.ClusterSnapshot;
import io.authip.azure.OperationHandle;
import io.authip.azure.Outcome;
import io.authip.policy.AccessDiff;
import io.authip.policy.ApiServerAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * On deletion with {@code deletionPolicy: Restore}: puts back on every target the access captured when the policy
 * first took it over. Done for a target when the cluster reads back exactly that access.
 */
public final class PolicyRestorer {

  /**
   * @param done true when nothing is left to restore (the finalizer can go)
   * @param events what happened
   * @param waitingOn short descriptions of the targets still being restored
   */
  public record Result(boolean done, List<PolicyEvent> events, List<String> waitingOn) {
  }

  private final AksGateway gateway;

  public PolicyRestorer(AksGateway gateway) {
    this.gateway = gateway;
  }

  public Result restore(AuthorizedIpPolicy policy) {
    List<PolicyEvent> events = new ArrayList<>();
    if (policy.getSpec() == null || policy.getSpec().effectiveDeletionPolicy() != DeletionPolicy.Restore
        || policy.getSpec().effectiveMode() == Mode.Observe) {
      events.add(new PolicyEvent(EventReason.Retained, "policy deleted; clusters keep their current ranges", null));
      return new Result(true, events, List.of());
    }
    List<String> waiting = new ArrayList<>();
    List<TargetStatus> targets = policy.getStatus() == null || policy.getStatus().getTargets() == null ? List.of()
        : policy.getStatus().getTargets();
    for (TargetStatus t : targets) {
      CapturedAccess captured = t.getPrevious();
      if (captured == null || t.getClusterId() == null || "TargetConflict".equals(t.getReason())) {
        continue; // never taken over by this policy
      }
      ApiServerAccess before = ApiServerAccess.fromAks(captured.getRanges());
      try (var mdc = LogContext.cluster(t.getClusterId())) {
        restoreOne(t.getClusterId(), before, events).ifPresent(waiting::add);
      }
    }
    if (waiting.isEmpty()) {
      events.add(new PolicyEvent(EventReason.Restored, "policy deleted; every target has its captured ranges back",
          null));
    }
    return new Result(waiting.isEmpty(), events, waiting);
  }

  /** Empty when the target is done. */
  private Optional<String> restoreOne(String clusterId, ApiServerAccess before, List<PolicyEvent> events) {
    var target = ClusterIds.parse(clusterId);
    if (target.isEmpty()) {
      return Optional.empty();
    }
    Outcome<ClusterSnapshot> read = gateway.read(target.get());
    if (read instanceof Outcome.Failed<ClusterSnapshot> f) {
      if (f.failure() instanceof Outcome.Failure.NotFound) {
        return Optional.empty(); // the cluster is gone: nothing to restore
      }
      return Optional.of(clusterId + ": " + f.failure().reason() + " " + f.failure().message());
    }
    ClusterSnapshot snapshot = ((Outcome.Ok<ClusterSnapshot>) read).value();
    AccessDiff diff = AccessDiff.between(snapshot.access(), before);
    if (diff.isEmpty()) {
      return Optional.empty();
    }
    if (snapshot.operationInProgress()) {
      return Optional.of(clusterId + ": busy (" + snapshot.provisioningState() + ")");
    }
    Outcome<OperationHandle> applied = gateway.apply(snapshot, before);
    if (applied.isOk()) {
      events.add(new PolicyEvent(EventReason.Updating, target.get().getClusterName() + ": restoring "
          + before.describe() + ": " + diff.summary(), target.get().key()));
      return Optional.of(clusterId + ": restoring");
    }
    Outcome.Failure failure = ((Outcome.Failed<OperationHandle>) applied).failure();
    return Optional.of(clusterId + ": " + failure.reason() + " " + failure.message());
  }
}
