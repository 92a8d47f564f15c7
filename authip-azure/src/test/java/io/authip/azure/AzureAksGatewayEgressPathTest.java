package io.authip.azure;

import static io.authip.azure.GatewayHarness.target;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.azure.Outcome.Failure;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.RequestKind;
import io.authip.policy.ClusterSnapshot;
import io.authip.policy.EgressPath;
import io.authip.ranges.Cidr;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Node subnets followed to their egress through the real SDK over HTTPS against the ARM emulator. */
class AzureAksGatewayEgressPathTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;

  @TempDir
  static Path dir;
  static GatewayHarness h;

  @BeforeAll
  static void start() {
    h = new GatewayHarness(dir, Duration.ZERO);
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @BeforeEach
  void reset() {
    h.reset();
  }

  private static ClusterSnapshot read(AzureAksGateway gateway, ClusterFixture f) {
    return ((Outcome.Ok<ClusterSnapshot>) gateway.read(target(f))).value();
  }

  private static List<String> subnets(ClusterSnapshot s) {
    return s.agentPools().stream().map(ClusterSnapshot.AgentPool::vnetSubnetId).distinct().toList();
  }

  /** The blocks of a path's addresses, as the fixture's egress is written. */
  private static List<String> blocks(AzureAksGateway gateway, EgressPath.Addresses path) {
    Outcome<Map<String, Cidr>> resolved = gateway.resolve(path.publicIpResourceIds());
    assertThat(resolved).isInstanceOf(Outcome.Ok.class);
    List<String> out = new ArrayList<>();
    ((Outcome.Ok<Map<String, Cidr>>) resolved).value().values().forEach(c -> out.add(c.toString()));
    return out;
  }

  @Test
  void aUserAssignedNatGatewaysAddressesAndPrefixAreFoundFromTheNodeSubnet() {
    AzureAksGateway gateway = h.newGateway();
    ClusterFixture f = ClusterFixture.userAssignedNatGateway(SUB, "rg-egress", "aks-natgw");
    h.arm.seed(f);
    ClusterSnapshot s = read(gateway, f);
    assertThat(s.outboundType()).isEqualTo("userAssignedNATGateway");
    assertThat(subnets(s)).containsExactly(f.nodeSubnetId());

    Outcome<Map<String, EgressPath>> paths = gateway.egressPaths(List.of(f.nodeSubnetId()));
    EgressPath path = ((Outcome.Ok<Map<String, EgressPath>>) paths).value().get(f.nodeSubnetId().toLowerCase());
    assertThat(path).isInstanceOfSatisfying(EgressPath.Addresses.class, a -> {
      assertThat(a.via()).isEqualTo(EgressPath.Via.NAT_GATEWAY);
      assertThat(blocks(gateway, a)).containsExactlyInAnyOrderElementsOf(f.egressCidrs());
    });
    assertThat(h.calls.statuses(AzureCallListener.SUBNET_GET)).containsExactly(200);
    assertThat(h.calls.statuses(AzureCallListener.NAT_GATEWAY_GET)).containsExactly(200);
    assertThat(h.calls.count(AzureCallListener.ROUTE_TABLE_GET)).isZero();
  }

  @Test
  void aDefaultRouteToAnAzureFirewallGivesTheFirewallsPublicIpsAndIsReadOnceForAll() {
    AzureAksGateway gateway = h.newGateway();
    ClusterFixture f = ClusterFixture.userDefinedRoutingFirewall(SUB, "rg-egress", "aks-udr-fw");
    h.arm.seed(f);
    // Another firewall in the subscription, at another private address: not this cluster's.
    h.arm.seed(ClusterFixture.userDefinedRoutingFirewall(SUB, "rg-other", "aks-other"));
    List<String> subnets = subnets(read(gateway, f));

    Outcome<Map<String, EgressPath>> paths = gateway.egressPaths(subnets);
    EgressPath path = ((Outcome.Ok<Map<String, EgressPath>>) paths).value().get(f.nodeSubnetId().toLowerCase());
    assertThat(path).isInstanceOfSatisfying(EgressPath.Addresses.class, a -> {
      assertThat(a.via()).isEqualTo(EgressPath.Via.AZURE_FIREWALL);
      assertThat(a.resourceId()).endsWithIgnoringCase("/azureFirewalls/aks-udr-fw-fw");
      assertThat(blocks(gateway, a)).containsExactlyInAnyOrderElementsOf(f.egressCidrs());
    });
    assertThat(gateway.egressPaths(subnets)).isEqualTo(paths);
    assertThat(gateway.egressPathsCached(subnets)).contains(((Outcome.Ok<Map<String, EgressPath>>) paths).value());
    assertThat(h.arm.requestCount(RequestKind.SUBNET_GET)).as("the node subnet and the firewall's").isEqualTo(2);
    assertThat(h.arm.requestCount(RequestKind.NAT_GATEWAY_GET)).as("the firewall's subnet has none").isZero();
    assertThat(h.arm.requestCount(RequestKind.ROUTE_TABLE_GET)).isEqualTo(1);
    assertThat(h.arm.requestCount(RequestKind.AZURE_FIREWALL_LIST)).isEqualTo(1);
    assertThat(h.arm.apiVersions()).contains("2024-07-01");
  }

  @Test
  void aNatGatewayOnTheFirewallsSubnetAddsItsAddresses() {
    AzureAksGateway gateway = h.newGateway();
    ClusterFixture f = ClusterFixture.userDefinedRoutingFirewall(SUB, "rg-fw-nat", "aks-fw-nat");
    h.arm.seed(f);
    String net = "/subscriptions/" + SUB + "/resourceGroups/rg-fw-nat/providers/Microsoft.Network/";
    String natIp = net + "publicIPAddresses/hub-nat-ip";
    h.arm.putPublicIp(natIp, "20.127.0.9");
    ObjectNode nat = new ObjectMapper().createObjectNode().put("id", net + "natGateways/hub-nat");
    nat.putObject("properties").putArray("publicIpAddresses").addObject().put("id", natIp);
    h.arm.putNetworkResource(nat);
    ObjectNode firewallSubnet = f.networkResources().stream()
        .filter(r -> r.path("name").asText().equals("AzureFirewallSubnet")).findFirst().orElseThrow();
    ((ObjectNode) firewallSubnet.path("properties")).putObject("natGateway").put("id", net + "natGateways/hub-nat");
    h.arm.putNetworkResource(firewallSubnet);

    Outcome<Map<String, EgressPath>> paths = gateway.egressPaths(List.of(f.nodeSubnetId()));
    EgressPath path = ((Outcome.Ok<Map<String, EgressPath>>) paths).value().get(f.nodeSubnetId().toLowerCase());
    List<String> expected = new ArrayList<>(f.egressCidrs());
    expected.add("20.127.0.9/32");
    assertThat(blocks(gateway, (EgressPath.Addresses) path)).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void aDefaultRouteToAnotherApplianceIsUnknownAndSaysWhy() {
    AzureAksGateway gateway = h.newGateway();
    ClusterFixture f = ClusterFixture.userDefinedRoutingAppliance(SUB, "rg-nva", "aks-nva");
    h.arm.seed(f);
    Outcome<Map<String, EgressPath>> paths = gateway.egressPaths(subnets(read(gateway, f)));
    assertThat(((Outcome.Ok<Map<String, EgressPath>>) paths).value().get(f.nodeSubnetId().toLowerCase()))
        .isInstanceOfSatisfying(EgressPath.Unknown.class, u -> assertThat(u.why())
            .contains("(0.0.0.0/0) of route table " + f.nodeSubnetId().replaceAll("/providers/.*", "")
                + "/providers/Microsoft.Network/routeTables/aks-nva-udr goes to the virtual appliance 10.")
            .contains("which is no Azure Firewall of that subscription authip can read"));
  }

  @Test
  void aMissingNatGatewayIsARefusalNamingItNeverAGuess() {
    AzureAksGateway gateway = h.newGateway();
    ClusterFixture f = ClusterFixture.userAssignedNatGateway(SUB, "rg-gone", "aks-gone");
    h.arm.seed(f);
    ObjectNode subnet = f.networkResources().get(0);
    String missing = "/subscriptions/" + SUB + "/resourceGroups/rg-gone/providers/Microsoft.Network/natGateways/deleted";
    ((ObjectNode) subnet.path("properties").path("natGateway")).put("id", missing);
    h.arm.putNetworkResource(subnet);
    Outcome<Map<String, EgressPath>> paths = gateway.egressPaths(List.of(f.nodeSubnetId()));
    assertThat(paths).isInstanceOfSatisfying(Outcome.Failed.class, failed -> {
      assertThat(failed.failure()).isInstanceOfSatisfying(Failure.Rejected.class, r -> {
        assertThat(r.code()).isEqualTo("EgressResourceNotFound");
        assertThat(r.message()).contains("NAT gateway " + missing + " was not found (404)");
      });
    });
    assertThat(gateway.egressPathsCached(List.of(f.nodeSubnetId()))).as("failures are not cached").isEmpty();
  }

  @Test
  void aThrottledRouteTableReadIsNotCachedAndTheNextCallGetsThePath() {
    AzureAksGateway gateway = h.newUnpacedGateway();
    ClusterFixture f = ClusterFixture.userDefinedRoutingFirewall(SUB, "rg-429", "aks-429");
    h.arm.seed(f);
    h.arm.injectFault(io.authip.emulator.FaultTarget.kind(RequestKind.ROUTE_TABLE_GET),
        io.authip.emulator.Fault.throttled(30), 1);
    assertThat(gateway.egressPaths(List.of(f.nodeSubnetId()))).isInstanceOfSatisfying(Outcome.Failed.class,
        failed -> assertThat(failed.failure()).isInstanceOf(Failure.Throttled.class));
    Outcome<Map<String, EgressPath>> paths = gateway.egressPaths(List.of(f.nodeSubnetId()));
    assertThat(((Outcome.Ok<Map<String, EgressPath>>) paths).value().get(f.nodeSubnetId().toLowerCase()))
        .isInstanceOf(EgressPath.Addresses.class);
    assertThat(h.arm.requestCount(f.nodeSubnetId(), "GET")).as("the subnet read once, cached").isEqualTo(1);
    assertThat(h.arm.requestCount(RequestKind.ROUTE_TABLE_GET)).isEqualTo(2);
  }

  @Test
  void theShippedRoleAllowsEveryReadAndWithoutOneTheRefusalNamesIt() throws IOException {
    JsonNode role = new ObjectMapper().readTree(Path.of("..", "deploy", "azure", "authip-role.json").toFile());
    List<String> actions = new ArrayList<>();
    role.path("Actions").forEach(a -> actions.add(a.asText()));
    ClusterFixture f = ClusterFixture.userDefinedRoutingFirewall(SUB, "rg-role", "aks-role");
    h.arm.seed(f);
    try {
      h.arm.principalActions(GatewayHarness.CLIENT_ID, actions);
      AzureAksGateway gateway = h.newGateway();
      Outcome<Map<String, EgressPath>> paths = gateway.egressPaths(subnets(read(gateway, f)));
      EgressPath path = ((Outcome.Ok<Map<String, EgressPath>>) paths).value().get(f.nodeSubnetId().toLowerCase());
      assertThat(blocks(gateway, (EgressPath.Addresses) path)).containsExactlyInAnyOrderElementsOf(f.egressCidrs());

      h.arm.principalActions(GatewayHarness.CLIENT_ID, actions.stream()
          .filter(a -> !a.equals("Microsoft.Network/azureFirewalls/read")).toList());
      AzureAksGateway without = h.newGateway();
      assertThat(without.egressPaths(List.of(f.nodeSubnetId()))).isInstanceOfSatisfying(Outcome.Failed.class,
          failed -> assertThat(failed.failure()).isInstanceOfSatisfying(Failure.Forbidden.class, r -> assertThat(
              r.message()).contains("Microsoft.Network/azureFirewalls/read")));
    } finally {
      h.arm.principalActions(GatewayHarness.CLIENT_ID, null);
    }
  }
}
