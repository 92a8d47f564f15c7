package io.authip.sandbox;

import io.authip.operator.TolerantSerialization;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;

/**
 * The fabric8 mock Kubernetes API server in CRUD mode (watches and the status subresource work; server-side apply
 * does not) with authip's CRDs installed.
 */
public final class EmbeddedKubernetes implements AutoCloseable {

  /** The CRDs as generated into the jar by the build. */
  public static final List<String> CRD_RESOURCES = List.of(
      "META-INF/fabric8/authorizedippolicies.authip.io-v1.yml", "META-INF/fabric8/iprangesets.authip.io-v1.yml");

  /** The mock server logs every request at INFO through java.util.logging; held so the level sticks. */
  private static final java.util.logging.Logger MOCK_LOG = quiet("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final Map<ServerRequest, Queue<ServerResponse>> expectations;
  private final KubeFaults faults;
  private final KubernetesClient client;

  private EmbeddedKubernetes(KubernetesMockServer server, Map<ServerRequest, Queue<ServerResponse>> expectations,
      KubeFaults faults) {
    this.server = server;
    this.expectations = expectations;
    this.faults = faults;
    this.client = server.createClient(b -> b.withHttpClientFactory(new JdkHttpClientFactory())
        .withKubernetesSerialization(TolerantSerialization.create()));
  }

  /** Starts on 127.0.0.1; {@code port} 0 picks a free one. */
  public static EmbeddedKubernetes start(int port) {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    KubeFaults faults = new KubeFaults(Clock.systemUTC());
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
        new FaultingDispatcher(expectations, faults), false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    EmbeddedKubernetes k = new EmbeddedKubernetes(server, expectations, faults);
    k.installCrds();
    return k;
  }

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
    logger.setLevel(java.util.logging.Level.WARNING);
    return logger;
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

  public KubernetesClient client() {
    return client;
  }

  public KubernetesMockServer server() {
    return server;
  }

  public Map<ServerRequest, Queue<ServerResponse>> expectations() {
    return expectations;
  }

  /** Faults to inject: conflicts, unavailability, dropped watches. */
  public KubeFaults faults() {
    return faults;
  }

  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  /** The mock's own dispatcher, behind {@link KubeFaults}; watch connections are tracked so they can be dropped. */
  private static final class FaultingDispatcher extends KubernetesMixedDispatcher {
    private final KubeFaults faults;

    FaultingDispatcher(Map<ServerRequest, Queue<ServerResponse>> expectations, KubeFaults faults) {
      super(expectations);
      this.faults = faults;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      Optional<MockResponse> fault = faults.take(request);
      if (fault.isPresent()) {
        return fault.get();
      }
      MockResponse response;
      try {
        response = super.dispatch(request);
      } catch (RuntimeException e) {
        // The mock lets these escape (a JSON patch whose operations do not fit the stored object, say), and the
        // request then never gets an answer: a client waits for its timeout and retries the same request for
        // minutes. A real API server answers at once, 422 for a patch that cannot be applied.
        return KubeFaults.status(isPatchProblem(e) ? 422 : 500, e.getMessage());
      }
      WebSocketListener listener = response.getWebSocketListener();
      return listener == null ? response : response.withWebSocketUpgrade(new Tracked(listener, faults));
    }
  }

  private static boolean isPatchProblem(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof JsonPatchException) {
        return true;
      }
    }
    return false;
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
