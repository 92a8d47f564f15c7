package io.authip.operator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits core/v1 Events about authip resources the way the Kubernetes event recorder does: one Event per (involved
 * object UID, reason, type, message), named deterministically ({@code <object name>.<16 hex digits of a SHA-256>}),
 * whose {@code count} and {@code lastTimestamp} are updated when it happens again, from this process or another
 * (create; 409 AlreadyExists; get; merge patch with the read resourceVersion, re-read on 409 Conflict). A failover
 * therefore continues an Event's count instead of repeating it.
 *
 * <p>The in-memory map is only a cache: a repeat within {@link #REPEAT_AFTER} of the last write from this process
 * makes no API call, and the map holds at most {@link #CACHE_SIZE} entries (least recently used dropped). Verbs used:
 * create, get and patch on events. A failure to emit is logged and never fails a reconcile.
 */
public final class EventRecorder {

  static final Duration REPEAT_AFTER = Duration.ofMinutes(10);
  static final int CACHE_SIZE = 4096;
  /** Longest Kubernetes object name (a DNS subdomain). */
  static final int MAX_NAME = 253;
  private static final int HASH_HEX = 16;
  private static final int MAX_MESSAGE = 1024;
  private static final int MAX_ATTEMPTS = 3;
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Instant> recent = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
      return size() > CACHE_SIZE;
    }
  };

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** @return whether the Event was written (false for a repeat inside the window, or when the write failed) */
  public boolean emit(HasMetadata about, EventReason reason, String message) {
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
    String type = reason.warning() ? "Warning" : "Normal";
    String ns = about.getMetadata().getNamespace();
    String uid = about.getMetadata().getUid() != null ? about.getMetadata().getUid()
        : ns + "/" + about.getMetadata().getName();
    String name = name(about.getMetadata().getName(), uid + "\n" + reason + "\n" + type + "\n" + text);
    String key = ns + "/" + name; // the hash stands for the message: the cache stays small
    Instant now = clock.instant();
    Instant last;
    synchronized (recent) {
      last = recent.get(key);
    }
    if (last != null && Duration.between(last, now).compareTo(REPEAT_AFTER) < 0) {
      return false;
    }
    try {
      write(about, ns, name, reason, type, text, now, last == null);
    } catch (RuntimeException e) {
      LOG.warn("could not record event {} {} for {}/{}: {}", reason, name, ns, about.getMetadata().getName(),
          e.getMessage());
      return false;
    }
    synchronized (recent) {
      recent.put(key, now);
    }
    return true;
  }

  /** Create when new to this process; otherwise (or when it exists) read it and count one more. */
  private void write(HasMetadata about, String ns, String name, EventReason reason, String type, String text,
      Instant now, boolean create) {
    var events = client.v1().events().inNamespace(ns);
    boolean tryCreate = create;
    for (int attempt = 1; ; attempt++) {
      if (tryCreate) {
        try {
          events.resource(newEvent(about, ns, name, reason, type, text, now)).create();
          return;
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409 || attempt >= MAX_ATTEMPTS) {
            throw e;
          }
          tryCreate = false; // AlreadyExists: another process (or an earlier life of this one) emitted it
          continue;
        }
      }
      Event existing = events.withName(name).get();
      if (existing == null) {
        tryCreate = true; // expired (events have a TTL) or deleted
        continue;
      }
      int count = existing.getCount() == null ? 1 : existing.getCount();
      String patch = "{\"metadata\":{\"resourceVersion\":\"" + existing.getMetadata().getResourceVersion()
          + "\"},\"count\":" + (count + 1) + ",\"lastTimestamp\":\"" + now + "\"}";
      try {
        events.withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        return;
      } catch (KubernetesClientException e) {
        // 409: someone else counted meanwhile; 404: it expired meanwhile. Either way read again.
        if ((e.getCode() != 409 && e.getCode() != 404) || attempt >= MAX_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private static Event newEvent(HasMetadata about, String ns, String name, EventReason reason, String type,
      String text, Instant now) {
    return new EventBuilder()
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(about.getApiVersion()).withKind(about.getKind())
            .withName(about.getMetadata().getName()).withNamespace(ns).withUid(about.getMetadata().getUid())
            .withResourceVersion(about.getMetadata().getResourceVersion()).build())
        .withReason(reason.name()).withMessage(text).withType(type)
        .withFirstTimestamp(now.toString()).withLastTimestamp(now.toString()).withCount(1)
        .withNewSource().withComponent("authip").endSource()
        .build();
  }

  /**
   * {@code <object name>.<16 hex digits of SHA-256(key)>}, a valid DNS subdomain of at most {@link #MAX_NAME}
   * characters: the object name is lower-cased, characters outside {@code [a-z0-9.-]} become {@code -}, and it is
   * cut so that the suffix fits (the hash keeps names of long objects distinct).
   */
  static String name(String objectName, String key) {
    String hash = sha256Hex(key).substring(0, HASH_HEX);
    String base = objectName == null ? "" : objectName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    int room = MAX_NAME - HASH_HEX - 1;
    if (base.length() > room) {
      base = base.substring(0, room);
    }
    StringBuilder labels = new StringBuilder();
    for (String label : base.split("\\.")) {
      String trimmed = label.replaceAll("^-+|-+$", "");
      if (!trimmed.isEmpty()) {
        labels.append(trimmed).append('.');
      }
    }
    return labels + hash;
  }

  private static String sha256Hex(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
