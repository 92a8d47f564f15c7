package io.authip.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The resources and their ARM semantics, independent of HTTP. One lock: every call is a few map look-ups and a copy
 * of a small JSON tree, so contention stays low even with a thousand clusters. Long-running operations are not
 * driven by threads; they are settled from the clock whenever a request touches them.
 */
final class ResourceStore {

  static final String DEFAULT_API_VERSION = "2025-07-01";
  static final int DEFAULT_LIST_PAGE_SIZE = 100;
  /** Azure's limits on tags: per resource, and the lengths of a name and a value. */
  static final int MAX_TAGS = 50;
  static final int MAX_TAG_NAME = 512;
  static final int MAX_TAG_VALUE = 256;
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /**
   * Fields the service computes. A client that sends them back (or drops them, as the typed SDK models do) does not
   * change them; they are restored from the stored cluster when their parent object is still there.
   */
  private static final List<List<String>> SERVER_OWNED = List.of(
      List.of("properties", "fqdn"),
      List.of("properties", "azurePortalFQDN"),
      List.of("properties", "privateFQDN"),
      List.of("properties", "currentKubernetesVersion"),
      List.of("properties", "maxAgentPools"),
      List.of("properties", "powerState"),
      List.of("properties", "resourceUID"),
      List.of("properties", "oidcIssuerProfile", "issuerURL"),
      List.of("properties", "networkProfile", "loadBalancerProfile", "effectiveOutboundIPs"),
      List.of("properties", "networkProfile", "natGatewayProfile", "effectiveOutboundIPs"),
      List.of("systemData"));

  /** The result of one ARM call: status, extra headers, JSON body or none. */
  /** The cloud's service tags (Service Tag Discovery API). */
  final ServiceTags serviceTags = new ServiceTags();

  record Answer(int status, Map<String, String> headers, JsonNode body) {
    Answer {
      headers = Map.copyOf(headers);
    }

    static Answer json(int status, JsonNode body) {
      return new Answer(status, Map.of(), body);
    }

    static Answer error(ArmError e) {
      return error(e.status(), e.code(), e.message(), Map.of());
    }

    static Answer error(int status, String code, String message, Map<String, String> headers) {
      ObjectNode error = JSON.objectNode();
      error.putObject("error").put("code", code).put("message", message);
      return new Answer(status, headers, error);
    }
  }

  /** How an operation started on a cluster will end. */
  record Ending(String status, String code, String message) {
    static final Ending SUCCEEDED = new Ending("Succeeded", null, null);
  }

  private static final class Operation {
    final String id;
    final String clusterKey;
    final String subscription;
    final String location;
    final String apiVersion;
    final Instant start;
    final Instant end;
    final Ending ending;

    Operation(String id, String clusterKey, String subscription, String location, String apiVersion, Instant start,
        Instant end, Ending ending) {
      this.id = id;
      this.clusterKey = clusterKey;
      this.subscription = subscription;
      this.location = location;
      this.apiVersion = apiVersion;
      this.start = start;
      this.end = end;
      this.ending = ending;
    }

    boolean running(Instant now) {
      return now.isBefore(end);
    }

    String path() {
      return "/subscriptions/" + subscription + "/providers/Microsoft.ContainerService/locations/" + location
          + "/operations/" + id;
    }

    String resultPath() {
      return "/subscriptions/" + subscription + "/providers/Microsoft.ContainerService/locations/" + location
          + "/operationresults/" + id;
    }
  }

  private static final class Cluster {
    final String id;
    ObjectNode body;
    String eTag;
    Operation running;
    final Queue<Consumer<ObjectNode>> afterNextGet = new ArrayDeque<>();
    final Queue<Ending> nextEndings = new ArrayDeque<>();
    int staleWrites;

    Cluster(String id, ObjectNode body, String eTag) {
      this.id = id;
      this.body = body;
      this.eTag = eTag;
    }
  }

  /** Keyed by lower-cased ID, so sorted as lists are answered. */
  private final NavigableMap<String, Cluster> clusters = new TreeMap<>();
  private final NavigableMap<String, ObjectNode> publicIps = new TreeMap<>();
  private final NavigableMap<String, ObjectNode> prefixes = new TreeMap<>();
  /** Subnets, NAT gateways, route tables and Azure Firewalls, by {@link NetworkRef#type()}, each keyed by lower-cased ID. */
  private final Map<String, NavigableMap<String, ObjectNode>> network = new java.util.HashMap<>();
  private final Map<String, Operation> operations = new java.util.HashMap<>();
  private final SkipTokens skipTokens = new SkipTokens();
  private int listPageSize = DEFAULT_LIST_PAGE_SIZE;
  /** Null: seconds until the operation ends (1 to 10); negative: no header; else this many seconds. */
  private Integer operationRetryAfter;
  private final Set<String> resourceGroups = new HashSet<>();
  private String baseUrl = "https://127.0.0.1";
  private Duration operationDuration;
  private final RangeOrder rangeOrder;
  private final OperationSigner signer = new OperationSigner();
  private StaleETagAnswer staleETagAnswer;

