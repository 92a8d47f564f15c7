package io.authip.azure;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.azure.Outcome.Failure;
import io.authip.policy.EgressChain;
import io.authip.policy.EgressPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Following subnets to their egress: one lookup per distinct resource per TTL, failures never cached. */
class EgressPathResolverTest {

  static final String SUB = "6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b";
  static final String NET = "/subscriptions/" + SUB + "/resourceGroups/net/providers/Microsoft.Network/";
  static final String SPOKE_A = NET + "virtualNetworks/spoke/subnets/a";
  static final String SPOKE_B = NET + "virtualNetworks/spoke/subnets/b";
  static final String NATTED = NET + "virtualNetworks/spoke/subnets/natted";
  static final String TABLE = NET + "routeTables/to-hub";
  static final String NAT = NET + "natGateways/natgw";
  static final String FW = NET + "azureFirewalls/hub";
  static final String FW_IP = NET + "publicIPAddresses/hub-fw";
  static final String NATTED_HUB = NET + "virtualNetworks/spoke/subnets/natted-hub";
  static final String HUB_TABLE = NET + "routeTables/to-natted-hub";
  static final String FW_SUBNET = NET + "virtualNetworks/hub/subnets/AzureFirewallSubnet";
  static final String HUB_NAT = NET + "natGateways/hub-nat";

  final AtomicLong clock = new AtomicLong();
  final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  volatile boolean firewallsFail;

  final EgressPathResolver resolver = new EgressPathResolver(new EgressPathResolver.Network() {
    @Override
    public Outcome<EgressChain.Subnet> subnet(ArmNetworkId id) {
      count(id.key());
      return switch (id.name()) {
        case "natted" -> Outcome.ok(new EgressChain.Subnet(NATTED, NAT.toUpperCase(), null));
        case "natted-hub" -> Outcome.ok(new EgressChain.Subnet(NATTED_HUB, null, HUB_TABLE));
        case "AzureFirewallSubnet" -> Outcome.ok(new EgressChain.Subnet(FW_SUBNET, HUB_NAT, null));
        default -> Outcome.ok(new EgressChain.Subnet(id.key(), NAT, TABLE));
      };
    }

    @Override
    public Outcome<List<EgressChain.Route>> routes(ArmNetworkId routeTable) {
      count(routeTable.key());
      return Outcome.ok(List.of(new EgressChain.Route("hub", "0.0.0.0/0", "VirtualAppliance",
          routeTable.name().equals("to-natted-hub") ? "10.0.2.4" : "10.0.1.4")));
    }

    @Override
    public Outcome<EgressChain.NatGateway> natGateway(ArmNetworkId id) {
      count(id.key());
      if (id.name().equals("hub-nat")) {
        return Outcome.ok(new EgressChain.NatGateway(HUB_NAT, List.of(), List.of(NET + "publicIPPrefixes/hub-nat")));
      }
      return Outcome.ok(new EgressChain.NatGateway(NAT, List.of(NET + "publicIPAddresses/nat"), List.of()));
    }

    @Override
    public Outcome<List<EgressChain.Firewall>> firewalls(String subscriptionId) {
      count("firewalls " + subscriptionId);
      if (firewallsFail) {
        return Outcome.failed(new Failure.Forbidden("AuthorizationFailed: Microsoft.Network/azureFirewalls/read"));
      }
      return Outcome.ok(List.of(new EgressChain.Firewall(FW, List.of(new EgressChain.IpConfiguration("10.0.1.4",
          FW_IP))), new EgressChain.Firewall(NET + "azureFirewalls/natted-hub", List.of(
              new EgressChain.IpConfiguration("10.0.2.4", NET + "publicIPAddresses/natted-hub-fw", FW_SUBNET)))));
    }
  }, Duration.ofMinutes(5), clock::get);

  void count(String key) {
    calls.computeIfAbsent(key.toLowerCase(), k -> new AtomicInteger()).incrementAndGet();
  }

  int calls(String key) {
    AtomicInteger n = calls.get(key.toLowerCase());
    return n == null ? 0 : n.get();
  }

