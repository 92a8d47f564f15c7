package io.authip.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;

/** Signs JWTs by hand, as the Kubernetes TokenRequest API issues ServiceAccount tokens (RS256). */
final class TestJwts {

  static final String AUDIENCE = "api://AzureADTokenExchange";

  private TestJwts() {
  }

  static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static java.security.PublicKey ecPublicKey() {
    try {
      return KeyPairGenerator.getInstance("EC").generateKeyPair().getPublic();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Claims as a ServiceAccount token has them, valid from {@code now} for an hour, audience an array. */
  static ObjectNode serviceAccountClaims(String issuer, String namespace, String name, Instant now) {
    ObjectNode claims = ArmTestClient.JSON.createObjectNode();
    claims.put("iss", issuer);
    claims.put("sub", "system:serviceaccount:" + namespace + ":" + name);
    claims.putArray("aud").add(AUDIENCE);
    claims.put("iat", now.getEpochSecond());
    claims.put("nbf", now.getEpochSecond());
    claims.put("exp", now.plusSeconds(3600).getEpochSecond());
    claims.putObject("kubernetes.io").putObject("serviceaccount").put("name", name);
    return claims;
  }

  static String sign(ObjectNode claims, PrivateKey key) {
    return sign("RS256", claims, key);
  }

  /** A compact JWS with header {@code alg} (anything but RS256 is still signed with SHA256withRSA). */
  static String sign(String alg, ObjectNode claims, PrivateKey key) {
    ObjectNode header = ArmTestClient.JSON.createObjectNode().put("alg", alg).put("kid", "test-key").put("typ", "JWT");
    String signed = b64(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
        + b64(claims.toString().getBytes(StandardCharsets.UTF_8));
    try {
      Signature signer = Signature.getInstance("SHA256withRSA");
      signer.initSign(key);
      signer.update(signed.getBytes(StandardCharsets.US_ASCII));
      return signed + "." + b64(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
