package io.authip.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.CapturedAccess;
import io.authip.policy.ApiServerAccess;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What authip must know about a takeover and that no tenant may write: for each (policy, cluster), the access the
 * cluster had before authip first changed it, and the lists authip has sent it since. Kept in one ConfigMap per policy
 * UID in the operator's own namespace ({@code authip-capture-<uid>}), which tenants who can write policies and their
 * status cannot write. Every write carries the resourceVersion it read (optimistic concurrency); the in-memory copy is
 * a cache of the last read or write, never the source of truth: a conflict drops it and reads again.
 */
public final class CaptureStore {

  /** The data key holding the JSON document. */
  static final String DATA_KEY = "captures.json";
  static final String NAME_PREFIX = "authip-capture-";
  /** How many of the latest lists sent to a cluster are remembered (a restore puts back only over one of them). */
  static final int SENT_KEPT = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One cluster's record.
   *
   * @param clusterId the cluster's ARM ID as authip read it
   * @param captured what the cluster had before authip first changed it
   * @param sent the latest lists authip sent (or was about to send) to the cluster, oldest first, AKS spelling
   */
  public record Entry(String clusterId, CapturedAccess captured, List<List<String>> sent) {
    public Entry {
      sent = sent.stream().map(List::copyOf).toList();
    }

    /** Whether {@code current} is one of the lists authip sent (compared as canonical sets). */
    public boolean holdsListSentByAuthip(ApiServerAccess current) {
      return sent.stream().map(ApiServerAccess::fromAks)
          .anyMatch(s -> s.access() == current.access() && s.ranges().equals(current.ranges())
              && java.util.Objects.equals(s.serviceTag(), current.serviceTag()));
    }
  }

