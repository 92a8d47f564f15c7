package io.authip.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.DeletionPolicy;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.IpRangeSetSpec;
import io.authip.api.v1alpha1.Mode;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.api.v1alpha1.RangeSetRef;
import io.authip.api.v1alpha1.TargetState;
import io.authip.emulator.ClusterFixture;
import io.authip.kubeapi.Rbac;
import io.authip.kubeapi.RbacFront;
import io.authip.operator.OperatorConfig;
import io.authip.sandbox.LocalEnvironment;
import io.authip.testing.Edits;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Least privilege as a figure: the operator runs as its ServiceAccount under exactly the RBAC that {@code helm
 * template} renders from charts/authip (the kustomize base is the same, {@link KustomizeTest}), through a scenario
 * that exercises every feature; the grants it used must equal the grants the chart gives. A grant never used fails
 * the test, and so does a request the chart forbids.
 */
class LeastPrivilegeTest {

  static final String SUB = "3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b";
  static final Duration WAIT = Duration.ofSeconds(60);
  /** The client ID of the tenants' Azure identity (a federated credential per namespace). */
  static final String TENANT_CLIENT = "7e7e7e7e-1111-4222-8333-444444444444";
  static final String LEASE = "authip-leader";

  /**
   * Granted although never sent: JOSDK 5.2.3 (LeaderElectionManager.checkLeaseAccess) asks a SelfSubjectRulesReview
   * at start-up and refuses to start unless create, update and get are granted on leases; fabric8 itself renews with
   * patch.
   */
  static final Set<String> REQUIRED_BY_JOSDK_START_UP_CHECK = Set.of(
      "update coordination.k8s.io/leases[authip-leader] in authip-system (Role authip-system/authip-leader-election)");

  @Test
  void theOperatorUsesExactlyWhatTheChartGrants() {
    Rbac chart = Rbac.fromYaml(HelmChart.render(""));
    try (LocalEnvironment env = LocalEnvironment.start(LocalEnvironment.Options.forTesting()
        .withOperator(OperatorConfig.forTesting().withLeaderElection(Rbac.OPERATOR_NAMESPACE, LEASE)))) {
      env.kube().rbac().rules(chart);
      // tenancy: the grant's identity is the tenant's, so every Azure request needs a ServiceAccount token
      env.grantAll(env.tenantIdentity(TENANT_CLIENT, "lp"), SUB);
      env.startOperator();
      everyFeature(env, "lp");
      // a restart: the lease is released and taken again, every informer lists again
      env.stopOperator();
      env.startOperator();
      awaitInSync(env.kube().client(), "lp", "after-restart", seedAndCreate(env, "lp", "after-restart", null));
      env.stopOperator();
      assertUsedEqualsGranted(env.kube().rbac());
    }
  }

