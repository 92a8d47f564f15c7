package io.authip.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.policy.EgressChain.Firewall;
import io.authip.policy.EgressChain.Hop;
import io.authip.policy.EgressChain.IpConfiguration;
import io.authip.policy.EgressChain.NatGateway;
import io.authip.policy.EgressChain.Route;
import io.authip.policy.EgressChain.Subnet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EgressChainTest {

  static final String NET = "/subscriptions/6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b/resourceGroups/net/providers/"
      + "Microsoft.Network/";
  static final String SUBNET = NET + "virtualNetworks/vnet/subnets/nodes";
  static final String TABLE = NET + "routeTables/udr";
  static final String NAT = NET + "natGateways/natgw";
  static final String FW = NET + "azureFirewalls/hub-fw";
  static final String FW_IP_1 = NET + "publicIPAddresses/fw-1";
  static final String FW_IP_2 = NET + "publicIPAddresses/fw-2";

  static Subnet subnet(String nat, String table) {
    return new Subnet(SUBNET, nat, table);
  }

  @Test
  void withoutRouteTableOrDefaultRouteTrafficGoesToTheInternet() {
    assertThat(EgressChain.hop(subnet(NAT, null), List.of()))
        .isEqualTo(new Hop.Internet("subnet " + SUBNET + " has no route table"));
    // kubenet's route table: routes for pod ranges to nodes, none for 0.0.0.0/0
    List<Route> kubenet = List.of(new Route("pods-1", "10.244.1.0/24", "VirtualAppliance", "10.240.0.5"));
    assertThat(EgressChain.hop(subnet(null, TABLE), kubenet))
        .isEqualTo(new Hop.Internet("route table " + TABLE + " has no 0.0.0.0/0 route"));
    assertThat(EgressChain.hop(subnet(null, TABLE), List.of(new Route("default", "0.0.0.0/0", "Internet", null))))
        .isInstanceOf(Hop.Internet.class);
  }

  @Test
  void aDefaultRouteToAnApplianceNamesItsAddressWhateverElseTheTableHolds() {
    List<Route> routes = List.of(new Route("pods", "10.244.1.0/24", "VirtualAppliance", "10.240.0.5"),
        new Route("to-firewall", " 0.0.0.0/0 ", "virtualappliance", " 10.0.1.4 "));
    assertThat(EgressChain.hop(subnet(NAT, TABLE), routes))
        .isEqualTo(new Hop.Appliance("10.0.1.4", TABLE, "to-firewall"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "VirtualNetworkGateway|goes to a virtual network gateway (VPN or ExpressRoute forced tunnelling)",
      "VnetLocal|keeps internet traffic inside the virtual network",
      "None|drops internet traffic (next hop None)",
      "Teleport|has the next hop type 'Teleport', which authip does not know",
      "VirtualAppliance|goes to a virtual appliance without a nextHopIpAddress"})
  void defaultRoutesAuthipCannotFollowSayWhere(String type, String message) {
    Hop hop = EgressChain.hop(subnet(null, TABLE), List.of(new Route("default", "0.0.0.0/0", type, null)));
    assertThat(hop).isInstanceOfSatisfying(Hop.Unresolvable.class, u -> assertThat(u.why())
        .isEqualTo("route 'default' (0.0.0.0/0) of route table " + TABLE + " " + message
            + (type.equals("VirtualNetworkGateway") ? ": the public addresses traffic leaves through are not in Azure"
                : type.equals("VnetLocal") ? " (next hop VnetLocal)" : "")));
  }

  @Test
  void aNatGatewayGivesItsAddressesAndPrefixes() {
    String ip = NET + "publicIPAddresses/nat-1";
    String prefix = NET + "publicIPPrefixes/nat-prefix";
    assertThat(EgressChain.natGateway(new NatGateway(NAT, List.of(ip), List.of(prefix))))
        .isEqualTo(new EgressPath.Addresses(EgressPath.Via.NAT_GATEWAY, NAT, List.of(ip, prefix)));
    assertThat(EgressChain.natGateway(new NatGateway(NAT, List.of(), List.of())))
        .isEqualTo(new EgressPath.Unknown("NAT gateway " + NAT + " has no IPv4 public IP address or prefix"));
  }

  @Test
  void theFirewallWithTheAppliancesAddressGivesItsPublicIps() {
    Hop.Appliance hop = new Hop.Appliance("10.0.1.4", TABLE, "to-firewall");
    Firewall other = new Firewall(NET + "azureFirewalls/other", List.of(
        new IpConfiguration("10.9.1.4", NET + "publicIPAddresses/other")));
    Firewall hub = new Firewall(FW, List.of(new IpConfiguration("10.0.1.4", FW_IP_1),
        new IpConfiguration(null, FW_IP_2)));
    assertThat(EgressChain.firewall(hop, List.of(other, hub)))
        .isEqualTo(new EgressPath.Addresses(EgressPath.Via.AZURE_FIREWALL, FW, List.of(FW_IP_1, FW_IP_2)));
  }

  @Test
  void anApplianceThatIsNoFirewallIsUnknown() {
    Hop.Appliance hop = new Hop.Appliance("10.0.1.100", TABLE, "to-nva");
    Firewall hub = new Firewall(FW, List.of(new IpConfiguration("10.0.1.4", FW_IP_1)));
    assertThat(EgressChain.firewall(hop, List.of(hub))).isEqualTo(new EgressPath.Unknown("route 'to-nva' "
        + "(0.0.0.0/0) of route table " + TABLE + " goes to the virtual appliance 10.0.1.100, which is no Azure "
        + "Firewall of that subscription authip can read (a third-party appliance, or a firewall elsewhere)"));
    Firewall hubWithoutPublicIp = new Firewall(FW, List.of(new IpConfiguration("10.0.1.100", null)));
    assertThat(EgressChain.firewall(hop, List.of(hubWithoutPublicIp)))
        .isInstanceOfSatisfying(EgressPath.Unknown.class, u -> assertThat(u.why())
            .endsWith("Azure Firewall " + FW + ", which has no public IP configuration (a secured virtual hub's?)"));
  }

  @Test
  void aNatGatewayOnTheFirewallsSubnetIsAddedToItsEgress() {
    String fwSubnet = NET + "virtualNetworks/hub/subnets/AzureFirewallSubnet";
    Hop.Appliance hop = new Hop.Appliance("10.0.1.4", TABLE, "to-firewall");
    Firewall other = new Firewall(NET + "azureFirewalls/other", List.of(
        new IpConfiguration("10.9.1.4", NET + "publicIPAddresses/other", NET + "virtualNetworks/x/subnets/y")));
    Firewall hub = new Firewall(FW, List.of(new IpConfiguration("10.0.1.4", FW_IP_1, fwSubnet),
        new IpConfiguration(null, FW_IP_2, null)));
    assertThat(EgressChain.firewallSubnets(hop, List.of(other, hub))).containsExactly(fwSubnet);

    EgressPath firewall = EgressChain.firewall(hop, List.of(other, hub));
    String natIp = NET + "publicIPAddresses/hub-nat";
    String natPrefix = NET + "publicIPPrefixes/hub-nat";
    assertThat(EgressChain.withFirewallNat(firewall, List.of(new NatGateway(NAT, List.of(natIp),
        List.of(natPrefix))))).isEqualTo(new EgressPath.Addresses(EgressPath.Via.AZURE_FIREWALL, FW,
            List.of(FW_IP_1, FW_IP_2, natIp, natPrefix)));
    assertThat(EgressChain.withFirewallNat(firewall, List.of())).isEqualTo(firewall);
    EgressPath unknown = new EgressPath.Unknown("x");
    assertThat(EgressChain.withFirewallNat(unknown, List.of(new NatGateway(NAT, List.of(natIp), List.of()))))
        .isEqualTo(unknown);
  }
}
