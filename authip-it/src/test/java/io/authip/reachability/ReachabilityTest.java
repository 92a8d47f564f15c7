package io.authip.reachability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.Egress;
import io.authip.api.v1alpha1.Reachability;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.emulator.ArmEmulator;
import io.authip.emulator.ClusterFixture;
import io.authip.operator.OperatorConfig;
import io.authip.sandbox.LocalEnvironment;
import io.authip.testing.Edits;
import io.authip.testing.Policies;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * spec.reachability against the emulated API servers: each cluster's endpoint completes a TLS handshake only when
 * its current authorized ranges let in the operator's egress (the management cluster's outbound IP, as in a real
 * install), and holds the connection unanswered otherwise, as AKS drops it.
 */
class ReachabilityTest {

  static final String SUB = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  static final Duration WAIT = Duration.ofSeconds(45);
  static final AtomicInteger COUNTER = new AtomicInteger();
  static LocalEnvironment env;
  /** The cluster authip runs in: its egress is where the operator's checks come from. */
  static ClusterFixture management;
  static String operatorAddress;

  KubernetesClient k8s;
  ArmEmulator arm;
  String ns;

  @BeforeAll
  static void start() {
    management = ClusterFixture.loadBalancerManagedOutbound(SUB, "platform-mgmt", "aks-mgmt");
    OperatorConfig config = OperatorConfig.forTesting().withChecks(new OperatorConfig.ApiServerChecks(
        Duration.ofMillis(400), Duration.ofSeconds(1), management.clusterId()));
    env = LocalEnvironment.start(LocalEnvironment.Options.forTesting().withOperator(config));
    env.arm().seed(management);
    String egress = management.egressCidrs().get(0);
    operatorAddress = egress.substring(0, egress.indexOf('/'));
    env.arm().apiServerCaller(operatorAddress);
    env.grantAll(SUB);
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
    ns = "reach" + COUNTER.incrementAndGet();
    k8s = env.kube().client();
    arm = env.arm();
  }

  @AfterEach
  void noForbiddenRequests() {
    env.requireNoForbiddenRequests();
  }

  @Test
  void eachTargetsApiServerIsCheckedAndThePolicySaysIt() {
    ClusterFixture c = cluster("aks");
    AuthorizedIpPolicy p = Policies.policy(ns, "p", List.of(c), "73.140.245.0/24", operatorAddress);
    p.getSpec().setReachability(reachability(true, false));
    k8s.resource(p).create();
    await().atMost(WAIT).until(() -> target("p").getApiServer() != null
        && Boolean.TRUE.equals(target("p").getApiServer().getReachable()) && target("p").getState() == TargetState.InSync);
    assertThat(target("p").getApiServer().getLatencyMs()).isNotNull().isGreaterThanOrEqualTo(0);
    Condition reachable = condition("p", "ApiServerReachable");
    assertThat(reachable.getStatus()).isEqualTo("True");
    assertThat(reachable.getReason()).isEqualTo("Reachable");
    assertThat(reachable.getMessage()).startsWith("1/1 API servers answered the operator's latest check");
  }

  @Test
  void aChangeThatLocksTheOperatorOutIsPutBackAndHeldUntilThePolicyChanges() {
    ClusterFixture c = cluster("aks");
    AuthorizedIpPolicy p = Policies.policy(ns, "p", List.of(c), "73.140.245.0/24", operatorAddress);
    p.getSpec().setReachability(reachability(true, true));
    k8s.resource(p).create();
    await().atMost(WAIT).until(() -> ranges(c).contains(operatorAddress + "/32")
        && target("p").getState() == TargetState.InSync && target("p").getApiServer() != null);
    List<String> good = ranges(c);

    // Someone drops the operator's address from the list: the API server stops answering authip once it applies.
    edit("p", spec -> spec.setRanges(Policies.entries("73.140.245.0/24")));
    await().atMost(WAIT).until(() -> "LockoutPrevented".equals(target("p").getReason())
        && target("p").getState() == TargetState.Blocked);
    assertThat(ranges(c)).as("the list before the change is back").containsExactlyInAnyOrderElementsOf(good);
    TargetStatus t = target("p");
    assertThat(t.getLockout()).isNotNull();
    assertThat(t.getMessage()).contains("made the API server stop answering the operator")
        .contains("spec.egress.managementCluster: true");
    assertThat(events("LockoutPrevented")).anyMatch(m -> m.contains("checks failed"));
    assertThat(condition("p", "Ready").getReason()).isEqualTo("Blocked");
    int puts = arm.requestCount(c.clusterId(), "PUT");
    // Held: the locking list is not sent again while the policy asks for it.
    await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> true);
    assertThat(arm.requestCount(c.clusterId(), "PUT")).isEqualTo(puts);

