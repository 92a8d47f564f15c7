package io.authip.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.ranges.CidrSet;
import io.authip.sources.FeedContent;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What authip read from each IpRangeSet's sources, kept where no tenant can write it: one ConfigMap
 * {@code authip-sources-<set uid>} in the operator's namespace per set with sources. It holds, per source (keyed by
 * {@link io.authip.api.v1alpha1.RangeSource#key()}, so reordering keeps content), the content in use (the last good
 * one), the content held back by the shrink guard, and the last attempt and its error. The set's status shows the
 * same, but status is anyone's to write: policies use this record, never status.
 *
 * <p>Written with the resourceVersion it read (optimistic concurrency) before the set's status says anything about
 * it; the in-memory copy is a cache of the last read or write.
 */
public final class SourceStore {

  static final String DATA_KEY = "sources.json";
  static final String NAME_PREFIX = "authip-sources-";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Content in use. */
  public record Good(CidrSet blocks, String hash, String changeNumber, int ipv6Skipped, String refreshedAt) {
    static Good of(FeedContent c, String at) {
      return new Good(c.blocks(), c.hash(), c.changeNumber(), c.ipv6Skipped(), at);
    }
  }

  /** Content held back: it removes more than the set's maxShrinkPercent. */
  public record Held(CidrSet blocks, String hash, String changeNumber, int ipv6Skipped, String change,
      String heldAt) {
  }

  /** One source's record; {@code good} null until it was first read successfully. */
  public record State(Good good, Held held, String lastAttempt, String lastError) {
    public static final State NEW = new State(null, null, null, null);
  }

