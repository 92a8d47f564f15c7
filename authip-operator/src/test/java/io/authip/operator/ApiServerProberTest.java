package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.emulator.SelfSignedCertificate;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** The API server check: an answered TLS handshake, a connection held unanswered, a refused one, no name. */
class ApiServerProberTest {

  static final SelfSignedCertificate CERT = SelfSignedCertificate.generate(Duration.ofDays(1));

  @Test
  void aCompletedHandshakeIsReachableWithItsLatency() throws Exception {
    try (SSLServerSocket server = (SSLServerSocket) CERT.serverContext().getServerSocketFactory()
        .createServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      CompletableFuture.runAsync(() -> {
        try (SSLSocket s = (SSLSocket) server.accept()) {
          s.startHandshake();
        } catch (Exception e) {
          // the test fails on the client side
        }
      });
      ApiServerProber prober = new ApiServerProber(fqdn -> new InetSocketAddress(InetAddress.getLoopbackAddress(),
          server.getLocalPort()), Duration.ofSeconds(5), Clock.systemUTC());
      ApiServerProber.Probe p = prober.probe("aks-dns-1.hcp.westeurope.azmk8s.io");
      assertThat(p.reachable()).as(p.message()).isTrue();
      assertThat(p.latencyMs()).isGreaterThanOrEqualTo(0);
      prober.close();
    }
  }

  @Test
  void aConnectionHeldWithoutAnAnswerFailsAtTheTimeout() throws Exception {
    // As AKS drops an address outside the list: the connection is accepted by the kernel, nothing answers.
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Socket> held = CompletableFuture.supplyAsync(() -> {
        try {
          return server.accept();
        } catch (Exception e) {
          return null;
        }
      });
      ApiServerProber prober = new ApiServerProber(fqdn -> new InetSocketAddress(InetAddress.getLoopbackAddress(),
          server.getLocalPort()), Duration.ofMillis(300), Clock.systemUTC());
      ApiServerProber.Probe p = prober.probe("aks.example");
      assertThat(p.reachable()).isFalse();
      assertThat(p.message()).isEqualTo("aks.example did not answer within 300 ms (as when the authorized ranges "
          + "leave the operator's egress out)");
      Socket s = held.get(5, TimeUnit.SECONDS);
      if (s != null) {
        s.close();
      }
      prober.close();
    }
  }

  @Test
  void nothingListeningOrNoNameIsUnreachableWithWhy() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    ApiServerProber prober = new ApiServerProber(fqdn -> new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
        Duration.ofSeconds(2), Clock.systemUTC());
    assertThat(prober.probe("aks.example").message()).startsWith("aks.example: ConnectException");
    assertThat(prober.probe(null).message()).startsWith("the cluster has no properties.fqdn");
    ApiServerProber unresolvable = new ApiServerProber(fqdn -> {
      throw new java.net.UnknownHostException(fqdn);
    }, Duration.ofSeconds(2), Clock.systemUTC());
    assertThat(unresolvable.probe("nowhere.example").message()).isEqualTo("cannot resolve nowhere.example: "
        + "nowhere.example");
    prober.close();
    unresolvable.close();
  }
}
