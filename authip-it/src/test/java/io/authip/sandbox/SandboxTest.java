package io.authip.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.authip.emulator.ClusterFixture;
import io.authip.kubeapi.Kubectl;
import io.authip.operator.OperatorConfig;
import io.authip.testing.Edits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `./authip sandbox` does, driven through the same class, plus a round trip with the real kubectl. */
class SandboxTest {

  @TempDir
  static Path dir;
  static Sandbox sandbox;
  static String progress;

  @BeforeAll
  static void start() {
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of("AUTHIP_HTTP_PORT", "0",
        "AUTHIP_POLL_INTERVAL", "200ms", "AUTHIP_PROPAGATION_DELAY", "500ms", "AUTHIP_BUSY_RETRY", "300ms",
        "AUTHIP_ERROR_BACKOFF", "200ms", "AUTHIP_MAX_BACKOFF", "2s", "AUTHIP_RESYNC_CAP", "2s"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    sandbox = Sandbox.start(new LocalEnvironment.Options(0, 0, Duration.ofMillis(300), config, dir), null,
        new PrintStream(out, true, StandardCharsets.UTF_8));
    progress = out.toString(StandardCharsets.UTF_8);
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      try {
        System.out.println(sandbox.environment().kube().rbac().report());
        // the sandbox's operator runs under deploy/base/rbac.yaml as built into the jar
        sandbox.environment().requireNoForbiddenRequests();
      } finally {
        sandbox.close();
      }
    }
  }

  @Test
  void theSandboxOperatorIsAuthorizedByTheShippedRbacAndKubectlIsTheAdministrator() throws Exception {
    await().atMost(Duration.ofSeconds(120)).until(sandbox::settled);
    var rbac = sandbox.environment().kube().rbac();
    assertThat(rbac.authorizedCount()).isPositive();
    assertThat(rbac.used().keySet()).extracting(Object::toString)
        .contains("watch authip.io/authorizedippolicies", "update authip.io/authorizedippolicies/status in platform");
    assertThat(rbac.forbidden()).isEmpty();
    Kubectl kubectl = new Kubectl(sandbox.kubeconfig(), Files.createDirectories(dir.resolve("kube-cache-rbac")), dir);
    assertThat(kubectl.ok("get", "secrets", "-A")).doesNotContain("Forbidden");
  }

  @Test
  void everyExamplePolicySettlesInSyncOrBlockedWithItsReason() {
    assertThat(progress).contains("[1/4]", "[2/4]", "[3/4]", "[4/4]", "AuthorizedIpPolicy platform/production");
    await().atMost(Duration.ofSeconds(120)).until(() -> sandbox.rows().size() == 11
        && sandbox.rows().stream().allMatch(r -> r.state().equals("InSync") || r.state().equals("Blocked")));
    List<Sandbox.Row> rows = sandbox.rows();
    assertThat(rows).extracting(r -> r.policy() + " " + r.target() + " " + r.state() + " " + r.reason())
        .containsExactly(
            "platform/batch batch/aks-batch InSync InSync",
            "platform/guarded guarded/aks-guarded InSync InSync",
            "platform/internal internal/aks-internal Blocked PrivateCluster",
            "platform/partners partners/aks-partners InSync InSync",
            "platform/production prod-neu/aks-prod-neu InSync InSync",
            "platform/production prod-weu/aks-prod-weu InSync InSync",
            "platform/spoke rg-spoke/aks-spoke-natgw InSync InSync",
            "platform/staging staging/aks-staging InSync InSync",
            "team-a/reach-team-b rg-team-b/aks-team-b Blocked NotGranted",
            "team-a/web rg-team-a-weu/aks-team-a InSync InSync",
            "team-b/api rg-team-b/aks-team-b InSync InSync");
    assertThat(Sandbox.render(rows)).contains("POLICY", "TARGET", "STATE", "REASON", "RANGES", "DRIFT",
        "PrivateCluster");
    // 230 partner ranges and the egress, covered by at most AKS's 200 within the policy's 2 %.
    var partners = sandbox.environment().kube().client().resources(io.authip.api.v1alpha1.AuthorizedIpPolicy.class)
        .inNamespace("platform").withName("partners").get().getStatus().getTargets().get(0).getSupernet();
    ClusterFixture cluster = Sandbox.sampleClusters().stream().filter(c -> c.name().equals("aks-partners"))
        .findFirst().orElseThrow();
    assertThat(partners.getEntries()).isEqualTo(230 + cluster.egressCidrs().size());
    assertThat(rows).filteredOn(r -> r.policy().equals("platform/partners")).singleElement()
        .satisfies(r -> assertThat(r.ranges()).isEqualTo(partners.getBlocks()).isLessThanOrEqualTo(200));
    assertThat(Double.parseDouble(partners.getExtraPercent())).isLessThanOrEqualTo(2.0);
    System.out.println("partners: " + partners.getEntries() + " entries in " + partners.getBlocks() + " blocks, "
        + partners.getExtraAddresses() + " extra addresses (" + partners.getExtraPercent() + " %)");
    // The production clusters got the office, VPN, CI runner ranges and their own egress.
    assertThat(ranges(Sandbox.sampleClusters().get(0))).contains("73.140.245.0/24", "137.117.106.88/29",
        "20.42.0.0/23", "52.160.96.17/32");
    assertThat(ranges(Sandbox.sampleClusters().get(3))).containsExactly("0.0.0.0/32");
    assertThat(sandbox.environment().arm().requestCount(Sandbox.sampleClusters().get(4).clusterId(), "PUT"))
        .isZero();
  }

