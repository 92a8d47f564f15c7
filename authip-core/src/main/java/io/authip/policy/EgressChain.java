package io.authip.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * How a node subnet's egress is found, one decision per step, from what Azure returned at each (the gateway does the
 * reads): subnet → its route table's default route → an Azure Firewall with that private address → the firewall's
 * public IPs; or subnet → its NAT gateway → the gateway's public IPs and prefixes. Pure.
 *
 * <p>Azure's precedence (nat-overview: "Virtual appliance UDR / VPN Gateway / ExpressRoute >> NAT gateway >>
 * instance-level public IP >> load balancer outbound rules"): a default route to anything but the Internet wins over
 * the subnet's NAT gateway, which wins over the load balancer, whatever the cluster's {@code outboundType} says (a NAT
 * gateway attached to the subnet later takes over a {@code loadBalancer} cluster's egress).
 */
public final class EgressChain {

  /** The route every internet destination takes when nothing more specific matches. */
  public static final String DEFAULT_ROUTE = "0.0.0.0/0";

  private EgressChain() {
  }

  /**
   * A subnet as far as egress goes.
   *
   * @param id its ARM ID
   * @param natGatewayId {@code properties.natGateway.id}, or null
   * @param routeTableId {@code properties.routeTable.id}, or null
   */
  public record Subnet(String id, String natGatewayId, String routeTableId) {
  }

  /**
   * One route of a route table.
   *
   * @param nextHopType {@code VirtualNetworkGateway}, {@code VnetLocal}, {@code Internet}, {@code VirtualAppliance}
   *     or {@code None}
   * @param nextHopIpAddress only with {@code VirtualAppliance}
   */
  public record Route(String name, String addressPrefix, String nextHopType, String nextHopIpAddress) {
  }

  /**
   * @param publicIpAddressIds {@code properties.publicIpAddresses[].id}
   * @param publicIpPrefixIds {@code properties.publicIpPrefixes[].id}
   */
  public record NatGateway(String id, List<String> publicIpAddressIds, List<String> publicIpPrefixIds) {
    public NatGateway {
      publicIpAddressIds = List.copyOf(publicIpAddressIds);
      publicIpPrefixIds = List.copyOf(publicIpPrefixIds);
    }
  }

  /**
   * An Azure Firewall: its {@code ipConfigurations} (not the management one, whose address carries only Azure's
   * management traffic).
   */
  public record Firewall(String id, List<IpConfiguration> ipConfigurations) {
    public Firewall {
      ipConfigurations = List.copyOf(ipConfigurations);
    }
  }

  /**
   * @param privateIpAddress the firewall's private address, the next hop user-defined routes name (Azure sets it on
   *     the first configuration only)
   * @param publicIpAddressId the configuration's Public IP address ID
   * @param subnetId the firewall's subnet ({@code AzureFirewallSubnet}, on the first configuration): a NAT gateway
   *     there takes over the firewall's outbound traffic
   */
  public record IpConfiguration(String privateIpAddress, String publicIpAddressId, String subnetId) {

    public IpConfiguration(String privateIpAddress, String publicIpAddressId) {
      this(privateIpAddress, publicIpAddressId, null);
    }
  }

  /** What a subnet's default route says. */
  public sealed interface Hop {

    /** To the Internet (no route table, no default route, or next hop Internet): the NAT gateway, else the default. */
    record Internet(String why) implements Hop {
    }

    /** To a network virtual appliance at this address: an Azure Firewall, if one has it. */
    record Appliance(String ipAddress, String routeTableId, String routeName) implements Hop {
    }

    /** Somewhere authip cannot follow to public addresses. */
    record Unresolvable(String why) implements Hop {
    }
  }

  /**
   * @param routes the routes of {@code subnet.routeTableId()} (ignored when the subnet has no route table)
   */
  public static Hop hop(Subnet subnet, List<Route> routes) {
    if (blank(subnet.routeTableId())) {
      return new Hop.Internet("subnet " + subnet.id() + " has no route table");
    }
    String table = subnet.routeTableId();
    Optional<Route> found = routes.stream()
        .filter(r -> r.addressPrefix() != null && DEFAULT_ROUTE.equals(r.addressPrefix().strip()))
        .findFirst();
    if (found.isEmpty()) {
      return new Hop.Internet("route table " + table + " has no " + DEFAULT_ROUTE + " route");
    }
    Route route = found.get();
    String type = route.nextHopType() == null ? "" : route.nextHopType().strip();
    String where = "route '" + route.name() + "' (" + DEFAULT_ROUTE + ") of route table " + table;
    switch (type.toLowerCase(Locale.ROOT)) {
      case "internet":
        return new Hop.Internet(where + " goes to the Internet");
      case "virtualappliance":
        if (blank(route.nextHopIpAddress())) {
          return new Hop.Unresolvable(where + " goes to a virtual appliance without a nextHopIpAddress");
        }
        return new Hop.Appliance(route.nextHopIpAddress().strip(), table, route.name());
      case "virtualnetworkgateway":
        return new Hop.Unresolvable(where + " goes to a virtual network gateway (VPN or ExpressRoute forced "
            + "tunnelling): the public addresses traffic leaves through are not in Azure");
      case "vnetlocal":
        return new Hop.Unresolvable(where + " keeps internet traffic inside the virtual network (next hop "
            + "VnetLocal)");
      case "none":
        return new Hop.Unresolvable(where + " drops internet traffic (next hop None)");
      default:
        return new Hop.Unresolvable(where + " has the next hop type '" + route.nextHopType() + "', which authip "
            + "does not know");
    }
  }

  /** The subnet's egress through its NAT gateway. */
  public static EgressPath natGateway(NatGateway nat) {
    List<String> ids = new ArrayList<>(nat.publicIpAddressIds());
    ids.addAll(nat.publicIpPrefixIds());
    if (ids.isEmpty()) {
      return new EgressPath.Unknown("NAT gateway " + nat.id() + " has no IPv4 public IP address or prefix");
    }
    return new EgressPath.Addresses(EgressPath.Via.NAT_GATEWAY, nat.id(), ids);
  }

  /**
   * The egress through the Azure Firewall whose private address is the appliance's, among {@code firewalls} (those
   * of the route table's subscription authip may read).
   */
  public static EgressPath firewall(Hop.Appliance hop, List<Firewall> firewalls) {
    List<Firewall> matching = firewalls.stream()
        .filter(f -> f.ipConfigurations().stream().anyMatch(c -> hop.ipAddress().equals(strip(c.privateIpAddress()))))
        .toList();
    String route = "route '" + hop.routeName() + "' (" + DEFAULT_ROUTE + ") of route table " + hop.routeTableId()
        + " goes to the virtual appliance " + hop.ipAddress();
    if (matching.isEmpty()) {
      return new EgressPath.Unknown(route + ", which is no Azure Firewall of that subscription authip can read "
          + "(a third-party appliance, or a firewall elsewhere)");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (Firewall f : matching) {
      f.ipConfigurations().stream().map(IpConfiguration::publicIpAddressId).filter(id -> !blank(id)).forEach(ids::add);
    }
    String names = String.join(", ", matching.stream().map(Firewall::id).toList());
    if (ids.isEmpty()) {
      return new EgressPath.Unknown(route + ", Azure Firewall " + names + ", which has no public IP configuration "
          + "(a secured virtual hub's?)");
    }
    return new EgressPath.Addresses(EgressPath.Via.AZURE_FIREWALL, names, List.copyOf(ids));
  }

  /** The subnets of the firewalls {@link #firewall} found for this hop (where a NAT gateway would take over). */
  public static List<String> firewallSubnets(Hop.Appliance hop, List<Firewall> firewalls) {
    Set<String> ids = new LinkedHashSet<>();
    firewalls.stream()
        .filter(f -> f.ipConfigurations().stream().anyMatch(c -> hop.ipAddress().equals(strip(c.privateIpAddress()))))
        .forEach(f -> f.ipConfigurations().stream().map(IpConfiguration::subnetId).filter(id -> !blank(id))
            .forEach(ids::add));
    return List.copyOf(ids);
  }

  /**
   * The firewall's egress once the NAT gateways of its subnets are known: Azure sends the firewall's outbound
   * traffic through such a NAT gateway's addresses, so they are added to the firewall's own (a superset: which of
   * them a flow uses is Azure's choice).
   */
  public static EgressPath withFirewallNat(EgressPath firewall, List<NatGateway> natGateways) {
    if (!(firewall instanceof EgressPath.Addresses a) || natGateways.isEmpty()) {
      return firewall;
    }
    Set<String> ids = new LinkedHashSet<>(a.publicIpResourceIds());
    for (NatGateway nat : natGateways) {
      ids.addAll(nat.publicIpAddressIds());
      ids.addAll(nat.publicIpPrefixIds());
    }
    return new EgressPath.Addresses(a.via(), a.resourceId(), List.copyOf(ids));
  }

  private static String strip(String s) {
    return s == null ? null : s.strip();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
