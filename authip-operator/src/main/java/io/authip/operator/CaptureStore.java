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
 * cluster had before authip first changed it, the lists authip has sent it since, and, for policies with
 * {@code spec.reachability.revertOnLockout}, the change watched for a lockout and the list found locking the operator
 * out (so that a restart neither ends a watch nor lets status alone decide what is put back). Kept in ConfigMaps in the
 * operator's own namespace, which tenants who can write policies and their status cannot write: a policy's clusters are
 * spread over {@link #SHARDS} ConfigMaps {@code authip-capture-<uid>-NN} by a hash of the cluster's key, so that one
 * write stays small (a policy whose selectors take 1,000 clusters would otherwise rewrite one document of up to
 * several MiB per cluster, beyond a ConfigMap's 1 MiB) and a pass records all its clusters in one write per shard
 * ({@link #recordAll}). Records of older versions, all in one ConfigMap {@code authip-capture-<uid>}, are still read;
 * a cluster's shard wins over them.
 *
 * <p>Every write carries the resourceVersion it read (optimistic concurrency); the in-memory copy is a cache of the
 * last read or write, never the source of truth: a conflict drops it and reads again.
 */
public final class CaptureStore {

  /** The data key holding the JSON document. */
  static final String DATA_KEY = "captures.json";
  static final String NAME_PREFIX = "authip-capture-";
  /** How many of the latest lists sent to a cluster are remembered (a restore puts back only over one of them). */
  static final int SENT_KEPT = 3;
  /**
   * ConfigMaps per policy. A cluster's record is at most about 15 KB (four lists of 200 ranges), so 1,100 clusters (100
   * named, 1,000 selected) average 260 KB a shard, well inside a ConfigMap's 1 MiB.
   */
  static final int SHARDS = 64;
  /** A ConfigMap's data may hold at most 1 MiB (kube-apiserver refuses more with 422). */
  static final int MAX_DATA_BYTES = 1024 * 1024;
  private static final String LEGACY = "legacy";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A list (by its digest) and a time: the change authip watches for a lockout and when it was sent, or the list
   * found locking the operator out and when; with the list the cluster had when that change was sent (AKS spelling,
   * empty for unrestricted), which is what a revert puts back. {@code before} is null in records that lack it.
   */
  public record Mark(String digest, String at, List<String> before) {
    public Mark {
      before = before == null ? null : List.copyOf(before);
    }

    public Mark(String digest, String at) {
      this(digest, at, null);
    }
  }

  /**
   * One cluster's record.
   *
   * @param clusterId the cluster's ARM ID as authip read it
   * @param captured what the cluster had before authip first changed it
   * @param sent the latest lists authip sent (or was about to send) to the cluster, oldest first, AKS spelling
   * @param watch the change sent while the API server answered the operator, watched for a lockout until it answers
   *     after the change's propagation window; null when none
   * @param lockout the list found locking the operator out: held back while the policy asks for it; null when none
   */
  public record Entry(String clusterId, CapturedAccess captured, List<List<String>> sent, Mark watch, Mark lockout) {
    public Entry {
      sent = sent.stream().map(List::copyOf).toList();
    }

    public Entry(String clusterId, CapturedAccess captured, List<List<String>> sent) {
      this(clusterId, captured, sent, null, null);
    }

    /** Whether {@code current} is one of the lists authip sent (compared as canonical sets). */
    public boolean holdsListSentByAuthip(ApiServerAccess current) {
      return sent.stream().map(ApiServerAccess::fromAks)
          .anyMatch(s -> s.access() == current.access() && s.ranges().equals(current.ranges())
              && java.util.Objects.equals(s.serviceTag(), current.serviceTag()));
    }
  }

  /**
   * What to record for one cluster: its capture (kept when the policy has one for it already) and, unless null, the
   * list about to be sent. With {@code marks}, the record's watch and lockout become {@code watch} and
   * {@code lockout} (null clears them); without, they are kept as they are.
   */
  public record Record(String clusterKey, String clusterId, ApiServerAccess current, ApiServerAccess intended,
      String now, boolean marks, Mark watch, Mark lockout) {

    public Record(String clusterKey, String clusterId, ApiServerAccess current, ApiServerAccess intended, String now) {
      this(clusterKey, clusterId, current, intended, now, false, null, null);
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
  /** Per policy UID and shard ({@code uid/NN}, or {@code uid/legacy}). */
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public CaptureStore(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  public String namespace() {
    return namespace;
  }

  /** The one ConfigMap in which versions before the shards kept all of a policy's records. */
  static String configMapName(String policyUid) {
    return NAME_PREFIX + policyUid.toLowerCase(Locale.ROOT);
  }

  /** The ConfigMap holding the records of {@code shard}. */
  static String shardName(String policyUid, int shard) {
    return configMapName(policyUid) + (shard < 10 ? "-0" : "-") + shard;
  }

  /** The shard of a cluster key: CRC-32 of its UTF-8 bytes, modulo {@link #SHARDS}; the same in every version. */
  static int shard(String clusterKey) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(clusterKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return (int) (crc.getValue() % SHARDS);
  }

  /** The ConfigMap that holds (or will hold) a cluster's record, for messages. */
  public String configMapOf(AuthorizedIpPolicy policy, String clusterKey) {
    return namespace + "/" + shardName(uid(policy), shard(clusterKey));
  }

  /** A cluster's record for a policy, if it has one: one ConfigMap read at most (two for an older version's). */
  public Optional<Entry> entry(AuthorizedIpPolicy policy, String clusterKey) {
    String uid = uid(policy);
    Entry e = shard(uid, shard(clusterKey)).entries().get(clusterKey);
    return e != null ? Optional.of(e) : Optional.ofNullable(legacy(uid).entries().get(clusterKey));
  }

  /**
   * Every record of a policy, keyed by cluster key (lower-case {@code sub/rg/name}); empty when it has none. Reads
   * every shard: for restoring a deleted policy, not for a pass.
   */
  public Map<String, Entry> entries(AuthorizedIpPolicy policy) {
    String uid = uid(policy);
    Map<String, Entry> out = new LinkedHashMap<>(legacy(uid).entries());
    for (int i = 0; i < SHARDS; i++) {
      out.putAll(shard(uid, i).entries());
    }
    return out;
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
    return recordAll(policy, List.of(new Record(clusterKey, clusterId, current, intended, now))).get(clusterKey);
  }

  /**
   * Records the capture alone (first read of a cluster in Enforce mode, when nothing needs changing yet), so that a
   * later correction of someone else's change does not capture that change as the pre-takeover state.
   *
   * @throws NotRecorded when the write failed
   */
  public Entry recordCapture(AuthorizedIpPolicy policy, String clusterKey, String clusterId, ApiServerAccess current,
      String now) {
    return recordAll(policy, List.of(new Record(clusterKey, clusterId, current, null, now))).get(clusterKey);
  }

  /**
   * Records a cluster's lockout watch and lockout hold as {@code watch} and {@code lockout} (null clears either),
   * leaving its capture and sent lists as they are: before authip puts back the list before a lockout, and when a watch
   * or a hold ends.
   *
   * @throws NotRecorded when the write failed (the caller must not act on it)
   */
  public Entry recordMarks(AuthorizedIpPolicy policy, String clusterKey, String clusterId, Mark watch, Mark lockout,
      String now) {
    Entry e = recordAll(policy, List.of(new Record(clusterKey, clusterId, null, null, now, true, watch, lockout)))
        .get(clusterKey);
    if (e == null) {
      throw new NotRecorded("authip has no record of cluster " + clusterKey + " in ConfigMap "
          + configMapOf(policy, clusterKey) + " to add its lockout watch or hold to", null);
    }
    return e;
  }

  /**
   * Records several clusters at once, in order (a later record of a cluster keeps the capture of an earlier one), with
   * one write per shard they fall in. Returns the records of those clusters as now stored.
   *
   * @throws NotRecorded when a write failed: the records of the shards written before it are durable, the others not;
   *     no Azure write may follow for any of them
   */
  public Map<String, Entry> recordAll(AuthorizedIpPolicy policy, List<Record> records) {
    String uid = uid(policy);
    Map<Integer, List<Record>> byShard = new java.util.TreeMap<>();
    for (Record r : records) {
      byShard.computeIfAbsent(shard(r.clusterKey()), k -> new ArrayList<>()).add(r);
    }
    Map<String, Entry> out = new LinkedHashMap<>();
    for (Map.Entry<Integer, List<Record>> e : byShard.entrySet()) {
      out.putAll(recordShard(policy, uid, e.getKey(), e.getValue()));
    }
    return out;
  }

  private Map<String, Entry> recordShard(AuthorizedIpPolicy policy, String uid, int shard, List<Record> records) {
    String name = shardName(uid, shard);
    for (int attempt = 1; ; attempt++) {
      Cached cached;
      Cached before;
      try {
        cached = shard(uid, shard);
        before = legacy(uid);
      } catch (KubernetesClientException e) {
        throw new NotRecorded("cannot read authip's records in ConfigMap " + namespace + "/" + name + " (HTTP "
            + e.getCode() + ": " + e.getMessage() + ")", e);
      }
      Map<String, Entry> entries = new LinkedHashMap<>(cached.entries());
      Map<String, Entry> touched = new LinkedHashMap<>();
      boolean changed = false;
      for (Record r : records) {
        Entry old = entries.get(r.clusterKey());
        if (old == null) {
          // An older version's record: its capture is the genuine one.
          old = before.entries().get(r.clusterKey());
        }
        if (old == null && r.current() == null) {
          continue; // marks alone never start a record: there is no capture to keep them with
        }
        CapturedAccess captured = old != null ? old.captured()
            : new CapturedAccess(r.current().access(), r.current().toAks(), r.now());
        List<List<String>> sent = new ArrayList<>(old == null ? List.of() : old.sent());
        if (r.intended() != null) {
          sent.remove(r.intended().toAks());
          sent.add(r.intended().toAks());
        }
        while (sent.size() > SENT_KEPT) {
          sent.remove(0);
        }
        Mark watch = r.marks() ? r.watch() : old == null ? null : old.watch();
        Mark lockout = r.marks() ? r.lockout() : old == null ? null : old.lockout();
        // Marks alone change nothing else: the cluster's ID stays as recorded with its lists.
        String clusterId = old != null && r.current() == null ? old.clusterId() : r.clusterId();
        Entry entry = new Entry(clusterId, captured, sent, watch, lockout);
        if (!entry.equals(entries.get(r.clusterKey()))) {
          changed = true;
        }
        entries.put(r.clusterKey(), entry);
        touched.put(r.clusterKey(), entry);
      }
      if (!changed) {
        return touched;
      }
      String data = render(uid, entries);
      if (data.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_DATA_BYTES) {
        throw new NotRecorded("cannot record the pre-takeover state in ConfigMap " + namespace + "/" + name + ": its "
            + entries.size() + " records would exceed a ConfigMap's 1 MiB", null);
      }
      try {
        cache.put(uid + "/" + shard, write(policy, name, cached.resourceVersion(), data, entries));
        return touched;
      } catch (KubernetesClientException e) {
        cache.remove(uid + "/" + shard);
        if (e.getCode() != 409 || attempt >= 3) {
          throw new NotRecorded("cannot record the pre-takeover state in ConfigMap " + namespace + "/" + name
              + " (HTTP " + e.getCode() + ": " + e.getMessage() + ")"
              + (e.getCode() == 404 ? "; create the namespace or set AUTHIP_NAMESPACE to the operator's namespace"
              : ""), e);
        }
        // someone (a previous leader) wrote it meanwhile: read again and merge into what is there
      }
    }
  }

  private Cached shard(String uid, int shard) {
    return cached(uid + "/" + shard, uid, () -> shardName(uid, shard));
  }

  private Cached legacy(String uid) {
    return cached(uid + "/" + LEGACY, uid, () -> configMapName(uid));
  }

  private Cached cached(String key, String uid, java.util.function.Supplier<String> name) {
    Cached c = cache.get(key);
    if (c == null) {
      // read outside the map's lock: a GET must not hold up the other policies' entries
      c = read(uid, name.get());
      cache.put(key, c);
    }
    return c;
  }

  /** Deletes a policy's records (after its deletion is handled); missing ConfigMaps are fine. */
  public void forget(String policyUid) {
    cache.keySet().removeIf(k -> k.startsWith(policyUid + "/"));
    client.configMaps().inNamespace(namespace).withName(configMapName(policyUid)).delete();
    for (int i = 0; i < SHARDS; i++) {
      client.configMaps().inNamespace(namespace).withName(shardName(policyUid, i)).delete();
    }
  }

  private Cached read(String uid, String name) {
    ConfigMap cm = client.configMaps().inNamespace(namespace).withName(name).get();
    if (cm == null) {
      return new Cached(null, Map.of());
    }
    return new Cached(cm.getMetadata().getResourceVersion(), parse(uid, cm));
  }

  private Cached write(AuthorizedIpPolicy policy, String name, String resourceVersion, String data,
      Map<String, Entry> entries) {
    String uid = uid(policy);
    ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace)
        .withResourceVersion(resourceVersion)
        .addToLabels("app.kubernetes.io/managed-by", "authip")
        .addToLabels("authip.io/policy-uid", uid)
        .addToAnnotations("authip.io/policy", policy.getMetadata().getNamespace() + "/" + policy.getMetadata().getName())
        .endMetadata()
        .addToData(DATA_KEY, data).build();
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
      renderMark(n, "watch", e.watch());
      renderMark(n, "lockout", e.lockout());
    });
    return root.toString();
  }

  private static void renderMark(ObjectNode n, String field, Mark mark) {
    if (mark != null) {
      ObjectNode m = n.putObject(field).put("digest", mark.digest()).put("at", mark.at());
      if (mark.before() != null) {
        ArrayNode before = m.putArray("before");
        mark.before().forEach(before::add);
      }
    }
  }

  private static Mark parseMark(JsonNode n) {
    if (!n.isObject() || !n.path("digest").isTextual() || !n.path("at").isTextual()) {
      return null;
    }
    List<String> before = null;
    if (n.path("before").isArray()) {
      before = new ArrayList<>();
      for (JsonNode x : n.path("before")) {
        before.add(x.asText());
      }
    }
    return new Mark(n.path("digest").asText(), n.path("at").asText(), before);
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
            new CapturedAccess(a, ranges, c.path("capturedAt").asText(null)), sent, parseMark(n.path("watch")),
            parseMark(n.path("lockout")))));
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
