package io.authip.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Kubernetes' RBAC algorithm, case by case (the rules of plugin/pkg/auth/authorizer/rbac and its tests). */
class RbacTest {

  static final Rbac.User SA = Rbac.User.serviceAccount("authip-system", "authip");
  static final Rbac.User OTHER_SA = Rbac.User.serviceAccount("team-a", "authip");
  static final Rbac.User ALICE = new Rbac.User("alice", Set.of("devs", "system:authenticated"));

  static final String ROLES = """
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRole
      metadata: {name: reader}
      rules:
        - apiGroups: ["authip.io"]
          resources: ["authorizedippolicies", "iprangesets"]
          verbs: ["get", "list", "watch"]
        - apiGroups: ["authip.io"]
          resources: ["authorizedippolicies/status"]
          verbs: ["patch"]
        - nonResourceURLs: ["/metrics", "/logs/*"]
          verbs: ["get"]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRoleBinding
      metadata: {name: reader}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
      subjects:
        - {kind: ServiceAccount, name: authip, namespace: authip-system}
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: Role
      metadata: {name: lease, namespace: authip-system}
      rules:
        - apiGroups: ["coordination.k8s.io"]
          resources: ["leases"]
          verbs: ["create"]
        - apiGroups: ["coordination.k8s.io"]
          resources: ["leases"]
          resourceNames: ["authip-leader"]
          verbs: ["get", "update", "patch", "list", "watch", "delete", "deletecollection"]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata: {name: lease, namespace: authip-system}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: lease}
      subjects:
        - {kind: ServiceAccount, name: authip}
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRole
      metadata: {name: events}
      rules:
        - apiGroups: [""]
          resources: ["events"]
          verbs: ["create"]
        - apiGroups: ["*"]
          resources: ["*/status"]
          verbs: ["get"]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata: {name: events, namespace: team-a}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: events}
      subjects:
        - {kind: Group, name: "system:serviceaccounts:authip-system"}
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRole
      metadata: {name: everything}
      rules:
        - apiGroups: ["*"]
          resources: ["*"]
          verbs: ["*"]
        - nonResourceURLs: ["*"]
          verbs: ["*"]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata: {name: alice-admin, namespace: sandbox}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
      subjects:
        - {kind: User, name: alice}
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRoleBinding
      metadata: {name: nameless-sa}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
      subjects:
        - {kind: ServiceAccount, name: authip}
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata: {name: dangling, namespace: team-b}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: gone}
      subjects:
        - {kind: Group, name: "system:serviceaccounts"}
      ---
      apiVersion: v1
      kind: ServiceAccount
      metadata: {name: ignored, namespace: authip-system}
      """;

  static final Rbac RBAC = Rbac.fromYaml(ROLES);

  static boolean allowed(Rbac.User user, String method, String path) {
    return RBAC.authorize(user, RequestAttributes.of(method, path)).allowed();
  }

  @Test
  void clusterRoleBindingGrantsEverywhereAndOnlyTheListedVerbs() {
    assertThat(allowed(SA, "GET", "/apis/authip.io/v1alpha1/authorizedippolicies?watch=true")).isTrue();
    assertThat(allowed(SA, "GET", "/apis/authip.io/v1alpha1/namespaces/x/iprangesets/a")).isTrue();
    assertThat(allowed(SA, "PUT", "/apis/authip.io/v1alpha1/namespaces/x/iprangesets/a")).isFalse();
    assertThat(allowed(SA, "DELETE", "/apis/authip.io/v1alpha1/namespaces/x/iprangesets")).isFalse();
    assertThat(allowed(OTHER_SA, "GET", "/apis/authip.io/v1alpha1/namespaces/x/iprangesets/a")).isFalse();
    assertThat(RBAC.authorize(SA, RequestAttributes.of("GET", "/apis/authip.io/v1alpha1/authorizedippolicies"))
        .allowedBy()).isEqualTo("ClusterRoleBinding reader -> ClusterRole reader");
  }

