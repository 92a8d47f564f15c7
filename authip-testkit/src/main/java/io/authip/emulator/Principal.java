package io.authip.emulator;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Who a token was issued to: the app's client ID and the object ID of its service principal, which ARM's
 * {@code AuthorizationFailed} messages name.
 */
record Principal(String clientId, String objectId) {

  static Principal of(String clientId) {
    return new Principal(clientId, objectId(clientId));
  }

  /**
   * The emulator's object ID for a client ID: derived from it, so that it is stable across runs and tests can predict
   * it, and different per client, as Entra's are. Client IDs are GUIDs, compared case-insensitively.
   */
  static String objectId(String clientId) {
    return UUID.nameUUIDFromBytes(("oid:" + clientId.toLowerCase(java.util.Locale.ROOT))
        .getBytes(StandardCharsets.UTF_8)).toString();
  }
}