  @Test
  void theNatClustersEgressIsItsSubnetsNatGatewayAndTheGuardedClusterPutsALockingListBack() {
    var client = sandbox.environment().kube().client();
    ClusterFixture spoke = Sandbox.sampleClusters().stream().filter(c -> c.name().equals("aks-spoke-natgw"))
        .findFirst().orElseThrow();
    await().atMost(Duration.ofSeconds(120)).until(() -> ranges(spoke).contains("73.140.245.0/24"));
    assertThat(ranges(spoke)).containsAll(spoke.egressCidrs());

    ClusterFixture guarded = Sandbox.sampleClusters().stream().filter(c -> c.name().equals("aks-guarded"))
        .findFirst().orElseThrow();
    java.util.function.Supplier<io.authip.api.v1alpha1.TargetStatus> target = () -> client
        .resources(io.authip.api.v1alpha1.AuthorizedIpPolicy.class).inNamespace("platform").withName("guarded").get()
        .getStatus().getTargets().get(0);
    await().atMost(Duration.ofSeconds(120)).until(() -> ranges(guarded).contains(Sandbox.OPERATOR_EGRESS + "/32")
        && target.get().getApiServer() != null && Boolean.TRUE.equals(target.get().getApiServer().getReachable()));
    List<String> before = ranges(guarded);
    Edits.edit(client.resources(io.authip.api.v1alpha1.AuthorizedIpPolicy.class).inNamespace("platform")
        .withName("guarded"), p -> {
          p.getSpec().getRanges().removeIf(r -> r.getCidr().equals(Sandbox.OPERATOR_EGRESS));
          return p;
        });
    try {
      // Pending with reason LockoutPrevented while the list before goes back, then Blocked once it is in place.
      await().atMost(Duration.ofSeconds(120)).until(() -> "LockoutPrevented".equals(target.get().getReason())
          && target.get().getState() == io.authip.api.v1alpha1.TargetState.Blocked);
      assertThat(ranges(guarded)).containsExactlyInAnyOrderElementsOf(before);
    } finally {
      // The example as it was, for the other tests of this sandbox: a new list ends the hold.
      Edits.edit(client.resources(io.authip.api.v1alpha1.AuthorizedIpPolicy.class).inNamespace("platform")
          .withName("guarded"), p -> {
            p.getSpec().getRanges().add(io.authip.api.v1alpha1.RangeEntry.of(Sandbox.OPERATOR_EGRESS));
            return p;
          });
      await().atMost(Duration.ofSeconds(120)).until(() -> "InSync".equals(target.get().getReason()));
    }
  }

