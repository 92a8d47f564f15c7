package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Kubernetes' RBAC authorizer (plugin/pkg/auth/authorizer/rbac), as a pure function of the Roles, ClusterRoles
 * and bindings it was given, plus the bootstrap roles every cluster has ({@code system:discovery},
 * {@code system:basic-user}, {@code system:public-info-viewer}, bound to {@code system:authenticated}).
 *
 * <p>ClusterRoleBindings grant their ClusterRole everywhere; a RoleBinding grants its Role, or a ClusterRole, in
 * the binding's namespace only. A rule allows a request when its verbs, apiGroups, resources and resourceNames all
 * match (resource requests), or its verbs and nonResourceURLs (other requests): {@code *} matches anything,
 * {@code resource/subresource} and {@code *}{@code /subresource} a subresource, a resourceName only a request that
 * names the object in its URL (so never the create of a new object, a deletecollection, or a list/watch without a
 * {@code metadata.name} field selector; but the create of a named object's subresource, such as
 * {@code serviceaccounts/NAME/token}, yes), a nonResourceURL ending in {@code *} any path with that prefix. Nothing denies; what no rule allows is
 * forbidden.
 */
public final class Rbac {

  /** The bearer token the embedded API authenticates as the operator's ServiceAccount. Not a secret. */
  public static final String OPERATOR_TOKEN = "authip-sandbox-operator-token";
  /** The operator's namespace in the shipped manifests (release namespace of the chart, the kustomize base's). */
  public static final String OPERATOR_NAMESPACE = "authip-system";
  /** The operator's ServiceAccount in the shipped manifests. */
  public static final String OPERATOR_SERVICE_ACCOUNT = "authip";
  /** deploy/base/rbac.yaml, copied into the jar by the build. */
  public static final String SHIPPED_RBAC_RESOURCE = "rbac/rbac.yaml";

  /** An authenticated user: name and groups, as the authenticator hands them to the authorizer. */
  public record User(String name, Set<String> groups) {

    public User {
      groups = Set.copyOf(groups);
    }

    /** A ServiceAccount's token user: {@code system:serviceaccount:NS:NAME} and its three groups. */
    public static User serviceAccount(String namespace, String name) {
      return new User("system:serviceaccount:" + namespace + ":" + name,
          Set.of("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"));
    }

    /** The operator's ServiceAccount in the shipped manifests. */
    public static User operator() {
      return serviceAccount(OPERATOR_NAMESPACE, OPERATOR_SERVICE_ACCOUNT);
    }
  }

  /**
   * @param allowedBy the binding and role whose rule allowed it, e.g. {@code ClusterRoleBinding authip ->
   *     ClusterRole authip}; empty when forbidden
   * @param reason why it was forbidden beyond "no rule allows it" (a binding to a missing role), or ""
   */
  public record Decision(boolean allowed, String allowedBy, String reason) {
  }

  /**
   * One verb on one resource (or URL) that a role grants a user, in one namespace or everywhere: the unit in which
   * least privilege is measured.
   *
   * @param role {@code ClusterRole NAME} or {@code Role NS/NAME}
   * @param namespace where it applies; null for everywhere (a ClusterRoleBinding)
   * @param resource {@code resource} or {@code resource/subresource}; null for a non-resource grant
   * @param resourceName null when any name
   * @param nonResourceUrl null for a resource grant
   */
  public record Grant(String role, String namespace, String verb, String apiGroup, String resource,
      String resourceName, String nonResourceUrl) {

    /** Whether this grant alone allows the request. */
    public boolean allows(RequestAttributes a) {
      PolicyRule rule = toRule();
      if (namespace != null && !namespace.equals(a.namespace())) {
        return false;
      }
      return ruleAllows(a, rule);
    }

    PolicyRule toRule() {
      PolicyRuleBuilder b = new PolicyRuleBuilder().withVerbs(verb);
      if (nonResourceUrl != null) {
        return b.withNonResourceURLs(nonResourceUrl).build();
      }
      b.withApiGroups(apiGroup).withResources(resource);
      if (resourceName != null) {
        b.withResourceNames(resourceName);
      }
      return b.build();
    }

    /** {@code patch coordination.k8s.io/leases[authip-leader] in authip-system (Role authip-system/x)}. */
    @Override
    public String toString() {
      String what = nonResourceUrl != null ? nonResourceUrl
          : (apiGroup.isEmpty() ? "" : apiGroup + "/") + resource
              + (resourceName == null ? "" : "[" + resourceName + "]");
      return verb + " " + what + (namespace == null ? "" : " in " + namespace) + " (" + role + ")";
    }
  }

  private final List<Role> roles;
  private final List<ClusterRole> clusterRoles;
  private final List<RoleBinding> roleBindings;
  private final List<ClusterRoleBinding> clusterRoleBindings;

