package io.authip.emulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the HTTPS feeds IpRangeSet URL sources read (GitHub meta, a vendor's range list): serves a body, a
 * status or a redirect per path on 127.0.0.1 with a self-signed certificate (subject alternative names 127.0.0.1
 * and localhost), and counts the requests per path and per Host header, so that tests can prove which requests were
 * never made.
 */
public final class FeedServer implements AutoCloseable {

  private record Answer(int status, String body, String location) {
  }

  private final SelfSignedCertificate certificate = SelfSignedCertificate.generate(Duration.ofDays(1));
  private final HttpsServer server;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> byPath = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> byHost = new ConcurrentHashMap<>();

  public FeedServer() {
    try {
      server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "feed-server");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", this::handle);
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code https://127.0.0.1:<port><path>}. */
  public String url(String path) {
    return "https://127.0.0.1:" + port() + path;
  }

  /** The host:port entry of {@code AUTHIP_FEED_HOSTS} that allows this server. */
  public String hostEntry() {
    return "127.0.0.1:" + port();
  }

  /** Writes the certificate clients must trust (PEM). */
  public void writeCertificate(Path file) {
    certificate.writePem(file);
  }

  public void serve(String path, String body) {
    answers.put(path, new Answer(200, body, null));
  }

  public void fail(String path, int status) {
    answers.put(path, new Answer(status, "{\"message\":\"failing on purpose\"}", null));
  }

  public void redirect(String path, String location) {
    answers.put(path, new Answer(302, "", location));
  }

  public int requests(String path) {
    AtomicInteger n = byPath.get(path);
    return n == null ? 0 : n.get();
  }

  /** Requests whose Host header named {@code host} (as sent, e.g. localhost:1234). */
  public int requestsForHost(String host) {
    AtomicInteger n = byHost.get(host);
    return n == null ? 0 : n.get();
  }

  public int totalRequests() {
    return byPath.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    byPath.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    String host = exchange.getRequestHeaders().getFirst("Host");
    byHost.computeIfAbsent(host == null ? "" : host, h -> new AtomicInteger()).incrementAndGet();
    Answer a = answers.getOrDefault(path, new Answer(404, "{\"message\":\"Not Found\"}", null));
    byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
    if (a.location() != null) {
      exchange.getResponseHeaders().set("Location", a.location());
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
