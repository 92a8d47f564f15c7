package io.authip.emulator;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code $skiptoken} of a list's {@code nextLink}: {@code base64url(last key) "." base64url(HMAC-SHA256)}, the
 * key being the lower-cased ID of the last item of the page before, the HMAC taken over the lower-cased list path
 * and that key with a key made per emulator. A token edited, made up, or taken from another list (another path) is
 * refused. ARM's tokens are opaque too; only the name and the idea are copied.
 */
final class SkipTokens {

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

  private final byte[] key = new byte[32];

  SkipTokens() {
    new SecureRandom().nextBytes(key);
  }

  String token(String listPath, String lastKey) {
    return B64.encodeToString(lastKey.getBytes(StandardCharsets.UTF_8)) + "." + mac(listPath, lastKey);
  }

  /** The last key a token carries, when it is one this emulator made for this list path. */
  Optional<String> lastKey(String listPath, String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.')) {
      return Optional.empty();
    }
    String lastKey;
    try {
      lastKey = new String(DECODE.decode(token.substring(0, dot)), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notBase64) {
      return Optional.empty();
    }
    boolean signed = MessageDigest.isEqual(mac(listPath, lastKey).getBytes(StandardCharsets.UTF_8),
        token.substring(dot + 1).getBytes(StandardCharsets.UTF_8));
    return signed ? Optional.of(lastKey) : Optional.empty();
  }

  private String mac(String listPath, String lastKey) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(ResourceIds.path(listPath).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      mac.update((byte) '\n');
      mac.update(lastKey.getBytes(StandardCharsets.UTF_8));
      return B64.encodeToString(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