  @Test
  void groupsMatterAndResourcesOfAnotherGroupDoNot() {
    // same resource name, other API group
    assertThat(allowed(SA, "GET", "/apis/other.io/v1/namespaces/x/iprangesets/a")).isFalse();
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/x/iprangesets/a")).isFalse();
  }

  @Test
  void subresourcesAreSeparateResources() {
    String policy = "/apis/authip.io/v1alpha1/namespaces/x/authorizedippolicies/p";
    assertThat(allowed(SA, "PATCH", policy + "/status")).isTrue();
    assertThat(allowed(SA, "PATCH", policy)).isFalse();
    // "authorizedippolicies" does not cover its status, nor the status rule the object itself
    assertThat(allowed(SA, "GET", policy + "/status")).isFalse();
    assertThat(allowed(SA, "GET", policy)).isTrue();
    assertThat(allowed(SA, "PUT", policy + "/finalizers")).isFalse();
  }

  @Test
  void starSlashSubresourceMatchesThatSubresourceOfAnyResourceOnly() {
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/team-a/pods/p/status")).isTrue();
    assertThat(allowed(SA, "GET", "/apis/apps/v1/namespaces/team-a/deployments/d/status")).isTrue();
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/team-a/pods/p")).isFalse();
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/team-a/pods/p/log")).isFalse();
    assertThat(allowed(SA, "GET", "/api/v1/namespaces/team-a/pods/p/xstatus")).isFalse();
  }

  @Test
  void roleBindingGrantsInItsNamespaceOnly() {
    String lease = "/apis/coordination.k8s.io/v1/namespaces/authip-system/leases";
    assertThat(allowed(SA, "POST", lease)).isTrue();
    assertThat(allowed(SA, "POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases")).isFalse();
    assertThat(allowed(SA, "POST", "/apis/coordination.k8s.io/v1/leases")).isFalse();
    // a ClusterRole bound by a RoleBinding: in that namespace only
    assertThat(allowed(SA, "POST", "/api/v1/namespaces/team-a/events")).isTrue();
    assertThat(allowed(SA, "POST", "/api/v1/namespaces/team-b/events")).isFalse();
    assertThat(allowed(SA, "POST", "/api/v1/events")).isFalse();
    assertThat(RBAC.authorize(SA, RequestAttributes.of("POST", "/api/v1/namespaces/team-a/events")).allowedBy())
        .isEqualTo("RoleBinding team-a/events -> ClusterRole events");
  }

