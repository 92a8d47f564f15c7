package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.Egress;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.emulator.ArmEmulator;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.PutInvariants;
import io.authip.sandbox.LocalEnvironment;
import io.authip.testing.Policies;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Egress beyond the cluster's own profile, end to end: node subnets with a user-assigned NAT gateway, a default route
 * to an Azure Firewall or to an unknown appliance; and the per-cluster entry limit of API Server VNet Integration.
 * The operator's Azure identity holds exactly the shipped role's actions (deploy/azure/authip-role.json).
 */
class EgressChainsEndToEndTest {

  static final String SUB = "4c2d6e8f-0a1b-4c3d-9e8f-b1c2d3e4f5a6";
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String OPERATOR_CLIENT_ID = "authip-sandbox";
  static LocalEnvironment env;
  static KubernetesClient k8s;
  static ArmEmulator arm;

  @BeforeAll
  static void start() throws IOException {
    env = LocalEnvironment.start(LocalEnvironment.Options.forTesting());
    arm = env.arm();
    k8s = env.kube().client();
    JsonNode role = new ObjectMapper().readTree(Path.of(System.getProperty("authip.projectDir", ".."))
        .resolve("deploy/azure/authip-role.json").toFile());
    List<String> actions = new ArrayList<>();
    role.path("Actions").forEach(a -> actions.add(a.asText()));
    arm.principalActions(OPERATOR_CLIENT_ID, actions);
    env.grantAll(SUB);
    env.startOperator();
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @AfterEach
  void invariants() {
    PutInvariants.check(arm);
    env.requireNoForbiddenRequests();
  }

  @Test
  void natGatewaysAndFirewallsAreAuthorizedAndAnUnknownApplianceIsBlockedUntilAllowed() {
    String ns = "egress";
    ClusterFixture nat = seed(ClusterFixture.userAssignedNatGateway(SUB, ns, "aks-natgw"));
    ClusterFixture fw = seed(ClusterFixture.userDefinedRoutingFirewall(SUB, ns, "aks-fw"));
    ClusterFixture nva = seed(ClusterFixture.userDefinedRoutingAppliance(SUB, ns, "aks-nva"));
    AuthorizedIpPolicy p = k8s.resource(Policies.policy(ns, "chains", List.of(nat, fw, nva), "73.140.245.0/24"))
        .create();

    TargetStatus blocked = awaitTarget(p, nva, TargetState.Blocked);
    assertThat(blocked.getReason()).isEqualTo("EgressUnknown");
    assertThat(blocked.getMessage()).contains("goes to the virtual appliance 10.")
        .contains("spec.egress.publicIpResourceIds").contains("spec.egress.allowUnknown: true");
    assertThat(awaitTarget(p, nat, TargetState.InSync).getAppliedRanges())
        .containsExactlyInAnyOrderElementsOf(with(nat.egressCidrs(), "73.140.245.0/24"));
    assertThat(authorizedRanges(nat)).containsExactlyInAnyOrderElementsOf(with(nat.egressCidrs(), "73.140.245.0/24"));
    assertThat(nat.egressCidrs()).as("the NAT gateway's public IP and prefix").hasSize(2);
    awaitTarget(p, fw, TargetState.InSync);
    assertThat(authorizedRanges(fw)).containsExactlyInAnyOrderElementsOf(with(fw.egressCidrs(), "73.140.245.0/24"));
    assertThat(fw.egressCidrs()).as("the firewall's two public IPs").hasSize(2);
    assertThat(arm.requestCount(nva.clusterId(), "PUT")).as("nothing sent to the blocked cluster").isZero();

    edit(p, egress -> egress.setAllowUnknown(true));
    awaitTarget(p, nva, TargetState.InSync);
    assertThat(authorizedRanges(nva)).as("synced without its unknown egress").containsExactly("73.140.245.0/24");
  }

  @Test
  void aVnetIntegratedClusterTakesMoreThan200EntriesAndAnotherOfTheSamePolicyIsBlocked() {
    String ns = "vnet";
    ClusterFixture vnet = seed(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks-vnet").withVnetIntegration());
    ClusterFixture plain = seed(ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks-plain"));
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      many.add("73." + (100 + i / 128) + "." + (2 * (i % 128)) + ".0/24");
    }
    AuthorizedIpPolicy p = k8s.resource(Policies.policy(ns, "long", List.of(vnet, plain),
        many.toArray(String[]::new))).create();

    TargetStatus in = awaitTarget(p, vnet, TargetState.InSync);
    assertThat(in.getRangesLimit()).isEqualTo(2000);
    assertThat(authorizedRanges(vnet)).hasSize(300 + vnet.egressCidrs().size());
    TargetStatus refused = awaitTarget(p, plain, TargetState.Blocked);
    assertThat(refused.getReason()).isEqualTo("TooManyRanges");
    assertThat(refused.getRangesLimit()).isEqualTo(200);
    assertThat(refused.getMessage()).contains("over the limit of 200 for cluster " + plain.clusterId().replace(
        "/resourcegroups/", "/resourceGroups/")).contains("enableVnetIntegration is off");
    assertThat(arm.requestCount(plain.clusterId(), "PUT")).isZero();
  }

  static ClusterFixture seed(ClusterFixture f) {
    arm.seed(f);
    return f;
  }

  static List<String> with(List<String> egress, String... ranges) {
    List<String> out = new ArrayList<>(egress);
    out.addAll(List.of(ranges));
    return out;
  }

  static AuthorizedIpPolicy get(AuthorizedIpPolicy p) {
    return k8s.resources(AuthorizedIpPolicy.class).inNamespace(p.getMetadata().getNamespace())
        .withName(p.getMetadata().getName()).get();
  }

  static TargetStatus awaitTarget(AuthorizedIpPolicy p, ClusterFixture c, TargetState state) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> target(p, c) != null
        && target(p, c).getState() == state);
    return target(p, c);
  }

  static TargetStatus target(AuthorizedIpPolicy p, ClusterFixture c) {
    AuthorizedIpPolicy r = get(p);
    if (r == null || r.getStatus() == null) {
      return null;
    }
    return r.getStatus().getTargets().stream().filter(t -> c.clusterId().equalsIgnoreCase(t.getClusterId()))
        .findFirst().orElse(null);
  }

  static List<String> authorizedRanges(ClusterFixture c) {
    List<String> out = new ArrayList<>();
    arm.cluster(c.clusterId()).orElseThrow().at("/properties/apiServerAccessProfile/authorizedIPRanges")
        .forEach(n -> out.add(n.asText()));
    return out;
  }

  static void edit(AuthorizedIpPolicy p, java.util.function.Consumer<Egress> change) {
    // A status write of the operator between the GET and the PATCH makes the patch conflict: made again.
    await().atMost(WAIT).ignoreExceptions().until(() -> {
      k8s.resources(AuthorizedIpPolicy.class).inNamespace(p.getMetadata().getNamespace())
          .withName(p.getMetadata().getName()).edit(r -> {
            Egress egress = r.getSpec().getEgress() == null ? new Egress() : r.getSpec().getEgress();
            change.accept(egress);
            r.getSpec().setEgress(egress);
            return r;
          });
      return true;
    });
  }
}
