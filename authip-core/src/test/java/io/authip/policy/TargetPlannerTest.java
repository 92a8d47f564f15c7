package io.authip.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.Egress;
import io.authip.policy.ClusterSnapshot;
import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetPlannerTest {

  static final String SUB = "6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b";
  static final String LB_IP = "/subscriptions/" + SUB + "/resourceGroups/MC_rg/providers/Microsoft.Network/publicIPAddresses/lb-ip";
  static final String NAT_IP = "/subscriptions/" + SUB + "/resourceGroups/MC_rg/providers/Microsoft.Network/publicIPAddresses/nat-ip";
  static final String NODE_PREFIX = "/subscriptions/" + SUB + "/resourceGroups/rg/providers/Microsoft.Network/publicIPPrefixes/nodes";
  static final CidrSet OFFICE = CidrSet.of(Cidr.parse("73.140.245.0/24"));

  final TargetPlanner planner = new TargetPlanner(200);

  static ClusterSnapshot snapshot(boolean privateCluster, String sku, ApiServerAccess access,
      List<ClusterSnapshot.AgentPool> pools) {
    return new ClusterSnapshot(new ClusterTarget(SUB, "rg", "aks"), "/subscriptions/" + SUB
        + "/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks", "\"e1\"", "Succeeded",
        privateCluster, sku, "loadBalancer", access, List.of(LB_IP), List.of(), List.of(), List.of(NAT_IP), pools);
  }

  static ClusterSnapshot standard() {
    return snapshot(false, "standard", ApiServerAccess.UNRESTRICTED, List.of(new ClusterSnapshot.AgentPool("system", false, null)));
  }

  static AuthorizedIpPolicySpec spec(Access access) {
    AuthorizedIpPolicySpec spec = new AuthorizedIpPolicySpec();
    spec.setAccess(access);
    spec.setTargets(new ArrayList<>(List.of(new ClusterTarget(SUB, "rg", "aks"))));
    return spec;
  }

  static final Map<String, Cidr> RESOLVED = Map.of(LB_IP.toLowerCase(), Cidr.parse("20.50.1.7"),
      NAT_IP.toLowerCase(), Cidr.parse("20.50.1.8"), NODE_PREFIX.toLowerCase(), Cidr.parse("20.60.0.16/28"));

  @Test
  void restrictedAddsEgressAndMergesAdjacentAddresses() {
    TargetPlan plan = planner.plan(spec(Access.Restricted), OFFICE, standard(), RESOLVED);
    assertThat(plan).isInstanceOf(TargetPlan.Desired.class);
    ApiServerAccess desired = ((TargetPlan.Desired) plan).access();
    assertThat(desired.toAks()).containsExactly("20.50.1.7/32", "20.50.1.8/32", "73.140.245.0/24");
    assertThat(((TargetPlan.Desired) plan).egressCount()).isEqualTo(2);
  }

  @Test
  void egressIdsFollowTheSwitchesAndAreLowerCasedOnce() {
    AuthorizedIpPolicySpec spec = spec(Access.Restricted);
    Egress egress = new Egress();
    egress.setNatGateway(false);
    egress.setPublicIpResourceIds(List.of(LB_IP.toUpperCase()));
    spec.setEgress(egress);
    assertThat(TargetPlanner.egressIds(spec, standard())).containsExactly(LB_IP.toLowerCase());
    assertThat(TargetPlanner.egressIds(spec(Access.LoadBalancerOnly), standard())).isEmpty();
  }

  @Test
  void privateClusterIsBlockedUnlessEverythingIsUnrestricted() {
    ClusterSnapshot priv = snapshot(true, "standard", ApiServerAccess.UNRESTRICTED, List.of());
    assertThat(planner.plan(spec(Access.Restricted), OFFICE, priv, RESOLVED))
        .isEqualTo(new TargetPlan.Blocked(io.authip.api.v1alpha1.TargetReason.PrivateCluster, ((TargetPlan.Blocked) planner.plan(
            spec(Access.Restricted), OFFICE, priv, RESOLVED)).message()));
    assertThat(planner.plan(spec(Access.Unrestricted), CidrSet.empty(), priv, Map.of()))
        .isEqualTo(new TargetPlan.Desired(ApiServerAccess.UNRESTRICTED, 0));
  }

  @Test
  void basicLoadBalancerCannotBeNewlyRestrictedButKeepsWorkingWhenAlreadyRestricted() {
    ClusterSnapshot open = snapshot(false, "basic", ApiServerAccess.UNRESTRICTED, List.of());
    assertThat(planner.plan(spec(Access.Restricted), OFFICE, open, RESOLVED))
        .isInstanceOfSatisfying(TargetPlan.Blocked.class, b -> assertThat(b.reason().name()).isEqualTo("BasicLoadBalancer"));
    assertThat(planner.plan(spec(Access.LoadBalancerOnly), OFFICE, open, RESOLVED))
        .isInstanceOf(TargetPlan.Blocked.class);
    ClusterSnapshot restricted = snapshot(false, "Basic", ApiServerAccess.restricted(OFFICE, null), List.of());
    assertThat(planner.plan(spec(Access.Restricted), OFFICE, restricted, RESOLVED))
        .isInstanceOf(TargetPlan.Desired.class);
  }

  @Test
  void nodePublicIpWithoutPrefixBlocksUnlessThatEgressIsSwitchedOff() {
    ClusterSnapshot s = snapshot(false, "standard", ApiServerAccess.UNRESTRICTED,
        List.of(new ClusterSnapshot.AgentPool("gpu", true, null), new ClusterSnapshot.AgentPool("web", true, NODE_PREFIX)));
    assertThat(planner.plan(spec(Access.Restricted), OFFICE, s, RESOLVED))
        .isInstanceOfSatisfying(TargetPlan.Blocked.class, b -> {
          assertThat(b.reason().name()).isEqualTo("NodePublicIpWithoutPrefix");
          assertThat(b.message()).contains("gpu").doesNotContain("web");
        });
    AuthorizedIpPolicySpec off = spec(Access.Restricted);
    Egress egress = new Egress();
    egress.setNodePublicIpPrefixes(false);
    off.setEgress(egress);
    assertThat(planner.plan(off, OFFICE, s, RESOLVED)).isInstanceOf(TargetPlan.Desired.class);
  }

  @Test
  void nodePoolPrefixIsAuthorized() {
    ClusterSnapshot s = snapshot(false, "standard", ApiServerAccess.UNRESTRICTED,
        List.of(new ClusterSnapshot.AgentPool("web", true, NODE_PREFIX)));
    TargetPlan plan = planner.plan(spec(Access.Restricted), OFFICE, s, RESOLVED);
    assertThat(((TargetPlan.Desired) plan).access().toAks()).contains("20.60.0.16/28");
  }

  @Test
  void unresolvedEgressFailsClosed() {
    TargetPlan plan = planner.plan(spec(Access.Restricted), OFFICE, standard(), Map.of());
    assertThat(plan).isInstanceOfSatisfying(TargetPlan.Blocked.class,
        b -> assertThat(b.reason().name()).isEqualTo("UnresolvedEgress"));
  }

  @Test
  void emptyRestrictedListIsNeverDesired() {
    AuthorizedIpPolicySpec spec = spec(Access.Restricted);
    // A load balancer without outbound IPs (userDefinedRouting without a node subnet is EgressUnknown instead).
    ClusterSnapshot noEgress = new ClusterSnapshot(new ClusterTarget(SUB, "rg", "aks"), "id", "\"e\"", "Succeeded",
        false, "standard", "loadBalancer", ApiServerAccess.UNRESTRICTED, List.of(), List.of(), List.of(),
        List.of(), List.of());
    assertThat(planner.plan(spec, CidrSet.empty(), noEgress, Map.of()))
        .isInstanceOfSatisfying(TargetPlan.Blocked.class, b -> assertThat(b.reason().name()).isEqualTo("EmptyRanges"));
  }

  @Test
  void overTheLimitWithEgressIsBlockedNotTruncated() {
    TargetPlanner small = new TargetPlanner(2);
    TargetPlan plan = small.plan(spec(Access.Restricted), OFFICE, standard(), RESOLVED);
    assertThat(plan).isInstanceOfSatisfying(TargetPlan.Blocked.class, b -> {
      assertThat(b.reason().name()).isEqualTo("TooManyRanges");
      assertThat(b.message()).contains("3 ranges").contains("1 over the limit of 2");
    });
  }

  @Test
  void vnetIntegratedClustersAreHeldToTheirOwnLimitAndOthersToTheirs() {
    TargetPlanner perCluster = new TargetPlanner(2, 3);
    TargetPlan plain = perCluster.plan(spec(Access.Restricted), OFFICE, standard(), RESOLVED);
    assertThat(plain).isInstanceOfSatisfying(TargetPlan.Blocked.class, b -> {
      assertThat(b.reason().name()).isEqualTo("TooManyRanges");
      assertThat(b.message()).contains("3 ranges").contains("1 over the limit of 2")
          .contains("cluster " + standard().target().resourceId())
          .contains("apiServerAccessProfile.enableVnetIntegration is off");
    });
    ClusterSnapshot vnet = standard().withVnetIntegration(true);
    assertThat(perCluster.limitFor(vnet)).isEqualTo(3);
    assertThat(perCluster.limitFor(standard())).isEqualTo(2);
    assertThat(perCluster.plan(spec(Access.Restricted), OFFICE, vnet, RESOLVED))
        .isInstanceOfSatisfying(TargetPlan.Desired.class, d -> assertThat(d.access().toAks())
            .containsExactly("20.50.1.7/32", "20.50.1.8/32", "73.140.245.0/24"));
    AuthorizedIpPolicySpec tagged = spec(Access.Restricted);
    tagged.setServiceTag("AzureCloud");
    assertThat(perCluster.plan(tagged, OFFICE, vnet, RESOLVED)).isInstanceOfSatisfying(TargetPlan.Blocked.class,
        b -> assertThat(b.message()).contains("1 over the limit of 3")
            .contains("the limit for clusters with API Server VNet Integration"));
  }

  @Test
  void supernetCoversToTheLimitOfTheClusterItIsFor() {
    // Six entries: at 4 blocks (no VNet integration) the best cover is one /21 beside the egress; at 5 (VNet
    // integration) the ranges keep a /22 and two /24s.
    TargetPlanner perCluster = new TargetPlanner(4, 5);
    assertThat(perCluster.plan(supernet(null, 100.0), GAPS, standard(), RESOLVED))
        .isInstanceOfSatisfying(TargetPlan.Desired.class, d -> assertThat(d.access().toAks())
            .containsExactly("20.50.1.7/32", "20.50.1.8/32", "73.140.0.0/21"));
    assertThat(perCluster.plan(supernet(null, 100.0), GAPS, standard().withVnetIntegration(true), RESOLVED))
        .isInstanceOfSatisfying(TargetPlan.Desired.class, d -> assertThat(d.access().toAks())
            .containsExactly("20.50.1.7/32", "20.50.1.8/32", "73.140.0.0/22", "73.140.4.0/24", "73.140.6.0/24"));
  }

  // ---- egress through the node subnets: NAT gateways, Azure Firewalls, unknown appliances ----

  static final String NET = "/subscriptions/" + SUB + "/resourceGroups/net/providers/Microsoft.Network/";
  static final String SUBNET = NET + "virtualNetworks/vnet/subnets/nodes";
  static final String NATGW_IP = NET + "publicIPAddresses/natgw-ip";
  static final String NATGW_PREFIX = NET + "publicIPPrefixes/natgw-prefix";
  static final String FW_IP = NET + "publicIPAddresses/fw-ip";
  static final Map<String, Cidr> CHAIN_RESOLVED = Map.of(NATGW_IP.toLowerCase(), Cidr.parse("20.70.0.1/32"),
      NATGW_PREFIX.toLowerCase(), Cidr.parse("20.70.1.0/28"), FW_IP.toLowerCase(), Cidr.parse("20.80.0.9/32"),
      LB_IP.toLowerCase(), Cidr.parse("20.50.1.7"));

  /** A cluster whose pools are in {@link #SUBNET} (spelt in upper case, as Azure may), without managed egress. */
  static ClusterSnapshot byoSubnet(String outboundType) {
    return new ClusterSnapshot(new ClusterTarget(SUB, "rg", "aks"), "id", "\"e\"", "Succeeded", false, "standard",
        outboundType, ApiServerAccess.UNRESTRICTED, List.of(), List.of(), List.of(), List.of(),
        List.of(new ClusterSnapshot.AgentPool("system", false, null, SUBNET.toUpperCase()),
            new ClusterSnapshot.AgentPool("user", false, null, SUBNET)));
  }

  static Map<String, EgressPath> path(EgressPath p) {
    return Map.of(SUBNET.toLowerCase(), p);
  }

  static final EgressPath NAT_PATH = new EgressPath.Addresses(EgressPath.Via.NAT_GATEWAY, NET + "natGateways/natgw",
      List.of(NATGW_IP, NATGW_PREFIX));
  static final EgressPath FIREWALL_PATH = new EgressPath.Addresses(EgressPath.Via.AZURE_FIREWALL,
      NET + "azureFirewalls/hub", List.of(FW_IP));
  static final EgressPath APPLIANCE = new EgressPath.Unknown("route 'default' (0.0.0.0/0) of route table rt goes to "
      + "the virtual appliance 10.0.0.100, which is no Azure Firewall");

  @Test
  void subnetsAreLookedUpOnceEachAndOnlyForRestrictedAccess() {
    ClusterSnapshot s = byoSubnet("userAssignedNATGateway");
    assertThat(TargetPlanner.subnetIds(spec(Access.Restricted), s)).containsExactly(SUBNET.toLowerCase());
    assertThat(TargetPlanner.subnetIds(spec(Access.LoadBalancerOnly), s)).isEmpty();
    assertThat(TargetPlanner.subnetIds(spec(Access.Restricted), standard())).isEmpty();
  }

  @Test
  void aUserAssignedNatGatewaysAddressesAndPrefixesAreAuthorized() {
    ClusterSnapshot s = byoSubnet("userAssignedNATGateway");
    assertThat(TargetPlanner.egressIds(spec(Access.Restricted), s, path(NAT_PATH)))
        .containsExactly(NATGW_IP.toLowerCase(), NATGW_PREFIX.toLowerCase());
    TargetPlan plan = planner.plan(spec(Access.Restricted), OFFICE, s, path(NAT_PATH), CHAIN_RESOLVED);
    assertThat(plan).isInstanceOfSatisfying(TargetPlan.Desired.class, d -> {
      assertThat(d.access().toAks()).containsExactly("20.70.0.1/32", "20.70.1.0/28", "73.140.245.0/24");
      assertThat(d.egressCount()).isEqualTo(2);
    });
    AuthorizedIpPolicySpec off = spec(Access.Restricted);
    Egress noNat = new Egress();
    noNat.setNatGateway(false);
    off.setEgress(noNat);
    assertThat(TargetPlanner.egressIds(off, s, path(NAT_PATH))).isEmpty();
  }

  @Test
  void aSubnetsNatGatewayIsAddedWhateverTheOutboundTypeBesideTheLoadBalancer() {
    ClusterSnapshot lb = snapshot(false, "standard", ApiServerAccess.UNRESTRICTED,
        List.of(new ClusterSnapshot.AgentPool("system", false, null, SUBNET)));
    Map<String, Cidr> resolved = withNat(new java.util.HashMap<>(CHAIN_RESOLVED));
    assertThat(planner.plan(spec(Access.Restricted), OFFICE, lb, path(NAT_PATH), resolved))
        .isInstanceOfSatisfying(TargetPlan.Desired.class, d -> assertThat(d.access().toAks())
            .containsExactly("20.50.1.7/32", "20.50.1.8/32", "20.70.0.1/32", "20.70.1.0/28", "73.140.245.0/24"));
    // Without a NAT gateway or default route elsewhere, a loadBalancer cluster's egress is its load balancer's.
    assertThat(planner.plan(spec(Access.Restricted), OFFICE, lb, path(new EgressPath.Default("no route table")),
        resolved)).isInstanceOfSatisfying(TargetPlan.Desired.class, d -> assertThat(d.access().toAks())
            .containsExactly("20.50.1.7/32", "20.50.1.8/32", "73.140.245.0/24"));
  }

  private static Map<String, Cidr> withNat(Map<String, Cidr> m) {
    m.put(NAT_IP.toLowerCase(), Cidr.parse("20.50.1.8"));
    return m;
  }

  @Test
  void aFirewallsPublicIpsAreAuthorizedForUserDefinedRouting() {
    ClusterSnapshot s = byoSubnet("userDefinedRouting");
    TargetPlan plan = planner.plan(spec(Access.Restricted), OFFICE, s, path(FIREWALL_PATH), CHAIN_RESOLVED);
    assertThat(plan).isInstanceOfSatisfying(TargetPlan.Desired.class, d -> assertThat(d.access().toAks())
        .containsExactly("20.80.0.9/32", "73.140.245.0/24"));
  }

  @Test
  void unknownEgressBlocksNamingTheFieldThatFixesItUnlessAllowed() {
    ClusterSnapshot s = byoSubnet("userDefinedRouting");
    TargetPlan plan = planner.plan(spec(Access.Restricted), OFFICE, s, path(APPLIANCE), CHAIN_RESOLVED);
    assertThat(plan).isInstanceOfSatisfying(TargetPlan.Blocked.class, b -> {
      assertThat(b.reason()).isEqualTo(io.authip.api.v1alpha1.TargetReason.EgressUnknown);
      assertThat(b.message()).startsWith("the egress of cluster " + s.target().resourceId() + " cannot be resolved "
          + "to addresses: " + ((EgressPath.Unknown) APPLIANCE).why() + ". List the public IP addresses or prefixes "
          + "it leaves through in spec.egress.publicIpResourceIds and set spec.egress.allowUnknown: true");
    });
    AuthorizedIpPolicySpec allowed = spec(Access.Restricted);
    Egress egress = new Egress();
    egress.setAllowUnknown(true);
    egress.setPublicIpResourceIds(List.of(FW_IP));
    allowed.setEgress(egress);
    assertThat(planner.plan(allowed, OFFICE, s, path(APPLIANCE), CHAIN_RESOLVED))
        .isInstanceOfSatisfying(TargetPlan.Desired.class, d -> assertThat(d.access().toAks())
            .containsExactly("20.80.0.9/32", "73.140.245.0/24"));
    egress.setPublicIpResourceIds(List.of());
    assertThat(planner.plan(allowed, OFFICE, s, path(APPLIANCE), CHAIN_RESOLVED))
        .isInstanceOfSatisfying(TargetPlan.Desired.class, d -> assertThat(d.access().toAks())
            .containsExactly("73.140.245.0/24"));
  }

  @Test
  void anOutboundTypeThatNeedsTheSubnetButFindsNothingThereIsUnknown() {
    TargetPlan nat = planner.plan(spec(Access.Restricted), OFFICE, byoSubnet("userAssignedNATGateway"),
        path(new EgressPath.Default("subnet s has no route table")), CHAIN_RESOLVED);
    assertThat(nat).isInstanceOfSatisfying(TargetPlan.Blocked.class, b -> {
      assertThat(b.reason().name()).isEqualTo("EgressUnknown");
      assertThat(b.message()).contains("outboundType is userAssignedNATGateway but subnet "
          + SUBNET.toLowerCase() + " has no NAT gateway (subnet s has no route table)");
    });
    TargetPlan udr = planner.plan(spec(Access.Restricted), OFFICE, byoSubnet("userDefinedRouting"),
        path(new EgressPath.Default("route table rt has no 0.0.0.0/0 route")), CHAIN_RESOLVED);
    assertThat(udr).isInstanceOfSatisfying(TargetPlan.Blocked.class, b -> assertThat(b.message())
        .contains("outboundType is userDefinedRouting but route table rt has no 0.0.0.0/0 route"));
    ClusterSnapshot noSubnet = byoSubnet("userDefinedRouting")
        .withAgentPools(List.of(new ClusterSnapshot.AgentPool("system", false, null)));
    assertThat(planner.plan(spec(Access.Restricted), OFFICE, noSubnet, Map.of(), CHAIN_RESOLVED))
        .isInstanceOfSatisfying(TargetPlan.Blocked.class, b -> assertThat(b.message()).contains("outboundType is "
            + "userDefinedRouting but no node pool names its subnet (vnetSubnetID)"));
  }

  @Test
  void aSubnetWhosePathWasNotLookedUpFailsClosed() {
    assertThat(planner.plan(spec(Access.Restricted), OFFICE, byoSubnet("loadBalancer"), Map.of(), CHAIN_RESOLVED))
        .isInstanceOfSatisfying(TargetPlan.Blocked.class, b -> {
          assertThat(b.reason().name()).isEqualTo("UnresolvedEgress");
          assertThat(b.message()).contains(SUBNET.toLowerCase());
        });
    // A path found, but one of its addresses not resolved: the same.
    assertThat(planner.plan(spec(Access.Restricted), OFFICE, byoSubnet("userAssignedNATGateway"), path(NAT_PATH),
        Map.of(NATGW_IP.toLowerCase(), Cidr.parse("20.70.0.1/32"))))
        .isInstanceOfSatisfying(TargetPlan.Blocked.class, b -> assertThat(b.message())
            .contains("could not resolve the address of " + NATGW_PREFIX.toLowerCase()));
  }

  @Test
  void serviceTagCountsAsAnEntryAndComesFirst() {
    AuthorizedIpPolicySpec spec = spec(Access.Restricted);
    spec.setServiceTag("AzureCloud");
    TargetPlan plan = planner.plan(spec, OFFICE, standard(), RESOLVED);
    assertThat(((TargetPlan.Desired) plan).access().toAks()).first().isEqualTo("AzureCloud");
    assertThat(((TargetPlan.Desired) plan).access().entryCount()).isEqualTo(4);
  }

  // ---- spec.overflow: Supernet -----------------------------------------------------------------------------------

  /** Four /24s two apart (gaps of one /24) and the two egress /32s: 6 entries. */
  static final CidrSet GAPS = CidrSet.parse(List.of("73.140.0.0/24", "73.140.2.0/24", "73.140.4.0/24",
      "73.140.6.0/24"));

  static AuthorizedIpPolicySpec supernet(Long maxAddresses, Double maxPercent, String... neverCover) {
    AuthorizedIpPolicySpec spec = spec(Access.Restricted);
    io.authip.api.v1alpha1.Overflow overflow = new io.authip.api.v1alpha1.Overflow();
    overflow.setStrategy(io.authip.api.v1alpha1.OverflowStrategy.Supernet);
    overflow.setMaxExtraAddresses(maxAddresses);
    overflow.setMaxExtraPercent(maxPercent);
    for (String n : neverCover) {
      overflow.getNeverCover().add(io.authip.api.v1alpha1.RangeEntry.of(n));
    }
    spec.setOverflow(overflow);
    return spec;
  }

  @Test
  void supernetCoversAListOverTheLimitWithinItsBudgetKeepingTheEgressExact() {
    TargetPlan plan = new TargetPlanner(5).plan(supernet(null, 50.0), GAPS, standard(), RESOLVED);
    assertThat(plan).isInstanceOfSatisfying(TargetPlan.Desired.class, d -> {
      assertThat(d.access().toAks()).containsExactly("20.50.1.7/32", "20.50.1.8/32", "73.140.0.0/22",
          "73.140.4.0/24", "73.140.6.0/24");
      assertThat(d.widening().entries()).isEqualTo(6);
      assertThat(d.widening().cover().extraAddresses()).isEqualTo(512);
      assertThat(d.widening().widest()).extracting(Cidr::toString).containsExactly("73.140.0.0/22");
    });
    // At 4 blocks, 20.50.1.0/28 (14 extra addresses) for the two egress addresses and a /22 would admit 526; the
    // cluster's own egress is never widened, so the ranges give up more instead: one /21, 1,024.
    TargetPlan four = new TargetPlanner(4).plan(supernet(null, 100.0), GAPS, standard(), RESOLVED);
    assertThat(four).isInstanceOfSatisfying(TargetPlan.Desired.class, d -> assertThat(d.access().toAks())
        .containsExactly("20.50.1.7/32", "20.50.1.8/32", "73.140.0.0/21"));
  }

  @Test
  void supernetOverItsBudgetIsRefusedSayingWhatTheBestCoverWouldAdmit() {
    TargetPlan plan = new TargetPlanner(5).plan(supernet(511L, null), GAPS, standard(), RESOLVED);
    assertThat(plan).isInstanceOfSatisfying(TargetPlan.Blocked.class, b -> {
      assertThat(b.reason().name()).isEqualTo("TooManyRanges");
      assertThat(b.message()).contains("6 ranges").contains("the best cover by 5 blocks admits 512 extra addresses "
          + "(49.90 %), over spec.overflow.maxExtraAddresses 511");
    });
    TargetPlan percent = new TargetPlanner(5).plan(supernet(null, 49.9), GAPS, standard(), RESOLVED);
    assertThat(percent).isInstanceOfSatisfying(TargetPlan.Blocked.class, b -> assertThat(b.message())
        .contains("over spec.overflow.maxExtraPercent 49.9"));
  }

  @Test
  void supernetNeverCoversNeverCoverAndRefusesWhenNothingElseFits() {
    TargetPlan plan = new TargetPlanner(5).plan(supernet(null, 100.0, "73.140.1.0/24"), GAPS, standard(), RESOLVED);
    assertThat(plan).isInstanceOfSatisfying(TargetPlan.Desired.class, d -> assertThat(d.access().toAks())
        .contains("73.140.4.0/22").doesNotContain("73.140.0.0/22"));
    TargetPlan none = new TargetPlanner(3).plan(supernet(null, 100.0, "73.140.1.0/24", "73.140.5.0/24"), GAPS,
        standard(), RESOLVED);
    assertThat(none).isInstanceOfSatisfying(TargetPlan.Blocked.class, b -> assertThat(b.message())
        .contains("no cover by 3 blocks avoids the non-public ranges and spec.overflow.neverCover"));
  }

  @Test
  void refuseStaysTheDefault() {
    AuthorizedIpPolicySpec spec = supernet(null, 100.0);
    spec.getOverflow().setStrategy(io.authip.api.v1alpha1.OverflowStrategy.Refuse);
    assertThat(new TargetPlanner(5).plan(spec, GAPS, standard(), RESOLVED))
        .isInstanceOf(TargetPlan.Blocked.class);
    assertThat(((TargetPlan.Desired) planner.plan(supernet(null, 1.0), GAPS, standard(), RESOLVED)).widening())
        .as("a list that fits is sent as it is").isNull();
  }
}
