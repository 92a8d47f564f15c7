package io.authip.operator;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Checks, from where the operator runs, that a cluster's API server answers: a TCP connection to its
 * {@code properties.fqdn} on port 443 and a TLS handshake, within a timeout. AKS drops connections from addresses
 * outside the authorized ranges, so an answer means the operator (and whatever shares its egress) is let in. The
 * server's certificate is not verified (nothing is sent over the connection; what counts is that the handshake
 * completes). Checks run on the prober's own threads; a reconcile starts one and takes its result later.
 */
public final class ApiServerProber implements AutoCloseable {

  /** Where the API server named {@code fqdn} listens: DNS and port 443 in production. */
  @FunctionalInterface
  public interface Resolver {
    InetSocketAddress resolve(String fqdn) throws IOException;

    Resolver DNS = fqdn -> new InetSocketAddress(fqdn, 443);
  }

  /** One check's result. */
  public record Probe(boolean reachable, long latencyMs, Instant at, String message) {
  }

  private final Resolver resolver;
  private final Duration timeout;
  private final Clock clock;
  private final ExecutorService threads;
  private final Map<String, Probe> latest = new ConcurrentHashMap<>();
  /** When each cluster last answered. */
  private final Map<String, Instant> lastReachable = new ConcurrentHashMap<>();
  private final Map<String, Boolean> running = new ConcurrentHashMap<>();
  private final SSLContext tls;

  public ApiServerProber(Resolver resolver, Duration timeout, Clock clock) {
    this.resolver = resolver;
    this.timeout = timeout;
    this.clock = clock;
    AtomicInteger n = new AtomicInteger();
    this.threads = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "authip-reachability-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      tls = SSLContext.getInstance("TLS");
      tls.init(null, new TrustManager[] {new HandshakeOnly()}, null);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }

  public Duration timeout() {
    return timeout;
  }

  /** The latest check of a cluster (by key), if any. */
  public Optional<Probe> latest(String key) {
    return Optional.ofNullable(latest.get(key));
  }

  /** When the cluster last answered, if ever. */
  public Optional<Instant> lastReachable(String key) {
    return Optional.ofNullable(lastReachable.get(key));
  }

  /** Whether a check of the cluster is under way. */
  public boolean running(String key) {
    return running.containsKey(key);
  }

  /** Starts checking the cluster unless a check is under way; {@code done} is called with the result. */
  public void start(String key, String fqdn, Consumer<Probe> done) {
    if (running.putIfAbsent(key, Boolean.TRUE) != null) {
      return;
    }
    try {
      threads.execute(() -> {
        Probe p;
        try {
          p = probe(fqdn);
        } finally {
          running.remove(key);
        }
        latest.put(key, p);
        if (p.reachable()) {
          lastReachable.put(key, p.at());
        }
        done.accept(p);
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      running.remove(key);
    }
  }

  /** One check, on the calling thread. */
  Probe probe(String fqdn) {
    long start = System.nanoTime();
    Instant at = clock.instant();
    if (fqdn == null || fqdn.isBlank()) {
      return new Probe(false, 0, at, "the cluster has no properties.fqdn (a private cluster's API server has no "
          + "public name)");
    }
    InetSocketAddress address;
    try {
      address = resolver.resolve(fqdn);
    } catch (IOException | RuntimeException e) {
      return new Probe(false, 0, at, "cannot resolve " + fqdn + ": " + e.getMessage());
    }
    int ms = (int) Math.max(1, timeout.toMillis());
    try (Socket plain = new Socket()) {
      plain.connect(address, ms);
      plain.setSoTimeout(Math.max(1, ms - (int) ((System.nanoTime() - start) / 1_000_000)));
      try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, fqdn, address.getPort(), false)) {
        s.startHandshake();
      }
      return new Probe(true, Math.max(0, (System.nanoTime() - start) / 1_000_000), at, null);
    } catch (java.net.SocketTimeoutException e) {
      return new Probe(false, 0, at, fqdn + " did not answer within " + timeout.toMillis() + " ms (as when the "
          + "authorized ranges leave the operator's egress out)");
    } catch (IOException e) {
      return new Probe(false, 0, at, fqdn + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }

  /** Accepts any certificate: the check is that the handshake completes, not who the server is. */
  private static final class HandshakeOnly implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
