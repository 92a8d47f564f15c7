package io.authip.emulator;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A network resource on a node subnet's egress path: a subnet ({@code virtualNetworks/{v}/subnets/{s}}, nested), a NAT
 * gateway, a route table or an Azure Firewall. IDs compare case-insensitively, as ARM's do.
 *
 * @param type one of {@link #TYPES}, in ARM's spelling
 * @param parent the virtual network of a subnet; null for the others
 */
record NetworkRef(String subscription, String resourceGroup, String type, String parent, String name) {

  static final String SUBNETS = "virtualNetworks/subnets";
  static final String NAT_GATEWAYS = "natGateways";
  static final String ROUTE_TABLES = "routeTables";
  static final String AZURE_FIREWALLS = "azureFirewalls";
  static final List<String> TYPES = List.of(SUBNETS, NAT_GATEWAYS, ROUTE_TABLES, AZURE_FIREWALLS);

  /**
   * The api-versions of Microsoft.Network the emulator serves these types with (azure-resourcemanager-network 2.53.4
   * sends 2024-07-01); ARM refuses a version its provider does not register, so does the emulator.
   */
  static final Set<String> API_VERSIONS = Set.of("2023-04-01", "2023-05-01", "2023-06-01", "2023-09-01",
      "2023-11-01", "2024-01-01", "2024-03-01", "2024-05-01", "2024-07-01");

  static Optional<NetworkRef> parse(String idOrPath) {
    // "", subscriptions, S, resourcegroups, G, providers, Microsoft.Network, TYPE, NAME[, subnets, SUBNET]
    String[] s = ResourceIds.path(idOrPath).split("/", -1);
    if ((s.length != 9 && s.length != 11) || !s[1].equalsIgnoreCase("subscriptions")
        || !s[3].equalsIgnoreCase("resourcegroups") || !s[5].equalsIgnoreCase("providers")
        || !s[6].equalsIgnoreCase(ResourceIds.NETWORK)) {
      return Optional.empty();
    }
    for (int i = 1; i < s.length; i++) {
      if (s[i].isBlank()) {
        return Optional.empty();
      }
    }
    if (s.length == 11) {
      return s[7].equalsIgnoreCase("virtualNetworks") && s[9].equalsIgnoreCase("subnets")
          ? Optional.of(new NetworkRef(s[2], s[4], SUBNETS, s[8], s[10])) : Optional.empty();
    }
    for (String type : List.of(NAT_GATEWAYS, ROUTE_TABLES, AZURE_FIREWALLS)) {
      if (s[7].equalsIgnoreCase(type)) {
        return Optional.of(new NetworkRef(s[2], s[4], type, null, s[8]));
      }
    }
    return Optional.empty();
  }

  /** The ID in the spelling the service returns. */
  String id() {
    String base = "/subscriptions/" + subscription + "/resourceGroups/" + resourceGroup + "/providers/"
        + ResourceIds.NETWORK + "/";
    return type.equals(SUBNETS) ? base + "virtualNetworks/" + parent + "/subnets/" + name : base + type + "/" + name;
  }

  String key() {
    return ResourceIds.key(id());
  }

  /** {@code subscription/resourcegroup}, lower-cased: the identity of the implied resource group. */
  String resourceGroupKey() {
    return (subscription + "/" + resourceGroup).toLowerCase(Locale.ROOT);
  }

  /** The resource type as ARM writes it in {@code type}. */
  String armType() {
    return ResourceIds.NETWORK + "/" + type;
  }

  /** The RBAC action a GET needs, as ARM names it in {@code AuthorizationFailed}. */
  String readAction() {
    return armType() + "/read";
  }

  /** The name ARM's messages use: {@code vnet/subnet} for a subnet. */
  String displayName() {
    return parent == null ? name : parent + "/" + name;
  }

  RequestKind getKind() {
    return switch (type) {
      case SUBNETS -> RequestKind.SUBNET_GET;
      case NAT_GATEWAYS -> RequestKind.NAT_GATEWAY_GET;
      case ROUTE_TABLES -> RequestKind.ROUTE_TABLE_GET;
      default -> RequestKind.AZURE_FIREWALL_GET;
    };
  }
}
