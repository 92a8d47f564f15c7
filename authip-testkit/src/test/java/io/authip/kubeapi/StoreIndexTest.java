package io.authip.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store's index: what a request costs, counted as the stored objects it looks at, depends on its type, namespace
 * and name only, not on how many objects of other namespaces and types are stored (the mock alone looks at every
 * stored object for every request). Counts, not time: the same on a loaded machine.
 */
class StoreIndexTest {

  static EmbeddedKubernetes k8s;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    k8s = EmbeddedKubernetes.start(0);
    client = k8s.client();
  }

  @AfterAll
  static void stop() {
    k8s.close();
  }

  /** The stored objects one request looked at. */
  static long examined(Runnable request) {
    long before = k8s.store().examined();
    request.run();
    return k8s.store().examined() - before;
  }

  static <T> long examined(Supplier<T> request) {
    return examined(() -> {
      request.get();
    });
  }

  record Costs(long get, long listNamespace, long listAll, long update, long patch, long delete) {
  }

  /** One of each request on the namespace {@code team}, which holds {@code cm-0}..{@code cm-4}. */
  static Costs costs(String round) {
    return new Costs(
        examined(() -> client.configMaps().inNamespace("team").withName("cm-1").get()),
        examined(() -> client.configMaps().inNamespace("team").list()),
        examined(() -> client.secrets().inAnyNamespace().list()),
        examined(() -> client.configMaps().inNamespace("team").resource(new ConfigMapBuilder().withNewMetadata()
            .withName("cm-2").withNamespace("team").endMetadata().withData(Map.of("round", round)).build()).update()),
        examined(() -> client.configMaps().inNamespace("team").withName("cm-3")
            .edit(c -> new ConfigMapBuilder(c).addToData("patched", round).build())),
        examined(() -> client.configMaps().inNamespace("team").withName("cm-4").delete()));
  }

  static ConfigMap configMap(String ns, String name) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .withLabels(Map.of("app", name.endsWith("0") ? "zero" : "other")).endMetadata().build();
  }

  static void teamAndSecrets() {
    for (int i = 0; i < 5; i++) {
      client.configMaps().inNamespace("team").resource(configMap("team", "cm-" + i)).createOr(r -> r.update());
    }
  }

  @Test
  void aRequestLooksAtItsTypeNamespaceAndNameOnly() {
    teamAndSecrets();
    client.secrets().inNamespace("team").resource(new SecretBuilder().withNewMetadata().withName("s").endMetadata()
        .build()).create();
    Costs small = costs("small");
    int storedSmall = k8s.store().size();

    // 1,000 other objects: ConfigMaps of other namespaces and Secrets of the same one
    for (int i = 0; i < 600; i++) {
      client.configMaps().inNamespace("other-" + (i % 20)).resource(configMap("other-" + (i % 20), "x-" + i))
          .create();
    }
    for (int i = 0; i < 400; i++) {
      client.secrets().inNamespace("team").resource(new SecretBuilder().withNewMetadata().withName("s-" + i)
          .endMetadata().build()).create();
    }
    client.configMaps().inNamespace("team").resource(configMap("team", "cm-4")).create();
    Costs large = costs("large");
    int storedLarge = k8s.store().size();

    System.out.printf("stored objects %d -> %d; looked at per request: %s -> %s%n", storedSmall, storedLarge, small,
        large);
    assertThat(storedLarge - storedSmall).isGreaterThanOrEqualTo(1_000);
    // the same before and after; a few more than the object(s) asked for, as every request also reads the three
    // CustomResourceDefinitions (the catalog) and a write reads its object before replacing it
    assertThat(large.get()).isEqualTo(small.get()).isEqualTo(1);
    assertThat(large.listNamespace()).isEqualTo(small.listNamespace()).isEqualTo(5 + 3);
    assertThat(large.update()).isEqualTo(small.update()).isLessThanOrEqualTo(10);
    assertThat(large.patch()).isEqualTo(small.patch()).isLessThanOrEqualTo(10);
    assertThat(large.delete()).isEqualTo(small.delete()).isLessThanOrEqualTo(10);
    // a list of all Secrets looks at the Secrets, not at the ConfigMaps
    assertThat(large.listAll()).isEqualTo(small.listAll() + 400);
  }

  @Test
  void listsKeepTheirOrderSelectorsAndVersions() {
    for (String ns : List.of("b-ns", "a-ns", "a")) {
      for (String name : List.of("y", "x-0", "x")) {
        client.configMaps().inNamespace(ns).resource(configMap(ns, name)).create();
      }
    }
    List<String> all = client.configMaps().inAnyNamespace().list().getItems().stream()
        .filter(c -> List.of("a", "a-ns", "b-ns").contains(c.getMetadata().getNamespace()))
        .map(StoreIndexTest::key).toList();
    // by namespace, then name, as they have always been listed here
    assertThat(all).containsExactly("a/x", "a/x-0", "a/y", "a-ns/x", "a-ns/x-0", "a-ns/y", "b-ns/x", "b-ns/x-0",
        "b-ns/y");
    assertThat(client.configMaps().inNamespace("a-ns").withLabel("app", "zero").list().getItems())
        .extracting(StoreIndexTest::key).containsExactly("a-ns/x-0");
    assertThat(client.configMaps().inNamespace("a-ns").withField("metadata.name", "y").list().getItems())
        .extracting(StoreIndexTest::key).containsExactly("a-ns/y");

    // a list is consistent with its resourceVersion: a watch from there sees exactly the later changes
    String listed = client.configMaps().inNamespace("a").list().getMetadata().getResourceVersion();
    ConfigMap y = client.configMaps().inNamespace("a").withName("y").get();
    assertThat(Long.parseLong(listed)).isGreaterThanOrEqualTo(Long.parseLong(y.getMetadata().getResourceVersion()));
    client.configMaps().inNamespace("a").withName("y").delete();
    assertThat(client.configMaps().inNamespace("a").withName("y").get()).isNull();
    assertThat(client.configMaps().inNamespace("a").list().getItems()).extracting(StoreIndexTest::key)
        .containsExactly("a/x", "a/x-0");
    assertThat(Long.parseLong(client.configMaps().inNamespace("a").list().getMetadata().getResourceVersion()))
        .isGreaterThan(Long.parseLong(listed));
  }

  @Test
  void finalizersKeepADeletedObjectUntilTheyAreRemoved() {
    client.configMaps().inNamespace("fin").resource(new ConfigMapBuilder().withNewMetadata().withName("held")
        .withNamespace("fin").withFinalizers("authip.io/test").endMetadata().build()).create();
    client.configMaps().inNamespace("fin").withName("held").delete();
    ConfigMap held = client.configMaps().inNamespace("fin").withName("held").get();
    assertThat(held.getMetadata().getDeletionTimestamp()).isNotNull();
    client.configMaps().inNamespace("fin").withName("held").edit(c -> new ConfigMapBuilder(c).editMetadata()
        .withFinalizers(List.of()).endMetadata().build());
    client.configMaps().inNamespace("fin").withName("held").delete();
    assertThat(client.configMaps().inNamespace("fin").withName("held").get()).isNull();
    assertThat(client.configMaps().inNamespace("fin").list().getItems()).isEmpty();
  }

  static String key(HasMetadata o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

}
