package io.authip.kubeapi;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ServiceAccount tokens as kube-apiserver writes them: compact JWS, RS256, the header naming the signing key by
 * {@code kid}. The embedded API signs with {@link EmbeddedKubernetes#serviceAccountSigningKey()}'s private half;
 * tests read what it issued with {@link #verify}.
 */
public final class ServiceAccountTokens {

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();
  private static final String ALGORITHM = "SHA256withRSA";

  private ServiceAccountTokens() {
  }

  /**
   * The claims of a token whose RS256 signature verifies with {@code key}. Only the signature and the form are
   * checked, not {@code exp}, {@code nbf} or {@code aud}: the caller asserts what it expects of them.
   *
   * @return the claims in the token's order; numbers as Integer or Long, objects as maps, arrays as lists
   * @throws IllegalArgumentException when the token is not a compact JWS, not RS256, or the signature does not
   *     verify with {@code key}
   */
  public static Map<String, Object> verify(String jwt, RSAPublicKey key) {
    String[] parts = jwt == null ? new String[0] : jwt.split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a compact JWS (three base64url parts separated by dots): "
          + abbreviated(jwt));
    }
    JsonNode header = decodeJson(parts[0], "header");
    if (!"RS256".equals(header.path("alg").asText())) {
      throw new IllegalArgumentException("the token is signed with " + header.path("alg") + ", not RS256");
    }
    byte[] signature = decode(parts[2], "signature");
    try {
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(key);
      verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!verifier.verify(signature)) {
        throw new IllegalArgumentException("the signature does not verify with the key " + keyId(key)
            + " (the token names the key " + header.path("kid") + ")");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the signature does not verify with the key " + keyId(key) + ": "
          + e.getMessage(), e);
    }
    JsonNode claims = decodeJson(parts[1], "claims");
    if (!claims.isObject()) {
      throw new IllegalArgumentException("the claims are not a JSON object: " + claims);
    }
    return Serialization.jsonMapper().convertValue(claims, new TypeReference<LinkedHashMap<String, Object>>() {
    });
  }

  /**
   * The key id kube-apiserver gives a public key (pkg/serviceaccount/jwt.go {@code keyIDFromPublicKey}): the
   * unpadded base64url SHA-256 of its DER (X.509 SubjectPublicKeyInfo) encoding, 43 characters.
   */
  public static String keyId(RSAPublicKey key) {
    try {
      return BASE64URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** Signs {@code claims} as a compact JWS with header {@code {"alg":"RS256","kid":KID}}. */
  static String sign(ObjectNode claims, PrivateKey key, String keyId) {
    ObjectNode header = JsonNodeFactory.instance.objectNode().put("alg", "RS256").put("kid", keyId);
    String signingInput = encode(header) + "." + encode(claims);
    try {
      Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(key);
      signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + BASE64URL.encodeToString(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a ServiceAccount token with " + ALGORITHM, e);
    }
  }

  private static String encode(JsonNode node) {
    return BASE64URL.encodeToString(Serialization.asJson(node).getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode decodeJson(String part, String what) {
    byte[] bytes = decode(part, what);
    try {
      return Json.parse(bytes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the token's " + what + " is not JSON: "
          + abbreviated(new String(bytes, StandardCharsets.UTF_8)), e);
    }
  }

  private static byte[] decode(String part, String what) {
    try {
      return BASE64URL_DECODER.decode(part);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the token's " + what + " is not base64url: " + abbreviated(part), e);
    }
  }

  /** Enough of a bad input to recognise it, not a whole token in a message. */
  private static String abbreviated(String s) {
    if (s == null) {
      return "null";
    }
    return "\"" + (s.length() <= 40 ? s : s.substring(0, 40) + "...") + "\"";
  }
}
