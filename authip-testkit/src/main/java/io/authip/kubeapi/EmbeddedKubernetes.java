package io.authip.kubeapi;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.authip.resources.ResourceSerialization;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;

/**
 * A local Kubernetes API with authip's CRDs installed, for the sandbox and end-to-end tests: the fabric8 mock
 * server in CRUD mode (watches, the status subresource, optimistic locking; no server-side apply), made usable
 * by the real kubectl.
 *
 * <p>Two endpoints on 127.0.0.1 share one store: {@link #url()} (the chosen port) is for kubectl and anything
 * that watches over plain HTTP; {@link #client()} talks to the mock server itself, whose watches are WebSocket
 * ones, as fabric8 clients and JOSDK informers expect. See docs/sandbox-kubernetes.md for what works.
 *
 * <p>Both endpoints enforce RBAC for the operator's identity ({@link RbacFront}): requests with
 * {@link Rbac#OPERATOR_TOKEN} ({@link #operatorClient()}) are authorized as its ServiceAccount; requests without
 * credentials ({@link #client()}, the sandbox's kubectl) are the administrator's.
 *
 * <p>ServiceAccounts' {@code token} subresource (the TokenRequest API) issues RS256 tokens signed with a key of this
 * instance ({@link #serviceAccountIssuer()}, {@link #serviceAccountSigningKey()}, {@link #tokenRequests}).
 */
public final class EmbeddedKubernetes implements AutoCloseable {

  /** The CRDs as generated into the jar by the build. */
  public static final List<String> CRD_RESOURCES = List.of(
      "META-INF/fabric8/authorizedippolicies.authip.io-v1.yml", "META-INF/fabric8/iprangesets.authip.io-v1.yml",
      "META-INF/fabric8/targetgrants.authip.io-v1.yml");

  /** The cluster, user and context name in {@link #writeKubeconfig(Path)}. */
  public static final String CONTEXT = "authip-sandbox";

  /** The Kubernetes version the API reports, the kubectl minor version on this project's machines. */
  static final String VERSION = "v1.32.0";

  /** Changes kept for watches that resume from a resourceVersion; older ones get 410 Gone and list again. */
  private static final int WATCH_HISTORY = 2_000;
  private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
  /** Kept referenced: java.util.logging forgets the level of a logger nobody holds. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger(MockWebServer.class.getName());

  private final KubernetesMockServer server;
  private final KubectlEndpoint endpoint;
  private final WatchHub hub;
  private final Map<ServerRequest, Queue<ServerResponse>> expectations;
  private final KubernetesClient client;
  private final KubeFaults faults;
  private final RbacFront rbac;
  private final KubernetesClient operatorClient;
  private final TokenIssuer tokenIssuer;
  private final AtomicReference<List<String>> recorded;
  private SandboxDispatcher dispatcher;
  private Store store;

  private EmbeddedKubernetes(KubernetesMockServer server, KubectlEndpoint endpoint, WatchHub hub,
      Map<ServerRequest, Queue<ServerResponse>> expectations, KubeFaults faults, RbacFront rbac,
      TokenIssuer tokenIssuer, AtomicReference<List<String>> recorded) {
    this.recorded = recorded;
    this.tokenIssuer = tokenIssuer;
    this.faults = faults;
    this.rbac = rbac;
    this.server = server;
    this.endpoint = endpoint;
    this.hub = hub;
    this.expectations = expectations;
    this.client = server.createClient(b -> b.withHttpClientFactory(new JdkHttpClientFactory())
        .withKubernetesSerialization(ResourceSerialization.create()));
    this.operatorClient = newOperatorClient();
  }

  /**
   * Starts on 127.0.0.1 with the CRDs, the {@code default} and {@value Rbac#OPERATOR_NAMESPACE} namespaces, and
   * the operator's ServiceAccount authorized by the shipped RBAC (deploy/base/rbac.yaml, {@link Rbac#shipped()}).
   *
   * @param port the port for kubectl ({@link #url()}); 0 picks a free one. The mock server behind
   *     {@link #client()} always takes a free port.
   */
  public static EmbeddedKubernetes start(int port) {
    return start(port, Rbac.shipped(), Rbac.User.operator());
  }

