package io.authip.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * The emulated clusters' API servers, as far as their authorized IP ranges are concerned: one TLS endpoint on
 * 127.0.0.1 per cluster {@code properties.fqdn}, started when first asked for. A connection is judged as if it came
 * from the caller address set with {@link #caller}: when the cluster's current {@code authorizedIPRanges} are empty
 * (no restriction) or contain it, the TLS handshake completes; otherwise the connection is held without an answer,
 * as AKS drops traffic from addresses outside the list, until the client gives up.
 */
final class ApiServerEndpoints implements AutoCloseable {

  private final ResourceStore store;
  private final SelfSignedCertificate certificate;
  private final Map<String, SSLServerSocket> servers = new ConcurrentHashMap<>();
  private final List<Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "emulated-api-server");
    t.setDaemon(true);
    return t;
  });
  private volatile long caller = -1;

  ApiServerEndpoints(ResourceStore store, SelfSignedCertificate certificate) {
    this.store = store;
    this.certificate = certificate;
  }

  /** The IPv4 address the API servers see connections coming from (the operator's egress). */
  void caller(String address) {
    caller = ipv4(address);
  }

  /** Where the API server of the cluster named {@code fqdn} listens; empty when no cluster has that name. */
  Optional<InetSocketAddress> address(String fqdn) {
    String key = fqdn.toLowerCase(Locale.ROOT);
    if (store.clusterByFqdn(key).isEmpty()) {
      return Optional.empty();
    }
    SSLServerSocket server = servers.computeIfAbsent(key, this::start);
    return Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
  }

  private SSLServerSocket start(String fqdn) {
    try {
      SSLServerSocket server = (SSLServerSocket) certificate.serverContext().getServerSocketFactory()
          .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
      threads.execute(() -> accept(fqdn, server));
      return server;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot start the API server endpoint of " + fqdn, e);
    }
  }

  private void accept(String fqdn, SSLServerSocket server) {
    while (!server.isClosed()) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        return;
      }
      if (allowed(fqdn)) {
        threads.execute(() -> {
          try (SSLSocket s = (SSLSocket) socket) {
            s.setSoTimeout(5000);
            s.startHandshake();
          } catch (IOException e) {
            // the client went away
          }
        });
      } else {
        held.add(socket);
      }
    }
  }

  private boolean allowed(String fqdn) {
    Optional<com.fasterxml.jackson.databind.node.ObjectNode> body = store.clusterByFqdn(fqdn);
    if (body.isEmpty()) {
      return false;
    }
    JsonNode ranges = body.get().path("properties").path("apiServerAccessProfile").path("authorizedIPRanges");
    if (!ranges.isArray() || ranges.isEmpty()) {
      return true;
    }
    long from = caller;
    for (JsonNode r : ranges) {
      if (from >= 0 && contains(r.asText(), from)) {
        return true;
      }
    }
    return false;
  }

  /** An IPv4 address as a number; -1 when it is not one. */
  static long ipv4(String text) {
    String[] parts = text.strip().split("\\.", -1);
    if (parts.length != 4) {
      return -1;
    }
    long a = 0;
    for (String p : parts) {
      try {
        int v = Integer.parseInt(p);
        if (v < 0 || v > 255) {
          return -1;
        }
        a = a << 8 | v;
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return a;
  }

  /** Whether the range ({@code a.b.c.d} or {@code a.b.c.d/n}) contains the address. */
  static boolean contains(String range, long address) {
    int slash = range.indexOf('/');
    long start = ipv4(slash < 0 ? range : range.substring(0, slash));
    int prefix;
    try {
      prefix = slash < 0 ? 32 : Integer.parseInt(range.substring(slash + 1).strip());
    } catch (NumberFormatException e) {
      return false;
    }
    if (start < 0 || prefix < 0 || prefix > 32) {
      return false;
    }
    long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    return (start & mask) == (address & mask);
  }

  @Override
  public void close() {
    servers.values().forEach(s -> {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    });
    synchronized (held) {
      held.forEach(s -> {
        try {
          s.close();
        } catch (IOException e) {
          // closing anyway
        }
      });
    }
    threads.shutdownNow();
  }
}
