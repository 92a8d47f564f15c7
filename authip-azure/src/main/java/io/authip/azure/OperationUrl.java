package io.authip.azure;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An operation URL authip may call, parsed by its own strict rules from the raw text and rebuilt on the configured
 * Resource Manager endpoint. Pure.
 *
 * <p>Poll URLs come from {@code status.targets[].pendingOperation.pollUrl}, which anyone allowed to write status can
 * set, and from the {@code Azure-AsyncOperation} / {@code Location} headers of a PUT answer. A general-purpose URL
 * parser is not enough to vet them: {@code java.net.URI} and the HTTP client that sends the request disagree on
 * inputs such as {@code https://arm#@evil/}, so what one approves the other may send elsewhere. Here nothing of the
 * input's scheme, host or port is ever used: the input must name the configured endpoint exactly, and its path and
 * query must be one of the few shapes AKS produces, built from a strict character set; the URL that is called is
 * then written anew from {@link AzureConfig#armEndpoint()} and the parsed parts.
 *
 * <p>Accepted paths (after the endpoint's own path, literal segments case-insensitive):
 * <ul>
 *   <li>{@code /subscriptions/{sub}/providers/Microsoft.ContainerService/locations/{location}/operations/{id}}</li>
 *   <li>{@code .../locations/{location}/operationresults/{id}}</li>
 *   <li>the managed cluster's own path (what authip stores when ARM names no operation)</li>
 * </ul>
 * with {@code sub} the subscription of the cluster being changed. Query: {@code api-version} (required) and ARM's
 * signature parameters {@code t}, {@code c}, {@code s}, {@code h}, each at most once, nothing else.
 */
public final class OperationUrl {

  /** Longer than any URL ARM writes (a signed one is about 1,500 characters). */
  static final int MAX_LENGTH = 8192;

  /** What the URL names. */
  public enum Kind {
    /** {@code .../operations/{id}}: the Azure-AsyncOperation status document. */
    OPERATION,
    /** {@code .../operationresults/{id}}: the Location URL (202 while running, 204/200 at the end). */
    OPERATION_RESULT,
    /** The managed cluster itself: its {@code provisioningState} tells. */
    CLUSTER
  }

  /** Why a URL was refused: a sentence naming what is wrong, for messages and events. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String problem) {
      super(problem, null, false, false);
    }
  }

  private static final Pattern GUID =
      Pattern.compile("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}");
  private static final Pattern LOCATION = Pattern.compile("[A-Za-z0-9]{1,64}");
  private static final Pattern OPERATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
  private static final Pattern RESOURCE_GROUP = Pattern.compile(
      io.authip.api.v1alpha1.ClusterTarget.RESOURCE_GROUP_PATTERN);
  private static final Pattern CLUSTER_NAME = Pattern.compile(
      io.authip.api.v1alpha1.ClusterTarget.CLUSTER_NAME_PATTERN);
  private static final Pattern API_VERSION = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}(-preview)?");
  private static final Pattern TICKS = Pattern.compile("[0-9]{1,20}");
  /** ARM's signature parameters are base64url; a few servers pad them, which is then percent-free '='. */
  private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]{1,4096}={0,2}");
  private static final Set<String> PARAMETERS = Set.of("api-version", "t", "c", "s", "h");
  private static final List<String> PARAMETER_ORDER = List.of("api-version", "t", "c", "s", "h");

  private final Kind kind;
  private final String subscription;
  private final List<String> segments;
  private final Map<String, String> query;

  private OperationUrl(Kind kind, String subscription, List<String> segments, Map<String, String> query) {
    this.kind = kind;
    this.subscription = subscription;
    this.segments = List.copyOf(segments);
    this.query = Map.copyOf(query);
  }

  public Kind kind() {
    return kind;
  }

  public String subscription() {
    return subscription;
  }

  /**
   * Parses {@code raw} strictly.
   *
   * @param raw the URL as found in status or a header
   * @param endpoint the configured Resource Manager endpoint ({@code https://host[:port]/[path/]})
   * @param clusterId the ID of the cluster the operation changes: its subscription must be the URL's, and a
   *     {@link Kind#CLUSTER} URL must name exactly it
   * @throws Refused naming what was wrong
   */
  public static OperationUrl parse(String raw, URI endpoint, String clusterId) throws Refused {
    if (raw == null || raw.isEmpty()) {
      throw new Refused("it is empty");
    }
    if (raw.length() > MAX_LENGTH) {
      throw new Refused("it is " + raw.length() + " characters long (at most " + MAX_LENGTH + ")");
    }
    for (int i = 0; i < raw.length(); i++) {
      char ch = raw.charAt(i);
      if (ch <= 0x20 || ch == 0x7f) {
        throw new Refused("it contains " + (ch == ' ' ? "a space" : "the control character U+"
            + String.format("%04X", (int) ch)) + " at position " + i);
      }
      if (ch > 0x7e) {
        throw new Refused("it contains the non-ASCII character U+" + String.format("%04X", (int) ch)
            + " at position " + i + " (look-alike dots, slashes and letters are not URL syntax)");
      }
      if (ch == '\\') {
        throw new Refused("it contains a backslash at position " + i);
      }
      if (ch == '#') {
        throw new Refused("it has a fragment ('#' at position " + i + ")");
      }
      if (ch == '%') {
        throw new Refused("it contains a percent-encoded character ('" + raw.substring(i, Math.min(raw.length(),
            i + 3)) + "' at position " + i + "); ARM's operation URLs have none");
      }
    }
    if (!raw.startsWith("https://")) {
      throw new Refused(raw.regionMatches(true, 0, "https://", 0, 8)
          ? "its scheme must be written 'https' in lower case, as ARM writes it"
          : "it is not an https:// URL");
    }
    String rest = raw.substring("https://".length());
    int slash = rest.indexOf('/');
    int mark = rest.indexOf('?');
    if (slash < 0 || (mark >= 0 && mark < slash)) {
      throw new Refused("it has no path");
    }
    String authority = rest.substring(0, slash);
    checkAuthority(authority, endpoint);
    String pathAndQuery = rest.substring(slash);
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String rawQuery = q < 0 ? null : pathAndQuery.substring(q + 1);

    List<String> segments = segments(path);
    List<String> base = segments(endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/"
        : endpoint.getRawPath());
    if (segments.size() < base.size() || !equalIgnoringCase(segments.subList(0, base.size()), base)) {
      throw new Refused("its path does not start with the endpoint's path " + endpoint.getRawPath());
    }
    List<String> own = segments.subList(base.size(), segments.size());
    ClusterRef cluster = ClusterRef.parse(clusterId);
    if (cluster == null) {
      throw new Refused("the cluster it belongs to, '" + clusterId + "', is not a managed cluster ID");
    }
    Kind kind;
    List<String> canonical;
    if (own.size() == 8 && own.get(0).equalsIgnoreCase("subscriptions") && own.get(2).equalsIgnoreCase("providers")
        && own.get(3).equalsIgnoreCase("Microsoft.ContainerService") && own.get(4).equalsIgnoreCase("locations")
        && (own.get(6).equalsIgnoreCase("operations") || own.get(6).equalsIgnoreCase("operationresults"))) {
      checkSubscription(own.get(1), cluster);
      if (!LOCATION.matcher(own.get(5)).matches()) {
        throw new Refused("its location '" + own.get(5) + "' is not an Azure region name");
      }
      if (!OPERATION_ID.matcher(own.get(7)).matches()) {
        throw new Refused("its operation ID '" + own.get(7) + "' has characters an operation ID does not");
      }
      kind = own.get(6).equalsIgnoreCase("operations") ? Kind.OPERATION : Kind.OPERATION_RESULT;
      canonical = List.of("subscriptions", own.get(1), "providers", "Microsoft.ContainerService", "locations",
          own.get(5), kind == Kind.OPERATION ? "operations" : "operationresults", own.get(7));
    } else if (own.size() == 8 && own.get(0).equalsIgnoreCase("subscriptions")
        && own.get(2).equalsIgnoreCase("resourceGroups") && own.get(4).equalsIgnoreCase("providers")
        && own.get(5).equalsIgnoreCase("Microsoft.ContainerService")
        && own.get(6).equalsIgnoreCase("managedClusters")) {
      checkSubscription(own.get(1), cluster);
      if (!own.get(3).equalsIgnoreCase(cluster.resourceGroup) || !own.get(7).equalsIgnoreCase(cluster.name)) {
        throw new Refused("it names the managed cluster " + own.get(3) + "/" + own.get(7) + ", not "
            + cluster.resourceGroup + "/" + cluster.name + " whose change it is");
      }
      kind = Kind.CLUSTER;
      canonical = List.of("subscriptions", own.get(1), "resourceGroups", own.get(3), "providers",
          "Microsoft.ContainerService", "managedClusters", own.get(7));
    } else {
      throw new Refused("its path is not an AKS operation (/subscriptions/{subscription}/providers/"
          + "Microsoft.ContainerService/locations/{location}/operations/{id} or .../operationresults/{id})");
    }
    List<String> all = new ArrayList<>(base);
    all.addAll(canonical);
    return new OperationUrl(kind, own.get(1), all, query(rawQuery));
  }

  /** The URL to call: the configured endpoint's scheme, host and port, the parsed path and query. */
  public String toUrl(URI endpoint) {
    StringBuilder url = new StringBuilder("https://").append(endpoint.getRawAuthority());
    for (String s : segments) {
      url.append('/').append(s);
    }
    char sep = '?';
    for (String name : PARAMETER_ORDER) {
      String value = query.get(name);
      if (value != null) {
        url.append(sep).append(name).append('=').append(value);
        sep = '&';
      }
    }
    return url.toString();
  }

  /** The path only, for logs and messages: the query carries a signature. */
  public String path() {
    return "/" + String.join("/", segments);
  }

  private static void checkAuthority(String authority, URI endpoint) throws Refused {
    if (authority.isEmpty()) {
      throw new Refused("it has no host");
    }
    if (authority.indexOf('@') >= 0) {
      throw new Refused("it has user information ('@' before the path)");
    }
    if (authority.indexOf('[') >= 0 || authority.indexOf(']') >= 0) {
      throw new Refused("its host is an IPv6 literal; the Resource Manager endpoint is " + endpoint.getHost());
    }
    String host = authority;
    int port = 443;
    int colon = authority.indexOf(':');
    if (colon >= 0) {
      host = authority.substring(0, colon);
      String digits = authority.substring(colon + 1);
      if (!digits.matches("[1-9][0-9]{0,4}") || Integer.parseInt(digits) > 65535) {
        throw new Refused("its port '" + digits + "' is not a port number");
      }
      port = Integer.parseInt(digits);
    }
    if (!host.matches("[A-Za-z0-9.-]{1,253}")) {
      throw new Refused("its host '" + host + "' is not a host name");
    }
    int armPort = endpoint.getPort() == -1 ? 443 : endpoint.getPort();
    if (!host.equalsIgnoreCase(endpoint.getHost()) || port != armPort) {
      throw new Refused("it is on " + host + ":" + port + ", not on the Resource Manager endpoint "
          + endpoint.getHost() + ":" + armPort);
    }
  }

  private static List<String> segments(String path) throws Refused {
    if (!path.startsWith("/")) {
      throw new Refused("its path does not start with '/'");
    }
    List<String> out = new ArrayList<>();
    String[] parts = path.substring(1).split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      String s = parts[i];
      if (s.isEmpty()) {
        if (i == parts.length - 1) {
          continue;
        }
        throw new Refused("its path has an empty segment ('//')");
      }
      if (s.equals(".") || s.equals("..")) {
        throw new Refused("its path has a '" + s + "' segment");
      }
      if (!s.matches("[A-Za-z0-9._()-]+")) {
        throw new Refused("its path segment '" + s + "' has characters ARM paths do not");
      }
      out.add(s);
    }
    return out;
  }

  private static Map<String, String> query(String raw) throws Refused {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw != null && !raw.isEmpty()) {
      for (String pair : raw.split("&", -1)) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new Refused("its query has a part without a name and value ('" + cut(pair) + "')");
        }
        String name = pair.substring(0, eq);
        String value = pair.substring(eq + 1);
        if (!PARAMETERS.contains(name)) {
          throw new Refused("its query has the parameter '" + cut(name) + "'; only api-version, t, c, s and h are "
              + "expected");
        }
        if (out.containsKey(name)) {
          throw new Refused("its query has '" + name + "' twice");
        }
        Pattern shape = name.equals("api-version") ? API_VERSION : name.equals("t") ? TICKS : BASE64URL;
        if (!shape.matcher(value).matches()) {
          throw new Refused("its query parameter '" + name + "' has an unexpected value ('" + cut(value) + "')");
        }
        out.put(name, value);
      }
    }
    if (!out.containsKey("api-version")) {
      throw new Refused("its query has no api-version");
    }
    return out;
  }

  private static void checkSubscription(String sub, ClusterRef cluster) throws Refused {
    if (!GUID.matcher(sub).matches()) {
      throw new Refused("its subscription '" + sub + "' is not a GUID");
    }
    if (!sub.equalsIgnoreCase(cluster.subscription)) {
      throw new Refused("it is in subscription " + sub + ", not in the cluster's subscription "
          + cluster.subscription);
    }
  }

  private static boolean equalIgnoringCase(List<String> a, List<String> b) {
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).equalsIgnoreCase(b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static String cut(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  /** A managed cluster ID, as strictly as the spec's targets are checked. */
  record ClusterRef(String subscription, String resourceGroup, String name) {

    static ClusterRef parse(String id) {
      if (id == null || id.length() > 1024) {
        return null;
      }
      String[] s = id.split("/", -1);
      if (s.length != 9 || !s[0].isEmpty() || !s[1].equalsIgnoreCase("subscriptions")
          || !GUID.matcher(s[2]).matches() || !s[3].equalsIgnoreCase("resourceGroups")
          || !RESOURCE_GROUP.matcher(s[4]).matches() || !s[5].equalsIgnoreCase("providers")
          || !s[6].equalsIgnoreCase("Microsoft.ContainerService") || !s[7].equalsIgnoreCase("managedClusters")
          || !CLUSTER_NAME.matcher(s[8]).matches()) {
        return null;
      }
      return new ClusterRef(s[2], s[4], s[8]);
    }
  }

  /** The managed cluster an operation handle names, if its ID is one. */
  static Optional<io.authip.api.v1alpha1.ClusterTarget> cluster(String clusterId) {
    return Optional.ofNullable(ClusterRef.parse(clusterId))
        .map(c -> new io.authip.api.v1alpha1.ClusterTarget(c.subscription(), c.resourceGroup(), c.name()));
  }
}