  private Rbac(List<Role> roles, List<ClusterRole> clusterRoles, List<RoleBinding> roleBindings,
      List<ClusterRoleBinding> clusterRoleBindings) {
    this.roles = List.copyOf(roles);
    this.clusterRoles = List.copyOf(clusterRoles);
    this.roleBindings = List.copyOf(roleBindings);
    this.clusterRoleBindings = List.copyOf(clusterRoleBindings);
  }

  /**
   * The RBAC objects of a multi-document YAML (e.g. {@code helm template} output, deploy/base/rbac.yaml); other
   * kinds are ignored. The bootstrap roles are added.
   *
   * @throws IllegalArgumentException when a document does not parse, or a namespaced object has no namespace
   */
  public static Rbac fromYaml(String yaml) {
    List<Role> roles = new ArrayList<>();
    List<ClusterRole> clusterRoles = new ArrayList<>();
    List<RoleBinding> roleBindings = new ArrayList<>();
    List<ClusterRoleBinding> clusterRoleBindings = new ArrayList<>();
    try (var docs = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || !doc.isObject() || !"rbac.authorization.k8s.io/v1".equals(doc.path("apiVersion").asText())) {
          continue;
        }
        String kind = doc.path("kind").asText();
        boolean namespaced = kind.equals("Role") || kind.equals("RoleBinding");
        if (namespaced && doc.path("metadata").path("namespace").asText("").isEmpty()) {
          throw new IllegalArgumentException(kind + " " + doc.path("metadata").path("name").asText()
              + ": metadata.namespace is missing; render with a namespace (helm template --namespace)");
        }
        switch (kind) {
          case "Role" -> roles.add(Serialization.jsonMapper().treeToValue(doc, Role.class));
          case "ClusterRole" -> clusterRoles.add(Serialization.jsonMapper().treeToValue(doc, ClusterRole.class));
          case "RoleBinding" -> roleBindings.add(Serialization.jsonMapper().treeToValue(doc, RoleBinding.class));
          case "ClusterRoleBinding" ->
              clusterRoleBindings.add(Serialization.jsonMapper().treeToValue(doc, ClusterRoleBinding.class));
          default -> {
            // not an RBAC object
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read RBAC YAML: " + e.getMessage(), e);
    }
    Rbac bootstrap = bootstrap();
    clusterRoles.addAll(bootstrap.clusterRoles);
    clusterRoleBindings.addAll(bootstrap.clusterRoleBindings);
    return new Rbac(roles, clusterRoles, roleBindings, clusterRoleBindings);
  }

  /** deploy/base/rbac.yaml as built into the jar: what the sandbox's own operator is authorized by. */
  public static Rbac shipped() {
    try (InputStream in = Rbac.class.getClassLoader().getResourceAsStream(SHIPPED_RBAC_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(SHIPPED_RBAC_RESOURCE + " is not on the classpath; build with ./mvnw package");
      }
      return fromYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The roles every Kubernetes cluster has for any authenticated user (bootstrappolicy). */
  static Rbac bootstrap() {
    ClusterRole discovery = clusterRole("system:discovery", new PolicyRuleBuilder().withVerbs("get")
        .withNonResourceURLs("/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*",
            "/readyz", "/version", "/version/").build());
    ClusterRole basicUser = clusterRole("system:basic-user",
        new PolicyRuleBuilder().withVerbs("create").withApiGroups("authorization.k8s.io")
            .withResources("selfsubjectaccessreviews", "selfsubjectrulesreviews").build(),
        new PolicyRuleBuilder().withVerbs("create").withApiGroups("authentication.k8s.io")
            .withResources("selfsubjectreviews").build());
    ClusterRole publicInfo = clusterRole("system:public-info-viewer", new PolicyRuleBuilder().withVerbs("get")
        .withNonResourceURLs("/healthz", "/livez", "/readyz", "/version", "/version/").build());
    List<ClusterRoleBinding> bindings = new ArrayList<>();
    for (ClusterRole r : List.of(discovery, basicUser, publicInfo)) {
      ClusterRoleBinding b = new ClusterRoleBinding();
      b.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(r.getMetadata().getName())
          .build());
      b.setRoleRef(new RoleRef("rbac.authorization.k8s.io", "ClusterRole", r.getMetadata().getName()));
      b.setSubjects(List.of(new Subject("rbac.authorization.k8s.io", "Group", "system:authenticated", null)));
      bindings.add(b);
    }
    return new Rbac(List.of(), List.of(discovery, basicUser, publicInfo), List.of(), bindings);
  }

  private static ClusterRole clusterRole(String name, PolicyRule... rules) {
    ClusterRole r = new ClusterRole();
    r.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
    r.setRules(List.of(rules));
    return r;
  }

  /** As the RBAC authorizer: allowed by the first rule that allows it, otherwise forbidden. */
  public Decision authorize(User user, RequestAttributes request) {
    List<String> errors = new ArrayList<>();
    for (ClusterRoleBinding b : clusterRoleBindings) {
      if (!appliesTo(user, b.getSubjects(), "")) {
        continue;
      }
      Optional<List<PolicyRule>> rules = rulesOf(b.getRoleRef(), "", errors);
      if (rules.isPresent() && rules.get().stream().anyMatch(r -> ruleAllows(request, r))) {
        return new Decision(true, "ClusterRoleBinding " + name(b.getMetadata()) + " -> ClusterRole "
            + b.getRoleRef().getName(), "");
      }
    }
    if (!request.namespace().isEmpty()) {
      for (RoleBinding b : roleBindings) {
        if (!request.namespace().equals(b.getMetadata().getNamespace())
            || !appliesTo(user, b.getSubjects(), b.getMetadata().getNamespace())) {
          continue;
        }
        Optional<List<PolicyRule>> rules = rulesOf(b.getRoleRef(), b.getMetadata().getNamespace(), errors);
        if (rules.isPresent() && rules.get().stream().anyMatch(r -> ruleAllows(request, r))) {
          return new Decision(true, "RoleBinding " + b.getMetadata().getNamespace() + "/" + name(b.getMetadata())
              + " -> " + b.getRoleRef().getKind() + " " + b.getRoleRef().getName(), "");
        }
      }
    }
    return new Decision(false, "", errors.isEmpty() ? "" : "RBAC: " + String.join(", ", errors));
  }

  /** The rules that apply to the user in the namespace ("" for cluster-wide only), as SelfSubjectRulesReview. */
  public List<PolicyRule> rulesFor(User user, String namespace) {
    List<PolicyRule> out = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (ClusterRoleBinding b : clusterRoleBindings) {
      if (appliesTo(user, b.getSubjects(), "")) {
        rulesOf(b.getRoleRef(), "", errors).ifPresent(out::addAll);
      }
    }
    if (namespace != null && !namespace.isEmpty()) {
      for (RoleBinding b : roleBindings) {
        if (namespace.equals(b.getMetadata().getNamespace())
            && appliesTo(user, b.getSubjects(), b.getMetadata().getNamespace())) {
          rulesOf(b.getRoleRef(), namespace, errors).ifPresent(out::addAll);
        }
      }
    }
    return out;
  }

  /**
   * Every grant of every role bound to the user, flattened to one verb, group, resource and name each; the bootstrap
   * roles ({@code system:*}) left out.
   */
  public List<Grant> grantsOf(User user) {
    Set<Grant> out = new LinkedHashSet<>();
    List<String> errors = new ArrayList<>();
    for (ClusterRoleBinding b : clusterRoleBindings) {
      if (appliesTo(user, b.getSubjects(), "") && !b.getRoleRef().getName().startsWith("system:")) {
        rulesOf(b.getRoleRef(), "", errors).ifPresent(rules -> flatten("ClusterRole " + b.getRoleRef().getName(),
            null, rules, out));
      }
    }
    for (RoleBinding b : roleBindings) {
      String ns = b.getMetadata().getNamespace();
      if (appliesTo(user, b.getSubjects(), ns)) {
        String role = b.getRoleRef().getKind().equals("Role") ? "Role " + ns + "/" + b.getRoleRef().getName()
            : "ClusterRole " + b.getRoleRef().getName();
        rulesOf(b.getRoleRef(), ns, errors).ifPresent(rules -> flatten(role, ns, rules, out));
      }
    }
    return List.copyOf(out);
  }

  private static void flatten(String role, String namespace, List<PolicyRule> rules, Set<Grant> out) {
    for (PolicyRule r : rules) {
      for (String verb : list(r.getVerbs())) {
        for (String url : list(r.getNonResourceURLs())) {
          out.add(new Grant(role, null, verb, null, null, null, url));
        }
        for (String group : list(r.getApiGroups())) {
          for (String resource : list(r.getResources())) {
            List<String> names = list(r.getResourceNames());
            if (names.isEmpty()) {
              out.add(new Grant(role, namespace, verb, group, resource, null, null));
            }
            for (String n : names) {
              out.add(new Grant(role, namespace, verb, group, resource, n, null));
            }
          }
        }
      }
    }
  }

  /** The role a binding refers to; a missing one adds an error (the API server appends it to its refusal). */
  private Optional<List<PolicyRule>> rulesOf(RoleRef ref, String bindingNamespace, List<String> errors) {
    if ("ClusterRole".equals(ref.getKind())) {
      Optional<ClusterRole> r = clusterRoles.stream().filter(c -> Objects.equals(name(c.getMetadata()), ref.getName()))
          .findFirst();
      if (r.isEmpty()) {
        errors.add("clusterrole.rbac.authorization.k8s.io \"" + ref.getName() + "\" not found");
      }
      return r.map(c -> list(c.getRules()));
    }
    if ("Role".equals(ref.getKind()) && !bindingNamespace.isEmpty()) {
      Optional<Role> r = roles.stream().filter(c -> Objects.equals(name(c.getMetadata()), ref.getName())
          && bindingNamespace.equals(c.getMetadata().getNamespace())).findFirst();
      if (r.isEmpty()) {
        errors.add("role.rbac.authorization.k8s.io \"" + ref.getName() + "\" not found");
      }
      return r.map(c -> list(c.getRules()));
    }
    errors.add("unsupported roleRef kind " + ref.getKind());
    return Optional.empty();
  }

  static boolean appliesTo(User user, List<Subject> subjects, String bindingNamespace) {
    for (Subject s : list(subjects)) {
      switch (String.valueOf(s.getKind())) {
        case "User" -> {
          if (user.name().equals(s.getName())) {
            return true;
          }
        }
        case "Group" -> {
          if (user.groups().contains(s.getName())) {
            return true;
          }
        }
        case "ServiceAccount" -> {
          String ns = s.getNamespace() == null || s.getNamespace().isEmpty() ? bindingNamespace : s.getNamespace();
          if (ns != null && !ns.isEmpty() && user.name().equals("system:serviceaccount:" + ns + ":" + s.getName())) {
            return true;
          }
        }
        default -> {
          // unknown subject kinds match nobody
        }
      }
    }
    return false;
  }

  static boolean ruleAllows(RequestAttributes a, PolicyRule rule) {
    if (a.resourceRequest()) {
      return verbMatches(rule, a.verb()) && contains(rule.getApiGroups(), a.apiGroup())
          && resourceMatches(rule, a.combinedResource(), a.subresource()) && resourceNameMatches(rule, a.name());
    }
    return verbMatches(rule, a.verb()) && nonResourceUrlMatches(rule, a.path());
  }

  private static boolean verbMatches(PolicyRule rule, String verb) {
    return contains(rule.getVerbs(), verb);
  }

  private static boolean contains(List<String> values, String wanted) {
    for (String v : list(values)) {
      if (v.equals("*") || v.equals(wanted)) {
        return true;
      }
    }
    return false;
  }

  private static boolean resourceMatches(PolicyRule rule, String combined, String subresource) {
    for (String r : list(rule.getResources())) {
      if (r.equals("*") || r.equals(combined)) {
        return true;
      }
      if (!subresource.isEmpty() && r.length() == subresource.length() + 2 && r.startsWith("*/")
          && r.endsWith(subresource)) {
        return true;
      }
    }
    return false;
  }

  private static boolean resourceNameMatches(PolicyRule rule, String name) {
    List<String> names = list(rule.getResourceNames());
    return names.isEmpty() || names.contains(name);
  }

  private static boolean nonResourceUrlMatches(PolicyRule rule, String path) {
    for (String url : list(rule.getNonResourceURLs())) {
      if (url.equals("*") || url.equals(path)) {
        return true;
      }
      if (url.endsWith("*") && path.startsWith(url.substring(0, url.length() - 1))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The API server's refusal message (responsewriters.Forbidden with apierrors.NewForbidden), e.g.
   * {@code leases.coordination.k8s.io "authip-leader" is forbidden: User "system:serviceaccount:authip-system:authip"
   * cannot patch resource "leases" in API group "coordination.k8s.io" in the namespace "authip-system"}.
   */
  public static String forbiddenMessage(User user, RequestAttributes a, String reason) {
    String detail;
    if (!a.resourceRequest()) {
      detail = "User \"" + user.name() + "\" cannot " + a.verb() + " path \"" + a.path() + "\"";
    } else if (!a.namespace().isEmpty()) {
      detail = "User \"" + user.name() + "\" cannot " + a.verb() + " resource \"" + a.combinedResource()
          + "\" in API group \"" + a.apiGroup() + "\" in the namespace \"" + a.namespace() + "\"";
    } else {
      detail = "User \"" + user.name() + "\" cannot " + a.verb() + " resource \"" + a.combinedResource()
          + "\" in API group \"" + a.apiGroup() + "\" at the cluster scope";
    }
    if (reason != null && !reason.isEmpty()) {
      detail = detail + ": " + reason;
    }
    String qualified = a.resource().isEmpty() ? "" : a.apiGroup().isEmpty() ? a.resource()
        : a.resource() + "." + a.apiGroup();
    if (qualified.isEmpty()) {
      return "forbidden: " + detail;
    }
    return a.name().isEmpty() ? qualified + " is forbidden: " + detail
        : qualified + " \"" + a.name() + "\" is forbidden: " + detail;
  }

  private static String name(io.fabric8.kubernetes.api.model.ObjectMeta m) {
    return m == null ? null : m.getName();
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
