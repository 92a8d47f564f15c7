package io.authip.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Entra ID's federated identity credentials (FICs): which external tokens an app or managed identity accepts as
 * {@code client_assertion}, and the check of one such assertion as Entra makes it. The issuers' signing keys are
 * given ({@link ArmEmulator#trustIssuer}) where Entra would fetch the issuer's JWKS. Thread-safe.
 */
final class FederatedCredentials {

  /** Entra's limit of federated identity credentials per app or user-assigned managed identity. */
  static final int MAX_PER_IDENTITY = 20;
  /** How far Entra lets {@code exp} and {@code nbf} miss the clock. */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  private static final String FIC_DOCS = "https://docs.microsoft.com/en-us/azure/active-directory/develop/"
      + "workload-identity-federation";

  /** One credential: an assertion matches when all three are equal, case-sensitively (as Entra compares). */
  record Credential(String issuer, String subject, String audience) {
  }

  /** Why the token endpoint refuses an assertion, as Entra answers it. */
  record Refusal(int status, String error, int code, String description) {
  }

  /** Issuer → its signing keys (several while a key is rotated). */
  private final Map<String, List<RSAPublicKey>> issuerKeys = new HashMap<>();
  /** Lower-cased client ID → its credentials, in the order added. */
  private final Map<String, List<Credential>> credentials = new HashMap<>();

  synchronized void trustIssuer(String issuer, PublicKey key) {
    requireIssuerUrl(issuer);
    if (!(key instanceof RSAPublicKey rsa)) {
      throw new IllegalArgumentException("issuer '" + issuer + "': the emulator verifies RS256 only, so the key must "
          + "be an RSA public key, got " + (key == null ? "null" : key.getAlgorithm()));
    }
    List<RSAPublicKey> keys = issuerKeys.computeIfAbsent(issuer, k -> new ArrayList<>());
    if (!keys.contains(rsa)) {
      keys.add(rsa);
    }
  }

  synchronized void add(String clientId, Credential credential) {
    requireText(clientId, "clientId");
    requireIssuerUrl(credential.issuer());
    requireText(credential.subject(), "subject");
    requireText(credential.audience(), "audience");
    List<Credential> list = credentials.computeIfAbsent(key(clientId), k -> new ArrayList<>());
    for (Credential existing : list) {
      // Entra keys a credential by issuer and subject: a second audience for the same pair is refused too.
      if (existing.issuer().equals(credential.issuer()) && existing.subject().equals(credential.subject())) {
        throw new IllegalArgumentException("client '" + clientId + "' already has a federated identity credential "
            + "for issuer '" + credential.issuer() + "' and subject '" + credential.subject() + "'");
      }
    }
    if (list.size() >= MAX_PER_IDENTITY) {
      throw new IllegalStateException("client '" + clientId + "' already has " + list.size() + " federated identity "
          + "credentials: Entra allows at most " + MAX_PER_IDENTITY + " per app or managed identity");
    }
    list.add(credential);
  }

  synchronized boolean has(String clientId) {
    return credentials.containsKey(key(clientId));
  }

  synchronized List<Credential> of(String clientId) {
    return List.copyOf(credentials.getOrDefault(key(clientId), List.of()));
  }

  /**
   * Checks a {@code client_assertion} for a client that has federated credentials, in Entra's order: well-formed,
   * an issuer one of the client's credentials names, a signature by that issuer's key, within its lifetime, and
   * finally issuer, subject and audience matching one credential exactly.
   */
  Optional<Refusal> check(String clientId, String assertion, Instant now) {
    Optional<Jws> parsed = Jws.parse(assertion);
    if (parsed.isEmpty()) {
      return refuse(400, "invalid_request", 50027, "JWT token is invalid or malformed.");
    }
    Jws jws = parsed.get();
    if (!"RS256".equals(jws.algorithm())) {
      // Entra also takes RS384 and RS512; Kubernetes signs ServiceAccount tokens with RS256 unless told otherwise.
      return refuse(400, "invalid_request", 5002738, "Invalid JWT token. '" + jws.algorithm() + "' is not a "
          + "supported signature algorithm. Supported signing algorithms are: 'RS256'");
    }
    List<Credential> mine = of(clientId);
    if (mine.stream().noneMatch(c -> c.issuer().equals(jws.issuer()))) {
      return refuse(401, "invalid_client", 700211, "No matching federated identity record found for presented "
          + "assertion issuer '" + jws.issuer() + "'. Please check your federated identity credential Subject, "
          + "Audience and Issuer against the presented assertion. " + FIC_DOCS);
    }
    List<RSAPublicKey> keys;
    synchronized (this) {
      keys = List.copyOf(issuerKeys.getOrDefault(jws.issuer(), List.of()));
    }
    if (keys.isEmpty()) {
      // Entra could not fetch the issuer's keys; the hint after the code is the emulator's own.
      return refuse(401, "invalid_client", 50166, "Request to External OIDC endpoint failed. (The emulator knows no "
          + "signing key of issuer '" + jws.issuer() + "': call ArmEmulator.trustIssuer first.)");
    }
    if (keys.stream().noneMatch(jws::verifiedBy)) {
      return refuse(401, "invalid_client", 700027, "Client assertion failed signature validation.");
    }
    if (jws.expiry() == null) {
      return refuse(400, "invalid_request", 50027, "JWT token is invalid or malformed: it has no 'exp' claim.");
    }
    Instant validFrom = jws.notBefore() == null ? Instant.EPOCH : jws.notBefore();
    if (now.isAfter(jws.expiry().plus(CLOCK_SKEW)) || now.isBefore(validFrom.minus(CLOCK_SKEW))) {
      return refuse(401, "invalid_client", 700024, "Client assertion is not within its valid time range. Current "
          + "time: " + now + ", assertion valid from " + validFrom + ", expiry time of assertion " + jws.expiry()
          + ". Review the documentation at "
          + "https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .");
    }
    boolean matches = mine.stream().anyMatch(c -> c.issuer().equals(jws.issuer())
        && c.subject().equals(jws.subject()) && jws.audiences().contains(c.audience()));
    if (!matches) {
      return refuse(400, "invalid_request", 70021, "No matching federated identity record found for presented "
          + "assertion. Assertion Issuer: '" + jws.issuer() + "'. Assertion Subject: '" + jws.subject()
          + "'. Assertion Audience: '" + String.join(", ", jws.audiences()) + "'. " + FIC_DOCS);
    }
    return Optional.empty();
  }

  private static Optional<Refusal> refuse(int status, String error, int code, String description) {
    return Optional.of(new Refusal(status, error, code, description));
  }

  private static String key(String clientId) {
    return clientId.toLowerCase(Locale.ROOT);
  }

  static void requireIssuerUrl(String issuer) {
    requireText(issuer, "issuer");
    URI uri;
    try {
      uri = URI.create(issuer);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("issuer '" + issuer + "' is not a URL: " + e.getMessage(), e);
    }
    // Entra accepts https issuers only, as OIDC discovery requires.
    if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("issuer '" + issuer + "' must be an https URL, as Entra requires");
    }
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required, got '" + value + "'");
    }
  }

  /** A compact JWS: the claims Entra reads and what the signature covers. */
  record Jws(String algorithm, String issuer, String subject, List<String> audiences, Instant expiry,
      Instant notBefore, byte[] signedPart, byte[] signature) {

    static Optional<Jws> parse(String compact) {
      String[] parts = compact.trim().split("\\.", -1);
      if (parts.length != 3) {
        return Optional.empty();
      }
      try {
        Base64.Decoder b64 = Base64.getUrlDecoder();
        JsonNode header = ArmHttpHandler.MAPPER.readTree(b64.decode(parts[0]));
        JsonNode claims = ArmHttpHandler.MAPPER.readTree(b64.decode(parts[1]));
        byte[] signature = b64.decode(parts[2]);
        if (header == null || !header.isObject() || claims == null || !claims.isObject()
            || !header.path("alg").isTextual() || !claims.path("iss").isTextual() || !claims.path("sub").isTextual()) {
          return Optional.empty();
        }
        List<String> audiences = new ArrayList<>();
        JsonNode aud = claims.path("aud");
        if (aud.isTextual()) {
          audiences.add(aud.asText());
        } else if (aud.isArray()) {
          for (JsonNode a : aud) {
            if (!a.isTextual()) {
              return Optional.empty();
            }
            audiences.add(a.asText());
          }
        } else {
          return Optional.empty();
        }
        return Optional.of(new Jws(header.get("alg").asText(), claims.get("iss").asText(), claims.get("sub").asText(),
            List.copyOf(audiences), time(claims, "exp"), time(claims, "nbf"),
            (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII), signature));
      } catch (IOException | IllegalArgumentException e) {
        return Optional.empty();
      }
    }

    /** A NumericDate claim, or null when absent; anything but a number makes the token malformed. */
    private static Instant time(JsonNode claims, String name) {
      JsonNode value = claims.get(name);
      if (value == null || value.isNull()) {
        return null;
      }
      if (!value.isNumber()) {
        throw new IllegalArgumentException("'" + name + "' is not a NumericDate: " + value);
      }
      return Instant.ofEpochSecond(value.asLong());
    }

    boolean verifiedBy(RSAPublicKey key) {
      try {
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(key);
        verifier.update(signedPart);
        return verifier.verify(signature);
      } catch (GeneralSecurityException e) {
        return false;
      }
    }
  }
}
