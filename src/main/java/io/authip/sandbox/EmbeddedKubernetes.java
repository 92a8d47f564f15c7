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
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
  private final KubernetesClient client;

  private EmbeddedKubernetes(KubernetesMockServer server, Map<ServerRequest, Queue<ServerResponse>> expectations) {
    this.server = server;
    this.expectations = expectations;
    this.client = server.createClient(b -> b.withHttpClientFactory(new JdkHttpClientFactory())
        .withKubernetesSerialization(TolerantSerialization.create()));
  }

  /** Starts on 127.0.0.1; {@code port} 0 picks a free one. */
  public static EmbeddedKubernetes start(int port) {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
        new KubernetesMixedDispatcher(expectations), false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    EmbeddedKubernetes k = new EmbeddedKubernetes(server, expectations);
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
}
