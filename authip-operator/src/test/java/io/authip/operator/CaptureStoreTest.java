package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.policy.ApiServerAccess;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * authip's own records of what it captured and sent, spread over a policy's capture ConfigMaps: one cluster's record
 * is one read, a pass's records one write per ConfigMap, an older version's single ConfigMap still counts, and a
 * ConfigMap never grows beyond what the API server stores.
 */
@EnableKubernetesMockClient(crud = true)
class CaptureStoreTest {

  static KubernetesClient client;
  static final String NS = "authip-system";

  static AuthorizedIpPolicy policy() {
    AuthorizedIpPolicy p = new AuthorizedIpPolicy();
    p.setMetadata(new ObjectMetaBuilder().withName("p").withNamespace("team").withUid(UUID.randomUUID().toString())
        .build());
    return p;
  }

  static ApiServerAccess ranges(String... cidrs) {
    return ApiServerAccess.fromAks(List.of(cidrs));
  }

  static String key(int i) {
    return "sub/rg/aks-" + i;
  }

  List<ConfigMap> configMaps(AuthorizedIpPolicy p) {
    return client.configMaps().inNamespace(NS).list().getItems().stream()
        .filter(c -> c.getMetadata().getName().startsWith(CaptureStore.configMapName(p.getMetadata().getUid())))
        .toList();
  }

  @Test
  void aPassRecordsItsClustersWithOneWritePerShardAndEachIsReadFromItsOwn() {
    AuthorizedIpPolicy p = policy();
    CaptureStore store = new CaptureStore(client, NS);
    List<CaptureStore.Record> records = new ArrayList<>();
    Set<Integer> shards = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      records.add(new CaptureStore.Record(key(i), "/id/" + i, ranges("10.0.0." + (i % 250) + "/32"), null, "t0"));
      records.add(new CaptureStore.Record(key(i), "/id/" + i, ranges("10.9.9.9/32"), ranges("1.2.3.0/24"), "t1"));
      shards.add(CaptureStore.shard(key(i)));
    }
    Map<String, CaptureStore.Entry> written = store.recordAll(p, records);
    assertThat(written).hasSize(300);
    // The capture is the first record's (the pre-takeover state), the list sent the second's.
    assertThat(written.get(key(7)).captured().getRanges()).containsExactly("10.0.0.7/32");
    assertThat(written.get(key(7)).sent()).containsExactly(List.of("1.2.3.0/24"));
    assertThat(configMaps(p)).hasSize(shards.size());
    assertThat(shards.size()).isGreaterThan(CaptureStore.SHARDS / 2);

    // Another process (a new leader) reads one cluster's record from its own ConfigMap.
    CaptureStore fresh = new CaptureStore(client, NS);
    assertThat(fresh.entry(p, key(7))).contains(written.get(key(7)));
    assertThat(fresh.entry(p, key(999))).isEmpty();
    assertThat(fresh.entries(p)).hasSize(300).containsEntry(key(299), written.get(key(299)));

    // Recording the same again writes nothing; the next list sent is added after the first.
    String before = configMaps(p).get(0).getMetadata().getResourceVersion();
    store.recordAll(p, records.subList(0, 2));
    assertThat(fresh.entry(p, key(0)).orElseThrow().sent()).hasSize(1);
    store.recordBeforeWrite(p, key(0), "/id/0", ranges("1.2.3.0/24"), ranges("5.6.7.8/32"), "t2");
    assertThat(new CaptureStore(client, NS).entry(p, key(0)).orElseThrow().sent())
        .containsExactly(List.of("1.2.3.0/24"), List.of("5.6.7.8/32"));
    assertThat(before).isNotNull();

