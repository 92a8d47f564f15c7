package io.authip.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * A local Azure Resource Manager for managed clusters, public IP addresses and public IP prefixes (reads, paged lists,
 * cluster PUT and PATCH, long-running operations, throttling as Azure publishes it), over HTTPS on 127.0.0.1, with an
 * Entra ID token endpoint, so that the real Azure SDK (credential, bearer policy, retry policy,
 * long-running operations) runs against it unchanged. Tests program its faults and read its counters; see
 * {@code docs/emulator.md}.
 *
 * <pre>{@code
 * try (ArmEmulator arm = ArmEmulator.builder().operationDuration(Duration.ZERO).start()) {
 *   ClusterFixture cluster = ClusterFixture.loadBalancerManagedOutbound("sub", "rg", "aks1");
 *   arm.seed(cluster);
 *   // point the SDK at arm.baseUrl() (ARM and authority host), tenant arm.tenantId(), trusting arm.certificate()
 * }
 * }</pre>
 */
public final class ArmEmulator implements AutoCloseable {

  /** The tenant the token endpoint serves unless told otherwise. */
  public static final String DEFAULT_TENANT_ID = "7d6f3a2e-4b1c-4e8a-9f00-a17b5e0c0de1";
  public static final Duration DEFAULT_OPERATION_DURATION = Duration.ofSeconds(2);

  private final HttpsServer server;
  private final ThreadPoolExecutor executor;
  private final ScheduledExecutorService scheduler;
  private final SelfSignedCertificate certificate;
  private final ResourceStore store;
  private ApiServerEndpoints apiServers;
  private final RequestStats stats;
  private final FaultPlan faults;
  private final ArmHttpHandler handler;
  private final Clock clock;
  private final String tenantId;
  private final String baseUrl;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  static {
    // The JDK server reads these once, when its classes load, so they must be set before the first server starts.
    // It writes headers and body separately: with Nagle on, answers wait for the client's delayed ACK.
    defaultProperty("sun.net.httpserver.nodelay", "true");
    // The SDK's Netty pool keeps hundreds of connections under load; the default cap of 200 idle ones would close
    // the rest and cost a TLS handshake each time they are needed again.
    defaultProperty("sun.net.httpserver.maxIdleConnections", "2000");
    // The JDK server capitalises header names ("Client-request-id") and MSAL looks up its correlation ID echo
    // case-sensitively, so it logs an INFO line per token that only this emulator causes: io.authip.logging keeps
    // com.microsoft.aad.msal4j at warn.
  }

