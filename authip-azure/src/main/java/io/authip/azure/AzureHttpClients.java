package io.authip.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;

/**
 * The one HTTP client authip uses for Azure: the credentials (token requests) and Resource Manager share it, so an
 * extra trusted CA (the emulator, a private endpoint behind a TLS-inspecting proxy) applies to both.
 */
public final class AzureHttpClients {

  private AzureHttpClients() {
  }

  public static HttpClient create(AzureConfig config) {
    NettyAsyncHttpClientBuilder builder = new NettyAsyncHttpClientBuilder();
    if (config.caFile() != null) {
      SslContext ssl = sslContext(config);
      builder = new NettyAsyncHttpClientBuilder(reactor.netty.http.client.HttpClient.create()
          .secure(spec -> spec.sslContext(ssl)));
    }
    return builder
        .connectTimeout(config.httpTimeout())
        .responseTimeout(config.httpTimeout())
        .readTimeout(config.httpTimeout())
        .writeTimeout(config.httpTimeout())
        .build();
  }

  private static SslContext sslContext(AzureConfig config) {
    try {
      return SslContextBuilder.forClient()
          .trustManager(TrustedCertificates.withExtra(TrustedCertificates.read(config.caFile())))
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the TLS context for " + config.caFile() + ": " + e.getMessage(),
          e);
    }
  }
}