    store.forget(p.getMetadata().getUid());
    assertThat(configMaps(p)).isEmpty();
  }

  @Test
  void anOlderVersionsSingleConfigMapStillHoldsTheGenuineCapture() {
    AuthorizedIpPolicy p = policy();
    String uid = p.getMetadata().getUid();
    // What versions before the shards wrote: every cluster in authip-capture-<uid>.
    String legacy = "{\"policyUid\":\"" + uid + "\",\"clusters\":{\"" + key(1) + "\":{\"clusterId\":\"/id/1\","
        + "\"captured\":{\"access\":\"Restricted\",\"ranges\":[\"203.0.113.0/24\"],\"capturedAt\":\"t-old\"},"
        + "\"sent\":[[\"1.2.3.0/24\"]]}}}";
    client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
        .withName(CaptureStore.configMapName(uid)).withNamespace(NS).endMetadata()
        .withData(Map.of(CaptureStore.DATA_KEY, legacy)).build()).create();
    CaptureStore store = new CaptureStore(client, NS);
    assertThat(store.entry(p, key(1)).orElseThrow().captured().getRanges()).containsExactly("203.0.113.0/24");

    // A new change keeps the old capture and the old list sent; the cluster's shard now wins.
    CaptureStore.Entry e = store.recordBeforeWrite(p, key(1), "/id/1", ranges("1.2.3.0/24"), ranges("9.9.9.9/32"),
        "t-new");
    assertThat(e.captured().getRanges()).containsExactly("203.0.113.0/24");
    assertThat(e.captured().getCapturedAt()).isEqualTo("t-old");
    assertThat(e.sent()).containsExactly(List.of("1.2.3.0/24"), List.of("9.9.9.9/32"));
    assertThat(new CaptureStore(client, NS).entries(p).get(key(1))).isEqualTo(e);
    assertThat(configMaps(p)).extracting(c -> c.getMetadata().getName()).contains(CaptureStore.configMapName(uid),
        CaptureStore.shardName(uid, CaptureStore.shard(key(1))));

    store.forget(uid);
    assertThat(configMaps(p)).isEmpty();
  }

  @Test
  void aRecordThatWouldOutgrowAConfigMapIsRefusedBeforeAnyWrite() {
    AuthorizedIpPolicy p = policy();
    CaptureStore store = new CaptureStore(client, NS);
    // Clusters that all fall in one shard, each with 4 lists of 200 ranges (about 12 KB a record, 1.4 MB in all).
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < 120; i++) {
      if (CaptureStore.shard(key(i)) == 5) {
        keys.add(key(i));
      }
    }
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      many.add("10." + (i / 100) + "." + (i % 100) * 2 + ".0/24"); // none adjacent: nothing merges
    }
    ApiServerAccess big = ApiServerAccess.fromAks(many);
    List<CaptureStore.Record> records = new ArrayList<>();
    for (String k : keys) {
      for (int s = 0; s < 4; s++) {
        List<String> l = new ArrayList<>(many);
        l.set(0, "192.168." + s + ".0/24");
        records.add(new CaptureStore.Record(k, "/id/" + k, big, ApiServerAccess.fromAks(l), "t"));
      }
    }
    assertThatThrownBy(() -> store.recordAll(p, records)).isInstanceOf(CaptureStore.NotRecorded.class)
        .hasMessageContaining(CaptureStore.shardName(p.getMetadata().getUid(), 5))
        .hasMessageContaining("would exceed a ConfigMap's 1 MiB");
    assertThat(configMaps(p)).isEmpty();
  }

  @Test
  void aLockoutWatchAndHoldAreKeptBySendsWithoutMarksReplacedBySendsWithThemAndSurviveAFreshRead() {
    AuthorizedIpPolicy p = policy();
    CaptureStore store = new CaptureStore(client, NS);
    String key = key(1);
    CaptureStore.Mark watch = new CaptureStore.Mark("sha256:aa", "2026-12-06T10:00:00Z", List.of("10.9.9.9/32"));
    store.recordAll(p, List.of(new CaptureStore.Record(key, "/id/1", ranges("10.9.9.9/32"), ranges("1.2.3.0/24"),
        "t0", true, watch, null)));
    CaptureStore.Entry first = new CaptureStore(client, NS).entry(p, key).orElseThrow();
    assertThat(first.watch()).isEqualTo(watch);
    assertThat(first.watch().before()).containsExactly("10.9.9.9/32");

    // The lockout found: the hold replaces the watch; capture, lists sent and the cluster's ID stay.
    CaptureStore.Mark hold = new CaptureStore.Mark("sha256:aa", "2026-12-06T10:05:00Z", watch.before());
    CaptureStore.Entry held = store.recordMarks(p, key, "/id/from-status", null, hold, "t1");
    assertThat(held.watch()).isNull();
    assertThat(held.lockout()).isEqualTo(hold);
    assertThat(held.sent()).containsExactly(List.of("1.2.3.0/24"));
    assertThat(held.captured().getRanges()).containsExactly("10.9.9.9/32");
    assertThat(held.clusterId()).isEqualTo("/id/1");

    // A capture-only record and a send without marks keep them; a fresh store (a restart) reads them back.
    store.recordCapture(p, key, "/id/1", ranges("10.0.0.1/32"), "t2");
    store.recordAll(p, List.of(new CaptureStore.Record(key, "/id/1", ranges("1.2.3.0/24"), ranges("1.2.5.0/24"),
        "t2")));
    CaptureStore.Entry read = new CaptureStore(client, NS).entry(p, key).orElseThrow();
    assertThat(read.lockout()).isEqualTo(hold);
    assertThat(read.lockout().before()).containsExactly("10.9.9.9/32");
    assertThat(read.captured().getRanges()).containsExactly("10.9.9.9/32");

    // A send with marks (the list before put back, the hold kept), then one without the hold.
    store.recordAll(p, List.of(new CaptureStore.Record(key, "/id/1", ranges("1.2.3.0/24"), ranges("10.9.9.9/32"),
        "t3", true, null, hold)));
    assertThat(new CaptureStore(client, NS).entry(p, key).orElseThrow().lockout()).isEqualTo(hold);
    store.recordAll(p, List.of(new CaptureStore.Record(key, "/id/1", ranges("10.9.9.9/32"), ranges("1.2.4.0/24"),
        "t4", true, null, null)));
    CaptureStore.Entry released = new CaptureStore(client, NS).entry(p, key).orElseThrow();
    assertThat(released.lockout()).isNull();
    assertThat(released.watch()).isNull();
  }

  @Test
  void marksAloneNeverStartARecord() {
    AuthorizedIpPolicy p = policy();
    CaptureStore store = new CaptureStore(client, NS);
    assertThatThrownBy(() -> store.recordMarks(p, key(2), "/id/2", null,
        new CaptureStore.Mark("sha256:bb", "2026-12-06T10:00:00Z"), "t0"))
        .isInstanceOf(CaptureStore.NotRecorded.class).hasMessageContaining("has no record of cluster " + key(2));
    assertThat(configMaps(p)).isEmpty();
  }
}
