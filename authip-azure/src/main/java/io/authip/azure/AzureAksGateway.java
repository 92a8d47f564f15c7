package io.authip.azure;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.profile.AzureProfile;
import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.resourcemanager.containerservice.fluent.models.ManagedClusterInner;
import com.azure.resourcemanager.network.NetworkManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.azure.Outcome.Failure;
import io.authip.policy.ApiServerAccess;
import io.authip.policy.ClusterSnapshot;
import io.authip.policy.EgressChain;
import io.authip.policy.EgressPath;
import com.azure.resourcemanager.network.fluent.models.AzureFirewallInner;
import com.azure.resourcemanager.network.fluent.models.NatGatewayInner;
import com.azure.resourcemanager.network.fluent.models.RouteInner;
import com.azure.resourcemanager.network.fluent.models.RouteTableInner;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import com.azure.resourcemanager.network.models.AzureFirewallIpConfiguration;
import java.util.ArrayList;
import java.util.List;
import io.authip.policy.ProvisioningState;
import io.authip.ranges.Cidr;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AksGateway} on the Azure SDK. One instance serves every cluster and subscription: all calls share one
 * pipeline (credential, bounded retries, call recording) and one cache of resolved addresses.
 *
 * <p>{@link #read} GETs the raw JSON through that pipeline and maps it with the SDK's own model; the raw text stays
 * in the snapshot, because the typed {@code ManagedClusterInner} drops read-only and unknown fields when serialized,
 * so a typed PUT would send back less than it read. {@link #apply} edits only the one owned field of that raw body
 * and PUTs it with If-Match on the eTag of the same response, so a cluster read once can be changed without a second
 * GET, and a body that went stale meanwhile is refused by Azure (412) rather than written.
 */
public final class AzureAksGateway implements AksGateway {

  /**
   * The api-version of azure-resourcemanager-containerservice 2.54.1, whose model maps what is read: the GET and
   * the PUT must use the version that model was generated from.
   */
  public static final String CLUSTER_API_VERSION = "2025-07-01";
  /** The api-version azure-resourcemanager-network 2.53.4 uses for public IP addresses and prefixes. */
  static final String NETWORK_API_VERSION = "2024-07-01";
  /** A list longer than this many pages is refused rather than followed without end (10,000 clusters: 100 pages). */
  static final int MAX_LIST_PAGES = 2_000;

  private static final Logger LOG = LoggerFactory.getLogger(AzureAksGateway.class);
  private static final HttpHeaderName AZURE_ASYNC_OPERATION = HttpHeaderName.fromString("Azure-AsyncOperation");
  private static final Pattern SUBSCRIPTION = Pattern.compile(ClusterTarget.SUBSCRIPTION_PATTERN);
  private static final Pattern RESOURCE_GROUP = Pattern.compile(ClusterTarget.RESOURCE_GROUP_PATTERN);
  private static final Pattern CLUSTER_NAME = Pattern.compile(ClusterTarget.CLUSTER_NAME_PATTERN);

  private final AzureConfig config;
  private final HttpPipeline pipeline;
  private final ConcurrentMap<String, NetworkManager> networkClients = new ConcurrentHashMap<>();
  private final AddressResolver resolver;
  private final EgressPathResolver egressPaths;
  /** Paces this identity's requests with Azure's published limits; shared by every identity's gateway. */
  private final ArmPacer pacer;
  /** Whose budget this gateway spends: {@link #OWN_PRINCIPAL}, or a grant identity's client ID. */
  private final String principal;
  /** Reservations made for a call that could not go yet, by target and call: the call takes its own slot later. */
  private final ConcurrentMap<String, Ticket> tickets = new ConcurrentHashMap<>();
  /** Per list path, the clusters of its last complete list as mapped then: an item listed the same again is reused. */
  private final ConcurrentMap<String, Map<String, Reused>> lastListed = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong lastTicketSweep = new java.util.concurrent.atomic.AtomicLong();
  private final LongSupplier nanoClock;

  /** The principal name of the operator's own identity in the pacer. */
  public static final String OWN_PRINCIPAL = "authip";
  /** A reservation not used this long after its slot is given back. */
  static final Duration TICKET_TTL = Duration.ofMinutes(2);
  /** The longest a list waits for its budget between two pages before it gives up (Throttled). */
  static final Duration MAX_PAGE_WAIT = Duration.ofMinutes(2);

  private record Ticket(ArmPacer.Reservation reservation) {
  }

  /**
   * The production wiring: one HTTP client (trusting the optional CA) for the credential chain and for Resource
   * Manager.
   */
  public static AzureAksGateway create(AzureConfig config, AzureCallListener listener) {
    com.azure.core.http.HttpClient http = AzureHttpClients.create(config);
    AzureCredentials credentials = AzureCredentials.create(config, http);
    LOG.info("Azure: {}; credential chain {}", config.describe(), credentials.chain());
    ArmPacer pacer = new ArmPacer(config.pacing() ? ArmPacer.Limits.azure() : ArmPacer.Limits.unlimited());
    return new AzureAksGateway(config, ArmPipeline.create(config, credentials.credential(), http, listener, pacer,
        OWN_PRINCIPAL), System::nanoTime, pacer, OWN_PRINCIPAL);
  }

  /**
   * A gateway acting as another identity (a TargetGrant's) on the given HTTP client (configured as the operator's
   * own, and shared by every identity's gateway): its own pipeline (token cache) and its own cache of resolved
   * addresses, so that nothing one identity may read is served to another.
   */
  public static AzureAksGateway create(AzureConfig config, com.azure.core.http.HttpClient http,
      com.azure.core.credential.TokenCredential credential, AzureCallListener listener, ArmPacer pacer,
      String principal) {
    return new AzureAksGateway(config, ArmPipeline.create(config, credential, http, listener, pacer, principal),
        System::nanoTime, pacer, principal);
  }

  AzureAksGateway(AzureConfig config, HttpPipeline pipeline, LongSupplier nanoClock) {
    this(config, pipeline, nanoClock, new ArmPacer(ArmPacer.Limits.unlimited(), nanoClock), OWN_PRINCIPAL);
  }

  AzureAksGateway(AzureConfig config, HttpPipeline pipeline, LongSupplier nanoClock, ArmPacer pacer,
      String principal) {
    this.config = config;
    this.pipeline = pipeline;
    this.pacer = pacer;
    this.principal = principal;
    this.nanoClock = nanoClock;
    // NetworkManager's typed clients rather than raw GETs: the SDK owns the network api-version and the response
    // model, while requests still go through the shared pipeline (same token, retries and call recording).
    this.resolver = new AddressResolver(this::lookup, config.resolveCacheTtl(), nanoClock);
    this.egressPaths = new EgressPathResolver(new EgressPathResolver.Network() {
      @Override
      public Outcome<EgressChain.Subnet> subnet(ArmNetworkId id) {
        return lookupSubnet(id);
      }

      @Override
      public Outcome<List<EgressChain.Route>> routes(ArmNetworkId routeTable) {
        return lookupRoutes(routeTable);
      }

      @Override
      public Outcome<EgressChain.NatGateway> natGateway(ArmNetworkId id) {
        return lookupNatGateway(id);
      }

      @Override
      public Outcome<List<EgressChain.Firewall>> firewalls(String subscriptionId) {
        return listFirewalls(subscriptionId);
      }
    }, config.resolveCacheTtl(), nanoClock);
  }

  @Override
  public Outcome<ClusterSnapshot> read(ClusterTarget target) {
    Optional<Failure> bad = checkTarget(target);
    if (bad.isPresent()) {
      return Outcome.failed(bad.get());
    }
    String what = "managed cluster " + target.resourceId();
    Optional<Failure> paced = take(target.key() + "|get", target.getSubscriptionId(), null, ArmPacer.Call.CLUSTER_GET,
        ArmPacer.Priority.URGENT);
    if (paced.isPresent()) {
      return Outcome.failed(paced.get());
    }
    // One raw GET serves both the typed model (what authip reads) and the body apply() sends back.
    HttpRequest get = new HttpRequest(HttpMethod.GET, clusterUrl(target))
        .setHeader(HttpHeaderName.ACCEPT, "application/json");
    try (HttpResponse r = pipeline.sendSync(get, CallRecordingPolicy.operation(AzureCallListener.CLUSTER_GET))) {
      byte[] bytes = r.getBodyAsBinaryData() == null ? null : r.getBodyAsBinaryData().toBytes();
      if (!success(r.getStatusCode())) {
        return Outcome.failed(ArmErrors.fromResponse(r.getStatusCode(), r.getHeaders(), errorBody(bytes), what));
      }
      if (bytes == null || bytes.length == 0) {
        return Outcome.failed(new Failure.Transient(what + ": Azure answered without a body"));
      }
      ManagedClusterInner cluster;
      try (JsonReader json = JsonProviders.createReader(bytes)) {
        cluster = ManagedClusterInner.fromJson(json);
      }
      if (cluster == null) {
        return Outcome.failed(new Failure.Transient(what + ": Azure answered without a managed cluster"));
      }
      return Outcome.ok(SnapshotMapper.from(target, cluster, new String(bytes, StandardCharsets.UTF_8)));
    } catch (IOException | RuntimeException e) {
      return failed(what, e);
    }
  }

  @Override
  public Outcome<Map<String, Cidr>> resolve(Collection<String> resourceIds) {
    return resolver.resolve(resourceIds);
  }

  @Override
  public Optional<Map<String, Cidr>> resolveCached(Collection<String> resourceIds) {
    return resolver.cached(resourceIds);
  }

  @Override
  public Outcome<Map<String, EgressPath>> egressPaths(Collection<String> subnetIds) {
    return egressPaths.resolve(subnetIds);
  }

  @Override
  public Optional<Map<String, EgressPath>> egressPathsCached(Collection<String> subnetIds) {
    return egressPaths.cached(subnetIds);
  }

  @Override
  public Outcome<OperationHandle> apply(ClusterSnapshot snapshot, ApiServerAccess desired) {
    if (snapshot == null || desired == null) {
      return Outcome.failed(new Failure.Rejected("InvalidRequest", "a snapshot and a desired access are required"));
    }
    Optional<Failure> bad = checkTarget(snapshot.target());
    if (bad.isPresent()) {
      return Outcome.failed(bad.get());
    }
    ClusterTarget target = snapshot.target();
    String what = "managed cluster " + target.resourceId();
    java.util.List<String> ranges = desired.toAks();
    if (desired.access() != Access.Unrestricted && ranges.isEmpty()) {
      // An empty list switches the restriction off (rule R6): only an explicit Unrestricted may send one.
      return Outcome.failed(new Failure.Rejected("EmptyAuthorizedRanges", what + ": refusing to send an empty "
          + "authorizedIPRanges list for " + desired.access() + "; that would open the API server to everyone"));
    }
    if (snapshot.eTag() == null || snapshot.eTag().isBlank()) {
      return Outcome.failed(new Failure.Rejected("MissingETag", what + ": the cluster was read without an eTag, "
          + "so a change could overwrite someone else's; refusing to PUT"));
    }
    if (snapshot.operationInProgress()) {
      return Outcome.failed(new Failure.Busy(what + ": provisioningState is " + snapshot.provisioningState()));
    }
    String url = clusterUrl(target);
    Optional<Failure> paced = take(target.key() + "|put", target.getSubscriptionId(),
        ArmPacer.clusterId(target.getSubscriptionId(), target.getResourceGroup(), target.getClusterName()),
        ArmPacer.Call.CLUSTER_PUT, ArmPacer.Priority.URGENT);
    if (paced.isPresent()) {
      return Outcome.failed(paced.get());
    }

    JsonNode current;
    if (snapshot.rawBody() != null) {
      try {
        current = ClusterJson.parse(snapshot.rawBody().getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        return Outcome.failed(new Failure.Transient(what + ": the body read before could not be parsed again: "
            + e.getMessage()));
      }
    } else {
      try (HttpResponse r = pipeline.sendSync(new HttpRequest(HttpMethod.GET, url),
          CallRecordingPolicy.operation(AzureCallListener.CLUSTER_GET))) {
        JsonNode body = body(r);
        if (!success(r.getStatusCode())) {
          return Outcome.failed(ArmErrors.fromResponse(r.getStatusCode(), r.getHeaders(), body, what));
        }
        current = body;
      } catch (IOException | RuntimeException e) {
        return failed(what, e);
      }
    }
    if (current == null || !current.isObject()) {
      return Outcome.failed(new Failure.Transient(what + ": Azure answered the GET without a JSON object"));
    }
    String eTag = ClusterJson.eTag(current);
    if (!snapshot.eTag().equals(eTag)) {
      return Outcome.failed(new Failure.PreconditionFailed(what + ": the cluster changed since it was read (eTag "
          + snapshot.eTag() + ", now " + eTag + "); read it again"));
    }
    String state = ClusterJson.provisioningState(current);
    if (state != null && !ProvisioningState.isTerminal(state)) {
      return Outcome.failed(new Failure.Busy(what + ": provisioningState is " + state));
    }

    byte[] putBody;
    try {
      putBody = ClusterJson.write(ClusterJson.withAuthorizedRanges(current, ranges));
    } catch (IllegalArgumentException e) {
      return Outcome.failed(new Failure.Rejected("UnexpectedClusterBody", what + ": " + e.getMessage()));
    }
    HttpRequest put = new HttpRequest(HttpMethod.PUT, url)
        .setHeader(HttpHeaderName.IF_MATCH, snapshot.eTag())
        .setHeader(HttpHeaderName.CONTENT_TYPE, "application/json")
        .setBody(putBody);
    try (HttpResponse r = pipeline.sendSync(put, CallRecordingPolicy.operation(AzureCallListener.CLUSTER_PUT))) {
      if (!success(r.getStatusCode())) {
        return Outcome.failed(ArmErrors.fromResponse(r.getStatusCode(), r.getHeaders(), body(r), what));
      }
      String pollUrl = operationUrl(target, r.getHeaderValue(AZURE_ASYNC_OPERATION),
          r.getHeaderValue(HttpHeaderName.LOCATION));
      LOG.info("{}: authorizedIPRanges {} -> {}, operation {}", target, snapshot.access().describe(),
          desired.describe(), pathOnly(pollUrl));
      Duration retryAfter = RetryAfter.parse(r.getHeaderValue(HttpHeaderName.RETRY_AFTER), java.time.Instant.now())
          .filter(d -> !d.isNegative() && !d.isZero()).orElse(null);
      return Outcome.ok(new OperationHandle(pollUrl, snapshot.clusterId(), retryAfter));
    } catch (IOException | RuntimeException e) {
      return failed(what, e);
    }
  }

  /**
   * Polls the operation's URL, rebuilt on the configured endpoint by {@link OperationUrl}. When there is no URL
   * authip may call (none recorded, or one {@link OperationUrl} refuses) or Azure refuses the poll with 401/403, the
   * state is read from the cluster's {@code provisioningState} instead (see {@link #fromCluster}).
   */
  @Override
  public Outcome<OperationStatus> poll(OperationHandle handle) {
    if (handle == null) {
      return Outcome.failed(new Failure.Rejected(Failure.Rejected.INVALID_OPERATION_HANDLE, "no operation handle"));
    }
    Optional<ClusterTarget> cluster = OperationUrl.cluster(handle.clusterId());
    OperationUrl url;
    try {
      if (handle.pollUrl() == null || handle.pollUrl().isBlank()) {
        throw new OperationUrl.Refused("there is none");
      }
      url = OperationUrl.parse(handle.pollUrl(), config.armEndpoint(), handle.clusterId());
    } catch (OperationUrl.Refused e) {
      String problem = "the operation URL recorded for this change was not called: " + e.getMessage();
      if (cluster.isEmpty()) {
        return Outcome.failed(new Failure.Rejected(Failure.Rejected.UNTRUSTED_POLL_URL, problem + "; nor does the handle name a "
            + "managed cluster ('" + abbreviate(handle.clusterId()) + "') whose provisioningState could tell"));
      }
      LOG.warn("{}: {}; reading the cluster's provisioningState instead", cluster.get(), problem);
      return fromCluster(cluster.get(), Failure.Rejected.UNTRUSTED_POLL_URL + ": " + problem + ". authip follows the cluster's "
          + "provisioningState instead. authip records only operation URLs it rebuilt on the Resource Manager "
          + "endpoint " + config.armEndpoint() + ": unless that endpoint was changed, someone else wrote this one into "
          + "status.targets[].pendingOperation.pollUrl; check who may write the status of AuthorizedIpPolicy "
          + "resources");
    }
    if (url.kind() == OperationUrl.Kind.CLUSTER) {
      // ARM named no operation: the cluster's own state is the designed way to follow the change.
      return fromCluster(cluster.orElseThrow(), null);
    }
    String what = "operation " + url.path();
    Optional<Failure> paced = take(handle.clusterId().toLowerCase(Locale.ROOT) + "|op", url.subscription(), null,
        ArmPacer.Call.OPERATION_GET, ArmPacer.Priority.URGENT);
    if (paced.isPresent()) {
      return Outcome.failed(paced.get());
    }
    try (HttpResponse r = pipeline.sendSync(new HttpRequest(HttpMethod.GET, url.toUrl(config.armEndpoint())),
        CallRecordingPolicy.operation(AzureCallListener.OPERATION_GET))) {
      JsonNode body = body(r);
      if (r.getStatusCode() == 401 || r.getStatusCode() == 403) {
        Failure refused = ArmErrors.fromResponse(r.getStatusCode(), r.getHeaders(), body, what);
        LOG.warn("{}; reading the cluster's provisioningState instead", refused.message());
        if (r.getStatusCode() == 401) {
          return fromCluster(cluster.orElseThrow(), "OperationUnauthenticated: Azure did not accept polling " + what
              + " (" + refused.message().substring(what.length() + 2) + "); authip follows the cluster's "
              + "provisioningState instead. When the cluster read works, the token is fine and the URL's signature "
              + "was refused: the URL was changed after Azure gave it");
        }
        return fromCluster(cluster.orElseThrow(), "OperationForbidden: Azure refused polling " + what + " ("
            + refused.message().substring(what.length() + 2) + "); authip follows the cluster's provisioningState "
            + "instead. AKS operations live at subscription scope (/subscriptions/" + url.subscription()
            + "/providers/Microsoft.ContainerService/locations/...): grant Microsoft.ContainerService/locations/"
            + "operations/read and locations/operationresults/read on the subscription, not only on the cluster's "
            + "resource group");
      }
      if (!success(r.getStatusCode())) {
        return Outcome.failed(ArmErrors.fromResponse(r.getStatusCode(), r.getHeaders(), body, what));
      }
      return Outcome.ok(OperationStatuses.from(r.getStatusCode(), body));
    } catch (IOException | RuntimeException e) {
      return failed(what, e);
    }
  }

  /**
   * The operation's state as the cluster shows it: Succeeded is Succeeded, Failed and Canceled are Failed (as
   * {@link OperationStatuses} reports them), any other state (Updating, Creating, Upgrading, ...) is InProgress; no
   * state at all means nothing runs. A change AKS accepted sets the cluster's state before the PUT is answered, so
   * a terminal state here is the change's own end, or a later one's.
   */
  private Outcome<OperationStatus> fromCluster(ClusterTarget target, String fallback) {
    Outcome<ClusterSnapshot> read = read(target);
    if (read instanceof Outcome.Failed<ClusterSnapshot> f) {
      return Outcome.failed(f.failure());
    }
    String state = ((Outcome.Ok<ClusterSnapshot>) read).value().provisioningState();
    if (state == null || state.isEmpty()) {
      return Outcome.ok(new OperationStatus.Succeeded(fallback));
    }
    return Outcome.ok(ProvisioningState.terminal(state).<OperationStatus>map(t -> switch (t) {
      case Succeeded -> new OperationStatus.Succeeded(fallback);
      case Failed -> new OperationStatus.Failed(t.name(), "the cluster's provisioningState is Failed", fallback);
      case Canceled -> new OperationStatus.Failed(t.name(), "the cluster's provisioningState is " + state, fallback);
    }).orElseGet(() -> new OperationStatus.InProgress(fallback)));
  }

  /**
   * What {@link #poll} will call for a change ARM accepted: its {@code Azure-AsyncOperation} URL, else its
   * {@code Location}, each only as {@link OperationUrl} rebuilds it; else (none given, or both refused) the
   * cluster's own URL, whose {@code provisioningState} then tells when the change is done.
   */
  String operationUrl(ClusterTarget target, String asyncOperation, String location) {
    for (String header : new String[] {asyncOperation, location}) {
      if (header == null || header.isBlank()) {
        continue;
      }
      try {
        return OperationUrl.parse(header, config.armEndpoint(), target.resourceId()).toUrl(config.armEndpoint());
      } catch (OperationUrl.Refused e) {
        LOG.warn("{}: not following the operation URL Azure answered: {}", target, e.getMessage());
      }
    }
    return clusterUrl(target);
  }

  @Override
  public Outcome<ClusterListing> listClusters(String subscriptionId, String resourceGroup) {
    if (subscriptionId == null || !SUBSCRIPTION.matcher(subscriptionId).matches()
        || resourceGroup != null && !RESOURCE_GROUP.matcher(resourceGroup).matches()) {
      return Outcome.failed(new Failure.Rejected("InvalidScope", "'" + subscriptionId
          + (resourceGroup == null ? "" : "/" + resourceGroup) + "' is not a subscription ID (and resource group)"));
    }
    String path = "subscriptions/" + subscriptionId + (resourceGroup == null ? "" : "/resourceGroups/" + resourceGroup)
        + "/providers/Microsoft.ContainerService/managedClusters";
    java.util.List<ClusterListing.Listed> out = new java.util.ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    Map<String, Reused> before = lastListed.getOrDefault(path, Map.of());
    Map<String, Reused> now = new java.util.HashMap<>();
    Outcome<Integer> pages = pages(path, CLUSTER_API_VERSION, AzureCallListener.CLUSTER_LIST, item -> {
      // A cluster listed exactly as the last time (same ID, eTag and content) is the same snapshot: mapping every
      // item of every list again was half the operator's CPU with 10,000 clusters listed every 14 s.
      String id = item.path("id").asText("").toLowerCase(Locale.ROOT);
      String eTag = item.path("eTag").asText(item.path("etag").asText(null));
      long hash = contentHash(item);
      Reused same = before.get(id);
      if (same != null && eTag != null && eTag.equals(same.eTag()) && hash == same.hash()
          && seen.add(same.listed().snapshot().target().key())) {
        out.add(same.listed());
        now.put(id, same);
        return;
      }
      byte[] bytes = ClusterJson.write(item);
      ManagedClusterInner cluster;
      try (JsonReader json = JsonProviders.createReader(bytes)) {
        cluster = ManagedClusterInner.fromJson(json);
      }
      Optional<ClusterTarget> target = cluster == null ? Optional.empty() : OperationUrl.cluster(cluster.id());
      if (target.isEmpty()) {
        LOG.warn("{}: skipped a listed item that is not a managed cluster ID: {}", path,
            cluster == null ? "null" : abbreviate(cluster.id()));
        return;
      }
      if (seen.add(target.get().key())) {
        ClusterListing.Listed listed = new ClusterListing.Listed(SnapshotMapper.from(target.get(), cluster, null),
            cluster.tags() == null ? Map.of() : withoutNullValues(cluster.tags()));
        out.add(listed);
        now.put(id, new Reused(eTag, hash, listed));
      }
    });
    if (pages.isOk()) {
      lastListed.put(path, Map.copyOf(now));
    }
    return pages.map(n -> new ClusterListing(out, n));
  }

  /** A listed cluster as mapped the last time, with what tells whether it is listed the same again. */
  private record Reused(String eTag, long hash, ClusterListing.Listed listed) {
  }

  /**
   * A hash of a JSON value that does not depend on the order of arrays or of object members: ARM (and the emulator)
   * may list the same cluster with its lists in another order.
   */
  static long contentHash(JsonNode node) {
    if (node.isObject()) {
      long h = 0x9E3779B97F4A7C15L;
      for (var it = node.fields(); it.hasNext(); ) {
        var e = it.next();
        h += mix(e.getKey().hashCode() * 0x100000001B3L + contentHash(e.getValue()));
      }
      return mix(h);
    }
    if (node.isArray()) {
      long h = node.size();
      for (JsonNode element : node) {
        h += mix(contentHash(element));
      }
      return mix(h ^ 0xC2B2AE3D27D4EB4FL);
    }
    return mix(node.asText().hashCode() * 31L + node.getNodeType().ordinal());
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static final Pattern LOCATION = Pattern.compile(io.authip.api.v1alpha1.ServiceTagSource.LOCATION_PATTERN);
  private static final Pattern TAG_NAME = Pattern.compile(io.authip.api.v1alpha1.ServiceTagSource.NAME_PATTERN);

  @Override
  public Outcome<ServiceTag> serviceTag(String subscriptionId, String location, String name,
      String knownChangeNumber) {
    if (subscriptionId == null || !SUBSCRIPTION.matcher(subscriptionId).matches()) {
      return Outcome.failed(new Failure.Rejected("InvalidScope", "'" + subscriptionId + "' is not a subscription ID"));
    }
    if (location == null || !LOCATION.matcher(location).matches() || name == null
        || !TAG_NAME.matcher(name).matches()) {
      return Outcome.failed(new Failure.Rejected("InvalidServiceTag", "location '" + location + "' and tag '" + name
          + "' must be a location name and a service tag name"));
    }
    String path = "subscriptions/" + subscriptionId + "/providers/Microsoft.Network/locations/" + location
        + "/serviceTagDetails";
    String tag = "&tagName=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8);
    int requests = 0;
    for (boolean withPrefixes : new boolean[] {false, true}) {
      java.util.List<JsonNode> found = new java.util.ArrayList<>();
      Outcome<Integer> pages = pages(path, "&noAddressPrefixes=" + !withPrefixes + tag, NETWORK_API_VERSION,
          AzureCallListener.SERVICE_TAG_DETAILS, item -> {
            if (name.equalsIgnoreCase(item.path("name").asText(""))) {
              found.add(item);
            }
          });
      if (pages instanceof Outcome.Failed<Integer> f) {
        return Outcome.failed(f.failure());
      }
      requests += ((Outcome.Ok<Integer>) pages).value();
      if (found.size() != 1) {
        return Outcome.failed(new Failure.Rejected("ServiceTagNotFound", found.isEmpty()
            ? "service tag '" + name + "' is not listed in the cloud of subscription " + subscriptionId
                + " (Service Tag Discovery API, location " + location + "); check the name, e.g. "
                + "AzureCloud.westeurope" : "service tag '" + name + "' is listed " + found.size() + " times"));
      }
      JsonNode properties = found.get(0).path("properties");
      String changeNumber = properties.path("changeNumber").asText(null);
      String listedName = found.get(0).path("name").asText();
      if (!withPrefixes) {
        if (changeNumber != null && changeNumber.equals(knownChangeNumber)) {
          return Outcome.ok(new ServiceTag(listedName, changeNumber, null, requests));
        }
        continue;
      }
      if (!properties.path("addressPrefixes").isArray()) {
        return Outcome.failed(new Failure.Transient("service tag '" + name + "': the answer has no addressPrefixes"));
      }
      java.util.List<String> prefixes = new java.util.ArrayList<>();
      properties.path("addressPrefixes").forEach(p -> prefixes.add(p.asText()));
      return Outcome.ok(new ServiceTag(listedName, changeNumber, prefixes, requests));
    }
    throw new IllegalStateException("unreachable");
  }

  @Override
  public Outcome<AddressListing> listAddresses(String subscriptionId) {
    if (subscriptionId == null || !SUBSCRIPTION.matcher(subscriptionId).matches()) {
      return Outcome.failed(new Failure.Rejected("InvalidScope", "'" + subscriptionId + "' is not a subscription ID"));
    }
    Map<String, Cidr> found = new java.util.HashMap<>();
    int total = 0;
    for (boolean prefixes : new boolean[] {false, true}) {
      String path = "subscriptions/" + subscriptionId + "/providers/Microsoft.Network/"
          + (prefixes ? "publicIPPrefixes" : "publicIPAddresses");
      Outcome<Integer> pages = pages(path, NETWORK_API_VERSION,
          prefixes ? AzureCallListener.PREFIX_LIST : AzureCallListener.PUBLIC_IP_LIST, item -> {
            String id = item.path("id").asText(null);
            String text = item.path("properties").path(prefixes ? "ipPrefix" : "ipAddress").asText(null);
            if (id == null || text == null || text.isBlank()) {
              return; // not allocated yet: resolve() looks it up alone and says so
            }
            try {
              found.put(id.toLowerCase(Locale.ROOT), Cidr.parse(text.strip()));
            } catch (IllegalArgumentException e) {
              // resolve() looks it up alone and refuses it with the reason
            }
          });
      if (pages instanceof Outcome.Failed<Integer> f) {
        return Outcome.failed(f.failure());
      }
      total += ((Outcome.Ok<Integer>) pages).value();
    }
    resolver.prime(found);
    return Outcome.ok(new AddressListing(found, total));
  }

  /**
   * Reserves the requests a change of this cluster needs with priority over routine lists (the PUT; once its turn
   * has come, the GET it starts from), and says how long until they may go: zero when now; {@link #read} and
   * {@link #apply} of this cluster then use these reservations.
   */
  @Override
  public Duration pace(ClusterTarget target, boolean withRead) {
    String sub = target.getSubscriptionId();
    String cluster = ArmPacer.clusterId(sub, target.getResourceGroup(), target.getClusterName());
    Duration put = ticket(target.key() + "|put", sub, cluster, ArmPacer.Call.CLUSTER_PUT);
    if (put.compareTo(Duration.ZERO) > 0 || !withRead) {
      return put;
    }
    // The GET is reserved only once the PUT's turn has come: reserved together, a thousand changes queued behind
    // the write bucket would hold the read bucket for the whole time, and polls and lists would wait behind GETs
    // that are not going to be sent yet.
    return ticket(target.key() + "|get", sub, null, ArmPacer.Call.CLUSTER_GET);
  }

  @Override
  public Duration queued(ClusterTarget target) {
    Ticket put = tickets.get(target.key() + "|put");
    return put == null || !put.reservation().granted() ? Duration.ZERO : put.reservation().remaining();
  }

  @Override
  public String principal() {
    return principal;
  }

  /** The pacer, to be shared with the gateways of other identities (the AKS buckets are per cluster, not per caller). */
  public ArmPacer pacer() {
    return pacer;
  }

  private Duration ticket(String key, String subscription, String clusterId, ArmPacer.Call call) {
    Ticket t = tickets.computeIfAbsent(key, k -> new Ticket(pacer.reserve(principal, subscription, clusterId, call,
        ArmPacer.Priority.URGENT)));
    return t.reservation().remaining();
  }

  /**
   * Takes the budget for one call: the reservation made for it earlier, or a new one. Empty when the call may go now;
   * otherwise the reservation is kept for this call and it is told when to come back.
   */
  private Optional<Failure> take(String key, String subscription, String clusterId, ArmPacer.Call call,
      ArmPacer.Priority priority) {
    sweepTickets();
    Ticket held = tickets.remove(key);
    ArmPacer.Reservation r = held != null ? held.reservation()
        : pacer.reserve(principal, subscription, clusterId, call, priority);
    if (!r.granted()) {
      return Optional.of(new Failure.Paced(r.delay(), "no room in the request budget for " + call + " in subscription "
          + subscription + " before " + r.delay().toMillis() + " ms"));
    }
    Duration wait = r.remaining();
    if (wait.isZero() || wait.isNegative()) {
      return Optional.empty();
    }
    tickets.put(key, new Ticket(r));
    return Optional.of(new Failure.Paced(wait, "Azure's request budget of this identity in subscription "
        + subscription + " has room for this " + call + " in " + wait.toMillis() + " ms"));
  }

  /** Gives back reservations nobody came back for (a change that turned out not to be needed, a deleted policy). */
  private void sweepTickets() {
    long now = nanoClock.getAsLong();
    long last = lastTicketSweep.get();
    if (now - last < Duration.ofSeconds(30).toNanos() || !lastTicketSweep.compareAndSet(last, now)) {
      return;
    }
    tickets.entrySet().removeIf(e -> {
      ArmPacer.Reservation r = e.getValue().reservation();
      // remaining() is zero once due: a reservation due for longer than the TTL is stale (its slot passed unused).
      boolean stale = r.remaining().isZero() && r.overdue().compareTo(TICKET_TTL) > 0;
      if (stale) {
        r.release();
      }
      return stale;
    });
  }

  /**
   * Waits on this list's own thread (never a reconcile thread) for the budget of one more page: a routine request,
   * which leaves a reserve of the bucket to changes and polls.
   */
  private Optional<Failure> awaitPage(String path, String operation) {
    String sub = path.split("/")[1];
    ArmPacer.Call call = AzureCallListener.CLUSTER_LIST.equals(operation) ? ArmPacer.Call.CLUSTER_LIST_PAGE
        : ArmPacer.Call.ADDRESS_LIST_PAGE;
    long deadline = nanoClock.getAsLong() + MAX_PAGE_WAIT.toNanos();
    while (true) {
      ArmPacer.Reservation r = pacer.reserve(principal, sub, null, call, ArmPacer.Priority.ROUTINE);
      Duration wait = r.granted() ? r.remaining() : r.delay();
      if (r.granted() && wait.isZero()) {
        return Optional.empty();
      }
      if (nanoClock.getAsLong() + wait.toNanos() > deadline) {
        r.release();
        return Optional.of(new Failure.Throttled(wait, "list " + path + ": no room in the request budget within "
            + MAX_PAGE_WAIT.toSeconds() + " s"));
      }
      try {
        Thread.sleep(Math.max(1, wait.toMillis()));
      } catch (InterruptedException e) {
        r.release();
        Thread.currentThread().interrupt();
        return Optional.of(new Failure.Transient("list " + path + ": interrupted while waiting for the budget"));
      }
      if (r.granted()) {
        return Optional.empty();
      }
    }
  }

  /** Reads one item of a list page; may throw IOException on an item it cannot parse. */
  @FunctionalInterface
  private interface ItemReader {
    void read(JsonNode item) throws IOException;
  }

  /**
   * GETs a list and every page after it. A {@code nextLink} is followed only when it is the same list on the
   * configured Resource Manager endpoint (only its query differs): the bearer token goes nowhere else.
   *
   * @return how many pages were read
   */
  private Outcome<Integer> pages(String path, String apiVersion, String operation, ItemReader items) {
    return pages(path, "", apiVersion, operation, items);
  }

  /** As above, with more query parameters ({@code &name=value...}, encoded) on the first page's URL. */
  private Outcome<Integer> pages(String path, String query, String apiVersion, String operation, ItemReader items) {
    String what = "list " + path;
    String url = config.armEndpoint() + path + "?api-version=" + apiVersion + query;
    int pages = 0;
    try {
      while (url != null) {
        if (++pages > MAX_LIST_PAGES) {
          return Outcome.failed(new Failure.Transient(what + ": more than " + MAX_LIST_PAGES + " pages; giving up"));
        }
        Optional<Failure> budget = awaitPage(path, operation);
        if (budget.isPresent()) {
          return Outcome.failed(budget.get());
        }
        HttpRequest get = new HttpRequest(HttpMethod.GET, url).setHeader(HttpHeaderName.ACCEPT, "application/json");
        JsonNode page;
        try (HttpResponse r = pipeline.sendSync(get, CallRecordingPolicy.operation(operation))) {
          page = body(r);
          if (!success(r.getStatusCode())) {
            return Outcome.failed(ArmErrors.fromResponse(r.getStatusCode(), r.getHeaders(), page, what));
          }
        }
        if (page == null || !page.path("value").isArray()) {
          return Outcome.failed(new Failure.Transient(what + ": page " + pages + " has no value array"));
        }
        for (JsonNode item : page.path("value")) {
          items.read(item);
        }
        String next = page.path("nextLink").asText(null);
        url = next == null || next.isBlank() ? null : nextLink(next, path);
        if (url == null && next != null && !next.isBlank()) {
          return Outcome.failed(new Failure.Rejected("UntrustedNextLink", what + ": the next page's link is not "
              + "this list on " + config.armEndpoint() + "; not following it"));
        }
      }
      return Outcome.ok(pages);
    } catch (IOException | RuntimeException e) {
      return failed(what, e);
    }
  }

  /** The link to follow, or null when it points anywhere but the same list on the configured endpoint. */
  private String nextLink(String link, String path) {
    try {
      java.net.URI next = new java.net.URI(link);
      java.net.URI base = config.armEndpoint();
      String expected = (base.getPath() == null || base.getPath().isEmpty() ? "/" : base.getPath()) + path;
      if (!"https".equalsIgnoreCase(next.getScheme()) || next.getRawUserInfo() != null
          || !base.getHost().equalsIgnoreCase(next.getHost()) || base.getPort() != next.getPort()
          || next.getRawFragment() != null || !expected.equalsIgnoreCase(next.getPath())
          || next.getRawQuery() == null) {
        return null;
      }
      return base.getScheme() + "://" + base.getRawAuthority() + next.getRawPath() + "?" + next.getRawQuery();
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  private static Map<String, String> withoutNullValues(Map<String, String> tags) {
    Map<String, String> out = new java.util.HashMap<>();
    tags.forEach((k, v) -> {
      if (k != null && v != null) {
        out.put(k, v);
      }
    });
    return out;
  }

  private Outcome<Cidr> lookup(ArmAddressId id) {
    String what = id.describe();
    Optional<Failure> paced = take(id.key() + "|addr", id.subscriptionId(), null, ArmPacer.Call.ADDRESS_GET,
        ArmPacer.Priority.URGENT);
    if (paced.isPresent()) {
      return Outcome.failed(paced.get());
    }
    try {
      NetworkManager network = networkClient(id.subscriptionId());
      String text;
      if (id.kind() == ArmAddressId.Kind.PUBLIC_IP) {
        var ip = network.serviceClient().getPublicIpAddresses().getByResourceGroupWithResponse(id.resourceGroup(),
            id.name(), null, CallRecordingPolicy.operation(AzureCallListener.PUBLIC_IP_GET)).getValue();
        text = ip == null ? null : ip.ipAddress();
      } else {
        var prefix = network.serviceClient().getPublicIpPrefixes().getByResourceGroupWithResponse(id.resourceGroup(),
            id.name(), null, CallRecordingPolicy.operation(AzureCallListener.PREFIX_GET)).getValue();
        text = prefix == null ? null : prefix.ipPrefix();
      }
      if (text == null || text.isBlank()) {
        return Outcome.failed(new Failure.Rejected("NoAddress", what + " has no "
            + (id.kind() == ArmAddressId.Kind.PUBLIC_IP ? "ipAddress (not allocated yet?)" : "ipPrefix")
            + "; its egress cannot be authorized"));
      }
      try {
        return Outcome.ok(Cidr.parse(text.strip()));
      } catch (IllegalArgumentException e) {
        return Outcome.failed(new Failure.Rejected("UnsupportedAddress", what + " has '" + text
            + "', which cannot be an authorized range: " + e.getMessage()));
      }
    } catch (RuntimeException e) {
      return failed(what, e);
    }
  }

  // ---------------------------------------------------------------- egress paths: subnet, route table, NAT, firewall

  /**
   * One network resource of an egress path: paced as an urgent read, fetched through the SDK, then mapped; an answer
   * without a body is a transient failure naming {@code noun}.
   */
  private <T, R> Outcome<R> lookupNetwork(ArmNetworkId id, String noun,
      java.util.function.Function<com.azure.resourcemanager.network.fluent.NetworkManagementClient, T> fetch,
      java.util.function.Function<T, R> map) {
    String what = id.describe();
    Optional<Failure> paced = take(id.key() + "|net", id.subscriptionId(), null, ArmPacer.Call.ADDRESS_GET,
        ArmPacer.Priority.URGENT);
    if (paced.isPresent()) {
      return Outcome.failed(paced.get());
    }
    try {
      T found = fetch.apply(networkClient(id.subscriptionId()).serviceClient());
      if (found == null) {
        return Outcome.failed(new Failure.Transient(what + ": Azure answered without a " + noun));
      }
      return Outcome.ok(map.apply(found));
    } catch (RuntimeException e) {
      return chainFailed(what, e);
    }
  }

  private Outcome<EgressChain.Subnet> lookupSubnet(ArmNetworkId id) {
    return lookupNetwork(id, "subnet", c -> c.getSubnets().getWithResponse(id.resourceGroup(), id.parent(), id.name(),
        null, CallRecordingPolicy.operation(AzureCallListener.SUBNET_GET)).getValue(),
        (SubnetInner subnet) -> new EgressChain.Subnet(subnet.id() == null ? id.key() : subnet.id(),
            subnet.natGateway() == null ? null : refId(subnet.natGateway().id()),
            subnet.routeTable() == null ? null : refId(subnet.routeTable().id())));
  }

  private Outcome<List<EgressChain.Route>> lookupRoutes(ArmNetworkId id) {
    return lookupNetwork(id, "route table", c -> c.getRouteTables().getByResourceGroupWithResponse(
        id.resourceGroup(), id.name(), null, CallRecordingPolicy.operation(AzureCallListener.ROUTE_TABLE_GET))
        .getValue(), (RouteTableInner table) -> {
          List<EgressChain.Route> routes = new ArrayList<>();
          for (RouteInner r : table.routes() == null ? List.<RouteInner>of() : table.routes()) {
            routes.add(new EgressChain.Route(r.name(), r.addressPrefix(),
                r.nextHopType() == null ? null : r.nextHopType().toString(), r.nextHopIpAddress()));
          }
          return List.copyOf(routes);
        });
  }

  private Outcome<EgressChain.NatGateway> lookupNatGateway(ArmNetworkId id) {
    return lookupNetwork(id, "NAT gateway", c -> c.getNatGateways().getByResourceGroupWithResponse(
        id.resourceGroup(), id.name(), null, CallRecordingPolicy.operation(AzureCallListener.NAT_GATEWAY_GET))
        .getValue(), (NatGatewayInner nat) -> new EgressChain.NatGateway(nat.id() == null ? id.key() : nat.id(),
            subIds(nat.publicIpAddresses()), subIds(nat.publicIpPrefixes())));
  }

  /**
   * The Azure Firewalls of a subscription ({@code AzureFirewalls_ListAll}), every page. One read is reserved for the
   * list: a subscription holds few firewalls, one page.
   */
  private Outcome<List<EgressChain.Firewall>> listFirewalls(String subscriptionId) {
    String what = "the Azure Firewalls of subscription " + subscriptionId;
    if (subscriptionId == null || !SUBSCRIPTION.matcher(subscriptionId).matches()) {
      return Outcome.failed(new Failure.Rejected("InvalidScope", "'" + subscriptionId + "' is not a subscription ID"));
    }
    Optional<Failure> paced = take("azurefirewalls|" + subscriptionId.toLowerCase(Locale.ROOT), subscriptionId, null,
        ArmPacer.Call.ADDRESS_GET, ArmPacer.Priority.URGENT);
    if (paced.isPresent()) {
      return Outcome.failed(paced.get());
    }
    try {
      List<EgressChain.Firewall> out = new ArrayList<>();
      for (AzureFirewallInner f : networkClient(subscriptionId).serviceClient().getAzureFirewalls()
          .list(CallRecordingPolicy.operation(AzureCallListener.FIREWALL_LIST))) {
        List<EgressChain.IpConfiguration> configs = new ArrayList<>();
        if (f.ipConfigurations() != null) {
          for (AzureFirewallIpConfiguration c : f.ipConfigurations()) {
            configs.add(new EgressChain.IpConfiguration(c.privateIpAddress(),
                c.publicIpAddress() == null ? null : refId(c.publicIpAddress().id()),
                c.subnet() == null ? null : c.subnet().id()));
          }
        }
        out.add(new EgressChain.Firewall(f.id(), configs));
      }
      return Outcome.ok(List.copyOf(out));
    } catch (RuntimeException e) {
      return chainFailed(what, e);
    }
  }

  /** A reference's ID; a reference without one stays in as "" so that resolving it fails, never drops out. */
  private static String refId(String id) {
    return id == null ? "" : id;
  }

  private static List<String> subIds(List<com.azure.core.management.SubResource> refs) {
    return refs == null ? List.of() : refs.stream().map(r -> r == null ? "" : refId(r.id())).toList();
  }

  /**
   * A failed read on an egress path. A 404 there is not the cluster's: it says which resource is missing (a subnet
   * that names a deleted NAT gateway, say), and refuses as the fail-closed answer it is.
   */
  private static <T> Outcome<T> chainFailed(String what, RuntimeException e) {
    Outcome<T> failed = failed(what, e);
    if (failed instanceof Outcome.Failed<T> f && f.failure() instanceof Failure.NotFound) {
      return Outcome.failed(new Failure.Rejected("EgressResourceNotFound", what + " was not found (404), so the "
          + "cluster's egress through it cannot be resolved: " + f.failure().message()));
    }
    return failed;
  }

  private NetworkManager networkClient(String subscriptionId) {
    return networkClients.computeIfAbsent(subscriptionId.toLowerCase(Locale.ROOT),
        s -> NetworkManager.authenticate(pipeline, profile(subscriptionId)));
  }

  private AzureProfile profile(String subscriptionId) {
    return new AzureProfile(config.tenantId(), subscriptionId, config.environment());
  }

  private String clusterUrl(ClusterTarget t) {
    return config.armEndpoint() + "subscriptions/" + t.getSubscriptionId() + "/resourceGroups/" + t.getResourceGroup()
        + "/providers/Microsoft.ContainerService/managedClusters/" + t.getClusterName() + "?api-version="
        + CLUSTER_API_VERSION;
  }

  private static String abbreviate(String s) {
    return s == null ? "null" : s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  private static Optional<Failure> checkTarget(ClusterTarget t) {
    if (t == null) {
      return Optional.of(new Failure.Rejected("InvalidTarget", "no cluster target"));
    }
    if (t.getSubscriptionId() == null || !SUBSCRIPTION.matcher(t.getSubscriptionId()).matches()
        || t.getResourceGroup() == null || !RESOURCE_GROUP.matcher(t.getResourceGroup()).matches()
        || t.getClusterName() == null || !CLUSTER_NAME.matcher(t.getClusterName()).matches()) {
      return Optional.of(new Failure.Rejected("InvalidTarget", "'" + t + "' is not a valid managed cluster ID"));
    }
    return Optional.empty();
  }

  private static JsonNode body(HttpResponse r) throws IOException {
    byte[] bytes = r.getBodyAsBinaryData() == null ? null : r.getBodyAsBinaryData().toBytes();
    try {
      return ClusterJson.parse(bytes);
    } catch (IOException e) {
      if (success(r.getStatusCode())) {
        throw e;
      }
      // An error page that is not JSON (a proxy's, say): the status code alone classifies it.
      return null;
    }
  }

  /** An error body, parsed if it is JSON; a proxy's HTML error page gives null and the status alone classifies it. */
  private static JsonNode errorBody(byte[] bytes) {
    try {
      return ClusterJson.parse(bytes);
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean success(int status) {
    return status >= 200 && status < 300;
  }

  /** Operation URLs may carry signed query parameters: logs and messages get the path only. */
  private static String pathOnly(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }

  private static <T> Outcome<T> failed(String what, Throwable e) {
    Failure f = ArmErrors.fromException(e, what);
    if (ArmErrors.isUnexpected(e)) {
      LOG.warn("{}", f.message(), e);
    } else {
      LOG.debug("{}", f.message());
    }
    return Outcome.failed(f);
  }
}
