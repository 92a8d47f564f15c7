package io.authip.packaging;

import static io.authip.packaging.OperatorManifests.operatorContainer;
import static io.authip.packaging.OperatorManifests.permissions;
import static io.authip.packaging.OperatorManifests.rules;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** deploy/: the kustomize base and overlay, rendered by the real `kubectl kustomize`. */
class KustomizeTest {

  static final String NAMESPACE = "authip-system";

  static Manifests base;
  static Manifests workloadIdentity;

  @BeforeAll
  static void render() {
    base = Kubectl.kustomize(Project.DIR.resolve("deploy/base"));
    workloadIdentity = Kubectl.kustomize(Project.DIR.resolve("deploy/overlays/workload-identity"));
  }

  @Test
  void baseRendersNamespaceCrdsRbacAndTheOperator() {
    assertThat(base.ids()).containsExactlyInAnyOrder(
        "Namespace /authip-system",
        "CustomResourceDefinition /authorizedippolicies.authip.io",
        "CustomResourceDefinition /iprangesets.authip.io",
        "CustomResourceDefinition /targetgrants.authip.io",
        "ServiceAccount authip-system/authip",
        "ClusterRole /authip",
        "ClusterRoleBinding /authip",
        "ClusterRole /authip-tenancy",
        "ClusterRoleBinding /authip-tenancy",
        "Role authip-system/authip-leader-election",
        "RoleBinding authip-system/authip-leader-election",
        "Role authip-system/authip-captures",
        "RoleBinding authip-system/authip-captures",
        "Service authip-system/authip",
        "Deployment authip-system/authip",
        "PodDisruptionBudget authip-system/authip");
  }

  @Test
  void baseRbacIsExactlyTheOperatorsLeastPrivilegeSet() {
    OperatorManifests.assertClusterWideRbac(base, NAMESPACE, "authip", "authip-leader");
  }

  @Test
  void baseDeploymentIsRestrictedWithProbesAndLeaderElection() {
    OperatorManifests.assertSecureOperatorDeployment(base, NAMESPACE, "authip-leader");
  }

  @Test
  void namespaceEnforcesTheRestrictedPodSecurityStandard() {
    Namespace namespace = base.one("Namespace", Namespace.class);
    assertThat(namespace.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "restricted");
  }

  @Test
  void baseIsTheSameOperatorAsTheChartWithDefaultValues() {
    Manifests chart = HelmChart.template();
    Set<String> fromBase = new TreeSet<>(base.ids());
    fromBase.removeIf(id -> id.startsWith("Namespace ") || id.startsWith("CustomResourceDefinition "));
    assertThat(chart.ids()).isEqualTo(fromBase);
    for (ObjectNode object : chart.all()) {
      String id = Manifests.id(object);
      ObjectNode same = base.all().stream().filter(o -> Manifests.id(o).equals(id)).findFirst().orElseThrow();
      assertThat(Manifests.withoutRendererLabels(same)).as("%s in deploy/base vs the chart", id)
          .isEqualTo(Manifests.withoutRendererLabels(object));
    }
  }

  @Test
  void baseCarriesCrdsIdenticalToTheGeneratedOnes() throws IOException {
    HelmChartTest.assertCrdCopy(Project.DIR.resolve("deploy/base/crds"));
    for (JsonNode crd : base.ofKind("CustomResourceDefinition")) {
      String name = crd.path("metadata").path("name").asText();
      JsonNode generated = Manifests.parse(Project.read(Project.CRDS.resolve(name + ".yaml")))
          .one("CustomResourceDefinition");
      assertThat(crd).as(name).isEqualTo(generated);
    }
  }

  @Test
  void workloadIdentityOverlayAnnotatesTheServiceAccountAndKeepsRbacAndSecurity() {
    ServiceAccount serviceAccount = workloadIdentity.one("ServiceAccount", ServiceAccount.class);
    assertThat(serviceAccount.getMetadata().getAnnotations())
        .containsKeys("azure.workload.identity/client-id", "azure.workload.identity/tenant-id");
    var deployment = OperatorManifests.deployment(workloadIdentity);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("azure.workload.identity/use", "true");
    assertThat(operatorContainer(deployment).getImage()).isEqualTo("myregistry.azurecr.io/authip:0.1.0");
    OperatorManifests.assertClusterWideRbac(workloadIdentity, NAMESPACE, "authip", "authip-leader");
    OperatorManifests.assertSecureOperatorDeployment(workloadIdentity, NAMESPACE, "authip-leader");
    for (String suffix : List.of("", "-tenancy")) {
      assertThat(permissions(rules(OperatorManifests.clusterRole(workloadIdentity, suffix))))
          .isEqualTo(permissions(rules(OperatorManifests.clusterRole(base, suffix))));
    }
  }

  @Test
  void prometheusKustomizationRendersTheMonitoringObjects() {
    Manifests prometheus = Kubectl.kustomize(Project.DIR.resolve("deploy/prometheus"));
    assertThat(prometheus.ids()).containsExactlyInAnyOrder(
        "PrometheusRule authip-system/authip", "ServiceMonitor authip-system/authip");
  }
}