  @Test
  void theServiceTagRangeSetIsReadFromTheEmulatedDiscoveryApi() throws Exception {
    var client = sandbox.environment().kube().client();
    await().atMost(Duration.ofSeconds(120)).until(() -> {
      var set = client.resources(io.authip.api.v1alpha1.IpRangeSet.class).inNamespace("platform")
          .withName("azure-devops").get();
      return set != null && set.getStatus() != null && set.getStatus().getRangeCount() != null;
    });
    var status = client.resources(io.authip.api.v1alpha1.IpRangeSet.class).inNamespace("platform")
        .withName("azure-devops").get().getStatus();
    assertThat(status.getSources()).hasSize(1);
    assertThat(status.getSources().get(0).getIpv6Skipped()).isEqualTo(2);
    assertThat(status.getRangeCount()).isEqualTo(19);
    assertThat(progress).contains("service tag AzureDevOps: 21 prefixes");
    // The emulator's seed file serves the same tag to `authip emulator --seed deploy/emulator/seed.yaml`.
    var seed = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(java.nio.file.Path.of(System.getProperty("authip.projectDir", ".")).toAbsolutePath().normalize()
        .resolve("deploy/emulator/seed.yaml").toFile());
    java.util.List<String> seeded = new java.util.ArrayList<>();
    seed.path("serviceTags").get(0).path("addressPrefixes").forEach(p -> seeded.add(p.asText()));
    assertThat(seed.path("serviceTags").get(0).path("name").asText()).isEqualTo("AzureDevOps");
    assertThat(seeded).isEqualTo(Sandbox.SERVICE_TAGS.get("AzureDevOps"));
  }

  @Test
  void eachTenantsClusterIsChangedWithOnlyThatTenantsTokenAndTheOtherTenantsClusterIsNotGranted() {
    await().atMost(Duration.ofSeconds(120)).until(() -> sandbox.rows().stream()
        .filter(r -> r.policy().startsWith("team-")).filter(r -> r.state().equals("InSync")).count() == 2);
    var arm = sandbox.environment().arm();
    for (Sandbox.Tenant t : Sandbox.TENANTS) {
      String rg = ("/resourceGroups/" + t.resourceGroup() + "/").toLowerCase(java.util.Locale.ROOT);
      List<io.authip.emulator.RecordedRequest> requests = arm.requests().stream()
          .filter(r -> r.path().toLowerCase(java.util.Locale.ROOT).contains(rg)).toList();
      assertThat(requests).as(t.namespace()).isNotEmpty()
          .allSatisfy(r -> assertThat(r.clientId()).isEqualTo(t.clientId()));
      assertThat(sandbox.environment().kube().tokenRequests(t.namespace(), Sandbox.TENANT_SERVICE_ACCOUNT))
          .isPositive();
    }
    assertThat(progress).contains("TargetGrant team-a", "tenant team-b: ServiceAccount authip-tenant");
  }

  @Test
  void kubectlApplyOfAnEditedPolicyReplacesTheListOnTheEmulatedCluster() throws Exception {
    await().atMost(Duration.ofSeconds(120)).until(sandbox::settled);
    ClusterFixture weu = Sandbox.sampleClusters().get(0);
    Path edited = dir.resolve("production-edited.yaml");
    String original = new String(Sandbox.class.getClassLoader().getResourceAsStream("examples/policy-production.yaml")
        .readAllBytes(), StandardCharsets.UTF_8);
    // Drop the VPN pool, add a new office range.
    String yaml = original.replace("    - cidr: 137.117.106.88/29\n      description: VPN gateway pool\n",
        "    - cidr: 20.105.16.0/22\n      description: new office\n");
    assertThat(yaml).isNotEqualTo(original);
    Files.writeString(edited, yaml);
    Kubectl kubectl = new Kubectl(sandbox.kubeconfig(), Files.createDirectories(dir.resolve("kube-cache")), dir);
    assertThat(kubectl.ok("apply", "-f", edited.toString())).contains("authorizedippolicy.authip.io/production");

    await().atMost(Duration.ofSeconds(30)).until(() -> ranges(weu).contains("20.105.16.0/22"));
    assertThat(ranges(weu)).doesNotContain("137.117.106.88/29").contains("73.140.245.0/24");
    String table = kubectl.ok("get", "aip", "-n", "platform");
    assertThat(table).contains("READY", "REASON", "RANGES", "TARGETS", "production");
  }

  static List<String> ranges(ClusterFixture c) {
    JsonNode list = sandbox.environment().arm().cluster(c.clusterId()).orElseThrow().path("properties")
        .path("apiServerAccessProfile").path("authorizedIPRanges");
    List<String> out = new ArrayList<>();
    list.forEach(n -> out.add(n.asText()));
    return out;
  }
}
