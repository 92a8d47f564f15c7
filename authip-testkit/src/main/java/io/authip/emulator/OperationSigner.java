package io.authip.emulator;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs operation URLs as ARM does ({@code ?api-version=2016-03-30&t=...&c=...&s=...&h=...}) and checks them, so
 * that a client which edits, rebuilds or invents an operation URL is caught: {@code t} is a timestamp (.NET ticks),
 * {@code c} an opaque ID of the signing key, {@code s} an HMAC-SHA256 over the lower-cased path and {@code t} with a
 * key made per emulator, {@code h} a hash binding {@code c} and {@code s}. The real ARM's values are opaque too; only
 * their shape (base64url) is copied.
 */
final class OperationSigner {

  /** The api-version ARM puts in AKS operation URLs. */
  static final String OPERATION_API_VERSION = "2016-03-30";
  private static final long TICKS_AT_EPOCH = 621_355_968_000_000_000L;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final byte[] key = new byte[32];
  private final String certificateId;

  OperationSigner() {
    SecureRandom random = new SecureRandom();
    random.nextBytes(key);
    byte[] id = new byte[48];
    random.nextBytes(id);
    this.certificateId = "MII" + B64.encodeToString(id);
  }

  /** {@code path} plus the signed query. */
  String sign(String path, Instant at) {
    String t = Long.toString(TICKS_AT_EPOCH + at.toEpochMilli() * 10_000L);
    String s = signature(path, t);
    return path + "?api-version=" + OPERATION_API_VERSION + "&t=" + t + "&c=" + certificateId + "&s=" + s + "&h="
        + hash(s);
  }

  /**
   * @param path the request's path
   * @param rawQuery its raw query
   * @return null when the signature is there and right, else what is wrong
   */
  String problem(String path, String rawQuery) {
    Map<String, String> q = new LinkedHashMap<>();
    for (String pair : (rawQuery == null ? "" : rawQuery).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        q.putIfAbsent(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    for (String name : new String[] {"t", "c", "s", "h"}) {
      if (q.get(name) == null || q.get(name).isEmpty()) {
        return "the signature parameter '" + name + "' is missing";
      }
    }
    if (!same(q.get("c"), certificateId)) {
      return "the signature's certificate 'c' is unknown";
    }
    String expected = signature(path, q.get("t"));
    if (!same(q.get("s"), expected)) {
      return "the signature 's' does not match the URL";
    }
    if (!same(q.get("h"), hash(expected))) {
      return "the hash 'h' does not match the signature";
    }
    return null;
  }

  private String signature(String path, String t) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(ResourceIds.path(path).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      mac.update((byte) '\n');
      mac.update(t.getBytes(StandardCharsets.UTF_8));
      return B64.encodeToString(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private String hash(String signature) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(certificateId.getBytes(StandardCharsets.UTF_8));
      d.update((byte) '\n');
      d.update(signature.getBytes(StandardCharsets.UTF_8));
      return B64.encodeToString(d.digest()).substring(0, 22);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static boolean same(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
