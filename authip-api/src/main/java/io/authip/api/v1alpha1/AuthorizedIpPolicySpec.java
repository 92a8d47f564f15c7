package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = AuthorizedIpPolicySpec.RESTRICTED + " || !has(self.ranges) || size(self.ranges) == 0",
    fieldPath = ".ranges", messageExpression = "'must be empty with access: ' + self.access + ', which sends no "
    + "ranges to AKS; remove the ranges or use access: Restricted'")
@ValidationRule(value = AuthorizedIpPolicySpec.RESTRICTED
    + " || !has(self.rangeSetRefs) || size(self.rangeSetRefs) == 0", fieldPath = ".rangeSetRefs",
    messageExpression = "'must be empty with access: ' + self.access + ', which sends no ranges to AKS; remove "
    + "the references or use access: Restricted'")
@ValidationRule(value = AuthorizedIpPolicySpec.RESTRICTED + " || !has(self.serviceTag)",
    fieldPath = ".serviceTag",
    messageExpression = "'cannot be combined with access: ' + self.access + '; use access: Restricted'")
@ValidationRule(value = AuthorizedIpPolicySpec.RESTRICTED + " || !has(self.egress) "
    + "|| !has(self.egress.publicIpResourceIds) || size(self.egress.publicIpResourceIds) == 0",
    fieldPath = ".egress.publicIpResourceIds",
    messageExpression = "'must be empty with access: ' + self.access + '; use access: Restricted'")
@ValidationRule(value = "(has(self.access) && self.access != 'Restricted')"
    + " || (has(self.ranges) && size(self.ranges) > 0) || (has(self.rangeSetRefs) && size(self.rangeSetRefs) > 0)"
    + " || has(self.serviceTag) || !has(self.egress)"
    + " || !has(self.egress.loadBalancer) || self.egress.loadBalancer"
    + " || !has(self.egress.natGateway) || self.egress.natGateway"
    + " || !has(self.egress.nodePublicIpPrefixes) || self.egress.nodePublicIpPrefixes"
    + " || (has(self.egress.publicIpResourceIds) && size(self.egress.publicIpResourceIds) > 0)",
    message = "access: Restricted with no ranges, no rangeSetRefs, no serviceTag and all egress off would send an "
        + "empty list, which AKS reads as unrestricted; add ranges, or say access: Unrestricted if that is really "
        + "meant")
@ValidationRule(value = "(has(self.targets) && size(self.targets) > 0) "
    + "|| (has(self.targetSelectors) && size(self.targetSelectors) > 0)",
    message = "name at least one cluster in targets, or select clusters with targetSelectors")
public class AuthorizedIpPolicySpec {

  /** Selectors per policy. */
  public static final int MAX_SELECTORS = 10;
  /** Clusters the selectors of one policy may select: each is a status entry, and status must stay well below 1 MiB. */
  public static final int MAX_SELECTED = 1000;

  /** True when access is Restricted or absent (the default): the CEL rules must not rely on defaulting. */
  static final String RESTRICTED = "!has(self.access) || self.access == 'Restricted'";

  /** Shared with the validator so schema and code cannot disagree. */
  public static final String RESYNC_PATTERN = "^([0-9]+h)?([0-9]+m)?([0-9]+s)?$";
  public static final String SERVICE_TAG_PATTERN = "^[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z0-9]+)?$";
  public static final String DEFAULT_RESYNC = "5m";

  @Size(max = 100)
  @JsonPropertyDescription("The AKS clusters whose API server authorized IP ranges this policy owns (at most 100). "
      + "A cluster named here wins over any policy's targetSelectors.")
  private List<ClusterTarget> targets = new ArrayList<>();

  @Size(max = MAX_SELECTORS)
  @JsonPropertyDescription("Clusters selected by their Azure tags, resolved from each subscription's list of "
      + "clusters: a cluster tagged (or created) later is taken at the next list, one no longer matching is released "
      + "(left as it is). At most " + MAX_SELECTED + " clusters per policy; the 100 limit is for targets only.")
  private List<TargetSelector> targetSelectors = new ArrayList<>();

  @Default("Restricted")
  @JsonPropertyDescription("Restricted (default): only the listed ranges and egress. LoadBalancerOnly: only the "
      + "cluster's load balancer outbound IPs (what AKS spells 0.0.0.0/32). Unrestricted: the API server is open "
      + "to the internet (what AKS spells as an empty list); must be asked for explicitly.")
  private Access access;

  @Size(max = 10000)
  @JsonPropertyDescription("Literal IPv4 ranges: CIDRs or bare addresses (a bare address means /32). Public "
      + "addresses only, no host bits. Duplicates and overlaps are merged.")
  private List<RangeEntry> ranges = new ArrayList<>();

  @Size(max = 50)
  @JsonPropertyDescription("IpRangeSet resources in the same namespace whose ranges are added to this policy.")
  private List<RangeSetRef> rangeSetRefs = new ArrayList<>();

