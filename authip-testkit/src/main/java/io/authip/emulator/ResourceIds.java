package io.authip.emulator;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/** ARM resource IDs compared the way ARM does: case-insensitively, whatever the spelling of {@code resourceGroups}. */
public final class ResourceIds {

  private ResourceIds() {
  }

  /**
   * The lookup key of an ARM ID, a request path or a full URL (for operation poll URLs): the path alone, lower-cased,
   * without a trailing slash or query.
   */
  public static String key(String idPathOrUrl) {
    return path(idPathOrUrl).toLowerCase(Locale.ROOT);
  }

  /** The path of an ID, path or URL as written: no scheme, host, query or trailing slash; starts with a slash. */
  static String path(String idPathOrUrl) {
    String path = idPathOrUrl.trim();
    if (path.regionMatches(true, 0, "https://", 0, 8) || path.regionMatches(true, 0, "http://", 0, 7)) {
      path = URI.create(path).getPath();
    }
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    while (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return path.startsWith("/") ? path : "/" + path;
  }

  /**
   * A resource in a resource group: {@code /subscriptions/S/resourceGroups/G/providers/NS/TYPE/NAME}, compared
   * case-insensitively; nested types are not needed here.
   */
  public record Ref(String subscription, String resourceGroup, String namespace, String type, String name) {

    public static Optional<Ref> parse(String idOrPath) {
      // "", subscriptions, S, resourcegroups, G, providers, NS, TYPE, NAME
      String[] s = path(idOrPath).split("/", -1);
      if (s.length != 9 || !s[1].equalsIgnoreCase("subscriptions") || !s[3].equalsIgnoreCase("resourcegroups")
          || !s[5].equalsIgnoreCase("providers")) {
        return Optional.empty();
      }
      for (int i = 1; i < s.length; i++) {
        if (s[i].isBlank()) {
          return Optional.empty();
        }
      }
      return Optional.of(new Ref(s[2], s[4], s[6], s[7], s[8]));
    }

    /** The ID in the spelling the service returns ({@code resourcegroups} lower-case, as AKS does). */
    public String id() {
      return "/subscriptions/" + subscription + "/resourcegroups/" + resourceGroup + "/providers/" + namespace + "/"
          + type + "/" + name;
    }

    public String key() {
      return ResourceIds.key(id());
    }

    public boolean isA(String ns, String resourceType) {
      return namespace.equalsIgnoreCase(ns) && type.equalsIgnoreCase(resourceType);
    }

    /** {@code subscription/resourcegroup}, lower-cased: the identity of the implied resource group. */
    public String resourceGroupKey() {
      return (subscription + "/" + resourceGroup).toLowerCase(Locale.ROOT);
    }
  }

  public static final String CONTAINER_SERVICE = "Microsoft.ContainerService";
  public static final String NETWORK = "Microsoft.Network";

  public static String managedClusterId(String subscription, String resourceGroup, String name) {
    return new Ref(subscription, resourceGroup, CONTAINER_SERVICE, "managedClusters", name).id();
  }

  public static String publicIpId(String subscription, String resourceGroup, String name) {
    return new Ref(subscription, resourceGroup, NETWORK, "publicIPAddresses", name).id();
  }

  public static String publicIpPrefixId(String subscription, String resourceGroup, String name) {
    return new Ref(subscription, resourceGroup, NETWORK, "publicIPPrefixes", name).id();
  }
}
