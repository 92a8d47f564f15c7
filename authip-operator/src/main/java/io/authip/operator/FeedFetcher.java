package io.authip.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authip.api.v1alpha1.FeedFormat;
import io.authip.api.v1alpha1.UrlSource;
import io.authip.azure.TrustedCertificates;
import io.authip.sources.FeedContent;
import io.authip.sources.FeedException;
import io.authip.sources.JsonPath;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * Reads URL sources: HTTPS only, to hosts of {@code AUTHIP_FEED_HOSTS} only (checked before any connection, so no
 * request goes anywhere else; redirects are not followed), at most {@code feedMaxBytes} and {@code feedTimeout}.
 */
public final class FeedFetcher {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Set<String> hosts;
  private final long maxBytes;
  private final Duration timeout;
  private final HttpClient http;
  private final AtomicLong requests = new AtomicLong();

  public FeedFetcher(OperatorConfig.Sources config) {
    this.hosts = config.feedHosts();
    this.maxBytes = config.feedMaxBytes();
    this.timeout = config.feedTimeout();
    HttpClient.Builder b = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1);
    if (config.feedCaFile() != null) {
      try {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, TrustedCertificates.withExtra(TrustedCertificates.read(config.feedCaFile()))
            .getTrustManagers(), null);
        b.sslContext(tls);
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalArgumentException("AUTHIP_FEED_CA_FILE=" + config.feedCaFile() + ": " + e.getMessage(), e);
      }
    }
    this.http = b.build();
  }

  /** Requests made so far (each refresh of a URL source is one). */
  public long requests() {
    return requests.get();
  }

  /** Why this URL may not be requested, or null: the scheme and the host allowlist. */
  public String refusal(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (java.net.URISyntaxException e) {
      return "'" + url + "' is not a URL";
    }
    if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
      return "'" + url + "' is not an https URL; feeds are read over HTTPS only";
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    String hostPort = uri.getPort() < 0 || uri.getPort() == 443 ? host : host + ":" + uri.getPort();
    if (!hosts.contains(hostPort)) {
      return "host " + hostPort + " is not in the operator's AUTHIP_FEED_HOSTS ("
          + (hosts.isEmpty() ? "empty: no feed may be read" : String.join(", ", hosts)) + "); nothing was "
          + "requested. Ask the operator's administrator to add it, or use a host already listed";
    }
    return null;
  }

  /** Reads and parses one URL source. */
  public FeedContent fetch(UrlSource source) throws FeedException {
    String url = source.getUrl();
    String refused = refusal(url);
    if (refused != null) {
      throw new FeedException(refused);
    }
    byte[] body = get(url);
    List<String> entries;
    if (source.effectiveFormat() == FeedFormat.text) {
      entries = new ArrayList<>();
      for (String line : new String(body, StandardCharsets.UTF_8).split("\r?\n")) {
        String entry = line.strip();
        if (!entry.isEmpty() && !entry.startsWith("#")) {
          entries.add(entry);
        }
      }
    } else {
      JsonNode root;
      try {
        root = JSON.readTree(body);
      } catch (IOException e) {
        throw new FeedException(url + " did not return JSON (" + e.getMessage().lines().findFirst().orElse("")
            + "); set format: text for "
            + "one range per line");
      }
      entries = JsonPath.compile(source.getJsonPath()).strings(root, url);
    }
    return FeedContent.parse(entries, null, url);
  }

  private byte[] get(String url) throws FeedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET()
        .header("Accept", "application/json, text/plain;q=0.9, */*;q=0.1")
        .header("User-Agent", "authip").build();
    requests.incrementAndGet();
    HttpResponse<byte[]> response;
    try {
      // The whole exchange, body included, within the timeout (the client's own timeout ends at the headers).
      response = http.sendAsync(request, info -> new Limited(maxBytes))
          .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new FeedException(url + " did not answer completely within AUTHIP_FEED_TIMEOUT=" + timeout.toSeconds()
          + "s");
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof TooLong) {
        throw new FeedException(url + " is longer than AUTHIP_FEED_MAX_BYTES=" + maxBytes + " bytes");
      }
      throw new FeedException(url + " could not be read: " + cause.getClass().getSimpleName()
          + (cause.getMessage() == null ? "" : " " + cause.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FeedException(url + ": interrupted");
    }
    int status = response.statusCode();
    if (status / 100 == 3) {
      throw new FeedException(url + " answered " + status + " (a redirect to "
          + response.headers().firstValue("Location").orElse("?") + "); redirects are not followed: name the "
          + "final URL");
    }
    if (status != 200) {
      throw new FeedException(url + " answered HTTP " + status);
    }
    return response.body();
  }

  /** A body longer than allowed. */
  private static final class TooLong extends IOException {
    TooLong() {
      super("body too long");
    }
  }

  /** Collects a body, cancelling the exchange as soon as it is longer than allowed. */
  private static final class Limited implements HttpResponse.BodySubscriber<byte[]> {
    private final long max;
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    private final java.util.concurrent.CompletableFuture<byte[]> result = new java.util.concurrent.CompletableFuture<>();
    private java.util.concurrent.Flow.Subscription subscription;

    Limited(long max) {
      this.max = max;
    }

    @Override
    public java.util.concurrent.CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<java.nio.ByteBuffer> items) {
      for (java.nio.ByteBuffer b : items) {
        if (out.size() + (long) b.remaining() > max) {
          subscription.cancel();
          result.completeExceptionally(new TooLong());
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        out.writeBytes(chunk);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(out.toByteArray());
    }
  }
}
