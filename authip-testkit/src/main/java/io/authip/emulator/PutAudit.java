package io.authip.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;

/**
 * One managed-cluster PUT as the emulator judged it: the cluster as it was stored at that moment, what was sent and
 * what was answered. Lets a test check that a PUT changed nothing but the field its sender owns, which the request
 * log alone cannot tell (it does not know what the body was compared with).
 *
 * @param at when it was judged, by the emulator's clock
 * @param clusterId the cluster's ID as spelled in the request path
 * @param before the cluster as a GET would have shown it just before the PUT was judged (with {@code eTag}), or
 *     null when there was no such cluster
 * @param sent the request body, or null when it was not a JSON object
 * @param ifMatch the {@code If-Match} header, or null when none was sent
 * @param status the status the emulator decided on, even when the answer was then lost ({@link Fault#lostResponse()});
 *     0 when the connection was closed before the request was judged ({@link Fault#connectionReset()})
 */
public record PutAudit(Instant at, String clusterId, ObjectNode before, ObjectNode sent, String ifMatch, int status) {

  public PutAudit {
    before = before == null ? null : before.deepCopy();
    sent = sent == null ? null : sent.deepCopy();
  }

  @Override
  public ObjectNode before() {
    return before == null ? null : before.deepCopy();
  }

  @Override
  public ObjectNode sent() {
    return sent == null ? null : sent.deepCopy();
  }

  /** The eTag the cluster had just before the PUT, if it existed. */
  public Optional<String> eTagBefore() {
    return before == null || !before.path("eTag").isTextual() ? Optional.empty()
        : Optional.of(before.get("eTag").asText());
  }

  /** Whether {@code If-Match} named the eTag the cluster had: only such a PUT may be accepted. */
  public boolean ifMatchCurrent() {
    return ifMatch != null && eTagBefore().map(e -> e.equals(ResourceStore.unquote(ifMatch))).orElse(false);
  }

  public boolean accepted() {
    return status >= 200 && status < 300;
  }

  /** Whether this PUT was for that cluster, whatever the spelling of either ID. */
  public boolean isFor(String resourceId) {
    return ResourceIds.key(clusterId).equals(ResourceIds.key(resourceId));
  }

  /** The lower-cased cluster ID, for grouping. */
  public String clusterKey() {
    return ResourceIds.key(clusterId);
  }
}
