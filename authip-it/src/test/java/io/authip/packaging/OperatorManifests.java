package io.authip.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What every rendering of the operator (Helm chart, kustomize base, overlays) must satisfy: the least-privilege
 * RBAC of the operator contract and the restricted security profile.
 */
final class OperatorManifests {

  /** Everything the operator may do with its own resources and events; one "verb group/resource" per entry. */
  static final Set<String> OPERATOR_PERMISSIONS = Set.of(
      "get authip.io/authorizedippolicies",
      "list authip.io/authorizedippolicies",
      "watch authip.io/authorizedippolicies",
      "patch authip.io/authorizedippolicies",
      "update authip.io/authorizedippolicies/status",
      "list authip.io/iprangesets",
      "watch authip.io/iprangesets",
      "patch authip.io/iprangesets/status",
      "create /events",
      "get /events",
      "patch /events",
      // tenancy: tokens of the one tenant ServiceAccount name, for the grants' identities
      "create /serviceaccounts/token[authip-tenant]");

  /**
   * Tenancy (tenancy.mode grants): the cluster-scoped grants, their status and the namespaces' labels, in a
   * ClusterRole of its own (cluster-wide even when policies are watched in a few namespaces).
   */
  static final Set<String> TENANCY_PERMISSIONS = Set.of(
      "list authip.io/targetgrants",
      "watch authip.io/targetgrants",
      "patch authip.io/targetgrants/status",
      "list /namespaces",
      "watch /namespaces");

  /**
   * Leader election: create a lease, then read and renew only the named one. fabric8 renews with a JSON merge patch;
   * JOSDK's start-up check refuses to start without update.
   */
  static Set<String> leasePermissions(String leaseName) {
    return Set.of(
        "create coordination.k8s.io/leases",
        "get coordination.k8s.io/leases[" + leaseName + "]",
        "patch coordination.k8s.io/leases[" + leaseName + "]",
        "update coordination.k8s.io/leases[" + leaseName + "]");
  }

  /**
   * The captures of deletionPolicy: Restore and the records of IpRangeSet sources, as ConfigMaps in the operator's
   * own namespace; listed by label to delete the records of deleted sets.
   */
  static final Set<String> CAPTURE_PERMISSIONS = Set.of(
      "get /configmaps",
      "list /configmaps",
      "create /configmaps",
      "update /configmaps",
      "delete /configmaps");

  private OperatorManifests() {}

