package io.authip.azure;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ARM ID of a public IP address or public IP prefix, the two kinds of egress resource authip resolves.
 *
 * @param kind which of the two
 * @param subscriptionId as written in the ID
 * @param resourceGroup as written in the ID
 * @param name as written in the ID
 * @param key the whole ID lower-cased (as {@link AksGateway#resolve} keys its result): ARM IDs are
 *     case-insensitive ({@code resourceGroups} and {@code resourcegroups} both occur)
 */
record ArmAddressId(Kind kind, String subscriptionId, String resourceGroup, String name, String key) {

  enum Kind {
    PUBLIC_IP("public IP address"),
    PUBLIC_IP_PREFIX("public IP prefix");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  // The segments are restricted to what Azure allows in names, so that an ID can never reshape the request URL.
  private static final Pattern ID = Pattern.compile(
      "/subscriptions/([0-9a-f-]{36})/resourceGroups/([-\\w._()]{1,90})"
          + "/providers/Microsoft\\.Network/(publicIPAddresses|publicIPPrefixes)/([-\\w._]{1,80})",
      Pattern.CASE_INSENSITIVE);

  static Optional<ArmAddressId> parse(String id) {
    if (id == null) {
      return Optional.empty();
    }
    Matcher m = ID.matcher(id);
    if (!m.matches()) {
      return Optional.empty();
    }
    Kind kind = m.group(3).equalsIgnoreCase("publicIPAddresses") ? Kind.PUBLIC_IP : Kind.PUBLIC_IP_PREFIX;
    return Optional.of(new ArmAddressId(kind, m.group(1), m.group(2), m.group(4), id.toLowerCase(Locale.ROOT)));
  }

  /** For messages: the kind and the ID. */
  String describe() {
    return kind.label() + " /subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup
        + "/providers/Microsoft.Network/" + (kind == Kind.PUBLIC_IP ? "publicIPAddresses/" : "publicIPPrefixes/")
        + name;
  }
}