  @Test
  void watchedNamespacesGetExactlyTheRolesTheyNeed() {
    String values = "operator:\n  watchNamespaces: [team-a, team-b]\n";
    Rbac chart = Rbac.fromYaml(HelmChart.render(values));
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of("AUTHIP_HTTP_PORT", "0",
        "AUTHIP_POLL_INTERVAL", "200ms", "AUTHIP_PROPAGATION_DELAY", "1s", "AUTHIP_BUSY_RETRY", "300ms",
        "AUTHIP_ERROR_BACKOFF", "200ms", "AUTHIP_MAX_BACKOFF", "2s", "AUTHIP_RESYNC_CAP", "1s",
        "AUTHIP_WATCH_NAMESPACES", "team-a,team-b")).withLeaderElection(Rbac.OPERATOR_NAMESPACE, LEASE);
    try (LocalEnvironment env = LocalEnvironment.start(LocalEnvironment.Options.forTesting().withOperator(config))) {
      env.kube().rbac().rules(chart);
      for (String ns : List.of("team-a", "team-b")) {
        env.kube().client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
            .withNewMetadata().withName(ns).endMetadata().build()).create();
      }
      // each namespace's Role lets the operator mint tokens of its authip-tenant ServiceAccount: both are used
      env.grantAll(env.tenantIdentity(TENANT_CLIENT, "team-a", "team-b"), SUB);
      env.startOperator();
      everyFeature(env, "team-a");
      // team-b: a set and a Restore policy using it, deleted again (each namespace's Role is used in full)
      KubernetesClient k8s = env.kube().client();
      IpRangeSet set = new IpRangeSet();
      set.getMetadata().setName("ci");
      set.getMetadata().setNamespace("team-b");
      set.setSpec(new IpRangeSetSpec());
      set.getSpec().setRanges(new ArrayList<>(List.of(RangeEntry.of("20.42.0.0/24"))));
      k8s.resource(set).create();
      ClusterFixture b = seedAndCreate(env, "team-b", "b", p -> {
        p.getSpec().setRangeSetRefs(new ArrayList<>(List.of(new RangeSetRef("ci"))));
        p.getSpec().setDeletionPolicy(DeletionPolicy.Restore);
      });
      awaitInSync(k8s, "team-b", "b", b);
      await().atMost(WAIT).until(() -> {
        IpRangeSet s = k8s.resources(IpRangeSet.class).inNamespace("team-b").withName("ci").get();
        return s.getStatus() != null && Integer.valueOf(1).equals(s.getStatus().getRangeCount());
      });
      repeatAnEventAfterARestart(env, "team-b");
      env.kube().faults().fail("PATCH", "/apis/authip\\.io/v1alpha1/namespaces/team-b/authorizedippolicies/b(\\?.*)?",
          409, 1);
      k8s.resources(AuthorizedIpPolicy.class).inNamespace("team-b").withName("b").delete();
      await().atMost(WAIT).until(() -> k8s.resources(AuthorizedIpPolicy.class).inNamespace("team-b").withName("b")
          .get() == null);
      env.stopOperator();
      assertUsedEqualsGranted(env.kube().rbac());
      // nothing outside the watched namespaces was touched
      assertThat(env.kube().rbac().used().keySet()).allSatisfy(u -> assertThat(u.namespace())
          .isIn("team-a", "team-b", Rbac.OPERATOR_NAMESPACE, ""));
    }
  }

  /**
   * An Event repeated by another process (a restart, a failover): the same name, so create is refused (409) and the
   * Event is read (get) and its count patched.
   */
  static void repeatAnEventAfterARestart(LocalEnvironment env, String ns) {
    KubernetesClient k8s = env.kube().client();
    seedAndCreate(env, ns, "repeat", p -> p.getSpec().setRanges(new ArrayList<>(List.of(RangeEntry.of("10.0.0.0/8")))));
    await().atMost(WAIT).until(() -> invalidSpecCount(k8s, ns) >= 1);
    env.stopOperator();
    env.startOperator();
    await().atMost(WAIT).until(() -> invalidSpecCount(k8s, ns) >= 2);
    k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName("repeat").delete();
  }

  static int invalidSpecCount(KubernetesClient k8s, String ns) {
    return k8s.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> "InvalidSpec".equals(e.getReason()) && "repeat".equals(e.getInvolvedObject().getName()))
        .mapToInt(e -> e.getCount() == null ? 0 : e.getCount()).max().orElse(0);
  }

  /** Sets with status, policies created, edited (spec and set), Observe, invalid, deleted with Retain and Restore. */
  static void everyFeature(LocalEnvironment env, String ns) {
    repeatAnEventAfterARestart(env, ns);
    KubernetesClient k8s = env.kube().client();
    IpRangeSet set = new IpRangeSet();
    set.getMetadata().setName("ci");
    set.getMetadata().setNamespace(ns);
    set.setSpec(new IpRangeSetSpec());
    set.getSpec().setRanges(new ArrayList<>(List.of(RangeEntry.of("20.42.0.0/24"))));
    k8s.resource(set).create();
    // A set with a service tag source: its content is recorded in a ConfigMap of the operator's namespace, and the
    // records of deleted sets are looked for (list by label).
    env.arm().serviceTag("LeastPrivilege", "", List.of("20.43.0.0/24"));
    io.authip.api.v1alpha1.ServiceTagSource tag = new io.authip.api.v1alpha1.ServiceTagSource();
    tag.setName("LeastPrivilege");
    tag.setLocation("westeurope");
    tag.setSubscriptionId(SUB);
    io.authip.api.v1alpha1.RangeSource source = new io.authip.api.v1alpha1.RangeSource();
    source.setAzureServiceTag(tag);
    IpRangeSet tagged = new IpRangeSet();
    tagged.getMetadata().setName("tagged");
    tagged.getMetadata().setNamespace(ns);
    tagged.setSpec(new IpRangeSetSpec());
    tagged.getSpec().setSources(new ArrayList<>(List.of(source)));
    k8s.resource(tagged).create();
    await().atMost(WAIT).until(() -> {
      IpRangeSet s = k8s.resources(IpRangeSet.class).inNamespace(ns).withName("tagged").get();
      return s.getStatus() != null && Integer.valueOf(1).equals(s.getStatus().getRangeCount());
    });

    ClusterFixture enforced = seedAndCreate(env, ns, "enforce", p -> {
      p.getSpec().setRangeSetRefs(new ArrayList<>(List.of(new RangeSetRef("ci"))));
      p.getSpec().setDeletionPolicy(DeletionPolicy.Restore);
    });
    ClusterFixture retained = seedAndCreate(env, ns, "retain", null);
    ClusterFixture observed = seedAndCreate(env, ns, "observe", p -> p.getSpec().setMode(Mode.Observe));
    seedAndCreate(env, ns, "invalid", p -> p.getSpec().setRanges(new ArrayList<>(List.of(RangeEntry.of("10.0.0.0/8")))));
    awaitInSync(k8s, ns, "enforce", enforced);
    awaitInSync(k8s, ns, "retain", retained);
    await().atMost(WAIT).until(() -> state(k8s, ns, "observe") == TargetState.Drifted);
    await().atMost(WAIT).until(() -> k8s.v1().events().inNamespace(ns).list().getItems().stream()
        .anyMatch(e -> "InvalidSpec".equals(e.getReason())));

    Edits.edit(k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName("enforce"), p -> {
      p.getSpec().setRanges(new ArrayList<>(List.of(RangeEntry.of("73.140.244.0/24"))));
      return p;
    });
    Edits.edit(k8s.resources(IpRangeSet.class).inNamespace(ns).withName("ci"), s -> {
      s.getSpec().setRanges(new ArrayList<>(List.of(RangeEntry.of("20.42.0.0/24"), RangeEntry.of("20.42.1.0/24"))));
      return s;
    });
    await().atMost(WAIT).until(() -> env.arm().cluster(enforced.clusterId()).orElseThrow().toString()
        .contains("20.42.0.0/23") && env.arm().cluster(enforced.clusterId()).orElseThrow().toString()
        .contains("73.140.244.0/24"));
    awaitInSync(k8s, ns, "enforce", enforced);

    // The finalizer's removal (only the Restore policy has one) conflicts once: JOSDK reads the policy again (get)
    // and patches again.
    env.kube().faults().fail("PATCH", "/apis/authip\\.io/v1alpha1/namespaces/" + ns
        + "/authorizedippolicies/enforce(\\?.*)?", 409, 1);
    for (String name : List.of("enforce", "retain", "observe", "invalid")) {
      k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName(name).delete();
    }
    await().atMost(WAIT).until(() -> k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).list().getItems()
        .isEmpty());
    assertThat(env.kube().faults().pending()).as("the injected conflict was used").isZero();
    // Restore put back what the cluster had: unrestricted
    assertThat(env.arm().cluster(enforced.clusterId()).orElseThrow().path("properties").path("apiServerAccessProfile")
        .path("authorizedIPRanges").size()).isZero();
    assertThat(observed).isNotNull();
  }

  /**
   * Every grant of the rendered roles was used by some request, except those awaiting use and JOSDK's start-up
   * check; no request was forbidden.
   */
  static void assertUsedEqualsGranted(RbacFront front) {
    System.out.println(front.report());
    assertThat(front.forbidden()).as("requests the chart forbids").isEmpty();
    Rbac.User sa = front.operator();
    List<Rbac.Grant> granted = front.rbac().grantsOf(sa);
    Map<Rbac.Grant, Long> used = front.grantsUsed();
    Set<String> tolerated = new TreeSet<>(REQUIRED_BY_JOSDK_START_UP_CHECK);
    List<String> neverUsed = granted.stream().filter(g -> !used.containsKey(g)).map(Rbac.Grant::toString).toList();
    List<String> required = neverUsed.stream().filter(tolerated::contains).toList();
    List<String> unexplained = neverUsed.stream().filter(g -> !tolerated.contains(g)).toList();
    System.out.printf("least privilege: %d requests authorized, %d forbidden; %d grants, %d used, %d unused "
        + "(%d required by JOSDK's start-up check: %s)%n", front.authorizedCount(), front.forbidden().size(),
        granted.size(), granted.size() - neverUsed.size(), neverUsed.size(), required.size(), required);
    assertThat(unexplained).as("grants the operator never used (remove them from charts/authip and deploy/base, "
        + "or exercise them in this test)").isEmpty();
    assertThat(granted).as("grants").isNotEmpty();
  }

  static ClusterFixture seedAndCreate(LocalEnvironment env, String ns, String name,
      java.util.function.Consumer<AuthorizedIpPolicy> change) {
    ClusterFixture c = ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks-" + name);
    env.arm().seed(c);
    AuthorizedIpPolicy p = new AuthorizedIpPolicy();
    p.getMetadata().setName(name);
    p.getMetadata().setNamespace(ns);
    AuthorizedIpPolicySpec spec = new AuthorizedIpPolicySpec();
    spec.setTargets(new ArrayList<>(List.of(new ClusterTarget(c.subscription(), c.resourceGroup(), c.name()))));
    spec.setRanges(new ArrayList<>(List.of(RangeEntry.of("73.140.245.0/24"))));
    p.setSpec(spec);
    if (change != null) {
      change.accept(p);
    }
    env.kube().client().resource(p).create();
    return c;
  }

  static TargetState state(KubernetesClient k8s, String ns, String name) {
    AuthorizedIpPolicy p = k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName(name).get();
    return p == null || p.getStatus() == null || p.getStatus().getTargets().isEmpty() ? null
        : p.getStatus().getTargets().get(0).getState();
  }

  static void awaitInSync(KubernetesClient k8s, String ns, String name, ClusterFixture c) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
      AuthorizedIpPolicy p = k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName(name).get();
      return p != null && p.getStatus() != null && p.getMetadata().getGeneration()
          .equals(p.getStatus().getObservedGeneration()) && state(k8s, ns, name) == TargetState.InSync;
    });
  }
}