    // The policy now adds the management cluster's egress: a new list, applied, and the API server answers.
    edit("p", spec -> {
      Egress egress = new Egress();
      egress.setManagementCluster(true);
      spec.setEgress(egress);
    });
    await().atMost(WAIT).until(() -> target("p").getState() == TargetState.InSync && target("p").getLockout() == null
        && ranges(c).containsAll(management.egressCidrs()));
    assertThat(ranges(c)).contains(operatorAddress + "/32", "73.140.245.0/24");
    await().atMost(WAIT).until(() -> Boolean.TRUE.equals(target("p").getApiServer().getReachable()));
  }

  @Test
  void withoutAnyRecordedRestrictedListBeforeTheLockoutIsReportedNotPutBack() {
    // The cluster was unrestricted before authip: an empty list is never sent back.
    ClusterFixture c = cluster("open");
    AuthorizedIpPolicy p = Policies.policy(ns, "p", List.of(c), "73.140.245.0/24");
    p.getSpec().setReachability(reachability(true, true));
    k8s.resource(p).create();
    // First Pending (reason LockoutPrevented) while it looks for a list to put back, then Blocked: there is none.
    await().atMost(WAIT).until(() -> "LockoutPrevented".equals(target("p").getReason())
        && target("p").getState() == TargetState.Blocked);
    assertThat(target("p").getMessage()).contains("an unrestricted one is never put back");
    assertThat(ranges(c)).as("nothing unrestricted was sent").contains("73.140.245.0/24");
  }

  @Test
  void theLockoutIsRecordedBeforeTheListBeforeIsPutBack() {
    ClusterFixture c = cluster("aks");
    List<String> good = watchedAndInSync(c);
    // authip's record cannot take the lockout: nothing may be put back until it can.
    env.kube().faults().failWhenBody("PUT", ".*/configmaps/authip-capture-.*", "lockout", 422, 1000);
    try {
      edit("p", spec -> spec.setRanges(Policies.entries("73.140.245.0/24")));
      TargetStatus refused = await().atMost(WAIT).until(() -> target("p"),
          t -> "IntentNotRecorded".equals(t.getReason()));
      assertThat(refused.getState()).isEqualTo(TargetState.Error);
      assertThat(refused.getMessage()).contains("the API server stopped answering the operator")
          .contains("the lockout could not be recorded").contains("the list before is put back once it is");
      assertThat(refused.getLockout()).isNull();
      assertThat(ranges(c)).as("nothing put back yet").doesNotContain(operatorAddress + "/32");
    } finally {
      env.kube().faults().clear();
    }
    await().atMost(WAIT).until(() -> "LockoutPrevented".equals(target("p").getReason())
        && target("p").getState() == TargetState.Blocked);
    assertThat(ranges(c)).containsExactlyInAnyOrderElementsOf(good);
  }

  @Test
  void aWatchThatEndedIsNotTakenUpAgainAfterARestart() {
    ClusterFixture c = cluster("aks");
    List<String> good = watchedAndInSync(c);
    // The API server answered after the change's window: the watch's end is in authip's record.
    await().atMost(WAIT).until(() -> !recordText().isEmpty() && !recordText().contains("\"watch\""));
    int puts = arm.requestCount(c.clusterId(), "PUT");
    env.stopOperator();
    // The API server now stops answering the operator for a reason that is not the list (a network incident).
    arm.apiServerCaller("198.51.100.7");
    try {
      env.startOperator();
      await().atMost(WAIT).until(() -> Boolean.FALSE.equals(target("p").getApiServer().getReachable()));
      await().pollDelay(Duration.ofSeconds(3)).atMost(WAIT).until(() -> true);
      assertThat(arm.requestCount(c.clusterId(), "PUT")).as("nothing put back").isEqualTo(puts);
      assertThat(target("p").getState()).isEqualTo(TargetState.InSync);
      assertThat(ranges(c)).containsExactlyInAnyOrderElementsOf(good);
    } finally {
      arm.apiServerCaller(operatorAddress);
    }
  }

  @Test
  void inObserveTheWatchPausesAndBackInEnforceItDecidesOnNewChecks() {
    ClusterFixture c = cluster("aks");
    List<String> good = watchedAndInSync(c);
    whileAzureAppliesALockingList(c, () -> edit("p", spec -> spec.setMode(io.authip.api.v1alpha1.Mode.Observe)));
    int puts = arm.requestCount(c.clusterId(), "PUT");
    // Observed: the API server stops answering, and nothing is found or put back.
    await().atMost(WAIT).until(() -> target("p").getApiServer() != null
        && Boolean.FALSE.equals(target("p").getApiServer().getReachable()));
    await().pollDelay(Duration.ofSeconds(3)).atMost(WAIT).until(() -> true);
    assertThat(events("LockoutPrevented")).isEmpty();
    assertThat(recordText()).doesNotContain("\"lockout\"");
    assertThat(arm.requestCount(c.clusterId(), "PUT")).isEqualTo(puts);
    // Back in Enforce the change is still watched (it is recent): two new failed checks, and the list before is back.
    edit("p", spec -> spec.setMode(io.authip.api.v1alpha1.Mode.Enforce));
    await().atMost(WAIT).until(() -> "LockoutPrevented".equals(target("p").getReason())
        && target("p").getState() == TargetState.Blocked);
    assertThat(ranges(c)).containsExactlyInAnyOrderElementsOf(good);
  }

  @Test
  void aHoldWrittenIntoStatusByAnyoneElseIsIgnored() {
    ClusterFixture c = cluster("aks");
    AuthorizedIpPolicy p = Policies.policy(ns, "p", List.of(c), "73.140.245.0/24", operatorAddress);
    p.getSpec().setReachability(reachability(true, true));
    k8s.resource(p).create();
    await().atMost(WAIT).until(() -> target("p").getState() == TargetState.InSync);
    // A second list, which authip sends and which does not lock it out: authip's record now has a list before it.
    edit("p", spec -> spec.setRanges(Policies.entries("73.140.244.0/24", operatorAddress)));
    await().atMost(WAIT).until(() -> ranges(c).contains("73.140.244.0/24")
        && target("p").getState() == TargetState.InSync);
    // Someone who may write the policy's status claims that list locked authip out.
    String digest = target("p").getRangesDigest();
    Edits.editStatus(k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName("p"), x -> {
      io.authip.api.v1alpha1.LockoutStatus forged = new io.authip.api.v1alpha1.LockoutStatus();
      forged.setHeldDigest(digest);
      forged.setDetectedAt("2026-01-01T00:00:00Z");
      x.getStatus().getTargets().get(0).setLockout(forged);
      return x;
    });
    int puts = arm.requestCount(c.clusterId(), "PUT");
    List<String> current = ranges(c);
    // authip's record has no such hold: status shows the record's (none), and nothing is sent on status's word.
    TargetStatus t = await().atMost(WAIT).until(() -> target("p"), x -> x.getLockout() == null);
    assertThat(t.getState()).isEqualTo(TargetState.InSync);
    await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> true);
    assertThat(arm.requestCount(c.clusterId(), "PUT")).as("the list before is not sent on status's word")
        .isEqualTo(puts);
    assertThat(ranges(c)).isEqualTo(current);
    assertThat(target("p").getLockout()).isNull();
  }

  @Test
  void aRestartWhileAChangeIsWatchedStillFindsTheLockoutAndTheHoldSurvivesTheNextRestart() {
    ClusterFixture c = cluster("aks");
    List<String> good = watchedAndInSync(c);
    whileAzureAppliesALockingList(c, () -> {
      env.stopOperator();
      assertThat(events("LockoutPrevented")).isEmpty();
      env.startOperator();
    });
    // The watch is authip's record, not its memory: the new process finds the lockout and puts the list back.
    await().atMost(WAIT).until(() -> "LockoutPrevented".equals(target("p").getReason())
        && target("p").getState() == TargetState.Blocked);
    assertThat(ranges(c)).as("the list before the change is back").containsExactlyInAnyOrderElementsOf(good);
    assertThat(events("LockoutPrevented")).anyMatch(m -> m.contains("checks failed"));

    // The hold is authip's record too: after another restart the locking list is still not sent.
    int puts = arm.requestCount(c.clusterId(), "PUT");
    env.stopOperator();
    env.startOperator();
    await().pollDelay(Duration.ofSeconds(3)).atMost(WAIT).until(() -> true);
    TargetStatus held = target("p");
    assertThat(held.getState()).isEqualTo(TargetState.Blocked);
    assertThat(held.getReason()).isEqualTo("LockoutPrevented");
    assertThat(held.getLockout()).isNotNull();
    assertThat(arm.requestCount(c.clusterId(), "PUT")).as("nothing sent after the restart").isEqualTo(puts);
    assertThat(ranges(c)).containsExactlyInAnyOrderElementsOf(good);

    // Asking for the operator's address again is another list: the hold ends.
    edit("p", spec -> spec.setRanges(Policies.entries("73.140.245.0/24", "73.140.250.0/24", operatorAddress)));
    await().atMost(WAIT).until(() -> target("p").getState() == TargetState.InSync && target("p").getLockout() == null
        && ranges(c).contains("73.140.250.0/24"));
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  /**
   * Policy {@code p} with the operator's address and {@code revertOnLockout}, in sync on {@code c} with its API server
   * answering: returns the cluster's list.
   */
  List<String> watchedAndInSync(ClusterFixture c) {
    AuthorizedIpPolicy p = Policies.policy(ns, "p", List.of(c), "73.140.245.0/24", operatorAddress);
    p.getSpec().setReachability(reachability(true, true));
    k8s.resource(p).create();
    await().atMost(WAIT).until(() -> ranges(c).contains(operatorAddress + "/32")
        && target("p").getState() == TargetState.InSync && target("p").getApiServer() != null
        && Boolean.TRUE.equals(target("p").getApiServer().getReachable()));
    return ranges(c);
  }

  /** The data of policy p's records in authip's capture ConfigMaps (empty when it has none). */
  String recordText() {
    String uid = k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName("p").get().getMetadata().getUid();
    StringBuilder out = new StringBuilder();
    k8s.configMaps().inAnyNamespace().withLabel("authip.io/policy-uid", uid).list().getItems()
        .forEach(cm -> out.append(cm.getData()));
    return out.toString();
  }

  /**
   * Drops the operator's address from policy p's list, and runs {@code meanwhile} once the PUT is in, while Azure
   * still applies it (5 s): long before the change's propagation window ends and a check could find the lockout.
   */
  void whileAzureAppliesALockingList(ClusterFixture c, Runnable meanwhile) {
    Duration operations = arm.operationDuration();
    arm.operationDuration(Duration.ofSeconds(5));
    try {
      edit("p", spec -> spec.setRanges(Policies.entries("73.140.245.0/24")));
      await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> !ranges(c).contains(operatorAddress
          + "/32"));
      meanwhile.run();
    } finally {
      arm.operationDuration(operations);
    }
  }

  ClusterFixture cluster(String name) {
    ClusterFixture c = ClusterFixture.loadBalancerManagedOutbound(SUB, ns, name);
    arm.seed(c);
    return c;
  }

  static Reachability reachability(boolean check, boolean revert) {
    Reachability r = new Reachability();
    r.setCheck(check);
    r.setRevertOnLockout(revert);
    return r;
  }

  void edit(String name, Consumer<io.authip.api.v1alpha1.AuthorizedIpPolicySpec> change) {
    Edits.edit(k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName(name), p -> {
      change.accept(p.getSpec());
      return p;
    });
  }

  TargetStatus target(String policy) {
    AuthorizedIpPolicy p = k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName(policy).get();
    return p == null || p.getStatus() == null || p.getStatus().getTargets().isEmpty() ? new TargetStatus()
        : p.getStatus().getTargets().get(0);
  }

  Condition condition(String policy, String type) {
    AuthorizedIpPolicy p = k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName(policy).get();
    return p.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst()
        .orElse(new Condition());
  }

  List<String> events(String reason) {
    return k8s.v1().events().inNamespace(ns).list().getItems().stream().filter(e -> reason.equals(e.getReason()))
        .map(Event::getMessage).toList();
  }

  List<String> ranges(ClusterFixture c) {
    return io.authip.testing.Clusters.ranges(arm, c);
  }

}