  private static void defaultProperty(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private ArmEmulator(Builder b) throws IOException {
    this.clock = b.clock;
    this.tenantId = b.tenantId;
    this.certificate = SelfSignedCertificate.generate(b.certificateValidity);
    this.store = new ResourceStore(b.operationDuration, b.rangeOrder, b.staleETagAnswer);
    store.listPageSize(b.listPageSize);
    store.operationRetryAfter(b.operationRetryAfter);
    this.stats = new RequestStats(b.requestLogCapacity, b.requestListener);
    this.faults = new FaultPlan();
    this.executor = new ThreadPoolExecutor(b.threads, b.threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        daemonThreads("arm-emulator-"));
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("arm-emulator-delay-"));
    this.handler = new ArmHttpHandler(store, stats, faults, new Throttler(b.throttling), clock, tenantId, executor,
        scheduler);
    this.server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), b.port), 1024);
    server.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
    server.setExecutor(executor);
    server.createContext("/", handler);
    server.start();
    this.baseUrl = "https://127.0.0.1:" + server.getAddress().getPort();
    store.baseUrl(baseUrl);
    handler.baseUrl(baseUrl);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts with the defaults: a free port, {@link #DEFAULT_OPERATION_DURATION}, the system clock. */
  public static ArmEmulator start() {
    return builder().start();
  }

  // ---------------------------------------------------------------- where and how to connect

  /** {@code https://127.0.0.1:PORT}: the ARM endpoint and the authority host at once. */
  public String baseUrl() {
    return baseUrl;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String tenantId() {
    return tenantId;
  }

  /** The server's self-signed certificate (subjectAltName IP:127.0.0.1, DNS:localhost): trust exactly this. */
  public X509Certificate certificate() {
    return certificate.certificate();
  }

  public String certificatePem() {
    return certificate.pem();
  }

  public void writeCertificatePem(Path file) {
    certificate.writePem(file);
  }

  /** A PKCS12 trust store with only this certificate, for JVMs started with {@code -Djavax.net.ssl.trustStore}. */
  public void writeTrustStore(Path file, char[] password) {
    certificate.writeTrustStore(file, password);
  }

  /** A TLS context trusting only this emulator, e.g. for {@code java.net.http.HttpClient.newBuilder().sslContext}. */
  public SSLContext clientSslContext() {
    return certificate.clientContext();
  }

  public Clock clock() {
    return clock;
  }

  // ---------------------------------------------------------------- resources

  /**
   * Stores a managed cluster body as given; its {@code id} names it. Keeps the body's {@code eTag} if it has one,
   * and sets {@code provisioningState} Succeeded when absent. Replaces a cluster with the same ID.
   *
   * @return the cluster ID
   */
  public String putCluster(ObjectNode body) {
    return store.putClusterBody(body);
  }

  /** Stores a public IP address resource ({@code properties.ipAddress}). */
  public void putPublicIp(String id, String address) {
    store.putPublicIp(id, address, "westeurope");
  }

  /** Stores a public IP prefix resource ({@code properties.ipPrefix}, e.g. {@code 20.1.2.16/28}). */
  public void putPublicIpPrefix(String id, String prefix) {
    store.putPublicIpPrefix(id, prefix, "westeurope");
  }

  /**
   * Sets a service tag's prefixes (IPv4 and IPv6 mixed, as ARM lists them); its change number increases when they
   * change. {@code region} is empty for a global tag, e.g. westeurope for AzureCloud.westeurope.
   */
  public void serviceTag(String name, String region, java.util.List<String> prefixes) {
    store.serviceTags.put(name, region, prefixes);
  }

  /** Removes a service tag: it is no longer listed. */
  public void removeServiceTag(String name) {
    store.serviceTags.remove(name);
  }

  /**
   * Stores a subnet ({@code .../virtualNetworks/V/subnets/S}, with {@code properties.natGateway.id} and
   * {@code properties.routeTable.id}), NAT gateway ({@code properties.publicIpAddresses[].id},
   * {@code publicIpPrefixes[].id}), route table ({@code properties.routes[]}) or Azure Firewall
   * ({@code properties.ipConfigurations[].properties.privateIPAddress} and {@code publicIPAddress.id}) as given; its
   * {@code id} names it. Served by GET (and the firewalls by list) with Microsoft.Network's api-versions.
   *
   * @return the ID
   */
  public String putNetworkResource(ObjectNode body) {
    return store.putNetworkResource(body);
  }

  /** Stores the fixture's cluster, the public IPs and prefixes and the network resources it refers to. */
  public void seed(ClusterFixture fixture) {
    fixture.publicIps().forEach((id, address) -> store.putPublicIp(id, address, fixture.location()));
    fixture.publicIpPrefixes().forEach((id, prefix) -> store.putPublicIpPrefix(id, prefix, fixture.location()));
    fixture.networkResources().forEach(store::putNetworkResource);
    store.putClusterBody(fixture.body());
  }

  /**
   * Stores many fixtures at once (e.g. from {@link ClusterFixture#fleet}), as {@link #seed(ClusterFixture)} does each.
   *
   * @return how many clusters were stored
   */
  public int seedAll(java.util.Collection<ClusterFixture> fixtures) {
    fixtures.forEach(this::seed);
    return fixtures.size();
  }

  /** Loads a YAML or JSON seed file (format in {@code docs/emulator.md}). */
  public SeedFile.Summary seed(Path seedFile) {
    return SeedFile.load(seedFile, this);
  }

  public boolean removeCluster(String clusterId) {
    return store.removeCluster(clusterId);
  }

  // ---------------------------------------------------------------- long-running operations

  /** How long an operation started from now on stays InProgress; zero ends it at once. */
  public void operationDuration(Duration duration) {
    store.operationDuration(duration);
  }

  public Duration operationDuration() {
    return store.operationDuration();
  }

  /** The next operation started on the cluster ends Failed with this error (then provisioningState Failed). */
  public void failNextOperation(String clusterId, String code, String message) {
    store.endNextOperation(clusterId, new ResourceStore.Ending("Failed", code, message));
  }

  /** The next operation started on the cluster ends Canceled (then provisioningState Canceled). */
  public void cancelNextOperation(String clusterId) {
    store.endNextOperation(clusterId, new ResourceStore.Ending("Canceled", "OperationCanceled",
        "The operation was canceled because another operation was started on the managed cluster."));
  }

  /**
   * Someone else's operation (an upgrade, say) starts on the cluster now and runs for {@code duration}: the cluster
   * is Updating with a new eTag, PUTs get 409 OperationNotAllowed meanwhile.
   *
   * @return that operation's {@code Azure-AsyncOperation} URL
   */
  public String beginExternalOperation(String clusterId, Duration duration) {
    return store.beginExternalOperation(clusterId, duration, clock.instant());
  }

  /**
   * {@code path} (an operation's, which need not exist) as a URL signed the way ARM signs operation URLs: for tests
   * of what an unknown operation answers once its signature is right, or of a {@code Location} URL.
   */
  public String signedUrl(String path) {
    return store.signedUrl(path, clock.instant());
  }

  // ---------------------------------------------------------------- identities: federated credentials and scopes

  /**
   * Trusts {@code key} to sign tokens of the OIDC issuer {@code issuer} (an https URL, compared exactly), as Entra
   * trusts the keys it fetches from the issuer's JWKS. Several issuers, and several keys per issuer, may be trusted.
   *
   * @throws IllegalArgumentException for an issuer that is not an https URL or a key that is not RSA
   */
  public void trustIssuer(String issuer, PublicKey key) {
    handler.federatedCredentials().trustIssuer(issuer, key);
  }

  /**
   * Adds a federated identity credential to the app or managed identity {@code clientId}: from now on its token
   * requests must carry a {@code client_assertion} (type jwt-bearer) that a trusted key of {@code issuer} signed
   * (RS256), that is within its lifetime (5 minutes of skew), and whose {@code iss}, {@code sub} and one of whose
   * {@code aud} values equal one credential's, case-sensitively; a secret is refused. A client ID without any
   * credential stays lenient (any secret or assertion).
   *
   * @throws IllegalStateException when the client already has 20, Entra's limit
   * @throws IllegalArgumentException for a blank value, an issuer that is not an https URL, or a second credential
   *     with the same issuer and subject
   */
  public void federatedCredential(String clientId, String issuer, String subject, String audience) {
    handler.federatedCredentials().add(clientId, new FederatedCredentials.Credential(issuer, subject, audience));
  }

  /**
   * Where the principal {@code clientId} holds a role (Azure RBAC), replacing what was set before: ARM ID prefixes
   * such as {@code /subscriptions/{s}} or {@code /subscriptions/{s}/resourceGroups/{g}}, compared case-insensitively
   * on whole segments. Its requests for anything outside get 403 {@code AuthorizationFailed} naming the client, its
   * object ID ({@link #objectId}), the action and the scope, before anything changes; operation polls need a scope
   * covering their subscription path, as AKS operations live at subscription scope. An empty list allows nothing; a
   * principal never given scopes is unrestricted.
   *
   * @throws IllegalArgumentException for a scope that is not a subscription, resource group or resource ID
   */
  public void principalScopes(String clientId, List<String> scopes) {
    handler.roleAssignments().scopes(clientId, scopes);
  }

  /**
   * The actions the principal {@code clientId}'s role allows (a custom role's {@code Actions}, e.g. those of
   * {@code deploy/azure/authip-role.json}), replacing what was set before: any other request gets 403
   * {@code AuthorizationFailed} naming the action, before anything changes. A principal never given actions may do
   * anything its scopes cover; null lifts the restriction again.
   *
   * @throws IllegalArgumentException for something that is not an action (wildcards included)
   */
  public void principalActions(String clientId, java.util.Collection<String> actions) {
    handler.roleAssignments().actions(clientId, actions);
  }

  /** The object ID the emulator gives the service principal of {@code clientId}: stable, derived from it. */
  public static String objectId(String clientId) {
    return Principal.objectId(Objects.requireNonNull(clientId, "clientId"));
  }

  // ---------------------------------------------------------------- faults and concurrent changes

  /**
   * Where the caller's role is assigned: {@link RoleScope#RESOURCE_GROUP} makes every operation poll answer 403
   * {@code AuthorizationFailed}, as when the role is assigned on the clusters' resource groups only. It applies to
   * every caller; {@link #principalScopes} restricts one principal.
   */
  public void roleScope(RoleScope scope) {
    handler.roleScope(Objects.requireNonNull(scope, "scope"));
  }

  /** How a write with a stale {@code If-Match} is answered from now on (the builder's, by default ALTERNATE). */
  public void staleETagAnswer(StaleETagAnswer answer) {
    store.staleETagAnswer(Objects.requireNonNull(answer, "answer"));
  }

  /** The next {@code times} requests matching {@code target} get {@code fault}; rules fire in the order added. */
  public void injectFault(FaultTarget target, Fault fault, int times) {
    faults.add(Objects.requireNonNull(target, "target"), Objects.requireNonNull(fault, "fault"), times);
  }

  /**
   * Like {@link #injectFault(FaultTarget, Fault, int)}, after letting {@code skip} matching requests through: e.g.
   * the second page of a list fails while the first was answered.
   */
  public void injectFault(FaultTarget target, Fault fault, int times, int skip) {
    faults.add(Objects.requireNonNull(target, "target"), Objects.requireNonNull(fault, "fault"), times, skip);
  }

  /** Firings still pending over all fault rules. */
  public int pendingFaults() {
    return faults.pending();
  }

  /** Firings still pending for the rules added with exactly this target. */
  public int pendingFaults(FaultTarget target) {
    return faults.pending(target);
  }

  public void clearFaults() {
    faults.clear();
  }

  /**
   * Every access token issued so far stops working (401), as when a client secret is rotated or a federated
   * credential removed. A client that gets a new token carries on; one that keeps its old token can no longer touch
   * anything, which is how a test takes a stopped operator's hands off Azure while JOSDK lets its last reconcile end.
   */
  public void revokeTokens() {
    handler.revokeTokens();
  }

  /**
   * Right after the next GET of the cluster is answered, someone edits it (as in the portal): the edit gets a new
   * eTag, so a PUT with the eTag that GET returned gets 412.
   */
  public void mutateAfterNextGet(String clusterId, Consumer<ObjectNode> edit) {
    store.mutateAfterNextGet(clusterId, edit);
  }

  /**
   * Edits the stored cluster now, out of band (drift): {@code edit} gets the body as a GET would show it.
   *
   * @return the new eTag
   */
  public String editCluster(String clusterId, Consumer<ObjectNode> edit) {
    return store.editCluster(clusterId, edit, clock.instant());
  }

  /**
   * Adds or overwrites Azure tags on the cluster now, out of band (names compared case-insensitively, as Azure does;
   * the new spelling wins), as a tag change in the portal would: a new eTag.
   *
   * @return the new eTag
   * @throws IllegalArgumentException for tags Azure would refuse (more than 50, a name over 512 characters or with
   *     {@code < > % & \ ? /}, a value over 256 characters)
   */
  public String tagCluster(String clusterId, Map<String, String> tags) {
    return store.tagCluster(clusterId, Objects.requireNonNull(tags, "tags"), clock.instant());
  }

  /**
   * Removes these tags (names compared case-insensitively) from the cluster now, out of band: a new eTag.
   *
   * @return the new eTag
   */
  public String untagCluster(String clusterId, String... names) {
    return store.untagCluster(clusterId, List.of(names), clock.instant());
  }

  /** The cluster's tags now (empty when it has none). */
  public Map<String, String> tags(String clusterId) {
    ObjectNode body = cluster(clusterId).orElseThrow(() -> new IllegalArgumentException("no managed cluster "
        + clusterId));
    Map<String, String> out = new java.util.LinkedHashMap<>();
    body.path("tags").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  // ---------------------------------------------------------------- observability

  /** The cluster as a GET would show it now, without counting as a request. */
  public Optional<ObjectNode> cluster(String clusterId) {
    return store.cluster(clusterId, clock.instant());
  }

  /** The cluster's current eTag. */
  public String eTag(String clusterId) {
    return cluster(clusterId).orElseThrow(() -> new IllegalArgumentException("no managed cluster " + clusterId))
        .get("eTag").asText();
  }

  /** The body of the last PUT received for the cluster, whatever was answered. */
  public Optional<ObjectNode> lastPutBody(String clusterId) {
    return stats.lastPutBody(ResourceIds.key(clusterId));
  }

  /** Requests for one resource ID (any spelling) or operation URL, by HTTP method. */
  public int requestCount(String resourceIdOrUrl, String method) {
    return stats.count(ResourceIds.key(resourceIdOrUrl), method.toUpperCase(java.util.Locale.ROOT));
  }

  public int requestCount(RequestKind kind) {
    return stats.count(kind);
  }

  /**
   * Requests of this kind the automatic {@link Throttling} answered 429 since the last {@link #resetCounters()}
   * (injected {@link Fault#throttled} answers are not counted here).
   */
  public int throttledCount(RequestKind kind) {
    return handler.throttler().throttledCount(Objects.requireNonNull(kind, "kind"));
  }

  /** Every count, keyed {@code "<lower-cased resource ID or path> <METHOD>"}. */
  public Map<String, Integer> requestCounts() {
    return stats.countsByResourceAndMethod();
  }

  /** Requests left out of {@link #requests()} since the last reset because the log was full. */
  public int requestsDroppedFromLog() {
    return stats.droppedFromLog();
  }

  /** The newest requests (up to the builder's log capacity), oldest first. */
  public List<RecordedRequest> requests() {
    return stats.requests();
  }

  /**
   * Every managed-cluster PUT judged since the last reset (up to the builder's log capacity), oldest first, with the
   * cluster as it was stored just before it: what {@link #requests()} cannot tell, e.g. whether a PUT changed more
   * than one field.
   */
  public List<PutAudit> putAudits() {
    return stats.putAudits();
  }

  /** The {@code api-version} values seen since the last reset. */
  public Set<String> apiVersions() {
    return stats.apiVersions();
  }

  /**
   * Forgets counts (throttled counts too), the request log, PUT audits and last PUT bodies; resources stay, and so do
   * the throttling buckets (a reset does not refill them).
   */
  public void resetCounters() {
    stats.reset();
    handler.throttler().resetCounts();
  }

  /** Stops serving; safe to call more than once. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.stop(0);
    scheduler.shutdownNow();
    executor.shutdownNow();
    synchronized (this) {
      if (apiServers != null) {
        apiServers.close();
      }
    }
  }

  private synchronized ApiServerEndpoints apiServers() {
    if (apiServers == null) {
      apiServers = new ApiServerEndpoints(store, certificate);
    }
    return apiServers;
  }

  /**
   * Where the emulated API server of the cluster whose {@code properties.fqdn} is {@code fqdn} listens (127.0.0.1,
   * a port of its own, TLS with this emulator's certificate); empty when no cluster has that name. It completes a
   * TLS handshake only when the cluster's current authorized ranges are empty or contain the address set with
   * {@link #apiServerCaller}, and otherwise holds the connection unanswered, as AKS drops what its list refuses.
   */
  public java.util.Optional<java.net.InetSocketAddress> apiServer(String fqdn) {
    return apiServers().address(fqdn);
  }

  /** The address the emulated API servers see connections coming from (the operator's egress). */
  public void apiServerCaller(String ipv4Address) {
    apiServers().caller(ipv4Address);
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Options; every one has a default. */
  public static final class Builder {
    private int port;
    private String tenantId = DEFAULT_TENANT_ID;
    private Duration operationDuration = DEFAULT_OPERATION_DURATION;
    private Clock clock = Clock.systemUTC();
    private int threads = 16;
    private int requestLogCapacity = 20_000;
    private Duration certificateValidity = Duration.ofDays(30);
    private Consumer<RecordedRequest> requestListener = r -> { };
    private Throttling throttling = Throttling.none();
    private RangeOrder rangeOrder = RangeOrder.AS_SENT;
    private StaleETagAnswer staleETagAnswer = StaleETagAnswer.ALTERNATE;
    private int listPageSize = ResourceStore.DEFAULT_LIST_PAGE_SIZE;
    private Integer operationRetryAfter;

    private Builder() {
    }

    /**
     * Items per page of every list (the server's choice, as in Azure; default 100): a longer list is answered in
     * pages linked by {@code nextLink}.
     */
    public Builder listPageSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("the list page size must be at least 1, got " + size);
      }
      this.listPageSize = size;
      return this;
    }

    /**
     * {@code Retry-After: seconds} on every cluster PUT's 200/201 and every operation poll while the operation runs,
     * whatever the time left. By default the header says the seconds until the operation ends, 1 to 10.
     */
    public Builder operationRetryAfter(int seconds) {
      if (seconds < 0) {
        throw new IllegalArgumentException("Retry-After cannot be negative, got " + seconds);
      }
      this.operationRetryAfter = seconds;
      return this;
    }

    /** No {@code Retry-After} on cluster PUT answers and operation polls: clients use their own poll interval. */
    public Builder withoutOperationRetryAfter() {
      this.operationRetryAfter = -1;
      return this;
    }

    /** 0 (the default) picks a free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    public Builder tenantId(String tenantId) {
      if (tenantId == null || !tenantId.matches("[A-Za-z0-9.-]+")) {
        throw new IllegalArgumentException("a tenant ID is a GUID or domain name, got '" + tenantId + "'");
      }
      this.tenantId = tenantId;
      return this;
    }

    public Builder operationDuration(Duration duration) {
      if (duration.isNegative()) {
        throw new IllegalArgumentException("the operation duration cannot be negative: " + duration);
      }
      this.operationDuration = duration;
      return this;
    }

    /** The clock operations are timed by; a {@link SettableClock} lets tests move time. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Threads serving requests (default 16); answers never block a thread on a delay. */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** How many requests the log keeps, newest last (default 20,000); counters are never capped. */
    public Builder requestLogCapacity(int capacity) {
      if (capacity < 0) {
        throw new IllegalArgumentException("the request log capacity cannot be negative: " + capacity);
      }
      this.requestLogCapacity = capacity;
      return this;
    }

    /** Called with every request as it is answered (on a server thread: keep it quick), e.g. to print a trace. */
    public Builder requestListener(Consumer<RecordedRequest> listener) {
      this.requestListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Automatic 429s when request budgets run out: {@link Throttling#none()} (the default),
     * {@link Throttling#azureLike()} (reads and cluster PUTs) or {@link Throttling#azure()} (every published limit).
     */
    public Builder throttling(Throttling throttling) {
      this.throttling = Objects.requireNonNull(throttling, "throttling");
      return this;
    }

    /** How stored authorizedIPRanges are ordered; {@link RangeOrder#AS_SENT} by default. */
    public Builder rangeOrder(RangeOrder order) {
      this.rangeOrder = Objects.requireNonNull(order, "order");
      return this;
    }

    /** How a write with a stale {@code If-Match} is answered; {@link StaleETagAnswer#ALTERNATE} by default. */
    public Builder staleETagAnswer(StaleETagAnswer answer) {
      this.staleETagAnswer = Objects.requireNonNull(answer, "answer");
      return this;
    }

    public Builder certificateValidity(Duration validity) {
      if (validity.isNegative() || validity.isZero()) {
        throw new IllegalArgumentException("the certificate validity must be positive: " + validity);
      }
      this.certificateValidity = validity;
      return this;
    }

    public ArmEmulator start() {
      try {
        return new ArmEmulator(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the ARM emulator on 127.0.0.1:" + port + ": " + e.getMessage(),
            e);
      }
    }
  }
}
