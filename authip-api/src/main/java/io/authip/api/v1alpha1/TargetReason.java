package io.authip.api.v1alpha1;

/**
 * The reasons authip writes into {@code status.targets[].reason}. The README's status section lists them; a test
 * keeps both in step. Status is tenant input: read a reason with {@link #is}, never assume it is one of these.
 */
public enum TargetReason {
  /** InSync: the cluster has the policy's list. */
  InSync,
  /** Propagating: applied; AKS is still propagating it. */
  Propagating,
  /** Pending: not looked at yet. */
  Pending,
  /** Updating: an operation of authip's is running. */
  OperationInProgress,
  /** Updating: a change is being sent. */
  Applying,
  /** Updating: a drifted cluster is being changed back. */
  CorrectingDrift,
  /** Updating: a change that did not take is sent again. */
  Retrying,
  /** Drifted: Observe mode, the cluster differs. */
  DriftDetected,
  /** Pending: another operation runs on the cluster. */
  ClusterBusy,
  /** Pending: the cluster kept changing between read and write. */
  ConcurrentChange,
  /** Pending (or the state it had): ARM throttled authip. */
  Throttled,
  /** Pending: a change waits for its turn in the identity's request budget (authip paces itself by Azure's limits). */
  Queued,
  /** Contested: someone else keeps changing the cluster back. */
  Contested,
  /** Blocked: the cluster is claimed by an older policy. */
  TargetConflict,
  /** Blocked: no TargetGrant for the policy's namespace covers the cluster with this access (tenancy). */
  NotGranted,
  /** Error: the Azure identity of the cluster's grant could not be used (ServiceAccount token or token exchange). */
  IdentityUnavailable,
  /** Blocked: a private cluster has no authorized IP ranges. */
  PrivateCluster,
  /** Blocked: a Basic load balancer. */
  BasicLoadBalancer,
  /** Blocked: node public IPs without a prefix. */
  NodePublicIpWithoutPrefix,
  /** Blocked: more entries than the limit. */
  TooManyRanges,
  /** Blocked: the desired list is empty while access is Restricted. */
  EmptyRanges,
  /** Blocked: an egress address could not be resolved. */
  UnresolvedEgress,
  /** Blocked: an egress address is not public. */
  NonPublicEgress,
  /**
   * Blocked: where the nodes reach the internet cannot be resolved to addresses (a default route to an appliance that
   * is no Azure Firewall, a VPN gateway, no NAT gateway with userAssignedNATGateway); spec.egress.publicIpResourceIds
   * and spec.egress.allowUnknown.
   */
  EgressUnknown,
  /**
   * Blocked: a change made the API server stop answering the operator throughout the propagation window; the list
   * the cluster had before was put back and the new one is held (spec.reachability.revertOnLockout).
   */
  LockoutPrevented,
  /** Pending: the API server is being checked before a change (spec.reachability.check). */
  CheckingReachability,
  /** Error: Azure reported authip's operation as Failed or Canceled. */
  OperationFailed,
  /** Error: authip's own record of the cluster cannot be read. */
  CaptureUnreadable,
  /** Error: the intent could not be written to status before acting. */
  IntentNotRecorded,
  /** Error: the cluster does not exist. */
  ClusterNotFound,
  /** Error: authip's identity may not read or write the cluster. */
  Forbidden,
  /** Error: ARM refused the request. */
  Rejected,
  /** Error: ARM could not be reached or answered 5xx. */
  AzureUnavailable;

  /** Whether {@code reason} (as read from status, possibly null or anything) is this one. */
  public boolean is(String reason) {
    return name().equals(reason);
  }
}
