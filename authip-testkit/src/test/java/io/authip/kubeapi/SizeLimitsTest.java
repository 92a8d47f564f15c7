package io.authip.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The size limits of a real cluster, which the mock server alone does not have: ConfigMap data beyond 1 MiB (422),
 * an object beyond etcd's 1.5 MiB (500, "etcdserver: request is too large"), a body beyond 3 MiB (413). Writes just
 * under them are stored.
 */
class SizeLimitsTest {

  static EmbeddedKubernetes k8s;
  static KubernetesClient client;
  static final ResourceDefinitionContext POLICIES = new ResourceDefinitionContext.Builder().withGroup("authip.io")
      .withVersion("v1alpha1").withPlural("authorizedippolicies").withKind("AuthorizedIpPolicy").withNamespaced(true)
      .build();

  @BeforeAll
  static void start() {
    k8s = EmbeddedKubernetes.start(0);
    // Without retries: the 500 etcd answers (as a real API server does) would be retried with backoff for 20 s.
    client = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(k8s.client().getConfiguration())
            .withRequestRetryBackoffLimit(0).build())
        .withHttpClientFactory(new io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory()).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    k8s.close();
  }

  static ConfigMap configMap(String name, int dataBytes) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
        .withData(Map.of("d", "x".repeat(dataBytes - 1))).build();
  }

  @Test
  void configMapDataIsAtMostOneMebibyte() {
    client.resource(configMap("fits", SandboxDispatcher.MAX_CONFIGMAP_DATA_BYTES)).create();
    assertThatThrownBy(() -> client.resource(configMap("over", SandboxDispatcher.MAX_CONFIGMAP_DATA_BYTES + 1)).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getMessage()).isEqualTo("ConfigMap \"over\" is invalid: []: Too long: must have at "
              + "most 1048576 bytes");
        });
    ConfigMap fits = client.configMaps().inNamespace("default").withName("fits").get();
    fits.getData().put("d", fits.getData().get("d") + "x");
    assertThatThrownBy(() -> client.resource(fits).update())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    assertThat(client.configMaps().inNamespace("default").withName("over").get()).isNull();
  }

  @Test
  void aStatusBeyondEtcdsLimitIsNotStored() {
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
        .withName("big").endMetadata().build()).create();
    GenericKubernetesResource p = new GenericKubernetesResourceBuilder().withApiVersion("authip.io/v1alpha1")
        .withKind("AuthorizedIpPolicy").withNewMetadata().withName("p").withNamespace("big").endMetadata()
        .addToAdditionalProperties("spec", Map.of("targets", List.of(Map.of("subscriptionId",
            "00000000-0000-0000-0000-000000000001", "resourceGroup", "rg", "clusterName", "c")),
            "ranges", List.of(Map.of("cidr", "10.0.0.0/8"))))
        .build();
    GenericKubernetesResource created = client.genericKubernetesResources(POLICIES).inNamespace("big").resource(p)
        .create();
    created.setAdditionalProperty("status", Map.of("targets", targets(1_000)));
    GenericKubernetesResource written = client.genericKubernetesResources(POLICIES).inNamespace("big")
        .resource(created).updateStatus();
    written.setAdditionalProperty("status", Map.of("targets", targets(6_000)));
    assertThatThrownBy(() -> client.genericKubernetesResources(POLICIES).inNamespace("big").resource(written)
        .updateStatus()).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(500);
          assertThat(e.getStatus().getMessage()).isEqualTo("etcdserver: request is too large");
        });
    assertThatThrownBy(() -> client.resource(configMap("huge", 3 * 1024 * 1024 + 1)).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(413));
  }

  /** {@code n} target entries of about 330 bytes each (1,000 fit, 6,000 do not). */
  static List<Map<String, Object>> targets(int n) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Map.of("clusterId", "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/"
          + "Microsoft.ContainerService/managedClusters/aks-" + i, "state", "InSync", "reason", "InSync",
          "appliedRanges", List.of("10.0.0.0/8", "192.168.0.0/16", "172.16.0.0/12", "20.1.2.3/32", "20.1.2.4/32",
              "20.1.2.5/32", "20.1.2.6/32", "20.1.2.7/32", "20.1.2.8/32", "20.1.2.9/32")));
    }
    return out;
  }
}