  @JsonPropertyDescription("Which of each target cluster's own egress addresses are added, resolved in Azure per "
      + "cluster. Only used with access Restricted.")
  private Egress egress;

  @Pattern(SERVICE_TAG_PATTERN)
  @JsonPropertyDescription("Optional Azure service tag, e.g. AzureCloud (AKS preview feature "
      + "EnableServiceTagAuthorizedIPPreview). At most one; only with access Restricted.")
  private String serviceTag;

  @JsonPropertyDescription("What to do when a cluster's list (ranges, egress and service tag) exceeds the entries "
      + "AKS accepts: refuse (default), or cover it with wider blocks within a budget of extra addresses.")
  private Overflow overflow;

  @JsonPropertyDescription("Check from the operator that each target's API server still answers after a change, "
      + "and put the previous list back when a change locked it out.")
  private Reachability reachability;

  @Default("Enforce")
  @JsonPropertyDescription("Enforce (default): drive the clusters to this policy. Observe: report drift, never write.")
  private Mode mode;

  @Default("Retain")
  @JsonPropertyDescription("On deletion of the policy. Retain (default): leave the clusters as they are. Restore: "
      + "put back the ranges captured when the policy first took each cluster over.")
  private DeletionPolicy deletionPolicy;

  @Default(DEFAULT_RESYNC)
  @Pattern(RESYNC_PATTERN)
  @JsonPropertyDescription("How often the actual ranges are re-read from Azure to detect drift, e.g. 5m or 1h30m "
      + "(1m to 24h; default 5m).")
  private String resyncInterval;

  public Reachability getReachability() {
    return reachability;
  }

  public void setReachability(Reachability reachability) {
    this.reachability = reachability;
  }

  /** The reachability settings, no check when absent. */
  public Reachability effectiveReachability() {
    return reachability == null ? new Reachability() : reachability;
  }

  public Overflow getOverflow() {
    return overflow;
  }

  public void setOverflow(Overflow overflow) {
    this.overflow = overflow;
  }

  /** The overflow settings, Refuse with no budget when absent. */
  public Overflow effectiveOverflow() {
    return overflow == null ? new Overflow() : overflow;
  }

  public List<ClusterTarget> getTargets() {
    return targets;
  }

  public void setTargets(List<ClusterTarget> targets) {
    this.targets = targets;
  }

  public List<TargetSelector> getTargetSelectors() {
    return targetSelectors;
  }

  public void setTargetSelectors(List<TargetSelector> targetSelectors) {
    this.targetSelectors = targetSelectors;
  }

  public List<TargetSelector> targetSelectorsOrEmpty() {
    return targetSelectors == null ? List.of() : targetSelectors;
  }

  public Access getAccess() {
    return access;
  }

  public void setAccess(Access access) {
    this.access = access;
  }

  public List<RangeEntry> getRanges() {
    return ranges;
  }

  public void setRanges(List<RangeEntry> ranges) {
    this.ranges = ranges;
  }

  public List<RangeSetRef> getRangeSetRefs() {
    return rangeSetRefs;
  }

  public void setRangeSetRefs(List<RangeSetRef> rangeSetRefs) {
    this.rangeSetRefs = rangeSetRefs;
  }

  public Egress getEgress() {
    return egress;
  }

  public void setEgress(Egress egress) {
    this.egress = egress;
  }

  public String getServiceTag() {
    return serviceTag;
  }

  public void setServiceTag(String serviceTag) {
    this.serviceTag = serviceTag;
  }

  public Mode getMode() {
    return mode;
  }

  public void setMode(Mode mode) {
    this.mode = mode;
  }

  public DeletionPolicy getDeletionPolicy() {
    return deletionPolicy;
  }

  public void setDeletionPolicy(DeletionPolicy deletionPolicy) {
    this.deletionPolicy = deletionPolicy;
  }

  public String getResyncInterval() {
    return resyncInterval;
  }

  public void setResyncInterval(String resyncInterval) {
    this.resyncInterval = resyncInterval;
  }

  /** The effective access: the default applies when the field is absent (the reconciler never writes defaults back). */
  public Access effectiveAccess() {
    return access == null ? Access.Restricted : access;
  }

  public Mode effectiveMode() {
    return mode == null ? Mode.Enforce : mode;
  }

  public DeletionPolicy effectiveDeletionPolicy() {
    return deletionPolicy == null ? DeletionPolicy.Retain : deletionPolicy;
  }

  public Egress effectiveEgress() {
    return egress == null ? new Egress() : egress;
  }

  public String effectiveResyncInterval() {
    return resyncInterval == null || resyncInterval.isBlank() ? DEFAULT_RESYNC : resyncInterval;
  }

  public List<RangeEntry> rangesOrEmpty() {
    return ranges == null ? List.of() : ranges;
  }

  public List<RangeSetRef> rangeSetRefsOrEmpty() {
    return rangeSetRefs == null ? List.of() : rangeSetRefs;
  }

  public List<ClusterTarget> targetsOrEmpty() {
    return targets == null ? List.of() : targets;
  }
}
