package io.authip.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits core/v1 Events about authip resources, de-duplicated: the same reason and message for the same object is
 * emitted again only after {@link #REPEAT_AFTER}. A failure to emit never fails a reconcile.
 */
public final class EventRecorder {

  static final Duration REPEAT_AFTER = Duration.ofMinutes(30);
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Instant> recent = new ConcurrentHashMap<>();

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** @return whether an event was emitted (false when it was a duplicate) */
  public boolean emit(HasMetadata about, EventReason reason, String message) {
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
    String uid = about.getMetadata().getUid() == null ? about.getMetadata().getName() : about.getMetadata().getUid();
    String key = uid + "|" + reason + "|" + text;
    Instant now = clock.instant();
    Instant last = recent.get(key);
    if (last != null && Duration.between(last, now).compareTo(REPEAT_AFTER) < 0) {
      return false;
    }
    recent.put(key, now);
    if (recent.size() > 10_000) {
      recent.entrySet().removeIf(e -> Duration.between(e.getValue(), now).compareTo(REPEAT_AFTER) >= 0);
    }
    String ns = about.getMetadata().getNamespace();
    var event = new EventBuilder()
        .withNewMetadata().withName(about.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
        .withNamespace(ns).endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(about.getApiVersion()).withKind(about.getKind())
            .withName(about.getMetadata().getName()).withNamespace(ns).withUid(about.getMetadata().getUid())
            .withResourceVersion(about.getMetadata().getResourceVersion()).build())
        .withReason(reason.name()).withMessage(text).withType(reason.warning() ? "Warning" : "Normal")
        .withFirstTimestamp(now.toString()).withLastTimestamp(now.toString()).withCount(1)
        .withNewSource().withComponent("authip").endSource()
        .build();
    try {
      client.v1().events().inNamespace(ns).resource(event).create();
      return true;
    } catch (KubernetesClientException e) {
      LOG.warn("could not record event {} for {}/{}: {}", reason, ns, about.getMetadata().getName(), e.getMessage());
      return false;
    }
  }
}
