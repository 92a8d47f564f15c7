package io.authip.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.DeletionPolicy;
import io.authip.api.v1alpha1.GrantTarget;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.api.v1alpha1.TargetGrant;
import io.authip.api.v1alpha1.TargetGrantSpec;
import io.authip.api.v1alpha1.TargetReason;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.PutInvariants;
import io.authip.emulator.RecordedRequest;
import io.authip.operator.OperatorConfig;
import io.authip.sandbox.LocalEnvironment;
import io.authip.testing.Edits;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tenancy in the default {@code grants} mode, end to end: the operator as its ServiceAccount under the shipped RBAC,
 * the real Azure SDK against the emulator. A target no grant covers gets not a single ARM request.
 */
class TenancyTest {

  static final String SUB = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
  static final Duration WAIT = Duration.ofSeconds(60);
  static final AtomicInteger SEQ = new AtomicInteger();

  /** Clusters whose policy asks for Unrestricted: an empty list is what was asked for there. */
  static final java.util.Set<String> MAY_OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();
  static LocalEnvironment env;
  static KubernetesClient k8s;
  String ns;

  @BeforeAll
  static void start() {
    env = LocalEnvironment.start(LocalEnvironment.Options.forTesting());
    k8s = env.kube().client();
    env.startOperator();
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @BeforeEach
  void namespace() {
    ns = "tenant-" + SEQ.incrementAndGet();
    k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).addToLabels("team", ns)
        .endMetadata().build()).create();
  }

  @AfterEach
  void invariants() {
    k8s.resources(TargetGrant.class).delete();
    PutInvariants.check(env.arm(), MAY_OPEN);
    env.requireNoForbiddenRequests();
  }

  @Test
  void aNamespaceWithoutAGrantCausesZeroAzureRequestsForItsTargets() {
    ClusterFixture c = seed("rg-nogrant-" + ns, "aks-nogrant");
    env.arm().resetCounters();
    AuthorizedIpPolicy p = create(policy("p", List.of(c)));
    TargetStatus t = awaitTarget(p, TargetState.Blocked);
    assertThat(t.getReason()).isEqualTo(TargetReason.NotGranted.name());
    assertThat(t.getMessage()).contains("no TargetGrant is for namespace " + ns).contains("aks-nogrant");
    assertThat(readyReason(p)).isEqualTo("NotGranted");
    await().atMost(WAIT).until(() -> events(p, "NotGranted").stream().anyMatch(e -> "Warning".equals(e.getType())
        && e.getMessage().contains("aks-nogrant")));
    // several resyncs (the test resync cap is 1 s), and still nothing
    sleep(Duration.ofSeconds(3));
    assertThat(requestsFor(c)).as("ARM requests for a target no grant covers").isEmpty();
    assertThat(env.arm().cluster(c.clusterId()).orElseThrow().path("properties").path("apiServerAccessProfile")
        .path("authorizedIPRanges").size()).isZero();
  }

  @Test
  void globScopesMatchCaseInsensitivelyAndRefuseWhatTheyDoNotCover() {
    ClusterFixture inside = seed("RG-Payments-WEU-" + ns, "AKS-Pay-1");
    ClusterFixture otherRg = seed("rg-web-" + ns, "aks-pay-2");
    ClusterFixture otherName = seed("rg-payments-neu-" + ns, "ops-1");
    grant("g-" + ns, List.of(ns), null, new GrantTarget(SUB, "rg-payments-*", "aks-*"));
    env.arm().resetCounters();
    AuthorizedIpPolicy p = create(policy("p", List.of(inside, otherRg, otherName)));
    awaitTarget(p, inside, TargetState.InSync);
    TargetStatus a = awaitTarget(p, otherRg, TargetState.Blocked);
    TargetStatus b = awaitTarget(p, otherName, TargetState.Blocked);
    assertThat(a.getMessage()).contains("is not granted to namespace " + ns).contains("rg-payments-*");
    assertThat(b.getReason()).isEqualTo(TargetReason.NotGranted.name());
    assertThat(requestsFor(otherRg)).isEmpty();
    assertThat(requestsFor(otherName)).isEmpty();
    assertThat(ranges(inside)).contains("73.140.245.0/24");
  }

  @Test
  void unrestrictedIsRefusedUnlessTheGrantListsIt() {
    ClusterFixture c = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-open-" + ns, "aks-open")
        .withAuthorizedIpRanges(List.of("73.140.245.0/24"));
    env.arm().seed(c);
    MAY_OPEN.add(c.clusterId());
    grant("g-" + ns, null, ns, new GrantTarget(SUB, null, null)); // by label; default access
    AuthorizedIpPolicy p = policy("p", List.of(c));
    p.getSpec().setRanges(null);
    p.getSpec().setAccess(Access.Unrestricted);
    p = create(p);
    TargetStatus t = awaitTarget(p, TargetState.Blocked);
    assertThat(t.getMessage()).contains("access Unrestricted").contains("allows Restricted, LoadBalancerOnly");
    assertThat(ranges(c)).containsExactly("73.140.245.0/24");
    assertThat(env.arm().requestCount(c.clusterId(), "PUT")).isZero();

    Edits.edit(k8s.resources(TargetGrant.class).withName("g-" + ns), g -> {
      g.getSpec().setAllowedAccess(List.of(Access.Restricted, Access.Unrestricted));
      return g;
    });
    awaitTarget(p, TargetState.InSync);
    assertThat(ranges(c)).isEmpty();
  }

  @Test
  void aGrantNarrowedOrDeletedLeavesTheClusterAsItIsAndBlocksTheTarget() {
    ClusterFixture c = seed("rg-narrow-" + ns, "aks-narrow");
    grant("g-" + ns, List.of(ns), null, new GrantTarget(SUB, "rg-narrow-*", null));
    AuthorizedIpPolicy p = policy("p", List.of(c));
    p.getSpec().setDeletionPolicy(DeletionPolicy.Restore);
    p = create(p);
    awaitTarget(p, TargetState.InSync);
    List<String> applied = ranges(c);
    int puts = env.arm().requestCount(c.clusterId(), "PUT");

    // narrowed: the cluster's resource group is no longer covered
    Edits.edit(k8s.resources(TargetGrant.class).withName("g-" + ns), g -> {
      g.getSpec().setTargets(new ArrayList<>(List.of(new GrantTarget(SUB, "rg-elsewhere", null))));
      return g;
    });
    awaitTarget(p, TargetState.Blocked);
    // a spec edit does not reach the cluster either
    edit(p, q -> q.getSpec().setRanges(new ArrayList<>(List.of(RangeEntry.of("20.42.0.0/24")))));
    sleep(Duration.ofSeconds(2));
    assertThat(ranges(c)).isEqualTo(applied);
    assertThat(env.arm().requestCount(c.clusterId(), "PUT")).isEqualTo(puts);

    // deleted, then the Restore policy deleted: never restored, never cleared
    k8s.resources(TargetGrant.class).withName("g-" + ns).delete();
    await().atMost(WAIT).until(() -> k8s.resources(TargetGrant.class).withName("g-" + ns).get() == null);
    k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName("p").delete();
    await().atMost(WAIT).until(() -> k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName("p").get()
        == null);
    assertThat(ranges(c)).isEqualTo(applied);
    assertThat(env.arm().requestCount(c.clusterId(), "PUT")).isEqualTo(puts);
    assertThat(k8s.v1().events().inNamespace(ns).list().getItems()).anyMatch(e -> "RestoreSkipped".equals(e.getReason())
        && e.getMessage().contains("not restored"));
  }

  @Test
  void aPolicyThatMayNotReachAClusterCannotKeepTheGrantedOneFromIt() {
    ClusterFixture c = seed("rg-squat-" + ns, "aks-squat");
    String squatter = ns + "-squatter";
    k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(squatter).endMetadata().build())
        .create();
    AuthorizedIpPolicy older = policy("older", List.of(c));
    older.getMetadata().setNamespace(squatter);
    older = create(older);
    awaitTarget(older, TargetState.Blocked);
    grant("g-" + ns, List.of(ns), null, new GrantTarget(SUB, null, "aks-squat"));
    AuthorizedIpPolicy p = create(policy("p", List.of(c)));
    awaitTarget(p, TargetState.InSync);
    assertThat(target(older, c).getReason()).isEqualTo(TargetReason.NotGranted.name());
  }

  @Test
  void anInvalidGrantGrantsNothingAndSaysWhy() {
    ClusterFixture c = seed("rg-invalid-" + ns, "aks-invalid");
    grant("g-" + ns, List.of(ns), null, new GrantTarget(SUB, "rg invalid", null));
    AuthorizedIpPolicy p = create(policy("p", List.of(c)));
    awaitTarget(p, TargetState.Blocked);
    await().atMost(WAIT).until(() -> {
      TargetGrant g = k8s.resources(TargetGrant.class).withName("g-" + ns).get();
      return g.getStatus() != null && g.getStatus().getConditions().stream().anyMatch(cond -> "Valid".equals(
          cond.getType()) && "False".equals(cond.getStatus()) && cond.getMessage().contains(
              "spec.targets[0].resourceGroup"));
    });
    assertThat(requestsFor(c)).isEmpty();
  }

  @Test
  void aGrantsStatusNamesThePoliciesThatUseIt() {
    ClusterFixture c = seed("rg-status-" + ns, "aks-status");
    grant("g-" + ns, List.of(ns), null, new GrantTarget(SUB, null, null));
    AuthorizedIpPolicy p = create(policy("p", List.of(c)));
    awaitTarget(p, TargetState.InSync);
    await().atMost(WAIT).until(() -> {
      TargetGrant g = k8s.resources(TargetGrant.class).withName("g-" + ns).get();
      return g.getStatus() != null && List.of(ns + "/p").equals(g.getStatus().getPolicies())
          && Integer.valueOf(1).equals(g.getStatus().getPolicyCount())
          && List.of(ns).equals(g.getStatus().getNamespaces());
    });
  }

  @Test
  void eachGrantsTargetsAreChangedWithOnlyThatTeamsTokenAndAzureBoundsIt() {
    String teamA = ns;
    String teamB = ns + "-b";
    String clientA = "a1a1a1a1-0000-4000-8000-" + String.format("%012d", SEQ.get());
    String clientB = "b2b2b2b2-0000-4000-8000-" + String.format("%012d", SEQ.get());
    k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(teamB).endMetadata().build()).create();
    for (String team : List.of(teamA, teamB)) {
      k8s.serviceAccounts().inNamespace(team).resource(new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
          .withNewMetadata().withName("authip-tenant").endMetadata().build()).create();
    }
    // Entra ID: each team's identity trusts its own namespace's ServiceAccount, and nothing else; Azure RBAC scopes
    // each to its team's resource groups.
    String issuer = env.kube().serviceAccountIssuer();
    env.arm().trustIssuer(issuer, env.kube().serviceAccountSigningKey());
    env.arm().federatedCredential(clientA, issuer, "system:serviceaccount:" + teamA + ":authip-tenant",
        "api://AzureADTokenExchange");
    env.arm().federatedCredential(clientB, issuer, "system:serviceaccount:" + teamB + ":authip-tenant",
        "api://AzureADTokenExchange");
    String rgA = "rg-a-" + ns;
    String rgB = "rg-b-" + ns;
    ClusterFixture a = seed(rgA, "aks-a");
    ClusterFixture b = seed(rgB, "aks-b");
    ClusterFixture b2 = seed(rgB, "aks-b2");
    // each identity's role: its clusters' resource group and their node resource group (the egress reads)
    env.arm().principalScopes(clientA, List.of("/subscriptions/" + SUB + "/resourceGroups/" + rgA,
        "/subscriptions/" + SUB + "/resourceGroups/" + nodeResourceGroup(a)));
    env.arm().principalScopes(clientB, List.of("/subscriptions/" + SUB + "/resourceGroups/" + rgB,
        "/subscriptions/" + SUB + "/resourceGroups/" + nodeResourceGroup(b)));
    // The administrator's grant for team A also covers team B's resource group (a mistake): Azure still refuses.
    identityGrant("g-" + teamA, teamA, clientA, new GrantTarget(SUB, rgA, null), new GrantTarget(SUB, rgB, null));
    identityGrant("g-" + teamB, teamB, clientB, new GrantTarget(SUB, rgB, null));
    env.arm().resetCounters();

    AuthorizedIpPolicy pa = create(policy("pa", List.of(a, b2)));
    AuthorizedIpPolicy pb = policy("pb", List.of(b));
    pb.getMetadata().setNamespace(teamB);
    pb = create(pb);
    awaitTarget(pa, a, TargetState.InSync);
    awaitTarget(pb, TargetState.InSync);
    TargetStatus outside = awaitTarget(pa, b2, TargetState.Error);
    assertThat(outside.getReason()).isEqualTo(TargetReason.Forbidden.name());
    assertThat(outside.getMessage()).contains("AuthorizationFailed").contains("'" + clientA + "'")
        .contains("Microsoft.ContainerService/managedClusters/read").contains(rgB);

    // Every ARM request carried a token, and each team's clusters saw only that team's identity (team A's request
    // for team B's cluster was A's, and refused).
    List<RecordedRequest> forA = requestsFor(a);
    List<RecordedRequest> forB = requestsFor(b);
    assertThat(forA).isNotEmpty().allSatisfy(r -> assertThat(r.clientId()).isEqualTo(clientA));
    assertThat(forB).isNotEmpty().allSatisfy(r -> assertThat(r.clientId()).isIn(clientA, clientB));
    assertThat(forB).filteredOn(r -> clientA.equals(r.clientId())).isNotEmpty()
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(403));
    assertThat(forB).filteredOn(r -> r.method().equals("PUT")).isNotEmpty()
        .allSatisfy(r -> assertThat(r.clientId()).isEqualTo(clientB));
    // A's and B's tokens came from their own ServiceAccounts, minted by TokenRequest for the exchange
    assertThat(env.kube().tokenRequests(teamA, "authip-tenant")).isPositive();
    assertThat(env.kube().tokenRequests(teamB, "authip-tenant")).isPositive();
    assertThat(ranges(a)).contains("73.140.245.0/24");
    assertThat(ranges(b)).contains("73.140.245.0/24");
    assertThat(ranges(b2)).isEmpty();
  }

  @Test
  void anIdentityThatCannotBeUsedIsReportedAndNothingIsChanged() {
    String client = "c3c3c3c3-0000-4000-8000-" + String.format("%012d", SEQ.get());
    ClusterFixture c = seed("rg-nosa-" + ns, "aks-nosa");
    // no ServiceAccount authip-tenant in the namespace
    identityGrant("g-" + ns, ns, client, new GrantTarget(SUB, "rg-nosa-" + ns, null));
    AuthorizedIpPolicy p = create(policy("p", List.of(c)));
    TargetStatus t = awaitTarget(p, TargetState.Error);
    assertThat(t.getReason()).isEqualTo(TargetReason.Forbidden.name());
    assertThat(t.getMessage()).contains("cannot get a token of ServiceAccount " + ns + "/authip-tenant")
        .contains("does not exist");
    assertThat(requestsFor(c)).isEmpty();

    // a grant naming a ServiceAccount this installation may not request tokens for: refused before any request
    Edits.edit(k8s.resources(TargetGrant.class).withName("g-" + ns), g -> {
      g.getSpec().getIdentity().setServiceAccountName("someone-else");
      return g;
    });
    await().atMost(WAIT).until(() -> TargetReason.IdentityUnavailable.is(target(p, c).getReason()));
    assertThat(target(p, c).getMessage()).contains("'someone-else'").contains("AUTHIP_TENANT_SERVICE_ACCOUNT");
    assertThat(requestsFor(c)).isEmpty();
    assertThat(ranges(c)).isEmpty();
  }

  @Test
  void extraEgressOutsideTheGrantIsRefusedBeforeAnythingIsRead() {
    ClusterFixture c = seed("rg-egress-" + ns, "aks-egress");
    grant("g-" + ns, List.of(ns), null, new GrantTarget(SUB, "rg-egress-" + ns, null));
    String foreign = "/subscriptions/" + SUB + "/resourceGroups/rg-someone-else/providers/Microsoft.Network/"
        + "publicIPAddresses/their-firewall";
    env.arm().putPublicIp(foreign, "20.99.1.1");
    env.arm().resetCounters();
    AuthorizedIpPolicy p = policy("p", List.of(c));
    io.authip.api.v1alpha1.Egress egress = new io.authip.api.v1alpha1.Egress();
    egress.setPublicIpResourceIds(new ArrayList<>(List.of(foreign)));
    p.getSpec().setEgress(egress);
    p = create(p);
    TargetStatus t = awaitTarget(p, TargetState.Blocked);
    assertThat(t.getReason()).isEqualTo(TargetReason.NotGranted.name());
    assertThat(t.getMessage()).contains("spec.egress.publicIpResourceIds[0]").contains("rg-someone-else");
    assertThat(requestsFor(c)).isEmpty();
    assertThat(env.arm().requests()).noneMatch(r -> r.path().contains("rg-someone-else"));
  }

  @Test
  void aChangeInFlightIsNotPolledOnceItsTargetIsNoLongerGranted() {
    ClusterFixture c = seed("rg-inflight-" + ns, "aks-inflight");
    grant("g-" + ns, List.of(ns), null, new GrantTarget(SUB, "rg-inflight-" + ns, null));
    env.arm().operationDuration(Duration.ofSeconds(30));
    try {
      AuthorizedIpPolicy p = create(policy("p", List.of(c)));
      awaitTarget(p, TargetState.Updating);
      String operation = target(p, c).getPendingOperation().getPollUrl();
      String operationId = operation.substring(operation.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
      k8s.resources(TargetGrant.class).withName("g-" + ns).delete();
      awaitTarget(p, TargetState.Blocked);
      assertThat(target(p, c).getPendingOperation()).as("the record of the change is kept").isNotNull();
      int before = env.arm().requests().size();
      sleep(Duration.ofSeconds(3));
      assertThat(env.arm().requests().subList(Math.min(before, env.arm().requests().size()),
          env.arm().requests().size())).noneMatch(r -> r.path().contains(operationId)
              || r.path().toLowerCase(Locale.ROOT).contains("rg-inflight-" + ns));
    } finally {
      env.arm().operationDuration(Duration.ofMillis(300));
    }
  }

  /**
   * With watched namespaces, grants and namespaces are still read cluster-wide: selectors see the namespaces' labels
   * (a NotIn selector keeps out the namespace it names); only a grant's spec, not its status or labels, makes the
   * policies look at Azure again.
   */
  @Test
  void selectorsWorkWithWatchedNamespacesAndOnlyAGrantsSpecTriggersAzureReads() {
    String wa = ns + "-wa";
    String wb = ns + "-wb";
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of("AUTHIP_HTTP_PORT", "0",
        "AUTHIP_POLL_INTERVAL", "200ms", "AUTHIP_PROPAGATION_DELAY", "0s", "AUTHIP_BUSY_RETRY", "300ms",
        "AUTHIP_ERROR_BACKOFF", "200ms", "AUTHIP_MAX_BACKOFF", "2s", "AUTHIP_WATCH_NAMESPACES", wa + "," + wb));
    try (LocalEnvironment w = LocalEnvironment.start(LocalEnvironment.Options.forTesting().withOperator(config))) {
      KubernetesClient kube = w.kube().client();
      for (String n : List.of(wa, wb)) {
        kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(n).addToLabels("team", n)
            .endMetadata().build()).create();
      }
      ClusterFixture a = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-wa", "aks-wa");
      ClusterFixture b = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-wb", "aks-wb");
      w.arm().seed(a);
      w.arm().seed(b);
      TargetGrant byLabel = new TargetGrant();
      byLabel.getMetadata().setName("not-" + wb);
      TargetGrantSpec spec = new TargetGrantSpec();
      spec.setNamespaceSelector(new LabelSelectorBuilder().addNewMatchExpression().withKey("team")
          .withOperator("NotIn").withValues(wb).endMatchExpression().build());
      spec.setTargets(new ArrayList<>(List.of(new GrantTarget(SUB, null, null))));
      byLabel.setSpec(spec);
      kube.resource(byLabel).create();
      w.startOperator();
      AuthorizedIpPolicy pa = policy("pa", List.of(a));
      pa.getMetadata().setNamespace(wa);
      AuthorizedIpPolicy pb = policy("pb", List.of(b));
      pb.getMetadata().setNamespace(wb);
      kube.resource(pa).create();
      kube.resource(pb).create();
      await().atMost(WAIT).until(() -> state(kube, wa, "pa") == TargetState.InSync
          && state(kube, wb, "pb") == TargetState.Blocked);
      assertThat(w.arm().requestCount(b.clusterId(), "GET")).isZero();
      assertThat(w.arm().requestCount(b.clusterId(), "PUT")).isZero();

      // the grant's labels and status (authip writes it) change: no policy reads Azure again
      await().atMost(WAIT).until(() -> {
        TargetGrant g = kube.resources(TargetGrant.class).withName("not-" + wb).get();
        return g.getStatus() != null && g.getStatus().getPolicyCount() == null; // sharded: no usage written
      });
      int gets = w.arm().requestCount(a.clusterId(), "GET");
      Edits.edit(kube.resources(TargetGrant.class).withName("not-" + wb), g -> {
        g.getMetadata().setLabels(Map.of("owner", "platform"));
        return g;
      });
      sleep(Duration.ofSeconds(3));
      assertThat(w.arm().requestCount(a.clusterId(), "GET")).as("GETs after a label edit").isEqualTo(gets);
      // its spec changes: the policies are looked at again
      Edits.edit(kube.resources(TargetGrant.class).withName("not-" + wb), g -> {
        g.getSpec().setAllowedAccess(new ArrayList<>(List.of(Access.Restricted)));
        return g;
      });
      await().atMost(WAIT).until(() -> w.arm().requestCount(a.clusterId(), "GET") > gets);
      w.requireNoForbiddenRequests();
    }
  }

  static TargetState state(KubernetesClient kube, String namespace, String name) {
    AuthorizedIpPolicy p = kube.resources(AuthorizedIpPolicy.class).inNamespace(namespace).withName(name).get();
    return p == null || p.getStatus() == null || p.getStatus().getTargets().isEmpty() ? null
        : p.getStatus().getTargets().get(0).getState();
  }

  void identityGrant(String name, String namespace, String clientId, GrantTarget... targets) {
    TargetGrant g = new TargetGrant();
    g.getMetadata().setName(name);
    TargetGrantSpec spec = new TargetGrantSpec();
    spec.setNamespaces(List.of(namespace));
    spec.setTargets(new ArrayList<>(List.of(targets)));
    spec.setIdentity(new io.authip.api.v1alpha1.GrantIdentity(clientId, env.arm().tenantId(), "authip-tenant"));
    g.setSpec(spec);
    k8s.resource(g).create();
  }

  // ---- helpers ------------------------------------------------------------------------------------------------------

  ClusterFixture seed(String rg, String name) {
    ClusterFixture c = ClusterFixture.loadBalancerManagedOutbound(SUB, rg, name);
    env.arm().seed(c);
    return c;
  }

  void grant(String name, List<String> namespaces, String teamLabel, GrantTarget... targets) {
    TargetGrant g = new TargetGrant();
    g.getMetadata().setName(name);
    TargetGrantSpec spec = new TargetGrantSpec();
    spec.setNamespaces(namespaces);
    if (teamLabel != null) {
      spec.setNamespaceSelector(new LabelSelectorBuilder().addToMatchLabels("team", teamLabel).build());
    }
    spec.setTargets(new ArrayList<>(List.of(targets)));
    g.setSpec(spec);
    k8s.resource(g).create();
  }

  AuthorizedIpPolicy policy(String name, List<ClusterFixture> clusters) {
    AuthorizedIpPolicy p = new AuthorizedIpPolicy();
    p.getMetadata().setName(name);
    p.getMetadata().setNamespace(ns);
    AuthorizedIpPolicySpec spec = new AuthorizedIpPolicySpec();
    List<ClusterTarget> targets = new ArrayList<>();
    clusters.forEach(c -> targets.add(new ClusterTarget(c.subscription(), c.resourceGroup(), c.name())));
    spec.setTargets(targets);
    spec.setRanges(new ArrayList<>(List.of(RangeEntry.of("73.140.245.0/24"))));
    p.setSpec(spec);
    return p;
  }

  AuthorizedIpPolicy create(AuthorizedIpPolicy p) {
    return k8s.resource(p).create();
  }

  void edit(AuthorizedIpPolicy p, java.util.function.Consumer<AuthorizedIpPolicy> change) {
    Edits.edit(k8s.resources(AuthorizedIpPolicy.class).inNamespace(p.getMetadata().getNamespace())
        .withName(p.getMetadata().getName()), q -> {
          change.accept(q);
          return q;
        });
  }

  TargetStatus awaitTarget(AuthorizedIpPolicy p, TargetState state) {
    await().atMost(WAIT).until(() -> {
      AuthorizedIpPolicy read = read(p);
      return read.getStatus() != null && !read.getStatus().getTargets().isEmpty()
          && read.getStatus().getTargets().stream().allMatch(t -> t.getState() == state);
    });
    return read(p).getStatus().getTargets().get(0);
  }

  TargetStatus awaitTarget(AuthorizedIpPolicy p, ClusterFixture c, TargetState state) {
    await().atMost(WAIT).until(() -> {
      TargetStatus t = target(p, c);
      return t != null && t.getState() == state;
    });
    return target(p, c);
  }

  TargetStatus target(AuthorizedIpPolicy p, ClusterFixture c) {
    AuthorizedIpPolicy read = read(p);
    return read.getStatus() == null ? null : read.getStatus().getTargets().stream()
        .filter(t -> t.getClusterId() != null && t.getClusterId().equalsIgnoreCase(c.clusterId())).findFirst()
        .orElse(null);
  }

  AuthorizedIpPolicy read(AuthorizedIpPolicy p) {
    return k8s.resources(AuthorizedIpPolicy.class).inNamespace(p.getMetadata().getNamespace())
        .withName(p.getMetadata().getName()).get();
  }

  String readyReason(AuthorizedIpPolicy p) {
    return read(p).getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst()
        .orElseThrow().getReason();
  }

  List<Event> events(AuthorizedIpPolicy p, String reason) {
    return k8s.v1().events().inNamespace(p.getMetadata().getNamespace()).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()) && p.getMetadata().getName().equals(e.getInvolvedObject().getName()))
        .toList();
  }

  /** Every recorded ARM request whose path names the cluster's resource group or its node resource group. */
  static List<RecordedRequest> requestsFor(ClusterFixture c) {
    String rg = ("/resourceGroups/" + c.resourceGroup() + "/").toLowerCase(Locale.ROOT);
    String node = ("/resourceGroups/" + nodeResourceGroup(c) + "/").toLowerCase(Locale.ROOT);
    return env.arm().requests().stream().filter(r -> r.path().toLowerCase(Locale.ROOT).contains(rg)
        || r.path().toLowerCase(Locale.ROOT).contains(node)).toList();
  }

  /** Where AKS keeps the cluster's own resources (its managed outbound public IPs among them). */
  static String nodeResourceGroup(ClusterFixture c) {
    return env.arm().cluster(c.clusterId()).orElseThrow().path("properties").path("nodeResourceGroup").asText();
  }

  static List<String> ranges(ClusterFixture c) {
    List<String> out = new ArrayList<>();
    env.arm().cluster(c.clusterId()).orElseThrow().path("properties").path("apiServerAccessProfile")
        .path("authorizedIPRanges").forEach(n -> out.add(n.asText()));
    return out;
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
