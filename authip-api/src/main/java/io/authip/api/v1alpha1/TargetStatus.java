package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TargetStatus {

  @JsonPropertyDescription("ARM resource ID of the managed cluster.")
  private String clusterId;

  @JsonPropertyDescription("For a cluster selected by its tags: which selector took it, e.g. targetSelectors[0]; "
      + "absent for a cluster named in targets.")
  private String selectedBy;

  @JsonPropertyDescription("Pending, Updating, Propagating, InSync, Drifted, Blocked, Error or Contested.")
  private TargetState state;

  @JsonPropertyDescription("One CamelCase word saying why the target is in its state.")
  private String reason;

  @JsonPropertyDescription("Human-readable detail.")
  private String message;

  @JsonPropertyDescription("The access last applied to (or, in Observe mode, desired for) the cluster.")
  private Access access;

  @JsonPropertyDescription("The ranges last applied to (or, in Observe mode, desired for) the cluster. Empty for "
      + "every target of a policy with more than 100 targets (selectors), so that its status stays within what the "
      + "API server stores: rangeCount and rangesDigest remain.")
  private List<String> appliedRanges = new ArrayList<>();

  @JsonPropertyDescription("Number of entries in appliedRanges.")
  private Integer rangeCount;

  @JsonPropertyDescription("Entries the cluster accepts at most, as authip holds it to: 200, or 2,000 with API Server "
      + "VNet Integration (apiServerAccessProfile.enableVnetIntegration); the operator's AUTHIP_MAX_RANGES and "
      + "AUTHIP_VNET_INTEGRATION_MAX_RANGES.")
  private Integer rangesLimit;

  @JsonPropertyDescription("SHA-256 of the access and the canonical list last applied (or desired), lower-case hex: "
      + "tells whether two lists are the same when appliedRanges is left out.")
  private String rangesDigest;

  @JsonPropertyDescription("Set when the list was over the limit and covered by wider blocks "
      + "(spec.overflow.strategy: Supernet): what the cover admits beyond the list.")
  private SupernetStatus supernet;

  @JsonPropertyDescription("The latest check that the API server answers the operator (spec.reachability.check).")
  private ApiServerCheck apiServer;

  @JsonPropertyDescription("Set while a list that locked the operator out of the API server is held back "
      + "(spec.reachability.revertOnLockout). A copy of authip's own record of the hold, which is what counts: a "
      + "value written here by anyone else is replaced.")
  private LockoutStatus lockout;

  public ApiServerCheck getApiServer() {
    return apiServer;
  }

  public void setApiServer(ApiServerCheck apiServer) {
    this.apiServer = apiServer;
  }

  public LockoutStatus getLockout() {
    return lockout;
  }

  public void setLockout(LockoutStatus lockout) {
    this.lockout = lockout;
  }

  @JsonPropertyDescription("What the cluster had when this policy first took it over, as recorded by authip in its "
      + "own namespace (shown here for information: a restore uses authip's own record, never this field).")
  private CapturedAccess previous;

  @JsonPropertyDescription("A change authip is making: written before the PUT is sent (without pollUrl), then with "
      + "the operation's poll URL once Azure accepted it, until it finished.")
  private PendingOperation pendingOperation;

  @JsonPropertyDescription("When the actual state was last read from Azure (RFC 3339). While a read finds nothing "
      + "else to change in this target, it is rewritten at most every hour, so that resyncs write no status.")
  private String lastSyncTime;

  @JsonPropertyDescription("When authip last changed the cluster (RFC 3339).")
  private String lastChangeTime;

  @JsonPropertyDescription("Set while the actual ranges differ from the desired ones and authip is not changing them "
      + "(Observe mode, or a correction that cannot be made yet): when that was first seen (RFC 3339).")
  private String driftDetectedAt;

  @JsonPropertyDescription("When authip corrected drift on this cluster within the flap window (RFC 3339, oldest "
      + "first): too many corrections make the target Contested.")
  private List<String> recentCorrections;

  public SupernetStatus getSupernet() {
    return supernet;
  }

  public void setSupernet(SupernetStatus supernet) {
    this.supernet = supernet;
  }

  public List<String> getRecentCorrections() {
    return recentCorrections;
  }

  public void setRecentCorrections(List<String> recentCorrections) {
    this.recentCorrections = recentCorrections;
  }

  public String getClusterId() {
    return clusterId;
  }

  public void setClusterId(String clusterId) {
    this.clusterId = clusterId;
  }

  public TargetState getState() {
    return state;
  }

  public void setState(TargetState state) {
    this.state = state;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public Access getAccess() {
    return access;
  }

  public void setAccess(Access access) {
    this.access = access;
  }

  public List<String> getAppliedRanges() {
    return appliedRanges;
  }

  public void setAppliedRanges(List<String> appliedRanges) {
    this.appliedRanges = appliedRanges;
  }

  public Integer getRangesLimit() {
    return rangesLimit;
  }

  public void setRangesLimit(Integer rangesLimit) {
    this.rangesLimit = rangesLimit;
  }

  public Integer getRangeCount() {
    return rangeCount;
  }

  public void setRangeCount(Integer rangeCount) {
    this.rangeCount = rangeCount;
  }

  public String getRangesDigest() {
    return rangesDigest;
  }

  public void setRangesDigest(String rangesDigest) {
    this.rangesDigest = rangesDigest;
  }

  public CapturedAccess getPrevious() {
    return previous;
  }

  public void setPrevious(CapturedAccess previous) {
    this.previous = previous;
  }

  public PendingOperation getPendingOperation() {
    return pendingOperation;
  }

  public void setPendingOperation(PendingOperation pendingOperation) {
    this.pendingOperation = pendingOperation;
  }

  public String getLastSyncTime() {
    return lastSyncTime;
  }

  public void setLastSyncTime(String lastSyncTime) {
    this.lastSyncTime = lastSyncTime;
  }

  public String getLastChangeTime() {
    return lastChangeTime;
  }

  public void setLastChangeTime(String lastChangeTime) {
    this.lastChangeTime = lastChangeTime;
  }

  public String getSelectedBy() {
    return selectedBy;
  }

  public void setSelectedBy(String selectedBy) {
    this.selectedBy = selectedBy;
  }

  public String getDriftDetectedAt() {
    return driftDetectedAt;
  }

  public void setDriftDetectedAt(String driftDetectedAt) {
    this.driftDetectedAt = driftDetectedAt;
  }

  /** A copy to build the next status from; lists are copied too. */
  public TargetStatus copy() {
    TargetStatus t = new TargetStatus();
    t.clusterId = clusterId;
    t.selectedBy = selectedBy;
    t.state = state;
    t.reason = reason;
    t.message = message;
    t.access = access;
    t.appliedRanges = appliedRanges == null ? new ArrayList<>() : new ArrayList<>(appliedRanges);
    t.rangeCount = rangeCount;
    t.rangesLimit = rangesLimit;
    t.rangesDigest = rangesDigest;
    t.previous = previous;
    t.pendingOperation = pendingOperation;
    t.lastSyncTime = lastSyncTime;
    t.lastChangeTime = lastChangeTime;
    t.recentCorrections = recentCorrections == null ? null : new ArrayList<>(recentCorrections);
    t.driftDetectedAt = driftDetectedAt;
    t.supernet = supernet == null ? null : supernet.copy();
    t.apiServer = apiServer;
    t.lockout = lockout;
    return t;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TargetStatus t
        && Objects.equals(clusterId, t.clusterId) && Objects.equals(selectedBy, t.selectedBy) && state == t.state
        && Objects.equals(reason, t.reason) && Objects.equals(message, t.message)
        && access == t.access && Objects.equals(appliedRanges, t.appliedRanges)
        && Objects.equals(rangeCount, t.rangeCount) && Objects.equals(rangesLimit, t.rangesLimit)
        && Objects.equals(rangesDigest, t.rangesDigest)
        && Objects.equals(previous, t.previous)
        && Objects.equals(pendingOperation, t.pendingOperation)
        && Objects.equals(lastSyncTime, t.lastSyncTime) && Objects.equals(lastChangeTime, t.lastChangeTime)
        && Objects.equals(driftDetectedAt, t.driftDetectedAt)
        && Objects.equals(recentCorrections, t.recentCorrections) && Objects.equals(supernet, t.supernet)
        && Objects.equals(apiServer, t.apiServer) && Objects.equals(lockout, t.lockout);
  }

  @Override
  public int hashCode() {
    return Objects.hash(clusterId, selectedBy, state, reason, message, access, appliedRanges, rangeCount, rangesLimit,
        rangesDigest, previous,
        pendingOperation, lastSyncTime, lastChangeTime, driftDetectedAt, recentCorrections, supernet);
  }
}
