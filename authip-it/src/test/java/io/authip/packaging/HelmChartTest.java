package io.authip.packaging;

import static io.authip.packaging.OperatorManifests.OPERATOR_PERMISSIONS;
import static io.authip.packaging.OperatorManifests.envValue;
import static io.authip.packaging.OperatorManifests.operatorContainer;
import static io.authip.packaging.OperatorManifests.permissions;
import static io.authip.packaging.OperatorManifests.rules;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** charts/authip, linted and rendered by the real Helm engine. */
class HelmChartTest {

  static final String CLIENT_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
  static final String TENANT_ID = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d";

  static Manifests defaults;

  @BeforeAll
  static void renderDefaults() {
    defaults = HelmChart.template();
  }

  @Test
  void lintPassesStrictly() {
    LintResult lint = new Helm(Project.CHART).lint().strict().call();
    assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void defaultsRenderTheOperatorAndNoMonitoringObjects() {
    assertThat(defaults.ids()).containsExactlyInAnyOrder(
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
  void rbacIsExactlyTheOperatorsLeastPrivilegeSet() {
    OperatorManifests.assertClusterWideRbac(defaults, HelmChart.NAMESPACE, "authip", "authip-leader");
  }

  @Test
  void deploymentIsRestrictedWithProbesAndLeaderElection() {
    OperatorManifests.assertSecureOperatorDeployment(defaults, HelmChart.NAMESPACE, "authip-leader");
    Deployment deployment = OperatorManifests.deployment(defaults);
    var container = operatorContainer(deployment);
    assertThat(container.getImage()).isEqualTo("authip:0.1.0");
    assertThat(envValue(container, "AUTHIP_WATCH_NAMESPACES")).isEmpty();
    assertThat(envValue(container, "AUTHIP_LABEL_SELECTOR")).isEmpty();
    assertThat(envValue(container, "AUTHIP_MAX_RANGES")).contains("200");
    assertThat(envValue(container, "AUTHIP_RECONCILE_THREADS")).contains("10");
    assertThat(envValue(container, "AUTHIP_LOG_LEVEL")).contains("info");
  }

  @Test
  void serviceExposesTheMetricsPortOfThePods() {
    Service service = defaults.one("Service", Service.class);
    Deployment deployment = OperatorManifests.deployment(defaults);
    assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(service.getSpec().getPorts()).singleElement().satisfies(port -> {
      assertThat(port.getName()).isEqualTo("http");
      assertThat(port.getTargetPort().getStrVal()).isEqualTo("http");
    });
  }

  @Test
  void workloadIdentityLabelAndAnnotationsComeFromValues() {
    Manifests manifests = HelmChart.template("""
        workloadIdentity:
          clientId: %s
          tenantId: %s
        """.formatted(CLIENT_ID, TENANT_ID));
    ServiceAccount serviceAccount = manifests.one("ServiceAccount", ServiceAccount.class);
    assertThat(serviceAccount.getMetadata().getAnnotations())
        .containsEntry("azure.workload.identity/client-id", CLIENT_ID)
        .containsEntry("azure.workload.identity/tenant-id", TENANT_ID);
    assertThat(OperatorManifests.deployment(manifests).getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("azure.workload.identity/use", "true");
  }

  @Test
  void workloadIdentityCanBeTurnedOff() {
    Manifests manifests = HelmChart.template("""
        workloadIdentity:
          enabled: false
          clientId: %s
        """.formatted(CLIENT_ID));
    assertThat(manifests.one("ServiceAccount", ServiceAccount.class).getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(OperatorManifests.deployment(manifests).getSpec().getTemplate().getMetadata().getLabels())
        .doesNotContainKey("azure.workload.identity/use");
  }

  @Test
  void watchedNamespacesGetRolesInsteadOfAClusterRole() {
    Manifests manifests = HelmChart.template("""
        operator:
          watchNamespaces: [team-a, team-b]
          labelSelector: authip.io/shard=eu
        """);
    // only the tenancy ClusterRole: grants are cluster-scoped, and grants select namespaces by label
    assertThat(manifests.ofKind("ClusterRole")).hasSize(1);
    assertThat(manifests.ofKind("ClusterRoleBinding")).hasSize(1);
    OperatorManifests.assertTenancyRole(manifests, HelmChart.NAMESPACE, "authip");
    for (String namespace : List.of("team-a", "team-b")) {
      JsonNode role = manifests.find("Role", namespace, "authip").orElseThrow();
      assertThat(permissions(rules(role))).containsExactlyInAnyOrderElementsOf(OPERATOR_PERMISSIONS);
      var binding = Manifests.as(manifests.find("RoleBinding", namespace, "authip").orElseThrow(),
          io.fabric8.kubernetes.api.model.rbac.RoleBinding.class);
      assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(binding.getRoleRef().getName()).isEqualTo("authip");
      OperatorManifests.assertBoundTo(binding.getSubjects(), HelmChart.NAMESPACE, "authip");
    }
    assertThat(manifests.find("Role", HelmChart.NAMESPACE, "authip-leader-election")).isPresent();
    // the captures stay in the operator's own namespace, whatever it watches
    OperatorManifests.assertNamespacedRole(manifests, HelmChart.NAMESPACE, "authip", "captures",
        OperatorManifests.CAPTURE_PERMISSIONS);
    assertThat(manifests.find("Role", "team-a", "authip-captures")).isEmpty();
    OperatorManifests.assertNoWildcardsOrSecrets(manifests);
    var container = operatorContainer(OperatorManifests.deployment(manifests));
    assertThat(envValue(container, "AUTHIP_WATCH_NAMESPACES")).contains("team-a,team-b");
    assertThat(envValue(container, "AUTHIP_LABEL_SELECTOR")).contains("authip.io/shard=eu");
  }

  @Test
  void oneReplicaMayRunWithoutLeaderElection() {
    Manifests manifests = HelmChart.template("""
        replicaCount: 1
        operator:
          leaderElection:
            enabled: false
        """);
    assertThat(manifests.find("Role", HelmChart.NAMESPACE, "authip-leader-election")).isEmpty();
    assertThat(manifests.ofKind("Role")).extracting(Manifests::id).containsExactly("Role authip-system/authip-captures");
    assertThat(manifests.ofKind("PodDisruptionBudget")).isEmpty();
    var container = operatorContainer(OperatorManifests.deployment(manifests));
    assertThat(envValue(container, "AUTHIP_LEADER_ELECTION")).contains("false");
    assertThat(envValue(container, "AUTHIP_LEASE_NAME")).isEmpty();
  }

  @Test
  void severalReplicasWithoutLeaderElectionAreRefused() {
    assertThatThrownBy(() -> HelmChart.render("""
        operator:
          leaderElection:
            enabled: false
        """)).hasMessageContaining("replicaCount > 1 needs operator.leaderElection.enabled");
  }

  @Test
  void tenancyIsGrantsByDefaultAndOpenDropsItsRbac() {
    var container = operatorContainer(OperatorManifests.deployment(defaults));
    assertThat(envValue(container, "AUTHIP_TENANCY")).contains("grants");
    assertThat(envValue(container, "AUTHIP_TENANT_SERVICE_ACCOUNT")).contains("authip-tenant");

    Manifests renamed = HelmChart.template("""
        tenancy:
          serviceAccountName: authip-azure
        """);
    assertThat(permissions(rules(OperatorManifests.clusterRole(renamed, "")))).contains(
        "create /serviceaccounts/token[authip-azure]").doesNotContain("create /serviceaccounts/token[authip-tenant]");
    assertThat(envValue(operatorContainer(OperatorManifests.deployment(renamed)), "AUTHIP_TENANT_SERVICE_ACCOUNT"))
        .contains("authip-azure");

    Manifests open = HelmChart.template("""
        tenancy:
          mode: open
        """);
    assertThat(open.ids()).doesNotContain("ClusterRole /authip-tenancy", "ClusterRoleBinding /authip-tenancy");
    assertThat(permissions(rules(open.one("ClusterRole")))).noneMatch(p -> p.contains("serviceaccounts"));
    var openContainer = operatorContainer(OperatorManifests.deployment(open));
    assertThat(envValue(openContainer, "AUTHIP_TENANCY")).contains("open");
    assertThat(envValue(openContainer, "AUTHIP_TENANT_SERVICE_ACCOUNT")).isEmpty();
    assertThatThrownBy(() -> HelmChart.render("""
        tenancy:
          mode: everyone
        """)).hasMessageContaining("tenancy");
  }

  @Test
  void leaseNameFollowsTheReleaseSoThatShardsElectSeparately() {
    Manifests manifests = Manifests.parse(new Helm(Project.CHART).template()
        .withName("authip-eu").withNamespace("authip-eu").withKubeVersion(HelmChart.KUBE_VERSION).call());
    OperatorManifests.assertClusterWideRbac(manifests, "authip-eu", "authip-eu", "authip-eu-leader");
    OperatorManifests.assertSecureOperatorDeployment(manifests, "authip-eu", "authip-eu-leader");
  }

  @Test
  void customCloudNeedsBothEndpointsAndPassesThem() {
    assertThatThrownBy(() -> HelmChart.render("""
        azure:
          cloud: Custom
        """)).hasMessageContaining("armEndpoint");
    Manifests manifests = HelmChart.template("""
        azure:
          cloud: Custom
          armEndpoint: https://management.local.azurestack.external/
          authorityHost: https://login.local.azurestack.external/
        """);
    var container = operatorContainer(OperatorManifests.deployment(manifests));
    assertThat(envValue(container, "AZURE_CLOUD")).contains("Custom");
    assertThat(envValue(container, "AUTHIP_ARM_ENDPOINT")).contains("https://management.local.azurestack.external/");
    assertThat(envValue(container, "AUTHIP_AUTHORITY_HOST")).contains("https://login.local.azurestack.external/");
  }

  @Test
  void armCaBundleIsMountedFromAConfigMap() {
    String pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ==\n-----END CERTIFICATE-----\n";
    Manifests manifests = HelmChart.template("azure:\n  armCaBundle: |\n"
        + pem.lines().map(l -> "    " + l + "\n").reduce("", String::concat));
    ConfigMap configMap = manifests.one("ConfigMap", ConfigMap.class);
    assertThat(configMap.getData().get("ca.crt")).isEqualTo(pem);
    Deployment deployment = OperatorManifests.deployment(manifests);
    var container = operatorContainer(deployment);
    String file = envValue(container, "AUTHIP_ARM_CA_FILE").orElseThrow();
    Path path = Path.of(file);
    assertThat(container.getVolumeMounts()).anySatisfy(mount -> {
      assertThat(path.getParent()).isEqualTo(Path.of(mount.getMountPath()));
      assertThat(mount.getReadOnly()).isTrue();
      assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(volume -> {
        assertThat(volume.getName()).isEqualTo(mount.getName());
        assertThat(volume.getConfigMap().getName()).isEqualTo(configMap.getMetadata().getName());
      });
    });
    assertThat(path.getFileName()).hasToString("ca.crt");
  }

  @Test
  void schemaRefusesMistypedValues() {
    assertThatThrownBy(() -> HelmChart.render("replicas: 3\n")).hasMessageContaining("replicas");
    assertThatThrownBy(() -> HelmChart.render("operator:\n  logLevel: verbose\n")).hasMessageContaining("logLevel");
    assertThatThrownBy(() -> HelmChart.render("workloadIdentity:\n  clientId: not-a-guid\n"))
        .hasMessageContaining("clientId");
  }

  @Test
  void serviceMonitorScrapesTheServicePortWithTheMetricsOwnNamespaceLabel() {
    Manifests manifests = HelmChart.template("serviceMonitor:\n  enabled: true\n");
    JsonNode monitor = manifests.one("ServiceMonitor");
    Service service = manifests.one("Service", Service.class);
    assertThat(Manifests.YAML.convertValue(monitor.path("spec").path("selector").path("matchLabels"),
        java.util.Map.class)).isEqualTo(service.getSpec().getSelector());
    assertThat(monitor.path("spec").path("namespaceSelector").path("matchNames").get(0).asText())
        .isEqualTo(HelmChart.NAMESPACE);
    JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
    assertThat(endpoint.path("port").asText()).isEqualTo(service.getSpec().getPorts().get(0).getName());
    assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
    assertThat(endpoint.path("honorLabels").asBoolean()).isTrue();
  }

  @Test
  void chartCarriesCrdsIdenticalToTheGeneratedOnes() throws IOException {
    assertCrdCopy(Project.CHART.resolve("crds"));
  }

  /** A copy of crds/ must hold exactly the same files, byte for byte. */
  static void assertCrdCopy(Path copy) throws IOException {
    List<String> generated = yamlFileNames(Project.CRDS);
    assertThat(generated).isNotEmpty();
    assertThat(yamlFileNames(copy)).as("CRD files in %s", copy).isEqualTo(generated);
    for (String name : generated) {
      assertThat(Files.readString(copy.resolve(name)))
          .as("%s is stale; refresh all copies with: cp crds/*.yaml charts/authip/crds/ && cp crds/*.yaml "
              + "deploy/base/crds/", Project.DIR.relativize(copy.resolve(name)))
          .isEqualTo(Files.readString(Project.CRDS.resolve(name)));
    }
  }

  private static List<String> yamlFileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList();
    }
  }
}
