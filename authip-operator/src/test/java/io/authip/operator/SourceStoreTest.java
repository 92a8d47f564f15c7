package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.ranges.CidrSet;
import io.authip.sources.FeedContent;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The record of what IpRangeSet sources returned: round trip, optimistic concurrency, tampering, the sweep. */
@EnableKubernetesMockClient(crud = true)
class SourceStoreTest {

  static final String NS = "authip-system";
  static KubernetesClient client;

  static IpRangeSet set(String ns, String name, String uid) {
    IpRangeSet s = new IpRangeSet();
    s.getMetadata().setNamespace(ns);
    s.getMetadata().setName(name);
    s.getMetadata().setUid(uid);
    return s;
  }

  static SourceStore.State good(String... cidrs) throws Exception {
    FeedContent c = FeedContent.parse(List.of(cidrs), "3", "test");
    return new SourceStore.State(SourceStore.Good.of(c, "2026-12-06T00:00:00Z"), null, "2026-12-06T00:00:00Z", null);
  }

  @Test
  void whatIsWrittenIsReadBackByAnotherProcess() throws Exception {
    IpRangeSet s = set("team", "devops", "uid-1");
    SourceStore.State st = good("20.37.158.0/23", "20.42.5.0/24");
    CidrSet heldBlocks = CidrSet.parse(List.of("20.37.158.0/23"));
    SourceStore.State withHeld = new SourceStore.State(st.good(), new SourceStore.Held(heldBlocks,
        FeedContent.hash(heldBlocks), "4", 0, "-1 block", "2026-12-06T01:00:00Z"), "2026-12-06T01:00:00Z", "boom");
    new SourceStore(client, NS).write(s, Map.of("serviceTag:AzureDevOps@westeurope", withHeld));
    Map<String, SourceStore.State> read = new SourceStore(client, NS).states(s);
    assertThat(read).containsEntry("serviceTag:AzureDevOps@westeurope", withHeld);
    ConfigMap cm = client.configMaps().inNamespace(NS).withName("authip-sources-uid-1").get();
    assertThat(cm.getMetadata().getLabels()).containsEntry("authip.io/iprangeset-uid", "uid-1");
    assertThat(cm.getMetadata().getAnnotations()).containsEntry("authip.io/iprangeset", "team/devops");
  }

  @Test
  void aStaleCopyCannotOverwriteANewerRecord() throws Exception {
    IpRangeSet s = set("team", "race", "uid-2");
    SourceStore first = new SourceStore(client, NS);
    SourceStore second = new SourceStore(client, NS);
    first.write(s, Map.of("k", good("20.1.0.0/24")));
    assertThat(second.states(s)).containsKey("k");
    first.write(s, Map.of("k", good("20.2.0.0/24")));
    assertThatThrownBy(() -> second.write(s, Map.of("k", good("20.3.0.0/24"))))
        .isInstanceOf(SourceStore.NotRecorded.class).hasMessageContaining("HTTP 409");
    // The failed write dropped its cache: the next read sees the newer record.
    assertThat(second.states(s).get("k").good().blocks().toStrings()).containsExactly("20.2.0.0/24");
  }

  @Test
  void contentThatDoesNotMatchItsHashIsNotUsed() throws Exception {
    IpRangeSet s = set("team", "edited", "uid-3");
    new SourceStore(client, NS).write(s, Map.of("k", good("20.1.0.0/24")));
    ConfigMap cm = client.configMaps().inNamespace(NS).withName("authip-sources-uid-3").get();
    cm.getData().put(SourceStore.DATA_KEY, cm.getData().get(SourceStore.DATA_KEY).replace("20.1.0.0/24",
        "0.0.0.0/1"));
    client.configMaps().inNamespace(NS).resource(cm).update();
    SourceStore.State read = new SourceStore(client, NS).states(s).get("k");
    assertThat(read.good()).as("edited by hand: read again rather than used").isNull();
  }

  @Test
  void theSweepDeletesTheRecordsOfSetsThatAreGoneOnly() throws Exception {
    SourceStore store = new SourceStore(client, NS);
    store.write(set("a", "kept", "uid-kept"), Map.of("k", good("20.1.0.0/24")));
    store.write(set("a", "gone", "uid-gone"), Map.of("k", good("20.1.0.0/24")));
    store.write(set("b", "recreated", "uid-old"), Map.of("k", good("20.1.0.0/24")));
    int deleted = store.sweep((ns, name, uid) -> uid.equals("uid-kept") || uid.equals("uid-2")
        || uid.equals("uid-1") || uid.equals("uid-3"));
    assertThat(deleted).isEqualTo(2);
    assertThat(client.configMaps().inNamespace(NS).withName("authip-sources-uid-kept").get()).isNotNull();
    assertThat(client.configMaps().inNamespace(NS).withName("authip-sources-uid-gone").get()).isNull();
    assertThat(client.configMaps().inNamespace(NS).withName("authip-sources-uid-old").get()).isNull();
    assertThat(store.states(set("a", "gone", "uid-gone"))).isEmpty();
  }
}