  /**
   * Starts as {@link #start(int)}, with other RBAC rules or another identity for the operator's token.
   *
   * @param rbac what requests carrying {@link Rbac#OPERATOR_TOKEN} are authorized by
   * @param operator who that token is
   */
  public static EmbeddedKubernetes start(int port, Rbac rbac, Rbac.User operator) {
    // one line per request on stderr would bury the sandbox's own output
    MOCK_LOG.setLevel(Level.WARNING);
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    WatchHub hub = new WatchHub(WATCH_HISTORY);
    Store store = new Store(hub);
    TokenIssuer tokenIssuer = TokenIssuer.generate();
    SandboxDispatcher dispatcher = new SandboxDispatcher(expectations, store,
        new ApiCatalog(() -> Json.parse(store.handleGet(CRDS).getBody().getBytes())), Clock.systemUTC(),
        tokenIssuer);
    KubeFaults faults = new KubeFaults(Clock.systemUTC());
    RbacFront front = new RbacFront(rbac, operator);
    AtomicReference<List<String>> recorded = new AtomicReference<>();
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
        new FaultingDispatcher(dispatcher, faults, front, recorded), false,
        new VersionInfo.Builder().withMajor("1").withMinor("32").withGitVersion(VERSION).build());
    KubectlEndpoint endpoint = null;
    try {
      server.init(InetAddress.getByName("127.0.0.1"), 0);
      endpoint = KubectlEndpoint.start(port, dispatcher, hub, front);
      EmbeddedKubernetes k = new EmbeddedKubernetes(server, endpoint, hub, expectations, faults, front,
          tokenIssuer, recorded);
      k.dispatcher = dispatcher;
      k.store = store;
      k.installCrds();
      for (String ns : new java.util.TreeSet<>(List.of("default", Rbac.OPERATOR_NAMESPACE,
          operatorNamespace(operator)))) {
        k.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
            .withNewStatus().withPhase("Active").endStatus().build()).create();
      }
      return k;
    } catch (IOException e) {
      server.destroy();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      if (endpoint != null) {
        endpoint.close();
      }
      server.destroy();
      throw e;
    }
  }

  /** The namespace of a ServiceAccount user ({@code system:serviceaccount:NS:NAME}), else the operator's. */
  private static String operatorNamespace(Rbac.User user) {
    String[] parts = user.name().split(":");
    return parts.length == 4 && parts[1].equals("serviceaccount") ? parts[2] : Rbac.OPERATOR_NAMESPACE;
  }

  private void installCrds() {
    for (String resource : CRD_RESOURCES) {
      try (InputStream in = EmbeddedKubernetes.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException(resource + " is not on the classpath; build with ./mvnw package");
        }
        CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Writes a kubeconfig for kubectl: server {@link #url()}, context {@value #CONTEXT} (current), namespace
   * {@code default}. Parent directories are created; an existing file is replaced.
   *
   * @return {@code file}
   */
  public Path writeKubeconfig(Path file) {
    String yaml = String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: " + CONTEXT,
        "  cluster:",
        "    server: " + url(),
        "users:",
        "- name: " + CONTEXT,
        "  user: {}",
        "contexts:",
        "- name: " + CONTEXT,
        "  context:",
        "    cluster: " + CONTEXT,
        "    user: " + CONTEXT,
        "    namespace: default",
        "current-context: " + CONTEXT,
        "preferences: {}",
        "");
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the kubeconfig " + file, e);
    }
  }

  static String versionJson() {
    return Serialization.asJson(JsonNodeFactory.instance.objectNode().put("major", "1").put("minor", "32")
        .put("gitVersion", VERSION).put("gitCommit", "").put("gitTreeState", "clean")
        .put("buildDate", "2025-01-01T00:00:00Z").put("goVersion", "").put("compiler", "")
        .put("platform", "linux/amd64"));
  }

  /** Faults to inject on the operator's side of the API (not on kubectl's port): refusals, outages, dropped watches. */
  /**
   * Switches the CRDs' validation rules (x-kubernetes-validations, evaluated on create and update; on by default)
   * off or on. Off stands for what a cluster can still hold: objects stored before the CRD carried the rules, or
   * through a server older than 1.31; tests of the operator's own refusals use it.
   *
   * @return this
   */
  public EmbeddedKubernetes admission(boolean on) {
    dispatcher.admission(on);
    return this;
  }

  public KubeFaults faults() {
    return faults;
  }

  /**
   * Starts recording the requests that reach the operator's side of the API ({@link #client()},
   * {@link #operatorClient()}): method, path and query, e.g. {@code GET /apis/authip.io/v1alpha1/authorizedippolicies
   * ?limit=500}. Forgets those recorded so far. Off by default (a benchmark makes millions of requests).
   *
   * @return this
   */
  public EmbeddedKubernetes recordRequests() {
    recorded.set(Collections.synchronizedList(new ArrayList<>()));
    return this;
  }

  /** The requests recorded since {@link #recordRequests()}, in order. */
  public List<String> recordedRequests() {
    List<String> r = recorded.get();
    if (r == null) {
      return List.of();
    }
    synchronized (r) {
      return List.copyOf(r);
    }
  }

  /**
   * Forgets the lists kept for their next pages, as etcd's compaction does: their {@code continue} tokens get 410
   * Gone ({@code Expired}) from now on.
   */
  public void expireListPages() {
    dispatcher.expireListPages();
  }

  /** The store, for tests of its index. */
  Store store() {
    return store;
  }

  /**
   * The administrator's client of the mock server itself (WebSocket watches), for tests and the sandbox's own
   * requests: no credentials, so RBAC does not apply to it.
   */
  public KubernetesClient client() {
    return client;
  }

  /**
   * The operator's client: like {@link #client()}, but authenticated with {@link Rbac#OPERATOR_TOKEN}, so that every
   * request is authorized as the operator's ServiceAccount by the RBAC front ({@link #rbac()}). JOSDK runs on it.
   */
  public KubernetesClient operatorClient() {
    return operatorClient;
  }

  /** A new client with the operator's token (a second operator process gets its own). The caller closes it. */
  public KubernetesClient newOperatorClient() {
    io.fabric8.kubernetes.client.Config config = new io.fabric8.kubernetes.client.ConfigBuilder(
        client.getConfiguration()).withOauthToken(Rbac.OPERATOR_TOKEN).withNamespace(operatorNamespace(
        rbac.operator())).build();
    return new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config)
        .withHttpClientFactory(new JdkHttpClientFactory())
        .withKubernetesSerialization(ResourceSerialization.create()).build();
  }

  /**
   * The issuer ({@code iss}) of the ServiceAccount tokens this API issues through the TokenRequest API, and the
   * audience of those requested without one: {@code https://oidc.authip.sandbox/} and 16 random hex digits, the same
   * for the life of this instance, different for every instance. Nothing is served there (no OIDC discovery).
   */
  public String serviceAccountIssuer() {
    return tokenIssuer.issuer();
  }

  /**
   * The public half of the 2048-bit RSA key this instance signs ServiceAccount tokens with (RS256, generated at
   * start); the tokens' {@code kid} is {@link ServiceAccountTokens#keyId} of it. Check tokens with
   * {@link ServiceAccountTokens#verify}.
   */
  public java.security.interfaces.RSAPublicKey serviceAccountSigningKey() {
    return tokenIssuer.publicKey();
  }

  /**
   * How many tokens were issued for the ServiceAccount {@code namespace/name} through the TokenRequest API since
   * start (refused requests do not count), whoever asked.
   */
  public int tokenRequests(String namespace, String name) {
    return tokenIssuer.issued(namespace, name);
  }

  /** The RBAC front: what the operator's requests used, and which were forbidden. */
  public RbacFront rbac() {
    return rbac;
  }

  /** The mock server behind {@link #client()}; requests to it bypass nothing (same dispatcher, same store). */
  public KubernetesMockServer server() {
    return server;
  }

  /** Recorded responses that take precedence over the store, as in the mock's mixed mode. */
  public Map<ServerRequest, Queue<ServerResponse>> expectations() {
    return expectations;
  }

  /** The API URL for kubectl: {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://127.0.0.1:" + endpoint.port();
  }

  /** The port of {@link #url()}. */
  public int port() {
    return endpoint.port();
  }

  @Override
  public void close() {
    hub.close();
    endpoint.close();
    operatorClient.close();
    client.close();
    server.destroy();
  }

  /** Consults {@link KubeFaults} before the sandbox's own dispatcher; tracks watch sockets so they can be dropped. */
  private static final class FaultingDispatcher extends io.fabric8.mockwebserver.http.Dispatcher {
    private final io.fabric8.mockwebserver.http.Dispatcher delegate;
    private final KubeFaults faults;
    private final RbacFront rbac;
    private final AtomicReference<List<String>> recorded;

    FaultingDispatcher(io.fabric8.mockwebserver.http.Dispatcher delegate, KubeFaults faults, RbacFront rbac,
        AtomicReference<List<String>> recorded) {
      this.recorded = recorded;
      this.delegate = delegate;
      this.faults = faults;
      this.rbac = rbac;
    }

    @Override
    public io.fabric8.mockwebserver.http.MockResponse dispatch(io.fabric8.mockwebserver.http.RecordedRequest request) {
      List<String> log = recorded.get();
      if (log != null) {
        log.add(request.getMethod() + " " + request.getPath());
      }
      // Authorization first, as in the API server: a forbidden request never reaches the store (nor a fault).
      java.util.Optional<io.fabric8.mockwebserver.http.MockResponse> refused = rbac.check(request);
      if (refused.isPresent()) {
        return refused.get();
      }
      java.util.Optional<io.fabric8.mockwebserver.http.MockResponse> fault = faults.take(request);
      if (fault.isPresent()) {
        return fault.get();
      }
      io.fabric8.mockwebserver.http.MockResponse response = delegate.dispatch(request);
      io.fabric8.mockwebserver.http.WebSocketListener listener = response.getWebSocketListener();
      return listener == null ? response : response.withWebSocketUpgrade(new Tracked(listener, faults));
    }
  }

  /** Passes everything to the mock's watch listener and tells {@link KubeFaults} which sockets are open. */
  private static final class Tracked extends WebSocketListener {
    private final WebSocketListener delegate;
    private final KubeFaults faults;

    Tracked(WebSocketListener delegate, KubeFaults faults) {
      this.delegate = delegate;
      this.faults = faults;
    }

    @Override
    public void onBeforeAccept(WebSocket ws, Response response) {
      delegate.onBeforeAccept(ws, response);
    }

    @Override
    public void onOpen(WebSocket ws, Response response) {
      faults.opened(ws);
      delegate.onOpen(ws, response);
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
      delegate.onMessage(ws, text);
    }

    @Override
    public void onMessage(WebSocket ws, ByteString bytes) {
      delegate.onMessage(ws, bytes);
    }

    @Override
    public void onMessage(WebSocket ws, byte[] bytes) {
      delegate.onMessage(ws, bytes);
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
      delegate.onClosing(ws, code, reason);
    }

    @Override
    public void onClosed(WebSocket ws, int code, String reason) {
      faults.closed(ws);
      delegate.onClosed(ws, code, reason);
    }

    @Override
    public void onFailure(WebSocket ws, Throwable t, Response response) {
      faults.closed(ws);
      delegate.onFailure(ws, t, response);
    }
  }
}