  /** Flattens rules into "verb group/resource[names]" entries, so that two renderings compare as sets. */
  static Set<String> permissions(List<PolicyRule> rules) {
    Set<String> permissions = new TreeSet<>();
    for (PolicyRule rule : rules) {
      assertThat(rule.getNonResourceURLs()).as("non-resource URLs in %s", rule).isNullOrEmpty();
      String names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
          ? "" : rule.getResourceNames().stream().sorted().collect(Collectors.joining(",", "[", "]"));
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            permissions.add(verb + " " + group + "/" + resource + names);
          }
        }
      }
    }
    return permissions;
  }

  static List<PolicyRule> rules(JsonNode role) {
    return Manifests.as(role, io.fabric8.kubernetes.api.model.rbac.ClusterRole.class).getRules();
  }

  /** No role anywhere in the rendering grants a wildcard or touches secrets. */
  static void assertNoWildcardsOrSecrets(Manifests manifests) {
    for (String kind : List.of("ClusterRole", "Role")) {
      for (JsonNode role : manifests.ofKind(kind)) {
        for (String permission : permissions(rules(role))) {
          assertThat(permission).as("%s grants %s", Manifests.id(role), permission)
              .doesNotContain("*")
              .doesNotContain("secrets");
        }
      }
    }
  }

  /**
   * Cluster-wide mode: one ClusterRole with exactly the operator's permissions and one with exactly the tenancy
   * permissions, each bound to the ServiceAccount, and two Roles in the operator's namespace, one with exactly the
   * lease permissions, one with exactly the capture ConfigMaps'; nothing else is bound.
   */
  static void assertClusterWideRbac(Manifests manifests, String namespace, String serviceAccount, String leaseName) {
    assertNoWildcardsOrSecrets(manifests);
    assertThat(manifests.ofKind("ClusterRole")).as("ClusterRoles").hasSize(2);
    assertThat(manifests.ofKind("ClusterRoleBinding")).as("ClusterRoleBindings").hasSize(2);
    JsonNode clusterRole = clusterRole(manifests, "");
    assertThat(permissions(rules(clusterRole))).as("ClusterRole permissions")
        .containsExactlyInAnyOrderElementsOf(OPERATOR_PERMISSIONS);
    assertClusterRoleBound(manifests, clusterRole, namespace, serviceAccount);
    assertTenancyRole(manifests, namespace, serviceAccount);

    assertThat(manifests.ofKind("Role")).as("Roles").hasSize(2);
    assertThat(manifests.ofKind("RoleBinding")).as("RoleBindings").hasSize(2);
    assertNamespacedRole(manifests, namespace, serviceAccount, "leader-election", leasePermissions(leaseName));
    assertNamespacedRole(manifests, namespace, serviceAccount, "captures", CAPTURE_PERMISSIONS);
  }

  /** The ClusterRole named {@code <fullname>suffix} (the operator's: suffix ""). */
  static JsonNode clusterRole(Manifests manifests, String suffix) {
    return manifests.ofKind("ClusterRole").stream()
        .filter(r -> suffix.isEmpty() ? !r.path("metadata").path("name").asText().endsWith("-tenancy")
            : r.path("metadata").path("name").asText().endsWith(suffix))
        .reduce((a, b) -> {
          throw new AssertionError("two ClusterRoles *" + suffix + " in " + manifests.ids());
        }).orElseThrow(() -> new AssertionError("no ClusterRole *" + suffix + " in " + manifests.ids()));
  }

  /** The ClusterRole {@code *-tenancy} grants exactly the tenancy permissions, bound to the account. */
  static void assertTenancyRole(Manifests manifests, String namespace, String serviceAccount) {
    JsonNode tenancy = clusterRole(manifests, "-tenancy");
    assertThat(permissions(rules(tenancy))).as("tenancy ClusterRole permissions")
        .containsExactlyInAnyOrderElementsOf(TENANCY_PERMISSIONS);
    assertClusterRoleBound(manifests, tenancy, namespace, serviceAccount);
  }

  static void assertClusterRoleBound(Manifests manifests, JsonNode clusterRole, String namespace,
      String serviceAccount) {
    String name = clusterRole.path("metadata").path("name").asText();
    var binding = Manifests.as(manifests.ofKind("ClusterRoleBinding").stream()
        .filter(b -> b.path("roleRef").path("name").asText().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no ClusterRoleBinding for " + name + " in " + manifests.ids())),
        io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding.class);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(binding.getMetadata().getName()).isEqualTo(name);
    assertBoundTo(binding.getSubjects(), namespace, serviceAccount);
  }

  /** The Role {@code *-suffix} in the operator's namespace grants exactly {@code expected}, bound to the account. */
  static void assertNamespacedRole(Manifests manifests, String namespace, String serviceAccount, String suffix,
      Set<String> expected) {
    JsonNode role = manifests.ofKind("Role").stream()
        .filter(r -> r.path("metadata").path("name").asText().endsWith("-" + suffix)).findFirst()
        .orElseThrow(() -> new AssertionError("no Role *-" + suffix + " in " + manifests.ids()));
    assertThat(role.path("metadata").path("namespace").asText()).isEqualTo(namespace);
    assertThat(permissions(rules(role))).as("%s permissions", Manifests.id(role))
        .containsExactlyInAnyOrderElementsOf(expected);
    String roleName = role.path("metadata").path("name").asText();
    var roleBinding = Manifests.as(manifests.find("RoleBinding", namespace, roleName)
        .orElseThrow(() -> new AssertionError("no RoleBinding " + namespace + "/" + roleName)),
        io.fabric8.kubernetes.api.model.rbac.RoleBinding.class);
    assertThat(roleBinding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(roleBinding.getRoleRef().getName()).isEqualTo(roleName);
    assertBoundTo(roleBinding.getSubjects(), namespace, serviceAccount);
  }

  static void assertBoundTo(List<Subject> subjects, String namespace, String serviceAccount) {
    assertThat(subjects).singleElement().satisfies(s -> {
      assertThat(s.getKind()).isEqualTo("ServiceAccount");
      assertThat(s.getName()).isEqualTo(serviceAccount);
      assertThat(s.getNamespace()).isEqualTo(namespace);
    });
  }

  static Deployment deployment(Manifests manifests) {
    return manifests.one("Deployment", Deployment.class);
  }

  static Container operatorContainer(Deployment deployment) {
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers()).hasSize(1);
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  static Map<String, EnvVar> env(Container container) {
    return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e, (a, b) -> {
      throw new AssertionError("environment variable " + a.getName() + " set twice");
    }));
  }

  static Optional<String> envValue(Container container, String name) {
    return Optional.ofNullable(env(container).get(name)).map(EnvVar::getValue);
  }

  /**
   * The operator contract and the restricted Pod Security Standard: 2 replicas with leader election, non-root,
   * read-only root filesystem with an emptyDir /tmp, no capabilities, no privilege escalation, RuntimeDefault
   * seccomp, probes on /healthz and /readyz, POD_NAMESPACE and POD_NAME from the downward API.
   */
  static void assertSecureOperatorDeployment(Manifests manifests, String namespace, String leaseName) {
    Deployment deployment = deployment(manifests);
    assertThat(deployment.getMetadata().getNamespace()).isEqualTo(namespace);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    ServiceAccount serviceAccount = manifests.one("ServiceAccount", ServiceAccount.class);
    assertThat(pod.getServiceAccountName()).isEqualTo(serviceAccount.getMetadata().getName());
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);

    var podSecurity = pod.getSecurityContext();
    assertThat(podSecurity.getRunAsNonRoot()).isTrue();
    assertThat(podSecurity.getRunAsUser()).isPositive();
    assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

    Container container = operatorContainer(deployment);
    var security = container.getSecurityContext();
    assertThat(security.getRunAsNonRoot()).isTrue();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();

    assertThat(container.getVolumeMounts()).anySatisfy(mount -> {
      assertThat(mount.getMountPath()).isEqualTo("/tmp");
      assertThat(pod.getVolumes()).anySatisfy(volume -> {
        assertThat(volume.getName()).isEqualTo(mount.getName());
        assertThat(volume.getEmptyDir()).isNotNull();
      });
    });
    assertThat(pod.getVolumes()).allSatisfy(volume -> assertThat(volume.getHostPath()).isNull());

    assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(container.getResources().getLimits()).containsKey("memory");

    assertThat(container.getArgs()).containsExactly("run");
    assertThat(container.getPorts()).singleElement().satisfies(port -> {
      assertThat(port.getName()).isEqualTo("http");
      assertThat(envValue(container, "AUTHIP_HTTP_PORT")).contains(String.valueOf(port.getContainerPort()));
    });
    assertHttpProbe(container.getLivenessProbe(), "/healthz");
    assertHttpProbe(container.getStartupProbe(), "/healthz");
    assertHttpProbe(container.getReadinessProbe(), "/readyz");

    assertThat(env(container).get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    // The Lease names its holder by pod.
    assertThat(env(container).get("POD_NAME").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
    assertThat(envValue(container, "AUTHIP_LEADER_ELECTION")).contains("true");
    assertThat(envValue(container, "AUTHIP_LEADER_ELECTION_NAMESPACE")).contains(namespace);
    assertThat(envValue(container, "AUTHIP_LEASE_NAME")).contains(leaseName);
    assertThat(envValue(container, "AZURE_CLOUD")).contains("AzurePublicCloud");
    assertThat(env(container)).allSatisfy((name, var) -> assertThat(name).doesNotContain("SECRET"));
  }

  static void assertHttpProbe(Probe probe, String path) {
    assertThat(probe).as("probe on %s", path).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
  }
}