  @Test
  void resourceNamesNeedANamedRequest() {
    String leases = "/apis/coordination.k8s.io/v1/namespaces/authip-system/leases";
    assertThat(allowed(SA, "GET", leases + "/authip-leader")).isTrue();
    assertThat(allowed(SA, "PATCH", leases + "/authip-leader")).isTrue();
    assertThat(allowed(SA, "PUT", leases + "/authip-leader")).isTrue();
    assertThat(allowed(SA, "DELETE", leases + "/authip-leader")).isTrue();
    assertThat(allowed(SA, "GET", leases + "/someone-else")).isFalse();
    assertThat(allowed(SA, "PATCH", leases + "/someone-else")).isFalse();
    // list, watch and deletecollection name no object...
    assertThat(allowed(SA, "GET", leases)).isFalse();
    assertThat(allowed(SA, "GET", leases + "?watch=true")).isFalse();
    assertThat(allowed(SA, "DELETE", leases)).isFalse();
    // ...unless a metadata.name field selector does (list and watch only)
    assertThat(allowed(SA, "GET", leases + "?fieldSelector=metadata.name%3Dauthip-leader")).isTrue();
    assertThat(allowed(SA, "GET", leases + "?watch=1&fieldSelector=metadata.name%3Dauthip-leader")).isTrue();
    assertThat(allowed(SA, "GET", leases + "?fieldSelector=metadata.name%3Dother")).isFalse();
    assertThat(allowed(SA, "DELETE", leases + "?fieldSelector=metadata.name%3Dauthip-leader")).isFalse();
    // create is allowed here by the rule without names, never by a named one
    Rbac namedOnly = Rbac.fromYaml("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: c}
        rules: [{apiGroups: [""], resources: [configmaps], resourceNames: [x], verbs: [create, get]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: c}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: c}
        subjects: [{kind: ServiceAccount, name: authip, namespace: authip-system}]
        """);
    assertThat(namedOnly.authorize(SA, RequestAttributes.of("POST", "/api/v1/namespaces/a/configmaps")).allowed())
        .isFalse();
    assertThat(namedOnly.authorize(SA, RequestAttributes.of("GET", "/api/v1/namespaces/a/configmaps/x")).allowed())
        .isTrue();
  }

  @Test
  void subjectsUsersGroupsAndServiceAccounts() {
    // User, via a RoleBinding to a ClusterRole with wildcards
    assertThat(allowed(ALICE, "DELETE", "/apis/apps/v1/namespaces/sandbox/deployments")).isTrue();
    assertThat(allowed(ALICE, "GET", "/api/v1/namespaces/other/pods")).isFalse();
    assertThat(allowed(ALICE, "GET", "/api/v1/pods")).isFalse();
    // a ServiceAccount subject without namespace in a RoleBinding is the binding's namespace...
    Rbac.User inBindingNamespace = Rbac.User.serviceAccount("authip-system", "authip");
    assertThat(RBAC.authorize(inBindingNamespace, RequestAttributes.resource("create", "coordination.k8s.io",
        "authip-system", "leases", "", "")).allowed()).isTrue();
    // ...and in a ClusterRoleBinding nobody (the "nameless-sa" binding grants everything to no one)
    assertThat(allowed(OTHER_SA, "GET", "/api/v1/secrets")).isFalse();
    assertThat(allowed(SA, "GET", "/api/v1/secrets")).isFalse();
    // group of the ServiceAccount's namespace
    assertThat(allowed(Rbac.User.serviceAccount("authip-system", "another"), "POST", "/api/v1/namespaces/team-a/events"))
        .isTrue();
    assertThat(allowed(Rbac.User.serviceAccount("team-a", "another"), "POST", "/api/v1/namespaces/team-a/events"))
        .isFalse();
    assertThat(SA.name()).isEqualTo("system:serviceaccount:authip-system:authip");
    assertThat(SA.groups()).containsExactlyInAnyOrder("system:serviceaccounts", "system:serviceaccounts:authip-system",
        "system:authenticated");
  }

  @Test
  void nonResourceUrlsExactOrByPrefixAndOnlyThroughClusterRoleBindings() {
    assertThat(allowed(SA, "GET", "/metrics")).isTrue();
    assertThat(allowed(SA, "GET", "/metrics/x")).isFalse();
    assertThat(allowed(SA, "GET", "/logs/kube-apiserver.log")).isTrue();
    assertThat(allowed(SA, "GET", "/logs/")).isTrue();
    assertThat(allowed(SA, "GET", "/logs")).isFalse();
    assertThat(allowed(SA, "POST", "/metrics")).isFalse();
    // alice's RoleBinding has nonResourceURLs "*", but a RoleBinding never grants a non-resource URL
    assertThat(allowed(ALICE, "GET", "/metrics")).isFalse();
  }

  @Test
  void everyAuthenticatedUserHasTheBootstrapRoles() {
    Rbac none = Rbac.fromYaml("");
    for (Rbac.User u : Set.of(SA, ALICE)) {
      assertThat(none.authorize(u, RequestAttributes.of("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"))
          .allowed()).isTrue();
      assertThat(none.authorize(u, RequestAttributes.of("POST",
          "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")).allowed()).isTrue();
      assertThat(none.authorize(u, RequestAttributes.of("GET", "/version?timeout=32s")).allowed()).isTrue();
      assertThat(none.authorize(u, RequestAttributes.of("GET", "/apis/authip.io/v1alpha1")).allowed()).isTrue();
      assertThat(none.authorize(u, RequestAttributes.of("GET", "/api")).allowed()).isTrue();
      assertThat(none.authorize(u, RequestAttributes.of("GET", "/api/v1/namespaces")).allowed()).isFalse();
      assertThat(none.authorize(u, RequestAttributes.of("POST",
          "/apis/authorization.k8s.io/v1/subjectaccessreviews")).allowed()).isFalse();
    }
    Rbac.User anonymous = new Rbac.User("system:anonymous", Set.of("system:unauthenticated"));
    assertThat(none.authorize(anonymous, RequestAttributes.of("GET", "/apis")).allowed()).isFalse();
    assertThat(none.grantsOf(SA)).isEmpty();
  }

  @Test
  void resourceNamesNarrowTheCreateOfANamedSubresourceSuchAsAToken() {
    // the name is in the URL of a subresource's create (TokenRequest, eviction), so resourceNames apply to it
    Rbac tokens = Rbac.fromYaml("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: tokens, namespace: tenant-a}
        rules:
          - {apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [authip-tenant], verbs: [create]}
          - {apiGroups: [""], resources: [serviceaccounts], verbs: [create]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: tokens, namespace: tenant-a}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: tokens}
        subjects: [{kind: ServiceAccount, name: authip, namespace: authip-system}]
        """);
    String serviceAccounts = "/api/v1/namespaces/tenant-a/serviceaccounts";
    RequestAttributes token = RequestAttributes.of("POST", serviceAccounts + "/authip-tenant/token");
    assertThat(tokens.authorize(SA, token).allowed()).isTrue();
    assertThat(tokens.authorize(SA, token).allowedBy()).isEqualTo("RoleBinding tenant-a/tokens -> Role tokens");
    assertThat(tokens.grantsOf(SA)).first().satisfies(g -> {
      assertThat(g).hasToString("create serviceaccounts/token[authip-tenant] in tenant-a (Role tenant-a/tokens)");
      assertThat(g.allows(token)).isTrue();
    });
    assertThat(tokens.authorize(SA, RequestAttributes.of("POST", serviceAccounts + "/someone-else/token")).allowed())
        .isFalse();
    assertThat(tokens.authorize(SA, RequestAttributes.of("POST",
        "/api/v1/namespaces/tenant-b/serviceaccounts/authip-tenant/token")).allowed()).isFalse();
    // the token grant covers neither reading the ServiceAccount nor another verb on the subresource...
    assertThat(tokens.authorize(SA, RequestAttributes.of("GET", serviceAccounts + "/authip-tenant")).allowed())
        .isFalse();
    assertThat(tokens.authorize(SA, RequestAttributes.of("GET", serviceAccounts + "/authip-tenant/token")).allowed())
        .isFalse();
    // ...and creating ServiceAccounts does not grant their tokens
    assertThat(tokens.authorize(SA, RequestAttributes.of("POST", serviceAccounts)).allowed()).isTrue();
    assertThat(tokens.authorize(SA, RequestAttributes.of("POST", serviceAccounts + "/someone-else/token")).allowed())
        .isFalse();
    assertThat(Rbac.forbiddenMessage(SA, RequestAttributes.of("POST", serviceAccounts + "/someone-else/token"), ""))
        .isEqualTo("serviceaccounts \"someone-else\" is forbidden: User "
            + "\"system:serviceaccount:authip-system:authip\" cannot create resource \"serviceaccounts/token\" in API "
            + "group \"\" in the namespace \"tenant-a\"");
  }

