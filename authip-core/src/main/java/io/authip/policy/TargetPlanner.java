package io.authip.policy;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.Egress;
import io.authip.api.v1alpha1.Overflow;
import io.authip.api.v1alpha1.OverflowStrategy;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.api.v1alpha1.TargetReason;
import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import io.authip.ranges.RangeRules;
import io.authip.ranges.SupernetCover;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * From a valid spec and what was read of one cluster to the access that cluster must have, or the reason it must
 * not be touched (rules R5, R8, R9, R10, R11 and the entry limit). Pure.
 */
public final class TargetPlanner {

  private final int maxRanges;
  private final int vnetIntegrationMaxRanges;

  /** The same limit for every cluster. */
  public TargetPlanner(int maxRanges) {
    this(maxRanges, maxRanges);
  }

  /**
   * @param maxRanges entries a cluster accepts (AKS: 200)
   * @param vnetIntegrationMaxRanges entries a cluster with API Server VNet Integration accepts (AKS documents 2,000)
   */
  public TargetPlanner(int maxRanges, int vnetIntegrationMaxRanges) {
    if (maxRanges < 1 || vnetIntegrationMaxRanges < 1) {
      throw new IllegalArgumentException("entry limits must be at least 1, got " + maxRanges + " and "
          + vnetIntegrationMaxRanges);
    }
    this.maxRanges = maxRanges;
    this.vnetIntegrationMaxRanges = vnetIntegrationMaxRanges;
  }

  /** The entries this cluster accepts at most: more with API Server VNet Integration. */
  public int limitFor(ClusterSnapshot snapshot) {
    return snapshot.vnetIntegration() ? vnetIntegrationMaxRanges : maxRanges;
  }

  /** What a limit is, for messages: which setting of the cluster chose it. */
  private String limitName(ClusterSnapshot snapshot) {
    return snapshot.vnetIntegration()
        ? "the limit for clusters with API Server VNet Integration (apiServerAccessProfile.enableVnetIntegration)"
        : "the limit for clusters without API Server VNet Integration (apiServerAccessProfile.enableVnetIntegration "
            + "is off; AKS documents up to 2,000 with it)";
  }

  /** {@code networkProfile.outboundType}s whose egress is only where the node subnets send it. */
  static final String USER_ASSIGNED_NAT_GATEWAY = "userAssignedNATGateway";
  static final String USER_DEFINED_ROUTING = "userDefinedRouting";

  /**
   * The node pools' subnets (their {@code vnetSubnetID}s) whose egress paths this cluster's list depends on,
   * lower-cased, no repeats; empty unless the access is Restricted. Pools in the AKS-managed network have none.
   */
  public static List<String> subnetIds(AuthorizedIpPolicySpec spec, ClusterSnapshot snapshot) {
    if (spec.effectiveAccess() != Access.Restricted) {
      return List.of();
    }
    Set<String> ids = new LinkedHashSet<>();
    snapshot.agentPools().stream().map(ClusterSnapshot.AgentPool::vnetSubnetId)
        .filter(id -> id != null && !id.isBlank()).forEach(id -> ids.add(lower(id.strip())));
    return List.copyOf(ids);
  }

  /**
   * The Public IP and Public IP prefix IDs whose addresses belong in this cluster's list, lower-cased, no repeats,
   * when its node pools are in the AKS-managed network (or their subnets' egress paths are not known yet).
   */
  public static List<String> egressIds(AuthorizedIpPolicySpec spec, ClusterSnapshot snapshot) {
    return egressIds(spec, snapshot, Map.of());
  }