  ResourceStore(Duration operationDuration, RangeOrder rangeOrder, StaleETagAnswer staleETagAnswer) {
    this.operationDuration = checkDuration(operationDuration);
    this.rangeOrder = rangeOrder;
    this.staleETagAnswer = staleETagAnswer;
  }

  synchronized void staleETagAnswer(StaleETagAnswer answer) {
    this.staleETagAnswer = answer;
  }

  synchronized void listPageSize(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("the list page size must be at least 1, got " + size);
    }
    this.listPageSize = size;
  }

  /** @param seconds null: until the operation ends (1 to 10, the default); negative: no header; else fixed */
  synchronized void operationRetryAfter(Integer seconds) {
    this.operationRetryAfter = seconds;
  }

  OperationSigner signer() {
    return signer;
  }

  /** {@code path} as an operation URL signed by this emulator. */
  synchronized String signedUrl(String path, Instant now) {
    return baseUrl + signer.sign(ResourceIds.path(path), now);
  }

  synchronized void baseUrl(String url) {
    this.baseUrl = url;
  }

  synchronized void operationDuration(Duration duration) {
    this.operationDuration = checkDuration(duration);
  }

  synchronized Duration operationDuration() {
    return operationDuration;
  }

  private static Duration checkDuration(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("the operation duration cannot be negative: " + d);
    }
    return d;
  }

  // ---------------------------------------------------------------- seeding and direct access

  /** Stores a cluster body as given (its {@code id} names it); keeps its {@code eTag} when it has one. */
  synchronized String putClusterBody(ObjectNode body) {
    String id = body.path("id").asText("");
    ResourceIds.Ref ref = ResourceIds.Ref.parse(id)
        .filter(r -> r.isA(ResourceIds.CONTAINER_SERVICE, "managedClusters"))
        .orElseThrow(() -> new IllegalArgumentException("a managed cluster body needs an \"id\" like "
            + "/subscriptions/S/resourceGroups/G/providers/Microsoft.ContainerService/managedClusters/N, got '"
            + id + "'"));
    ObjectNode stored = body.deepCopy();
    String eTag = stored.path("eTag").isTextual() ? stored.get("eTag").asText() : newETag();
    stored.remove("eTag");
    ObjectNode properties = stored.has("properties") && stored.get("properties").isObject()
        ? (ObjectNode) stored.get("properties") : stored.putObject("properties");
    if (!properties.hasNonNull("provisioningState")) {
      properties.put("provisioningState", "Succeeded");
    }
    Cluster existing = clusters.get(ref.key());
    Cluster cluster = new Cluster(id, stored, eTag);
    if (existing != null) {
      cluster.running = existing.running;
    }
    clusters.put(ref.key(), cluster);
    resourceGroups.add(ref.resourceGroupKey());
    return id;
  }

  synchronized void putPublicIp(String id, String address, String location) {
    ResourceIds.Ref ref = requireRef(id, "publicIPAddresses");
    ObjectNode body = networkResource(ref, location, "Microsoft.Network/publicIPAddresses");
    ObjectNode p = (ObjectNode) body.get("properties");
    p.put("ipAddress", address);
    p.put("publicIPAddressVersion", "IPv4");
    p.put("publicIPAllocationMethod", "Static");
    p.put("idleTimeoutInMinutes", 4);
    p.putArray("ipTags");
    publicIps.put(ref.key(), body);
    resourceGroups.add(ref.resourceGroupKey());
  }

  synchronized void putPublicIpPrefix(String id, String prefix, String location) {
    ResourceIds.Ref ref = requireRef(id, "publicIPPrefixes");
    int slash = prefix.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("a public IP prefix needs a CIDR like 20.1.2.16/28, got '" + prefix + "'");
    }
    ObjectNode body = networkResource(ref, location, "Microsoft.Network/publicIPPrefixes");
    ObjectNode p = (ObjectNode) body.get("properties");
    p.put("prefixLength", Integer.parseInt(prefix.substring(slash + 1)));
    p.put("publicIPAddressVersion", "IPv4");
    p.put("ipPrefix", prefix);
    p.putArray("ipTags");
    prefixes.put(ref.key(), body);
    resourceGroups.add(ref.resourceGroupKey());
  }

  /**
   * Stores a subnet, NAT gateway, route table or Azure Firewall body as given (its {@code id} names it; {@code name},
   * {@code type}, an {@code etag} and {@code properties.provisioningState} are added when absent), replacing one
   * with the same ID. What it refers to is not checked: Azure lets a subnet name a NAT gateway the caller cannot read.
   */
  synchronized String putNetworkResource(ObjectNode body) {
    String id = body.path("id").asText("");
    NetworkRef ref = NetworkRef.parse(id).orElseThrow(() -> new IllegalArgumentException("a network resource needs "
        + "an \"id\" of a subnet (.../Microsoft.Network/virtualNetworks/V/subnets/S), NAT gateway, route table or "
        + "Azure Firewall, got '" + id + "'"));
    ObjectNode stored = body.deepCopy();
    stored.put("id", id);
    if (!stored.hasNonNull("name")) {
      stored.put("name", ref.name());
    }
    if (!stored.hasNonNull("type")) {
      stored.put("type", ref.armType());
    }
    if (!stored.hasNonNull("etag")) {
      stored.put("etag", "W/\"" + UUID.randomUUID() + "\"");
    }
    ObjectNode properties = stored.path("properties").isObject() ? (ObjectNode) stored.get("properties")
        : stored.putObject("properties");
    if (!properties.hasNonNull("provisioningState")) {
      properties.put("provisioningState", "Succeeded");
    }
    network.computeIfAbsent(ref.type(), t -> new TreeMap<>()).put(ref.key(), stored);
    resourceGroups.add(ref.resourceGroupKey());
    return id;
  }

  synchronized Answer getNetworkResource(NetworkRef ref) {
    ObjectNode body = network.getOrDefault(ref.type(), new TreeMap<>()).get(ref.key());
    if (body != null) {
      return Answer.json(200, body.deepCopy());
    }
    if (!resourceGroups.contains(ref.resourceGroupKey())) {
      return Answer.error(404, "ResourceGroupNotFound", "Resource group '" + ref.resourceGroup()
          + "' could not be found.", Map.of());
    }
    return Answer.error(404, "ResourceNotFound", "The Resource '" + ref.armType().replace("/subnets", "") + "/"
        + ref.displayName() + "' under resource group '" + ref.resourceGroup() + "' was not found. For more details "
        + "please go to https://aka.ms/ARMResourceNotFoundFix", Map.of());
  }

  private static ResourceIds.Ref requireRef(String id, String type) {
    return ResourceIds.Ref.parse(id).filter(r -> r.isA(ResourceIds.NETWORK, type))
        .orElseThrow(() -> new IllegalArgumentException("expected a Microsoft.Network/" + type + " ID, got '"
            + id + "'"));
  }

  private ObjectNode networkResource(ResourceIds.Ref ref, String location, String type) {
    ObjectNode body = JSON.objectNode();
    body.put("name", ref.name());
    body.put("id", ref.id());
    body.put("etag", "W/\"" + UUID.randomUUID() + "\"");
    body.put("location", location);
    body.putObject("tags");
    body.put("type", type);
    body.putObject("sku").put("name", "Standard").put("tier", "Regional");
    ObjectNode p = body.putObject("properties");
    p.put("provisioningState", "Succeeded");
    p.put("resourceGuid", UUID.nameUUIDFromBytes(ref.key().getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .toString());
    return body;
  }

  synchronized boolean removeCluster(String id) {
    return clusters.remove(ResourceIds.key(id)) != null;
  }

  /** The cluster as a GET would show it now (with {@code eTag}), without counting as a GET. */
  /** The body of the cluster whose {@code properties.fqdn} is {@code fqdn} (case-insensitive), if any. */
  synchronized Optional<ObjectNode> clusterByFqdn(String fqdn) {
    return clusters.values().stream().filter(c -> fqdn.equalsIgnoreCase(c.body.path("properties").path("fqdn")
        .asText(""))).map(c -> c.body.deepCopy()).findFirst();
  }

  synchronized Optional<ObjectNode> cluster(String id, Instant now) {
    Cluster c = clusters.get(ResourceIds.key(id));
    if (c == null) {
      return Optional.empty();
    }
    settle(c, now);
    return Optional.of(view(c));
  }

  synchronized String editCluster(String id, Consumer<ObjectNode> edit, Instant now) {
    Cluster c = requireCluster(id);
    settle(c, now);
    applyEdit(c, edit);
    return c.eTag;
  }

  synchronized void mutateAfterNextGet(String id, Consumer<ObjectNode> edit) {
    requireCluster(id).afterNextGet.add(edit);
  }

  synchronized void endNextOperation(String id, Ending ending) {
    requireCluster(id).nextEndings.add(ending);
  }

  /** Someone else's operation (an upgrade, say) starts now on the cluster: it is Updating and PUTs get 409. */
  synchronized String beginExternalOperation(String id, Duration duration, Instant now) {
    Cluster c = requireCluster(id);
    settle(c, now);
    Operation op = startOperation(c, DEFAULT_API_VERSION, now, duration);
    c.eTag = newETag();
    return baseUrl + signer.sign(op.path(), now);
  }

  private Cluster requireCluster(String id) {
    Cluster c = clusters.get(ResourceIds.key(id));
    if (c == null) {
      throw new IllegalArgumentException("no managed cluster " + id + " in the emulator");
    }
    return c;
  }

  private void applyEdit(Cluster c, Consumer<ObjectNode> edit) {
    ObjectNode copy = view(c);
    edit.accept(copy);
    copy.remove("eTag");
    c.body = copy;
    c.eTag = newETag();
  }

  /** Adds or overwrites tags on the cluster now, out of band; a new eTag. */
  synchronized String tagCluster(String id, Map<String, String> tags, Instant now) {
    ObjectNode wanted = JSON.objectNode();
    Cluster c = requireCluster(id);
    settle(c, now);
    if (c.body.path("tags").isObject()) {
      wanted.setAll((ObjectNode) c.body.get("tags").deepCopy());
    }
    tags.forEach((name, value) -> {
      removeTag(wanted, name);
      wanted.put(name, value);
    });
    Optional<Answer> bad = tagsProblem(wanted);
    if (bad.isPresent()) {
      throw new IllegalArgumentException(bad.get().body().at("/error/message").asText());
    }
    applyEdit(c, body -> body.set("tags", wanted));
    return c.eTag;
  }

  /** Removes tags (names compared case-insensitively, as Azure does) from the cluster now; a new eTag. */
  synchronized String untagCluster(String id, Collection<String> names, Instant now) {
    Cluster c = requireCluster(id);
    settle(c, now);
    applyEdit(c, body -> {
      if (body.path("tags").isObject()) {
        names.forEach(name -> removeTag((ObjectNode) body.get("tags"), name));
      }
    });
    return c.eTag;
  }

  private static void removeTag(ObjectNode tags, String name) {
    for (Iterator<String> it = tags.fieldNames(); it.hasNext();) {
      if (it.next().equalsIgnoreCase(name)) {
        it.remove();
      }
    }
  }

  /**
   * Azure's rules for {@code tags}: an object of strings, at most 50, names up to 512 characters (without
   * {@code < > % & \ ? /}), values up to 256. Absent or null is fine. The codes and wording are the emulator's.
   */
  static Optional<Answer> tagsProblem(JsonNode tags) {
    if (tags == null || tags.isNull()) {
      return Optional.empty();
    }
    if (!tags.isObject()) {
      return Optional.of(Answer.error(ArmError.badRequest("InvalidRequestContent",
          "The request content was invalid and could not be deserialized: tags must be an object of strings.")));
    }
    if (tags.size() > MAX_TAGS) {
      return Optional.of(Answer.error(ArmError.badRequest("InvalidTag", "A resource can have at most " + MAX_TAGS
          + " tags; got " + tags.size() + ".")));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = tags.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> tag = it.next();
      String name = tag.getKey();
      if (!tag.getValue().isTextual()) {
        return Optional.of(Answer.error(ArmError.badRequest("InvalidRequestContent", "The request content was "
            + "invalid and could not be deserialized: the value of tag '" + name + "' must be a string.")));
      }
      if (name.isEmpty() || name.length() > MAX_TAG_NAME || name.matches(".*[<>%&\\\\?/\\p{Cntrl}].*")) {
        return Optional.of(Answer.error(ArmError.badRequest("InvalidTagName", "The tag name '" + name
            + "' is invalid: 1 to " + MAX_TAG_NAME + " characters, none of '<,>,%,&,\\,?,/' or control "
            + "characters.")));
      }
      if (tag.getValue().asText().length() > MAX_TAG_VALUE) {
        return Optional.of(Answer.error(ArmError.badRequest("InvalidTagValue", "The value of tag '" + name
            + "' is longer than " + MAX_TAG_VALUE + " characters.")));
      }
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- lists

  /**
   * What a list request names.
   *
   * @param resourceGroup null for a subscription's list
   * @param kind CLUSTER_LIST, PUBLIC_IP_LIST or PUBLIC_IP_PREFIX_LIST
   * @param path the request's path, as sent
   */
  record ListScope(String subscription, String resourceGroup, RequestKind kind, String path) {
  }

  /**
   * One page of a list: {@code {"value": [...], "nextLink": "..."}}, items exactly as a GET of each shows it, sorted
   * by lower-cased ID, at most {@code listPageSize} per page, {@code nextLink} absent on the last page.
   *
   * @param skipToken the {@code $skiptoken} of the request (null on the first page)
   */
  synchronized Answer list(ListScope scope, String skipToken, String apiVersion, Instant now) {
    String subscription = scope.subscription().toLowerCase(Locale.ROOT);
    String prefix = "/subscriptions/" + subscription + "/";
    if (scope.resourceGroup() != null) {
      String group = scope.resourceGroup().toLowerCase(Locale.ROOT);
      if (!resourceGroups.contains(subscription + "/" + group)) {
        return Answer.error(404, "ResourceGroupNotFound", "Resource group '" + scope.resourceGroup()
            + "' could not be found.", Map.of());
      }
      prefix += "resourcegroups/" + group + "/";
    }
    String after = null;
    if (skipToken != null) {
      after = skipTokens.lastKey(scope.path(), skipToken).orElse(null);
      if (after == null) {
        return Answer.error(ArmError.badRequest("InvalidSkipToken", "The $skiptoken '" + skipToken + "' is not "
            + "valid for this list. Follow the nextLink exactly as a previous page gave it."));
      }
    }
    NavigableMap<String, ?> all = switch (scope.kind()) {
      case CLUSTER_LIST -> clusters;
      case PUBLIC_IP_LIST -> publicIps;
      case PUBLIC_IP_PREFIX_LIST -> prefixes;
      case AZURE_FIREWALL_LIST -> network.getOrDefault(NetworkRef.AZURE_FIREWALLS, new TreeMap<>());
      default -> throw new IllegalArgumentException("not a list: " + scope.kind());
    };
    NavigableMap<String, ?> rest = after == null ? all.tailMap(prefix, true) : all.tailMap(after, false);
    ObjectNode page = JSON.objectNode();
    ArrayNode value = page.putArray("value");
    String last = null;
    boolean more = false;
    for (Map.Entry<String, ?> e : rest.entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        break;
      }
      if (value.size() == listPageSize) {
        more = true;
        break;
      }
      if (e.getValue() instanceof Cluster c) {
        settle(c, now);
        value.add(view(c));
      } else {
        value.add(((ObjectNode) e.getValue()).deepCopy());
      }
      last = e.getKey();
    }
    if (more) {
      page.put("nextLink", baseUrl + ResourceIds.path(scope.path()) + "?api-version="
          + URLEncoder.encode(apiVersion, StandardCharsets.UTF_8) + "&$skiptoken="
          + skipTokens.token(scope.path(), last));
    }
    return Answer.json(200, page);
  }

  // ---------------------------------------------------------------- ARM calls

  synchronized Answer getCluster(ResourceIds.Ref ref, Instant now) {
    Cluster c = clusters.get(ref.key());
    if (c == null) {
      return notFound(ref);
    }
    settle(c, now);
    ObjectNode answer = view(c);
    Consumer<ObjectNode> edit = c.afterNextGet.poll();
    if (edit != null) {
      applyEdit(c, edit);
    }
    return Answer.json(200, answer);
  }

  synchronized Answer putCluster(ResourceIds.Ref ref, JsonNode request, String ifMatch, String ifNoneMatch,
      String apiVersion, Instant now) {
    return putCluster(ref, request, ifMatch, ifNoneMatch, apiVersion, now, before -> { });
  }

  /**
   * @param before gets the cluster as a GET would have shown it just before the PUT was judged (null when absent),
   *     under the same lock, so that nothing can change between that view and the judgement
   */
  synchronized Answer putCluster(ResourceIds.Ref ref, JsonNode request, String ifMatch, String ifNoneMatch,
      String apiVersion, Instant now, Consumer<ObjectNode> before) {
    Cluster c = clusters.get(ref.key());
    if (c != null) {
      settle(c, now);
    }
    before.accept(c == null ? null : view(c));
    Optional<Answer> precondition = precondition(c, ifMatch, ifNoneMatch);
    if (precondition.isPresent()) {
      return precondition.get();
    }
    if (c != null && c.running != null) {
      return busy(c);
    }
    if (request == null || !request.isObject()) {
      return Answer.error(ArmError.badRequest("InvalidRequestContent",
          "The request content was invalid and could not be deserialized: the body must be a JSON object."));
    }
    if (!request.path("location").isTextual() || request.get("location").asText().isBlank()) {
      return Answer.error(ArmError.badRequest("LocationRequired",
          "The location property is required for this definition."));
    }
    if (c != null && !sameLocation(c.body.path("location").asText(), request.get("location").asText())) {
      return Answer.error(ArmError.badRequest("InvalidParameter", "The location of managed cluster '"
          + ref.name() + "' cannot be changed from '" + c.body.path("location").asText() + "' to '"
          + request.get("location").asText() + "'."));
    }
    if (request.has("properties") && !request.get("properties").isObject()) {
      return Answer.error(ArmError.badRequest("InvalidRequestContent",
          "The request content was invalid and could not be deserialized: properties must be an object."));
    }
    Optional<Answer> badTags = tagsProblem(request.get("tags"));
    if (badTags.isPresent()) {
      return badTags.get();
    }
    AuthorizedRangesValidation.Result checked = AuthorizedRangesValidation.check(request, c == null ? null : c.body);
    if (checked instanceof AuthorizedRangesValidation.Result.Invalid invalid) {
      return Answer.error(invalid.error());
    }
    List<String> ranges = AuthorizedRangesValidation.ordered(
        ((AuthorizedRangesValidation.Result.Valid) checked).stored(), rangeOrder);

    ObjectNode stored = storedBody(ref, c, (ObjectNode) request);
    if (ranges != null) {
      ArrayNode array = ((ObjectNode) stored.get("properties")).withObjectProperty("apiServerAccessProfile")
          .putArray("authorizedIPRanges");
      ranges.forEach(array::add);
    }
    boolean created = c == null;
    if (created) {
      c = new Cluster(ref.id(), stored, newETag());
      clusters.put(ref.key(), c);
      resourceGroups.add(ref.resourceGroupKey());
    } else {
      c.body = stored;
      c.eTag = newETag();
    }
    Operation op = startOperation(c, apiVersion, now, operationDuration);
    ((ObjectNode) c.body.get("properties")).put("provisioningState", created ? "Creating" : "Updating");
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Azure-AsyncOperation", baseUrl + signer.sign(op.path(), now));
    headers.put("Location", baseUrl + signer.sign(op.resultPath(), now));
    retryAfter(op, now).ifPresent(v -> headers.put("Retry-After", v));
    return new Answer(created ? 201 : 200, headers, view(c));
  }

  synchronized Answer patchCluster(ResourceIds.Ref ref, JsonNode request, String ifMatch, Instant now) {
    Cluster c = clusters.get(ref.key());
    if (c == null) {
      return notFound(ref);
    }
    settle(c, now);
    Optional<Answer> precondition = precondition(c, ifMatch, null);
    if (precondition.isPresent()) {
      return precondition.get();
    }
    if (c.running != null) {
      return busy(c);
    }
    if (request == null || !request.isObject() || !request.path("tags").isObject()) {
      return Answer.error(ArmError.badRequest("InvalidRequestContent",
          "The request content was invalid and could not be deserialized: a PATCH of a managed cluster takes "
              + "{\"tags\": {...}} only."));
    }
    Optional<Answer> badTags = tagsProblem(request.get("tags"));
    if (badTags.isPresent()) {
      return badTags.get();
    }
    c.body.set("tags", request.get("tags").deepCopy());
    c.eTag = newETag();
    return Answer.json(200, view(c));
  }

  synchronized Answer getPublicIp(ResourceIds.Ref ref) {
    ObjectNode body = publicIps.get(ref.key());
    return body == null ? notFound(ref) : Answer.json(200, body.deepCopy());
  }

  synchronized Answer getPublicIpPrefix(ResourceIds.Ref ref) {
    ObjectNode body = prefixes.get(ref.key());
    return body == null ? notFound(ref) : Answer.json(200, body.deepCopy());
  }

  /** The key of the cluster an operation runs on, or null when there is no such operation. */
  synchronized String operationClusterKey(String operationId) {
    Operation op = operations.get(operationId.toLowerCase(Locale.ROOT));
    return op == null ? null : op.clusterKey;
  }

  /** The {@code Azure-AsyncOperation} URL: the operation's status document. */
  synchronized Answer getOperation(String operationId, Instant now) {
    Operation op = operations.get(operationId.toLowerCase(Locale.ROOT));
    if (op == null) {
      return Answer.error(404, "NotFound", "Operation '" + operationId + "' was not found.", Map.of());
    }
    Cluster c = clusters.get(op.clusterKey);
    if (c != null) {
      settle(c, now);
    }
    return op.running(now) ? new Answer(200, retryAfter(op, now).map(v -> Map.of("Retry-After", v)).orElse(Map.of()),
        operationStatus(op, now)) : Answer.json(200, operationStatus(op, now));
  }

  /**
   * The {@code Location} URL: 202 while the operation runs, 204 when it succeeded, 200 with the status document when
   * it failed or was canceled.
   */
  synchronized Answer getOperationResult(String operationId, Instant now) {
    Operation op = operations.get(operationId.toLowerCase(Locale.ROOT));
    if (op == null) {
      return Answer.error(404, "NotFound", "Operation '" + operationId + "' was not found.", Map.of());
    }
    Cluster c = clusters.get(op.clusterKey);
    if (c != null) {
      settle(c, now);
    }
    if (op.running(now)) {
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Location", baseUrl + signer.sign(op.resultPath(), now));
      retryAfter(op, now).ifPresent(v -> headers.put("Retry-After", v));
      return new Answer(202, headers, null);
    }
    if (op.ending.status().equals("Succeeded")) {
      return new Answer(204, Map.of(), null);
    }
    return Answer.json(200, operationStatus(op, now));
  }

  /**
   * By default seconds until the operation ends, 1 to 10: the SDK's own poller otherwise waits 30 s between polls,
   * while ARM asks for 10 to 15 s. Empty when the header is switched off; fixed when so configured.
   */
  private Optional<String> retryAfter(Operation op, Instant now) {
    if (operationRetryAfter != null) {
      return operationRetryAfter < 0 ? Optional.empty() : Optional.of(Integer.toString(operationRetryAfter));
    }
    long millis = Math.max(0, Duration.between(now, op.end).toMillis());
    return Optional.of(Long.toString(Math.min(10, Math.max(1, (millis + 999) / 1000))));
  }

  private ObjectNode operationStatus(Operation op, Instant now) {
    ObjectNode body = JSON.objectNode();
    body.put("id", op.path());
    body.put("name", op.id);
    body.put("status", op.running(now) ? "InProgress" : op.ending.status());
    body.put("startTime", op.start.toString());
    if (!op.running(now)) {
      body.put("endTime", op.end.toString());
      if (op.ending.code() != null) {
        body.putObject("error").put("code", op.ending.code()).put("message", op.ending.message());
      }
    }
    return body;
  }

  // ---------------------------------------------------------------- internals

  private Operation startOperation(Cluster c, String apiVersion, Instant now, Duration duration) {
    ResourceIds.Ref ref = ResourceIds.Ref.parse(c.id).orElseThrow();
    Ending ending = c.nextEndings.isEmpty() ? Ending.SUCCEEDED : c.nextEndings.poll();
    String location = c.body.path("location").asText("unknown").replace(" ", "").toLowerCase(Locale.ROOT);
    Operation op = new Operation(UUID.randomUUID().toString(), ResourceIds.key(c.id), ref.subscription(), location,
        apiVersion == null || apiVersion.isBlank() ? DEFAULT_API_VERSION : apiVersion, now, now.plus(duration),
        ending);
    operations.put(op.id, op);
    c.running = op;
    ((ObjectNode) c.body.withObjectProperty("properties")).put("provisioningState", "Updating");
    return op;
  }

  /** Ends the running operation if its time has come. */
  private static void settle(Cluster c, Instant now) {
    if (c.running != null && !c.running.running(now)) {
      ((ObjectNode) c.body.withObjectProperty("properties")).put("provisioningState", c.running.ending.status());
      c.running = null;
    }
  }

  private Optional<Answer> precondition(Cluster c, String ifMatch, String ifNoneMatch) {
    if (ifMatch != null) {
      String wanted = unquote(ifMatch);
      if (c == null) {
        return Optional.of(Answer.error(412, "PreconditionFailed", "Operation failed with status: 'Precondition "
            + "Failed'. Details: If-Match was given but the resource does not exist.", Map.of()));
      }
      if (!(wanted.equals("*") || wanted.equals(c.eTag))) {
        c.staleWrites++;
        boolean mismatch = staleETagAnswer == StaleETagAnswer.ETAG_MISMATCH
            || staleETagAnswer == StaleETagAnswer.ALTERNATE && c.staleWrites % 2 == 0;
        if (mismatch) {
          // As AKS answers it: a 409 whose message reads like "busy", the precondition only in the details.
          ObjectNode body = JSON.objectNode();
          ObjectNode error = body.putObject("error");
          error.put("code", "EtagMismatch");
          error.put("message", "Operation is not allowed: Another operation is in progress");
          error.putArray("details").addObject().put("code", "Unspecified")
              .put("message", "rpc error: code = FailedPrecondition desc = Etag mismatched");
          return Optional.of(new Answer(409, Map.of(), body));
        }
        return Optional.of(Answer.error(412, "PreconditionFailed", "Operation failed with status: 'Precondition "
            + "Failed'. Details: the If-Match eTag '" + wanted + "' does not match the current eTag '" + c.eTag
            + "' of the managed cluster.", Map.of()));
      }
    }
    if (ifNoneMatch != null && c != null) {
      String unwanted = unquote(ifNoneMatch);
      if (unwanted.equals("*") || unwanted.equals(c.eTag)) {
        return Optional.of(Answer.error(412, "PreconditionFailed",
            "Operation failed with status: 'Precondition Failed'. Details: If-None-Match '" + unwanted
                + "' was given and the managed cluster exists.", Map.of()));
      }
    }
    return Optional.empty();
  }

  private static Answer busy(Cluster c) {
    return Answer.error(409, "OperationNotAllowed", "Operation is not allowed: Another operation (Updating) is in "
        + "progress, please wait for it to finish before starting a new operation. See "
        + "https://aka.ms/aks-pending-operation for more details", Map.of());
  }

  private Answer notFound(ResourceIds.Ref ref) {
    if (!resourceGroups.contains(ref.resourceGroupKey())) {
      return Answer.error(404, "ResourceGroupNotFound", "Resource group '" + ref.resourceGroup()
          + "' could not be found.", Map.of());
    }
    return Answer.error(404, "ResourceNotFound", "The Resource '" + ref.namespace() + "/" + ref.type() + "/"
        + ref.name() + "' under resource group '" + ref.resourceGroup()
        + "' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", Map.of());
  }

  private static ObjectNode storedBody(ResourceIds.Ref ref, Cluster previous, ObjectNode request) {
    ObjectNode stored = request.deepCopy();
    stored.remove("eTag");
    stored.put("id", previous == null ? ref.id() : previous.id);
    stored.put("name", previous == null ? ref.name() : previous.body.path("name").asText(ref.name()));
    stored.put("type", "Microsoft.ContainerService/ManagedClusters");
    ObjectNode properties = stored.withObjectProperty("properties");
    properties.remove("provisioningState");
    if (previous != null) {
      for (List<String> path : SERVER_OWNED) {
        restore(previous.body, stored, path);
      }
    }
    return stored;
  }

  private static void restore(ObjectNode from, ObjectNode to, List<String> path) {
    JsonNode source = from;
    JsonNode target = to;
    for (int i = 0; i < path.size() - 1; i++) {
      source = source.path(path.get(i));
      target = target.path(path.get(i));
    }
    String leaf = path.get(path.size() - 1);
    if (target.isObject() && source.has(leaf)) {
      ((ObjectNode) target).set(leaf, source.get(leaf).deepCopy());
    }
  }

  /** A copy of the stored body with the {@code eTag} placed where the service puts it, before properties. */
  private static ObjectNode view(Cluster c) {
    ObjectNode out = JSON.objectNode();
    c.body.fields().forEachRemaining(e -> {
      if (e.getKey().equals("properties")) {
        out.put("eTag", c.eTag);
      }
      out.set(e.getKey(), e.getValue().deepCopy());
    });
    if (!out.has("eTag")) {
      out.put("eTag", c.eTag);
    }
    return out;
  }

  private static boolean sameLocation(String a, String b) {
    return a.replace(" ", "").equalsIgnoreCase(b.replace(" ", ""));
  }

  static String unquote(String eTag) {
    String v = eTag.trim();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    return v;
  }

  static String newETag() {
    return UUID.randomUUID().toString();
  }
}
