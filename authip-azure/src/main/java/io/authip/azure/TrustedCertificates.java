package io.authip.azure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The certificates authip trusts for Azure: the JDK's own, plus those of an optional PEM file. */
public final class TrustedCertificates {

  private TrustedCertificates() {
  }

  /**
   * Reads every certificate of a PEM (or DER) file.
   *
   * @throws IllegalArgumentException naming the problem when the file cannot be read or parsed
   */
  public static List<X509Certificate> read(Path file) {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("not a readable file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> out = new ArrayList<>();
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
      return out;
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not a PEM certificate file: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read it: " + e.getMessage(), e);
    }
  }

  /**
   * A trust manager factory for the JDK's default trusted certificates plus {@code extra}. Copying the JDK's
   * accepted issuers (rather than reading a cacerts path) keeps whatever trust store the JVM was started with.
   */
  public static TrustManagerFactory withExtra(List<X509Certificate> extra) {
    try {
      TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      jdk.init((KeyStore) null);
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (TrustManager tm : jdk.getTrustManagers()) {
        if (tm instanceof X509TrustManager x509) {
          for (X509Certificate c : x509.getAcceptedIssuers()) {
            store.setCertificateEntry("jdk-" + i++, c);
          }
        }
      }
      for (X509Certificate c : extra) {
        store.setCertificateEntry("extra-" + i++, c);
      }
      TrustManagerFactory combined = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      combined.init(store);
      return combined;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build the trust store: " + e.getMessage(), e);
    }
  }
}