  /**
   * The Public IP and Public IP prefix IDs whose addresses belong in this cluster's list, lower-cased, no repeats.
   *
   * @param paths the egress paths of the subnets from {@link #subnetIds}, keyed lower-case: their NAT gateways'
   *     and firewalls' addresses belong in the list too
   */
  public static List<String> egressIds(AuthorizedIpPolicySpec spec, ClusterSnapshot snapshot,
      Map<String, EgressPath> paths) {
    if (spec.effectiveAccess() != Access.Restricted) {
      return List.of();
    }
    Egress egress = spec.effectiveEgress();
    Set<String> ids = new LinkedHashSet<>();
    if (egress.loadBalancerEnabled()) {
      snapshot.lbEffectiveOutboundIpIds().forEach(id -> ids.add(lower(id)));
      snapshot.lbOutboundIpIds().forEach(id -> ids.add(lower(id)));
      snapshot.lbOutboundIpPrefixIds().forEach(id -> ids.add(lower(id)));
    }
    if (egress.natGatewayEnabled()) {
      snapshot.natGatewayEffectiveOutboundIpIds().forEach(id -> ids.add(lower(id)));
    }
    if (egress.nodePublicIpPrefixesEnabled()) {
      snapshot.agentPools().stream()
          .filter(p -> p.enableNodePublicIp() && p.nodePublicIpPrefixId() != null && !p.nodePublicIpPrefixId().isBlank())
          .forEach(p -> ids.add(lower(p.nodePublicIpPrefixId())));
    }
    for (String subnet : subnetIds(spec, snapshot)) {
      if (paths.get(subnet) instanceof EgressPath.Addresses a
          && (a.via() != EgressPath.Via.NAT_GATEWAY || egress.natGatewayEnabled())) {
        a.publicIpResourceIds().forEach(id -> ids.add(lower(id)));
      }
    }
    egress.publicIpResourceIdsOrEmpty().forEach(id -> ids.add(lower(id)));
    return List.copyOf(ids);
  }

  /**
   * Why part of the cluster's egress is not known: one line per subnet (or for the cluster) whose path authip could
   * not follow to addresses. Empty when everything is known.
   */
  static List<String> unknownEgress(AuthorizedIpPolicySpec spec, ClusterSnapshot snapshot,
      Map<String, EgressPath> paths) {
    List<String> unknown = new ArrayList<>();
    String outbound = snapshot.outboundType() == null ? "" : snapshot.outboundType();
    boolean userNat = USER_ASSIGNED_NAT_GATEWAY.equalsIgnoreCase(outbound);
    boolean udr = USER_DEFINED_ROUTING.equalsIgnoreCase(outbound);
    List<String> subnets = subnetIds(spec, snapshot);
    if (subnets.isEmpty() && (userNat || udr)) {
      unknown.add("outboundType is " + outbound + " but no node pool names its subnet (vnetSubnetID), so the "
          + (userNat ? "NAT gateway" : "route") + " its nodes leave through cannot be found");
    }
    for (String subnet : subnets) {
      EgressPath path = paths.get(subnet);
      if (path instanceof EgressPath.Unknown u) {
        unknown.add(u.why());
      } else if (path instanceof EgressPath.Default d && userNat) {
        unknown.add("outboundType is " + outbound + " but subnet " + subnet + " has no NAT gateway (" + d.why() + ")");
      } else if (path instanceof EgressPath.Default d && udr) {
        unknown.add("outboundType is " + outbound + " but " + d.why() + ", so nothing says where subnet " + subnet
            + " leaves to the internet");
      }
    }
    return unknown;
  }

  /**
   * @param staticRanges literal and referenced ranges of the valid spec
   * @param resolved blocks of the IDs from {@link #egressIds}, keyed lower-case
   */
  public TargetPlan plan(AuthorizedIpPolicySpec spec, CidrSet staticRanges, ClusterSnapshot snapshot,
      Map<String, Cidr> resolved) {
    return plan(spec, staticRanges, snapshot, Map.of(), resolved);
  }