  @Test
  void aBindingToAMissingRoleIsNamedInTheRefusal() {
    Rbac.Decision d = RBAC.authorize(SA, RequestAttributes.of("GET", "/api/v1/namespaces/team-b/pods"));
    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).isEqualTo("RBAC: role.rbac.authorization.k8s.io \"gone\" not found");
  }

  @Test
  void refusalsReadExactlyAsTheApiServers() {
    RequestAttributes renew = RequestAttributes.of("PATCH",
        "/apis/coordination.k8s.io/v1/namespaces/authip-system/leases/authip-leader");
    assertThat(Rbac.forbiddenMessage(SA, renew, "")).isEqualTo("leases.coordination.k8s.io \"authip-leader\" is "
        + "forbidden: User \"system:serviceaccount:authip-system:authip\" cannot patch resource \"leases\" in API group "
        + "\"coordination.k8s.io\" in the namespace \"authip-system\"");
    assertThat(Rbac.forbiddenMessage(SA, RequestAttributes.of("GET", "/api/v1/secrets"), "")).isEqualTo(
        "secrets is forbidden: User \"system:serviceaccount:authip-system:authip\" cannot list resource \"secrets\" "
            + "in API group \"\" at the cluster scope");
    assertThat(Rbac.forbiddenMessage(SA, RequestAttributes.of("PUT",
        "/apis/authip.io/v1alpha1/namespaces/a/authorizedippolicies/p/finalizers"), "")).isEqualTo(
        "authorizedippolicies.authip.io \"p\" is forbidden: User \"system:serviceaccount:authip-system:authip\" cannot "
            + "update resource \"authorizedippolicies/finalizers\" in API group \"authip.io\" in the namespace \"a\"");
    assertThat(Rbac.forbiddenMessage(SA, RequestAttributes.of("GET", "/metrics"), "")).isEqualTo(
        "forbidden: User \"system:serviceaccount:authip-system:authip\" cannot get path \"/metrics\"");
    assertThat(Rbac.forbiddenMessage(SA, RequestAttributes.of("GET", "/api/v1/namespaces/team-b/pods"),
        "RBAC: role.rbac.authorization.k8s.io \"gone\" not found")).endsWith(
        "in the namespace \"team-b\": RBAC: role.rbac.authorization.k8s.io \"gone\" not found");
  }

  @Test
  void grantsAreFlattenedPerVerbResourceAndName() {
    assertThat(RBAC.grantsOf(SA)).extracting(Rbac.Grant::toString).contains(
        "get authip.io/authorizedippolicies (ClusterRole reader)",
        "patch authip.io/authorizedippolicies/status (ClusterRole reader)",
        "get /metrics (ClusterRole reader)",
        "create coordination.k8s.io/leases in authip-system (Role authip-system/lease)",
        "patch coordination.k8s.io/leases[authip-leader] in authip-system (Role authip-system/lease)",
        "create events in team-a (ClusterRole events)",
        "get */*/status in team-a (ClusterRole events)")
        .doesNotContain("create coordination.k8s.io/leases in default (Role authip-system/lease)");
    Rbac.Grant patchLease = RBAC.grantsOf(SA).stream()
        .filter(g -> g.toString().startsWith("patch coordination.k8s.io/leases[")).findFirst().orElseThrow();
    assertThat(patchLease.allows(RequestAttributes.of("PATCH",
        "/apis/coordination.k8s.io/v1/namespaces/authip-system/leases/authip-leader"))).isTrue();
    assertThat(patchLease.allows(RequestAttributes.of("PUT",
        "/apis/coordination.k8s.io/v1/namespaces/authip-system/leases/authip-leader"))).isFalse();
    assertThat(patchLease.allows(RequestAttributes.of("PATCH",
        "/apis/coordination.k8s.io/v1/namespaces/other/leases/authip-leader"))).isFalse();
  }

  @Test
  void namespacedObjectsWithoutANamespaceAreRefused() {
    assertThatThrownBy(() -> Rbac.fromYaml("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: r}
        rules: []
        """)).hasMessageContaining("Role r: metadata.namespace is missing");
  }
}