  /** The store could not record what must be recorded before an Azure write: the write must not happen. */
  public static final class NotRecorded extends RuntimeException {
    NotRecorded(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private record Cached(String resourceVersion, Map<String, Entry> entries) {
  }

  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public CaptureStore(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  public String namespace() {
    return namespace;
  }

  static String configMapName(String policyUid) {
    return NAME_PREFIX + policyUid.toLowerCase(Locale.ROOT);
  }

  /** The records of a policy, keyed by cluster key (lower-case {@code sub/rg/name}); empty when it has none. */
  public Map<String, Entry> entries(AuthorizedIpPolicy policy) {
    String uid = uid(policy);
    Cached cached = cache.get(uid);
    if (cached == null) {
      cached = read(uid);
      cache.put(uid, cached);
    }
    return cached.entries();
  }

  /**
   * Durably records, before authip sends {@code intended} to a cluster that now has {@code current}: the capture
   * (only when this policy has none for the cluster yet, so it is the genuine pre-takeover state) and the list about
   * to be sent. Returns once the ConfigMap holds both.
   *
   * @throws NotRecorded when the write failed (the caller must not write to Azure)
   */
  public Entry recordBeforeWrite(AuthorizedIpPolicy policy, String clusterKey, String clusterId,
      ApiServerAccess current, ApiServerAccess intended, String now) {
    return record(policy, clusterKey, clusterId, current, intended, now);
  }

  /**
   * Records the capture alone (first read of a cluster in Enforce mode, when nothing needs changing yet), so that a
   * later correction of someone else's change does not capture that change as the pre-takeover state.
   *
   * @throws NotRecorded when the write failed
   */
  public Entry recordCapture(AuthorizedIpPolicy policy, String clusterKey, String clusterId, ApiServerAccess current,
      String now) {
    return record(policy, clusterKey, clusterId, current, null, now);
  }

  private Entry record(AuthorizedIpPolicy policy, String clusterKey, String clusterId, ApiServerAccess current,
      ApiServerAccess intended, String now) {
    String uid = uid(policy);
    for (int attempt = 1; ; attempt++) {
      Cached cached = cache.get(uid);
      if (cached == null) {
        // read outside the map's lock: a GET must not hold up the other policies' entries
        cached = read(uid);
        cache.put(uid, cached);
      }
      Map<String, Entry> entries = new LinkedHashMap<>(cached.entries());
      Entry old = entries.get(clusterKey);
      CapturedAccess captured = old != null ? old.captured()
          : new CapturedAccess(current.access(), current.toAks(), now);
      List<List<String>> sent = new ArrayList<>(old == null ? List.of() : old.sent());
      if (intended != null) {
        sent.remove(intended.toAks());
        sent.add(intended.toAks());
      }
      while (sent.size() > SENT_KEPT) {
        sent.remove(0);
      }
      Entry entry = new Entry(clusterId, captured, sent);
      if (entry.equals(old)) {
        return entry;
      }
      entries.put(clusterKey, entry);
      try {
        cache.put(uid, write(policy, cached.resourceVersion(), entries));
        return entry;
      } catch (KubernetesClientException e) {
        cache.remove(uid);
        if (e.getCode() != 409 || attempt >= 3) {
          throw new NotRecorded("cannot record the pre-takeover state in ConfigMap " + namespace + "/"
              + configMapName(uid) + " (HTTP " + e.getCode() + ": " + e.getMessage() + ")"
              + (e.getCode() == 404 ? "; create the namespace or set AUTHIP_NAMESPACE to the operator's namespace"
              : ""), e);
        }
        // someone (a previous leader) wrote it meanwhile: read again and merge into what is there
      }
    }
  }

  /** Deletes a policy's records (after its deletion is handled); a missing ConfigMap is fine. */
  public void forget(String policyUid) {
    cache.remove(policyUid);
    client.configMaps().inNamespace(namespace).withName(configMapName(policyUid)).delete();
  }

  private Cached read(String uid) {
    ConfigMap cm = client.configMaps().inNamespace(namespace).withName(configMapName(uid)).get();
    if (cm == null) {
      return new Cached(null, Map.of());
    }
    return new Cached(cm.getMetadata().getResourceVersion(), parse(uid, cm));
  }

  private Cached write(AuthorizedIpPolicy policy, String resourceVersion, Map<String, Entry> entries) {
    String uid = uid(policy);
    ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(configMapName(uid)).withNamespace(namespace)
        .withResourceVersion(resourceVersion)
        .addToLabels("app.kubernetes.io/managed-by", "authip")
        .addToLabels("authip.io/policy-uid", uid)
        .addToAnnotations("authip.io/policy", policy.getMetadata().getNamespace() + "/" + policy.getMetadata().getName())
        .endMetadata()
        .addToData(DATA_KEY, render(uid, entries)).build();
    ConfigMap written = resourceVersion == null ? client.configMaps().inNamespace(namespace).resource(cm).create()
        : client.configMaps().inNamespace(namespace).resource(cm).update();
    return new Cached(written.getMetadata().getResourceVersion(), Map.copyOf(entries));
  }

  private static String render(String uid, Map<String, Entry> entries) {
    ObjectNode root = JSON.createObjectNode();
    root.put("policyUid", uid);
    ObjectNode clusters = root.putObject("clusters");
    entries.forEach((key, e) -> {
      ObjectNode n = clusters.putObject(key);
      n.put("clusterId", e.clusterId());
      ObjectNode c = n.putObject("captured");
      c.put("access", e.captured().getAccess().name());
      ArrayNode r = c.putArray("ranges");
      e.captured().getRanges().forEach(r::add);
      c.put("capturedAt", e.captured().getCapturedAt());
      ArrayNode sent = n.putArray("sent");
      e.sent().forEach(list -> {
        ArrayNode l = sent.addArray();
        list.forEach(l::add);
      });
    });
    return root.toString();
  }

  /** Reads what {@link #render} wrote; a document that is not (another UID, unreadable) counts as no record. */
  static Map<String, Entry> parse(String uid, ConfigMap cm) {
    String text = cm.getData() == null ? null : cm.getData().get(DATA_KEY);
    if (text == null) {
      return Map.of();
    }
    try {
      JsonNode root = JSON.readTree(text);
      if (!uid.equals(root.path("policyUid").asText())) {
        return Map.of();
      }
      Map<String, Entry> out = new LinkedHashMap<>();
      root.path("clusters").fields().forEachRemaining(f -> {
        JsonNode n = f.getValue();
        JsonNode c = n.path("captured");
        List<String> ranges = new ArrayList<>();
        c.path("ranges").forEach(x -> ranges.add(x.asText()));
        List<List<String>> sent = new ArrayList<>();
        n.path("sent").forEach(l -> {
          List<String> list = new ArrayList<>();
          l.forEach(x -> list.add(x.asText()));
          sent.add(list);
        });
        Optional<Access> access = parseAccess(c.path("access").asText());
        access.ifPresent(a -> out.put(f.getKey(), new Entry(n.path("clusterId").asText(),
            new CapturedAccess(a, ranges, c.path("capturedAt").asText(null)), sent)));
      });
      return Map.copyOf(out);
    } catch (JsonProcessingException e) {
      return Map.of();
    }
  }

  private static Optional<Access> parseAccess(String s) {
    try {
      return Optional.of(Access.valueOf(s));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static String uid(AuthorizedIpPolicy policy) {
    String uid = policy.getMetadata().getUid();
    if (uid == null || uid.isBlank()) {
      throw new NotRecorded("the policy has no metadata.uid", null);
    }
    return uid;
  }
}