  @Test
  void aSharedRouteTableAndFirewallListAreReadOnceForEverySubnetBehindThem() {
    Outcome<Map<String, EgressPath>> first = resolver.resolve(List.of(SPOKE_A, SPOKE_B.toUpperCase()));
    Outcome<Map<String, EgressPath>> again = resolver.resolve(List.of(SPOKE_B, SPOKE_A));
    EgressPath viaFirewall = new EgressPath.Addresses(EgressPath.Via.AZURE_FIREWALL, FW, List.of(FW_IP));
    assertThat(first).isEqualTo(Outcome.ok(Map.of(SPOKE_A.toLowerCase(), viaFirewall, SPOKE_B.toLowerCase(),
        viaFirewall)));
    assertThat(again).isEqualTo(first);
    assertThat(calls(SPOKE_A)).isEqualTo(1);
    assertThat(calls(SPOKE_B)).isEqualTo(1);
    assertThat(calls(TABLE)).isEqualTo(1);
    assertThat(calls("firewalls " + SUB)).isEqualTo(1);
    assertThat(calls(NAT)).as("a default route to a firewall wins over the subnet's NAT gateway").isZero();
    assertThat(resolver.cached(List.of(SPOKE_A, SPOKE_B))).contains(((Outcome.Ok<Map<String, EgressPath>>) first)
        .value());

    clock.addAndGet(Duration.ofMinutes(5).toNanos());
    assertThat(resolver.cached(List.of(SPOKE_A))).as("expired").isEmpty();
    resolver.resolve(List.of(SPOKE_A));
    assertThat(calls(SPOKE_A)).isEqualTo(2);
    assertThat(calls(TABLE)).isEqualTo(2);
  }

  @Test
  void aSubnetWithoutRouteTableLeavesThroughItsNatGateway() {
    assertThat(resolver.resolve(List.of(NATTED))).isEqualTo(Outcome.ok(Map.of(NATTED.toLowerCase(),
        new EgressPath.Addresses(EgressPath.Via.NAT_GATEWAY, NAT, List.of(NET + "publicIPAddresses/nat")))));
    assertThat(calls(NAT)).isEqualTo(1);
  }

  @Test
  void aFirewallWhoseSubnetHasANatGatewayLeavesThroughItsAddressesToo() {
    assertThat(resolver.resolve(List.of(NATTED_HUB))).isEqualTo(Outcome.ok(Map.of(NATTED_HUB.toLowerCase(),
        new EgressPath.Addresses(EgressPath.Via.AZURE_FIREWALL, NET + "azureFirewalls/natted-hub",
            List.of(NET + "publicIPAddresses/natted-hub-fw", NET + "publicIPPrefixes/hub-nat")))));
    assertThat(calls(FW_SUBNET)).isEqualTo(1);
    assertThat(calls(HUB_NAT)).isEqualTo(1);
    assertThat(resolver.cached(List.of(NATTED_HUB))).isPresent();
  }

  @Test
  void failuresAreNotCachedAndFailTheWholeCall() {
    firewallsFail = true;
    Outcome<Map<String, EgressPath>> refused = resolver.resolve(List.of(NATTED, SPOKE_A));
    assertThat(refused).isInstanceOfSatisfying(Outcome.Failed.class, f -> assertThat(f.failure())
        .isInstanceOf(Failure.Forbidden.class));
    assertThat(resolver.cached(List.of(SPOKE_A))).isEmpty();
    firewallsFail = false;
    assertThat(resolver.resolve(List.of(SPOKE_A))).isInstanceOf(Outcome.Ok.class);
    assertThat(calls("firewalls " + SUB)).isEqualTo(2);
    assertThat(calls(SPOKE_A)).as("the subnet's own read succeeded and stays cached").isEqualTo(1);
  }

  @Test
  void somethingThatIsNoSubnetIsRefusedWithoutARequest() {
    String pip = NET + "publicIPAddresses/not-a-subnet";
    assertThat(resolver.resolve(List.of(pip))).isEqualTo(Outcome.failed(new Failure.Rejected(
        "UnsupportedResourceId", "'" + pip + "' (a node pool's vnetSubnetID) is not the ID of a subnet")));
    assertThat(calls).isEmpty();
    assertThat(resolver.cached(List.of(pip))).isEmpty();
  }
}
