package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.kubeapi.EmbeddedKubernetes;
import io.authip.kubeapi.Rbac;
import io.authip.metrics.AuthipMetrics;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operator's informers list in pages of {@value AuthipOperator#INFORMER_LIST_LIMIT}: with more policies than one
 * page, the first LIST carries {@code limit=}, the next ones the {@code continue} token, and the cache ends up with
 * every policy. The operator stands by (another process holds the Lease), so it lists and watches but reconciles
 * nothing.
 */
class InformerPagingTest {

  static final int POLICIES = 1_100;

  @Test
  void theInformersListInPagesAndLoadEveryPolicy() {
    try (EmbeddedKubernetes k8s = EmbeddedKubernetes.start(0)) {
      KubernetesClient admin = k8s.client();
      for (int i = 0; i < POLICIES; i++) {
        String ns = "team-" + (i % 7);
        AuthorizedIpPolicy p = new AuthorizedIpPolicy();
        p.getMetadata().setName(String.format("p-%04d", i));
        p.getMetadata().setNamespace(ns);
        AuthorizedIpPolicySpec spec = new AuthorizedIpPolicySpec();
        spec.setTargets(new ArrayList<>(List.of(new ClusterTarget("0b3c5d7e-1a2b-4c3d-8e9f-a0b1c2d3e4f5", "rg",
            "aks-" + i))));
        spec.setAccess(Access.LoadBalancerOnly);
        p.setSpec(spec);
        admin.resource(p).create();
      }
      admin.resource(new LeaseBuilder().withNewMetadata().withName("authip-leader")
          .withNamespace(Rbac.OPERATOR_NAMESPACE).endMetadata().withNewSpec().withHolderIdentity("someone-else")
          .withLeaseDurationSeconds(3600).withAcquireTime(ZonedDateTime.now()).withRenewTime(ZonedDateTime.now())
          .endSpec().build()).create();

      k8s.recordRequests();
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      OperatorConfig config = OperatorConfig.fromEnvironment(Map.of("AUTHIP_HTTP_PORT", "0",
          "AUTHIP_LEADER_ELECTION", "true", "POD_NAMESPACE", Rbac.OPERATOR_NAMESPACE, "POD_NAME", "standby"));
      try (AuthipOperator operator = new AuthipOperator(k8s.operatorClient(), null, config, registry,
          new AuthipMetrics(registry), Clock.systemUTC(), false)) {
        operator.start("127.0.0.1");
        await().atMost(Duration.ofSeconds(60)).until(() -> registry.get(AuthipMetrics.POLICIES).gauge().value()
            == POLICIES);
      }
      List<String> policyLists = lists(k8s, "/apis/authip.io/v1alpha1/authorizedippolicies?");
      assertThat(policyLists).as("the policies' informer: one page, then two more with the token")
          .hasSizeGreaterThanOrEqualTo(3).allMatch(r -> r.contains("limit=500"));
      assertThat(policyLists.get(0)).doesNotContain("continue=");
      assertThat(policyLists.stream().filter(r -> r.contains("continue=")).count()).isGreaterThanOrEqualTo(2);
      // the secondary informers and the other controllers' page too
      for (String collection : List.of("/apis/authip.io/v1alpha1/iprangesets?",
          "/apis/authip.io/v1alpha1/targetgrants?", "/api/v1/namespaces?")) {
        assertThat(lists(k8s, collection)).as(collection).isNotEmpty().allMatch(r -> r.contains("limit=500"));
      }
    }
  }

  /** The recorded LISTs (not watches) of one collection across namespaces. */
  static List<String> lists(EmbeddedKubernetes k8s, String collectionAndQuery) {
    return k8s.recordedRequests().stream().filter(r -> r.startsWith("GET " + collectionAndQuery)
        && !r.contains("watch=")).toList();
  }
}