  /**
   * @param staticRanges literal and referenced ranges of the valid spec
   * @param paths egress paths of the subnets from {@link #subnetIds}, keyed lower-case
   * @param resolved blocks of the IDs from {@link #egressIds(AuthorizedIpPolicySpec, ClusterSnapshot, Map)}, keyed
   *     lower-case
   */
  public TargetPlan plan(AuthorizedIpPolicySpec spec, CidrSet staticRanges, ClusterSnapshot snapshot,
      Map<String, EgressPath> paths, Map<String, Cidr> resolved) {
    Access access = spec.effectiveAccess();
    ApiServerAccess actual = snapshot.access();
    if (snapshot.privateCluster()) {
      if (access == Access.Unrestricted && actual.access() == Access.Unrestricted) {
        return new TargetPlan.Desired(ApiServerAccess.UNRESTRICTED, 0);
      }
      return new TargetPlan.Blocked(TargetReason.PrivateCluster, "the cluster is private (apiServerAccessProfile."
          + "enablePrivateCluster); AKS does not support authorized IP ranges there. Remove it from spec.targets");
    }
    if (access == Access.Unrestricted) {
      return new TargetPlan.Desired(ApiServerAccess.UNRESTRICTED, 0);
    }
    if (snapshot.basicLoadBalancer() && actual.access() == Access.Unrestricted) {
      return new TargetPlan.Blocked(TargetReason.BasicLoadBalancer, "the cluster uses a Basic load balancer; AKS cannot newly "
          + "enable authorized IP ranges there. Move it to a Standard load balancer first");
    }
    if (access == Access.LoadBalancerOnly) {
      return new TargetPlan.Desired(ApiServerAccess.LOAD_BALANCER_ONLY, 0);
    }
    Egress egress = spec.effectiveEgress();
    if (egress.nodePublicIpPrefixesEnabled()) {
      List<ClusterSnapshot.AgentPool> bad = snapshot.poolsWithNodePublicIpWithoutPrefix();
      if (!bad.isEmpty()) {
        return new TargetPlan.Blocked(TargetReason.NodePublicIpWithoutPrefix, "node pool(s) "
            + bad.stream().map(ClusterSnapshot.AgentPool::name).collect(Collectors.joining(", "))
            + " use node public IPs without a public IP prefix, so their addresses cannot be authorized and the "
            + "nodes would be locked out. Give the pools a nodePublicIPPrefixID, or set "
            + "spec.egress.nodePublicIpPrefixes: false if they do not need the API server");
      }
    }
    List<String> unlooked = subnetIds(spec, snapshot).stream().filter(id -> !paths.containsKey(id)).toList();
    if (!unlooked.isEmpty()) {
      return new TargetPlan.Blocked(TargetReason.UnresolvedEgress, "could not find where subnet(s) "
          + String.join(", ", unlooked) + " leave to the internet; refusing to write a list without the cluster's "
          + "own egress");
    }
    List<String> unknown = unknownEgress(spec, snapshot, paths);
    if (!unknown.isEmpty() && !egress.unknownAllowed()) {
      return new TargetPlan.Blocked(TargetReason.EgressUnknown, "the egress of "
          + (snapshot.target() == null ? "this cluster" : "cluster " + snapshot.target()) + " cannot be resolved to "
          + "addresses: " + String.join("; ", unknown) + ". List the public IP addresses or prefixes it leaves "
          + "through in spec.egress.publicIpResourceIds and set spec.egress.allowUnknown: true (set it alone only if "
          + "the nodes and in-cluster tools do not need the API server); without them they would be locked out");
    }
    List<Cidr> egressBlocks = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String id : egressIds(spec, snapshot, paths)) {
      Cidr block = resolved.get(id);
      if (block == null) {
        missing.add(id);
        continue;
      }
      Optional<String> problem = RangeRules.publicProblem(block);
      if (problem.isPresent()) {
        return new TargetPlan.Blocked(TargetReason.NonPublicEgress, "egress address of " + id + ": " + problem.get());
      }
      egressBlocks.add(block);
    }
    if (!missing.isEmpty()) {
      return new TargetPlan.Blocked(TargetReason.UnresolvedEgress, "could not resolve the address of " + String.join(", ", missing)
          + "; refusing to write a list without the cluster's own egress");
    }
    CidrSet ranges = staticRanges.union(CidrSet.of(egressBlocks));
    String tag = spec.getServiceTag();
    int entries = ranges.size() + (tag == null ? 0 : 1);
    if (entries == 0) {
      return new TargetPlan.Blocked(TargetReason.EmptyRanges, "the desired list is empty (no ranges, and no egress addresses "
          + "were found for this cluster); an empty list would switch the restriction off. Add ranges, or set "
          + "access: Unrestricted if that is really meant");
    }
    int limit = limitFor(snapshot);
    Optional<String> over = RangeRules.limitProblem(entries, limit);
    if (over.isPresent()) {
      String problem = over.get() + " for " + (snapshot.target() == null ? "this cluster" : "cluster " + snapshot.target())
          + " (including " + egressBlocks.size()
          + " egress blocks" + (tag == null ? "" : " and the service tag") + "), " + limitName(snapshot);
      Overflow overflow = spec.effectiveOverflow();
      if (overflow.effectiveStrategy() != OverflowStrategy.Supernet) {
        return new TargetPlan.Blocked(TargetReason.TooManyRanges, problem);
      }
      return supernet(overflow, ranges, CidrSet.of(egressBlocks), tag, entries, egressBlocks.size(), problem, limit);
    }
    return new TargetPlan.Desired(ApiServerAccess.restricted(ranges, tag), egressBlocks.size());
  }

  /**
   * The optimal cover of {@code ranges} by the blocks the limit leaves (one fewer with a service tag), never over a
   * non-public range or {@code neverCover}, never widening the cluster's egress or a single address; within the
   * policy's budget, else Blocked with what the best cover would admit.
   */
  private TargetPlan supernet(Overflow overflow, CidrSet ranges, CidrSet egress, String tag, int entries,
      int egressCount, String problem, int limit) {
    int blocks = limit - (tag == null ? 0 : 1);
    List<Cidr> never = new ArrayList<>();
    for (RangeEntry e : overflow.neverCoverOrEmpty()) {
      String text = e.getCidr().strip();
      never.add(Cidr.parse(text.contains("/") ? text : text + "/32"));
    }
    List<Cidr> pinned = new ArrayList<>(egress.cidrs());
    ranges.cidrs().stream().filter(c -> c.prefix() == 32).forEach(pinned::add);
    Optional<SupernetCover.Result> fit;
    try {
      fit = SupernetCover.fit(ranges, blocks, CidrSet.of(never), CidrSet.of(pinned));
    } catch (IllegalArgumentException e) {
      // The validator keeps neverCover out of the spec's ranges; the cluster's egress may still fall into it.
      return new TargetPlan.Blocked(TargetReason.TooManyRanges, problem + "; spec.overflow.neverCover overlaps this "
          + "cluster's egress (" + e.getMessage() + "), so no cover can keep it out");
    }
    if (fit.isEmpty()) {
      return new TargetPlan.Blocked(TargetReason.TooManyRanges, problem + "; no cover by " + blocks + " blocks avoids "
          + "the non-public ranges" + (never.isEmpty() ? "" : " and spec.overflow.neverCover") + " while keeping the "
          + "egress and single addresses exact: split the clusters over policies, or shorten the list");
    }
    SupernetCover.Result cover = fit.get();
    Optional<String> budget = cover.exceeds(overflow.getMaxExtraAddresses(), "spec.overflow.maxExtraAddresses",
        overflow.getMaxExtraPercent(), "spec.overflow.maxExtraPercent");
    if (budget.isPresent()) {
      return new TargetPlan.Blocked(TargetReason.TooManyRanges, problem + "; the best cover by " + blocks
          + " blocks admits " + cover.extraAddresses() + " extra addresses (" + cover.extraPercentText() + " %), over "
          + budget.get() + ": raise the budget, or shorten the list");
    }
    CidrSet covered = CidrSet.of(cover.blocks());
    return new TargetPlan.Desired(ApiServerAccess.restricted(covered, tag), egressCount,
        new TargetPlan.Widening(entries, cover, cover.widened(ranges)));
  }

  private static String lower(String id) {
    return id.toLowerCase(Locale.ROOT);
  }
}
