package io.authip.kubeapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded API's ServiceAccount token issuer: one RSA key pair and one issuer URL per instance, as
 * kube-apiserver's {@code --service-account-signing-key-file} and {@code --service-account-issuer}. Counts what it
 * issued per ServiceAccount. Thread-safe.
 */
final class TokenIssuer {

  private static final String ISSUER_PREFIX = "https://oidc.authip.sandbox/";

  private final KeyPair keys;
  private final String keyId;
  private final String issuer;
  private final Map<String, AtomicInteger> issued = new ConcurrentHashMap<>();

  private TokenIssuer(KeyPair keys, String issuer) {
    this.keys = keys;
    this.keyId = ServiceAccountTokens.keyId((RSAPublicKey) keys.getPublic());
    this.issuer = issuer;
  }

  /** A new 2048-bit RSA key and an issuer URL of its own, so that two instances never accept each other's tokens. */
  static TokenIssuer generate() {
    SecureRandom random = new SecureRandom();
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, random);
      byte[] id = new byte[8];
      random.nextBytes(id);
      return new TokenIssuer(generator.generateKeyPair(), ISSUER_PREFIX + HexFormat.of().formatHex(id));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA is missing from this JDK", e);
    }
  }

  String issuer() {
    return issuer;
  }

  RSAPublicKey publicKey() {
    return (RSAPublicKey) keys.getPublic();
  }

  /**
   * A signed token with the claims kube-apiserver 1.32 writes for a ServiceAccount not bound to an object
   * (pkg/serviceaccount/claims.go), in the order its JSON encoder writes them (alphabetical).
   *
   * @param now truncated to seconds, as JWT numeric dates are
   */
  String issue(String namespace, String name, String uid, List<String> audiences, Instant now,
      long expirationSeconds) {
    long iat = now.getEpochSecond();
    ObjectNode claims = JsonNodeFactory.instance.objectNode();
    ArrayNode aud = claims.putArray("aud");
    audiences.forEach(aud::add);
    claims.put("exp", iat + expirationSeconds);
    claims.put("iat", iat);
    claims.put("iss", issuer);
    // the ServiceAccountTokenJTI feature (on by default since 1.30): every token is distinct
    claims.put("jti", UUID.randomUUID().toString());
    ObjectNode kubernetes = claims.putObject("kubernetes.io");
    kubernetes.put("namespace", namespace);
    ObjectNode serviceAccount = kubernetes.putObject("serviceaccount").put("name", name);
    if (!uid.isEmpty()) {
      serviceAccount.put("uid", uid); // omitempty there
    }
    claims.put("nbf", iat);
    claims.put("sub", "system:serviceaccount:" + namespace + ":" + name);
    String token = ServiceAccountTokens.sign(claims, keys.getPrivate(), keyId);
    issued.computeIfAbsent(namespace + "/" + name, k -> new AtomicInteger()).incrementAndGet();
    return token;
  }

  /** How many tokens were issued for the ServiceAccount. */
  int issued(String namespace, String name) {
    AtomicInteger n = issued.get(namespace + "/" + name);
    return n == null ? 0 : n.get();
  }
}
