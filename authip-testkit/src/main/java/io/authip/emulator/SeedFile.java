package io.authip.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Loads resources into an emulator from a YAML or JSON file (JSON is YAML). Unknown keys and bad values are errors
 * naming the entry: a seed that silently loads half of itself would make tests pass for the wrong reason.
 *
 * <pre>
 * subscription: 3f2b8c1d-5e6a-4b7c-8d9e-0a1b2c3d4e5f   # default for entries that name none
 * location: westeurope                                   # default for fixtures
 * publicIPAddresses:
 *   - id: /subscriptions/.../resourceGroups/net/providers/Microsoft.Network/publicIPAddresses/office
 *     ipAddress: 20.50.60.70
 * publicIPPrefixes:
 *   - id: /subscriptions/.../resourceGroups/net/providers/Microsoft.Network/publicIPPrefixes/ci
 *     ipPrefix: 20.50.61.0/28
 * managedClusters:
 *   - fixture: loadBalancerManagedOutbound   # a ClusterFixture kind (userAssignedNatGateway,
 *                                           # userDefinedRoutingFirewall, ...: with their subnet, NAT gateway,
 *                                           # route table and firewall)
 *     resourceGroup: rg-prod
 *     name: aks-prod-{i}                      # {i} = 1..count
 *     count: 3
 *     authorizedIPRanges: [20.50.60.70/32]
 *     effectiveOutboundIPs:                   # optional: egress shared by all these clusters
 *       - {id: /subscriptions/.../publicIPAddresses/shared-egress, ipAddress: 20.50.62.1}
 *     tags: {team: payments, ring: "{i}"}     # optional: replaces the fixture's tags; {i} in values too
 *   - body: { id: ..., location: ..., properties: { ... } }   # a complete cluster body
 * identities:                                 # optional: Entra identities and their Azure role scopes
 *   - clientId: 1111...                       # required
 *     federatedCredentials:                   # optional; audience defaults to api://AzureADTokenExchange
 *       - {issuer: https://oidc.example/x, subject: system:serviceaccount:team-a:authip-tenant}
 *     scopes: [/subscriptions/.../resourceGroups/rg-team-a]   # optional; absent = unrestricted
 * </pre>
 *
 * <p>Issuers' signing keys cannot be given here: {@link ArmEmulator#trustIssuer} takes them at run time.
 */
public final class SeedFile {

  private static final Set<String> TOP = Set.of("subscription", "location", "publicIPAddresses", "publicIPPrefixes",
      "managedClusters", "identities", "serviceTags");
  private static final Set<String> IDENTITY = Set.of("clientId", "federatedCredentials", "scopes");
  private static final Set<String> CREDENTIAL = Set.of("issuer", "subject", "audience");
  /** What Entra proposes, and what Kubernetes ServiceAccount tokens for workload identity carry. */
  static final String DEFAULT_AUDIENCE = "api://AzureADTokenExchange";
  private static final Set<String> FIXTURE = Set.of("fixture", "subscription", "resourceGroup", "name", "location",
      "count", "authorizedIPRanges", "effectiveOutboundIPs", "tags");

  /** What a seed file added, counting the public IPs and prefixes fixtures brought along. */
  public record Summary(int clusters, int publicIps, int publicIpPrefixes, int identities) {

    public Summary(int clusters, int publicIps, int publicIpPrefixes) {
      this(clusters, publicIps, publicIpPrefixes, 0);
    }
  }

  private SeedFile() {
  }

  static Summary load(Path file, ArmEmulator arm) {
    JsonNode root;
    try {
      root = new YAMLMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read seed file " + file + ": " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return new Summary(0, 0, 0);
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException(file + ": a seed file is a mapping with keys " + TOP);
    }
    onlyKeys(root, TOP, file + "");
    String subscription = root.path("subscription").asText(ClusterFixture.DEFAULT_SUBSCRIPTION);
    String location = root.path("location").asText(ClusterFixture.DEFAULT_LOCATION);
    int ips = 0;
    for (JsonNode entry : list(root, "publicIPAddresses", file)) {
      String where = file + ": publicIPAddresses[" + ips + "]";
      onlyKeys(entry, Set.of("id", "ipAddress"), where);
      arm.putPublicIp(text(entry, "id", where), text(entry, "ipAddress", where));
      ips++;
    }
    int prefixes = 0;
    for (JsonNode entry : list(root, "publicIPPrefixes", file)) {
      String where = file + ": publicIPPrefixes[" + prefixes + "]";
      onlyKeys(entry, Set.of("id", "ipPrefix"), where);
      arm.putPublicIpPrefix(text(entry, "id", where), text(entry, "ipPrefix", where));
      prefixes++;
    }
    int clusters = 0;
    int index = 0;
    for (JsonNode entry : list(root, "managedClusters", file)) {
      String where = file + ": managedClusters[" + index++ + "]";
      if (entry.has("body")) {
        onlyKeys(entry, Set.of("body"), where);
        if (!entry.get("body").isObject()) {
          throw new IllegalArgumentException(where + ": body must be a mapping (a managed cluster)");
        }
        try {
          arm.putCluster((ObjectNode) entry.get("body"));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        clusters++;
        continue;
      }
      onlyKeys(entry, FIXTURE, where);
      ClusterFixture.Kind kind = kind(text(entry, "fixture", where), where);
      int count = entry.path("count").asInt(1);
      if (count < 1 || (entry.has("count") && !entry.get("count").canConvertToInt())) {
        throw new IllegalArgumentException(where + ": count must be a positive number, got " + entry.get("count"));
      }
      String name = text(entry, "name", where);
      if (count > 1 && !name.contains("{i}")) {
        throw new IllegalArgumentException(where + ": with count " + count + " the name needs {i}, e.g. aks-{i}");
      }
      List<String> ranges = null;
      if (entry.has("authorizedIPRanges")) {
        ranges = new ArrayList<>();
        for (JsonNode r : entry.get("authorizedIPRanges")) {
          ranges.add(r.asText());
        }
      }
      Map<String, String> sharedEgress = null;
      if (entry.has("effectiveOutboundIPs")) {
        sharedEgress = new LinkedHashMap<>();
        int n = 0;
        for (JsonNode ip : list(entry, "effectiveOutboundIPs", file)) {
          String ipWhere = where + ".effectiveOutboundIPs[" + n++ + "]";
          onlyKeys(ip, Set.of("id", "ipAddress"), ipWhere);
          sharedEgress.put(text(ip, "id", ipWhere), text(ip, "ipAddress", ipWhere));
        }
      }
      Map<String, String> tags = null;
      if (entry.has("tags")) {
        JsonNode given = entry.get("tags");
        if (!given.isObject()) {
          throw new IllegalArgumentException(where + ": tags must be a mapping of names to strings");
        }
        tags = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext();) {
          Map.Entry<String, JsonNode> tag = it.next();
          if (!tag.getValue().isValueNode() || tag.getValue().isNull()) {
            throw new IllegalArgumentException(where + ".tags." + tag.getKey() + ": expected a string, got "
                + tag.getValue());
          }
          tags.put(tag.getKey(), tag.getValue().asText());
        }
        ObjectNode asJson = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        tags.forEach(asJson::put);
        ResourceStore.tagsProblem(asJson).ifPresent(bad -> {
          throw new IllegalArgumentException(where + ".tags: " + bad.body().at("/error/message").asText());
        });
      }
      for (int i = 1; i <= count; i++) {
        ClusterFixture fixture = ClusterFixture.of(kind, entry.path("subscription").asText(subscription),
            text(entry, "resourceGroup", where), name.replace("{i}", Integer.toString(i)))
            .withLocation(entry.path("location").asText(location));
        if (tags != null) {
          String n = Integer.toString(i);
          Map<String, String> own = new LinkedHashMap<>();
          tags.forEach((k, v) -> own.put(k, v.replace("{i}", n)));
          fixture = fixture.withTags(own);
        }
        try {
          fixture = sharedEgress == null ? fixture : fixture.withEffectiveOutboundIps(sharedEgress);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        arm.seed(ranges == null ? fixture : fixture.withAuthorizedIpRanges(ranges));
        clusters++;
        ips += fixture.publicIps().size();
        prefixes += fixture.publicIpPrefixes().size();
      }
    }
    int identities = identities(root, file, arm);
    serviceTags(root, file, arm);
    return new Summary(clusters, ips, prefixes, identities);
  }

  /** {@code serviceTags: [{name, region, addressPrefixes: [...]}]}: the Service Tag Discovery API's tags. */
  private static void serviceTags(JsonNode root, Path file, ArmEmulator arm) {
    int index = 0;
    for (JsonNode entry : list(root, "serviceTags", file)) {
      String where = file + ": serviceTags[" + index++ + "]";
      onlyKeys(entry, Set.of("name", "region", "addressPrefixes"), where);
      String name = text(entry, "name", where);
      if (!entry.path("addressPrefixes").isArray() || entry.path("addressPrefixes").isEmpty()) {
        throw new IllegalArgumentException(where + ": addressPrefixes must be a non-empty list of prefixes");
      }
      java.util.List<String> prefixes = new java.util.ArrayList<>();
      for (JsonNode p : entry.get("addressPrefixes")) {
        if (!p.isTextual()) {
          throw new IllegalArgumentException(where + ".addressPrefixes: expected strings, got " + p);
        }
        prefixes.add(p.asText());
      }
      arm.serviceTag(name, entry.path("region").asText(""), prefixes);
    }
  }

  private static int identities(JsonNode root, Path file, ArmEmulator arm) {
    Set<String> seen = new java.util.HashSet<>();
    int index = 0;
    for (JsonNode entry : list(root, "identities", file)) {
      String where = file + ": identities[" + index++ + "]";
      onlyKeys(entry, IDENTITY, where);
      String clientId = text(entry, "clientId", where);
      if (!seen.add(clientId.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(where + ": clientId '" + clientId + "' appears twice; give it one entry");
      }
      if (!entry.has("federatedCredentials") && !entry.has("scopes")) {
        throw new IllegalArgumentException(where + ": an identity needs federatedCredentials, scopes or both");
      }
      int n = 0;
      for (JsonNode credential : list(entry, "federatedCredentials", where)) {
        String credentialWhere = where + ".federatedCredentials[" + n++ + "]";
        onlyKeys(credential, CREDENTIAL, credentialWhere);
        String audience = credential.has("audience") ? text(credential, "audience", credentialWhere)
            : DEFAULT_AUDIENCE;
        try {
          arm.federatedCredential(clientId, text(credential, "issuer", credentialWhere),
              text(credential, "subject", credentialWhere), audience);
        } catch (IllegalArgumentException | IllegalStateException e) {
          throw new IllegalArgumentException(credentialWhere + ": " + e.getMessage(), e);
        }
      }
      if (entry.has("scopes")) {
        List<String> scopes = new ArrayList<>();
        int s = 0;
        for (JsonNode scope : list(entry, "scopes", where)) {
          scopes.add(text(scope, where + ".scopes[" + s++ + "]"));
        }
        try {
          arm.principalScopes(clientId, scopes);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + ".scopes: " + e.getMessage(), e);
        }
      }
    }
    return index;
  }

  /** A list item that must be a non-blank string. */
  private static String text(JsonNode value, String where) {
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException(where + ": expected a non-empty string, got " + value);
    }
    return value.asText();
  }

  private static ClusterFixture.Kind kind(String name, String where) {
    String wanted = name.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
    for (ClusterFixture.Kind kind : ClusterFixture.Kind.values()) {
      if (kind.name().replace("_", "").toLowerCase(Locale.ROOT).equals(wanted)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(where + ": unknown fixture '" + name + "'; one of loadBalancerManagedOutbound, "
        + "loadBalancerCustomOutbound, managedNatGateway, nodePublicIpPrefix, nodePublicIpWithoutPrefix, "
        + "privateCluster, basicLoadBalancer, userAssignedNatGateway, userDefinedRoutingFirewall, "
        + "userDefinedRoutingAppliance");
  }

  private static Iterable<JsonNode> list(JsonNode root, String key, Path file) {
    return list(root, key, file.toString());
  }

  private static Iterable<JsonNode> list(JsonNode root, String key, String where) {
    JsonNode node = root.path(key);
    if (node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new IllegalArgumentException(where + ": " + key + " must be a list");
    }
    return node;
  }

  private static String text(JsonNode entry, String key, String where) {
    JsonNode value = entry.path(key);
    if (!value.isValueNode() || value.asText().isBlank()) {
      throw new IllegalArgumentException(where + ": '" + key + "' is required");
    }
    return value.asText();
  }

  private static void onlyKeys(JsonNode entry, Set<String> allowed, String where) {
    if (!entry.isObject()) {
      throw new IllegalArgumentException(where + ": expected a mapping");
    }
    for (Iterator<String> it = entry.fieldNames(); it.hasNext();) {
      String key = it.next();
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException(where + ": unknown key '" + key + "'; allowed: " + allowed);
      }
    }
  }
}