  /** The record could not be written: nothing that depends on it may be done. */
  public static final class NotRecorded extends RuntimeException {
    NotRecorded(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private record Cached(String resourceVersion, Map<String, State> states) {
  }

  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public SourceStore(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  static String name(String uid) {
    return NAME_PREFIX + uid.toLowerCase(Locale.ROOT);
  }

  /** The set's records, keyed by source key (empty when it has none). One GET the first time, then the cache. */
  public Map<String, State> states(IpRangeSet set) {
    String uid = set.getMetadata().getUid();
    if (uid == null) {
      return Map.of();
    }
    return cache.computeIfAbsent(uid, u -> read(u)).states();
  }

  /**
   * Replaces the set's records with {@code states}; a conflict (someone else wrote since the cached read) drops the
   * cache and fails, so that the caller computes again from what is there.
   *
   * @throws NotRecorded when the write failed
   */
  public void write(IpRangeSet set, Map<String, State> states) {
    String uid = set.getMetadata().getUid();
    Cached cached = cache.computeIfAbsent(uid, this::read);
    if (cached.states().equals(states)) {
      return;
    }
    String data = render(uid, states);
    if (data.getBytes(StandardCharsets.UTF_8).length > CaptureStore.MAX_DATA_BYTES) {
      throw new NotRecorded("the content of this set's sources is more than a ConfigMap's 1 MiB; split the sources "
          + "over several IpRangeSets", null);
    }
    ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(name(uid)).withNamespace(namespace)
        .withResourceVersion(cached.resourceVersion())
        .addToLabels("app.kubernetes.io/managed-by", "authip")
        .addToLabels("authip.io/iprangeset-uid", uid)
        .addToAnnotations("authip.io/iprangeset", set.getMetadata().getNamespace() + "/" + set.getMetadata().getName())
        .endMetadata().addToData(DATA_KEY, data).build();
    try {
      ConfigMap written = cached.resourceVersion() == null
          ? client.configMaps().inNamespace(namespace).resource(cm).create()
          : client.configMaps().inNamespace(namespace).resource(cm).update();
      cache.put(uid, new Cached(written.getMetadata().getResourceVersion(), Map.copyOf(states)));
    } catch (KubernetesClientException e) {
      cache.remove(uid);
      throw new NotRecorded("cannot record the sources' content in ConfigMap " + namespace + "/" + name(uid)
          + " (HTTP " + e.getCode() + ": " + e.getMessage() + ")", e);
    }
  }

  /** Says whether the IpRangeSet {@code namespace/name} with this UID still exists. */
  @FunctionalInterface
  public interface Liveness {
    boolean alive(String namespace, String name, String uid);
  }

  /**
   * Deletes the records of IpRangeSets that no longer exist (a set is not finalized: its record outlives it until
   * a sweep finds it gone). Records whose set cannot be named are left alone.
   *
   * @return how many records were deleted
   */
  public int sweep(Liveness liveness) {
    int deleted = 0;
    for (ConfigMap cm : client.configMaps().inNamespace(namespace).withLabel("authip.io/iprangeset-uid").list()
        .getItems()) {
      String uid = cm.getMetadata().getLabels().get("authip.io/iprangeset-uid");
      String set = cm.getMetadata().getAnnotations() == null ? null
          : cm.getMetadata().getAnnotations().get("authip.io/iprangeset");
      if (uid == null || set == null || set.indexOf('/') <= 0 || !cm.getMetadata().getName().equals(name(uid))) {
        continue;
      }
      String ns = set.substring(0, set.indexOf('/'));
      if (!liveness.alive(ns, set.substring(set.indexOf('/') + 1), uid)) {
        client.configMaps().inNamespace(namespace).withName(cm.getMetadata().getName()).delete();
        cache.remove(uid);
        deleted++;
      }
    }
    return deleted;
  }

  private Cached read(String uid) {
    ConfigMap cm = client.configMaps().inNamespace(namespace).withName(name(uid)).get();
    if (cm == null) {
      return new Cached(null, Map.of());
    }
    return new Cached(cm.getMetadata().getResourceVersion(), parse(uid, cm));
  }

  private static String render(String uid, Map<String, State> states) {
    ObjectNode root = JSON.createObjectNode();
    root.put("setUid", uid);
    ObjectNode sources = root.putObject("sources");
    states.forEach((key, st) -> {
      ObjectNode n = sources.putObject(key);
      if (st.good() != null) {
        ObjectNode g = n.putObject("good");
        blocks(g.putArray("blocks"), st.good().blocks());
        g.put("hash", st.good().hash());
        g.put("changeNumber", st.good().changeNumber());
        g.put("ipv6Skipped", st.good().ipv6Skipped());
        g.put("refreshedAt", st.good().refreshedAt());
      }
      if (st.held() != null) {
        ObjectNode h = n.putObject("held");
        blocks(h.putArray("blocks"), st.held().blocks());
        h.put("hash", st.held().hash());
        h.put("changeNumber", st.held().changeNumber());
        h.put("ipv6Skipped", st.held().ipv6Skipped());
        h.put("change", st.held().change());
        h.put("heldAt", st.held().heldAt());
      }
      n.put("lastAttempt", st.lastAttempt());
      n.put("lastError", st.lastError());
    });
    return root.toString();
  }

  private static void blocks(ArrayNode array, CidrSet blocks) {
    blocks.toStrings().forEach(array::add);
  }

  /**
   * Reads what {@link #render} wrote. Content whose blocks do not hash to the recorded hash (edited by hand, or
   * damaged) is dropped, so that the source is read again rather than used.
   */
  static Map<String, State> parse(String uid, ConfigMap cm) {
    String text = cm.getData() == null ? null : cm.getData().get(DATA_KEY);
    if (text == null) {
      return Map.of();
    }
    try {
      JsonNode root = JSON.readTree(text);
      if (!uid.equals(root.path("setUid").asText())) {
        return Map.of();
      }
      Map<String, State> out = new LinkedHashMap<>();
      root.path("sources").fields().forEachRemaining(f -> {
        JsonNode n = f.getValue();
        Good good = null;
        Held held = null;
        JsonNode g = n.path("good");
        if (g.isObject()) {
          CidrSet b = blocksOf(g.path("blocks"));
          if (b != null && FeedContent.hash(b).equals(g.path("hash").asText())) {
            good = new Good(b, g.path("hash").asText(), g.path("changeNumber").asText(null),
                g.path("ipv6Skipped").asInt(), g.path("refreshedAt").asText(null));
          }
        }
        JsonNode h = n.path("held");
        if (h.isObject()) {
          CidrSet b = blocksOf(h.path("blocks"));
          if (b != null && FeedContent.hash(b).equals(h.path("hash").asText())) {
            held = new Held(b, h.path("hash").asText(), h.path("changeNumber").asText(null),
                h.path("ipv6Skipped").asInt(), h.path("change").asText(null), h.path("heldAt").asText(null));
          }
        }
        out.put(f.getKey(), new State(good, held, n.path("lastAttempt").asText(null),
            n.path("lastError").asText(null)));
      });
      return Map.copyOf(out);
    } catch (JsonProcessingException e) {
      return Map.of();
    }
  }

  private static CidrSet blocksOf(JsonNode array) {
    if (!array.isArray()) {
      return null;
    }
    List<String> texts = new ArrayList<>();
    array.forEach(x -> texts.add(x.asText()));
    try {
      return CidrSet.parse(texts);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
