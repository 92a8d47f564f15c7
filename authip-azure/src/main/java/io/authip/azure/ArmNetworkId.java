package io.authip.azure;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ARM ID of a resource on a node subnet's egress path: the subnet, its NAT gateway, its route table.
 *
 * @param kind which one
 * @param subscriptionId as written in the ID
 * @param resourceGroup as written in the ID
 * @param parent the virtual network of a subnet; null for the others
 * @param name as written in the ID
 * @param key the whole ID lower-cased: ARM IDs are case-insensitive
 */
record ArmNetworkId(Kind kind, String subscriptionId, String resourceGroup, String parent, String name, String key) {

  enum Kind {
    SUBNET("subnet"),
    NAT_GATEWAY("NAT gateway"),
    ROUTE_TABLE("route table");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  // Segments restricted to what Azure allows in names, so that an ID can never reshape the request URL.
  private static final String PREFIX = "/subscriptions/([0-9a-f-]{36})/resourceGroups/([-\\w._()]{1,90})"
      + "/providers/Microsoft\\.Network/";
  private static final Pattern SUBNET = Pattern.compile(PREFIX
      + "virtualNetworks/([-\\w._]{2,64})/subnets/([-\\w._]{1,80})", Pattern.CASE_INSENSITIVE);
  private static final Pattern OTHER = Pattern.compile(PREFIX + "(natGateways|routeTables)/([-\\w._]{1,80})",
      Pattern.CASE_INSENSITIVE);

  static Optional<ArmNetworkId> parse(String id, Kind wanted) {
    if (id == null) {
      return Optional.empty();
    }
    String text = id.strip();
    String lower = text.toLowerCase(Locale.ROOT);
    if (wanted == Kind.SUBNET) {
      Matcher m = SUBNET.matcher(text);
      return m.matches() ? Optional.of(new ArmNetworkId(Kind.SUBNET, m.group(1), m.group(2), m.group(3), m.group(4),
          lower)) : Optional.empty();
    }
    Matcher m = OTHER.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    Kind kind = m.group(3).equalsIgnoreCase("natGateways") ? Kind.NAT_GATEWAY : Kind.ROUTE_TABLE;
    return kind == wanted ? Optional.of(new ArmNetworkId(kind, m.group(1), m.group(2), null, m.group(4), lower))
        : Optional.empty();
  }

  /** For messages: the kind and the ID. */
  String describe() {
    return kind.label() + " /subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup
        + "/providers/Microsoft.Network/" + switch (kind) {
          case SUBNET -> "virtualNetworks/" + parent + "/subnets/" + name;
          case NAT_GATEWAY -> "natGateways/" + name;
          case ROUTE_TABLE -> "routeTables/" + name;
        };
  }
}
