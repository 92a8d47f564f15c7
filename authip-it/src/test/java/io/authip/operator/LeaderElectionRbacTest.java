package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.api.v1alpha1.TargetState;
import io.authip.emulator.ClusterFixture;
import io.authip.kubeapi.Rbac;
import io.authip.kubeapi.RbacFront;
import io.authip.sandbox.LocalEnvironment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leader election under the shipped RBAC, enforced by the embedded API as a real API server would. The operator runs
 * as {@code authip run} in its own JVM (JOSDK exits the process when it stops leading), with its ServiceAccount's
 * token, leader election on, the Lease {@value #LEASE} in {@value Rbac#OPERATOR_NAMESPACE} and JOSDK's timings
 * (lease 15 s, renew deadline 10 s, retry 2 s).
 */
class LeaderElectionRbacTest {

  static final String LEASE = "authip-leader";
  static final String SUB = "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
  /** The lease rule as shipped before fabric8's merge-patch renewal was known: no patch. */
  static final String LEASE_VERBS_NOW =
      "    resourceNames: [\"authip-leader\"]\n    verbs: [\"get\", \"patch\", \"update\"]";
  static final String LEASE_VERBS_BEFORE = "    resourceNames: [\"authip-leader\"]\n    verbs: [\"get\", \"update\"]";

  LocalEnvironment env;
  Process child;
  Path log;

  @BeforeEach
  void start() throws IOException {
    env = LocalEnvironment.start(LocalEnvironment.Options.forTesting());
    env.grantAll(SUB);
    log = Files.createTempFile("authip-leader-election", ".log");
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (child != null && child.isAlive()) {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    env.close();
  }

  @Test
  void theLeaseRoleShippedBeforeForbidsTheRenewalAndTheLeaderExitsAtItsRenewDeadline() throws Exception {
    String shipped = shippedRbac();
    assertThat(shipped).contains(LEASE_VERBS_NOW);
    env.kube().rbac().rules(Rbac.fromYaml(shipped.replace(LEASE_VERBS_NOW, LEASE_VERBS_BEFORE)));

    child = startOperatorJvm();
    String renewal = "PATCH /apis/coordination.k8s.io/v1/namespaces/authip-system/leases/authip-leader";
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> env.kube().rbac()
        .forbidden().stream().anyMatch(r -> (r.method() + " " + r.path()).startsWith(renewal)));
    RbacFront.Refusal refused = env.kube().rbac().forbidden().get(0);
    assertThat(refused.message()).isEqualTo("leases.coordination.k8s.io \"authip-leader\" is forbidden: User "
        + "\"system:serviceaccount:authip-system:authip\" cannot patch resource \"leases\" in API group "
        + "\"coordination.k8s.io\" in the namespace \"authip-system\"");
    // The lease was created (create is granted): the process led, and lost the lease at its renew deadline.
    assertThat(lease()).isNotNull();
    long refusedAt = System.nanoTime();
    assertThat(child.waitFor(90, TimeUnit.SECONDS)).as("the operator exits when it cannot renew").isTrue();
    // JOSDK's System.exit(1) on losing the lease (a pod would be restarted, and lose it again)
    assertThat(child.exitValue()).isEqualTo(1);
    System.out.printf("lease Role as shipped before: %d forbidden lease patches, exit %d %.1f s after the first%n",
        env.kube().rbac().forbidden().size(), child.exitValue(), (System.nanoTime() - refusedAt) / 1e9);
    assertThat(env.kube().rbac().forbidden()).allSatisfy(r -> assertThat(r.path()).startsWith(
        "/apis/coordination.k8s.io/v1/namespaces/authip-system/leases/authip-leader"));
  }

  @Test
  void theShippedRbacLetsTheLeaderRenewPastItsRenewDeadlineAndReconcile() throws Exception {
    ClusterFixture c = ClusterFixture.loadBalancerManagedOutbound(SUB, "le", "aks-le");
    env.arm().seed(c);
    child = startOperatorJvm();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
        .until(() -> lease() != null && lease().getSpec().getHolderIdentity() != null);
    ZonedDateTime acquired = lease().getSpec().getAcquireTime();
    AuthorizedIpPolicy p = policy(c);
    env.kube().client().resource(p).create();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
      AuthorizedIpPolicy r = env.kube().client().resources(AuthorizedIpPolicy.class).inNamespace("le")
          .withName("p").get();
      return r.getStatus() != null && !r.getStatus().getTargets().isEmpty()
          && r.getStatus().getTargets().get(0).getState() == TargetState.InSync;
    });
    // Past the renew deadline (10 s) and the lease duration (15 s): still the same leader, renewing.
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
        Duration.between(acquired, lease().getSpec().getRenewTime()).toSeconds() >= 20);
    assertThat(child.isAlive()).isTrue();
    assertThat(lease().getSpec().getAcquireTime()).isEqualTo(acquired);
    assertThat(env.kube().rbac().forbidden()).isEmpty();
    assertThat(env.kube().rbac().used().keySet()).extracting(Object::toString)
        .contains("create coordination.k8s.io/leases in authip-system",
            "get coordination.k8s.io/leases in authip-system",
            "patch coordination.k8s.io/leases in authip-system",
            "create authorization.k8s.io/selfsubjectrulesreviews");
    System.out.println(env.kube().rbac().report());
  }

  Lease lease() {
    return env.kube().client().resources(Lease.class).inNamespace(Rbac.OPERATOR_NAMESPACE).withName(LEASE).get();
  }

  static String shippedRbac() throws IOException {
    try (InputStream in = Rbac.class.getClassLoader().getResourceAsStream(Rbac.SHIPPED_RBAC_RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static AuthorizedIpPolicy policy(ClusterFixture c) {
    AuthorizedIpPolicy p = new AuthorizedIpPolicy();
    p.getMetadata().setName("p");
    p.getMetadata().setNamespace("le");
    AuthorizedIpPolicySpec spec = new AuthorizedIpPolicySpec();
    spec.setTargets(new ArrayList<>(List.of(new ClusterTarget(c.subscription(), c.resourceGroup(), c.name()))));
    spec.setRanges(new ArrayList<>(List.of(RangeEntry.of("73.140.245.0/24"))));
    p.setSpec(spec);
    return p;
  }

  /** {@code authip run} in its own JVM, as the operator's ServiceAccount, leader election on. */
  Process startOperatorJvm() throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-Dkubernetes.master=" + env.kube().client().getMasterUrl(),
        "-Dkubernetes.auth.token=" + Rbac.OPERATOR_TOKEN,
        "-Dkubernetes.namespace=" + Rbac.OPERATOR_NAMESPACE,
        "-Dkubernetes.auth.tryKubeConfig=false",
        "-Dkubernetes.auth.tryServiceAccount=false",
        "-cp", System.getProperty("java.class.path"),
        "io.authip.cli.Main", "run"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("AUTHIP_") || k.startsWith("AZURE_")
        || k.startsWith("KUBERNETES_") || k.equals("JAVA_TOOL_OPTIONS"));
    pb.environment().putAll(env.azureEnvironment());
    pb.environment().putAll(Map.of("AUTHIP_HTTP_PORT", "0", "AUTHIP_LEADER_ELECTION", "true",
        "AUTHIP_LEADER_ELECTION_NAMESPACE", Rbac.OPERATOR_NAMESPACE, "AUTHIP_LEASE_NAME", LEASE,
        "AUTHIP_POLL_INTERVAL", "200ms", "AUTHIP_PROPAGATION_DELAY", "0s", "AUTHIP_RESYNC_CAP", "2s"));
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }
}
