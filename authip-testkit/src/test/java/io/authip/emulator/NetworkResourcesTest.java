package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.authip.emulator.ArmTestClient.Reply;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Subnets, NAT gateways, route tables and Azure Firewalls: what authip reads on a node subnet's egress path. */
class NetworkResourcesTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;
  private static final String V = "?api-version=2024-07-01";
  private static ArmEmulator arm;
  private static ArmTestClient client;
  private static final ClusterFixture NAT = ClusterFixture.userAssignedNatGateway(SUB, "rg-net", "aks-nat");
  private static final ClusterFixture FW = ClusterFixture.userDefinedRoutingFirewall(SUB, "rg-net", "aks-fw");
  private static final ClusterFixture NVA = ClusterFixture.userDefinedRoutingAppliance(SUB, "rg-nva", "aks-nva");

  @BeforeAll
  static void start() {
    arm = ArmEmulator.builder().operationDuration(Duration.ZERO).start();
    client = new ArmTestClient(arm);
    arm.seedAll(List.of(NAT, FW, NVA));
  }

  @AfterAll
  static void stop() {
    arm.close();
  }

  private static String net(String resourceGroup, String typeAndName) {
    return "/subscriptions/" + SUB + "/resourceGroups/" + resourceGroup + "/providers/Microsoft.Network/"
        + typeAndName;
  }

  @Test
  void aUserAssignedNatClustersSubnetLeadsToItsNatGatewayAndItsAddresses() {
    JsonNode cluster = client.get(NAT.clusterId()).body();
    assertThat(cluster.at("/properties/networkProfile/outboundType").asText()).isEqualTo("userAssignedNATGateway");
    String subnetId = cluster.at("/properties/agentPoolProfiles/0/vnetSubnetID").asText();
    assertThat(subnetId).isEqualTo(NAT.nodeSubnetId());

    Reply subnet = client.get(subnetId.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/") + V);
    assertThat(subnet.status()).as("IDs compare case-insensitively").isEqualTo(200);
    assertThat(subnet.body().path("type").asText()).isEqualTo("Microsoft.Network/virtualNetworks/subnets");
    String natId = subnet.body().at("/properties/natGateway/id").asText();
    Reply nat = client.get(natId + V);
    assertThat(nat.status()).isEqualTo(200);
    List<String> ids = List.of(nat.body().at("/properties/publicIpAddresses/0/id").asText(),
        nat.body().at("/properties/publicIpPrefixes/0/id").asText());
    assertThat(List.of(client.get(ids.get(0) + V).body().at("/properties/ipAddress").asText() + "/32",
        client.get(ids.get(1) + V).body().at("/properties/ipPrefix").asText()))
        .containsExactlyInAnyOrderElementsOf(NAT.egressCidrs());
    assertThat(arm.requestCount(RequestKind.SUBNET_GET)).isPositive();
    assertThat(arm.requestCount(RequestKind.NAT_GATEWAY_GET)).isPositive();
  }

  @Test
  void aFirewallIsFoundInItsSubscriptionsListByThePrivateAddressTheDefaultRouteNames() {
    JsonNode subnet = client.get(FW.nodeSubnetId() + V).body();
    JsonNode table = client.get(subnet.at("/properties/routeTable/id").asText() + V).body();
    JsonNode route = table.at("/properties/routes/0/properties");
    assertThat(route.path("addressPrefix").asText()).isEqualTo("0.0.0.0/0");
    assertThat(route.path("nextHopType").asText()).isEqualTo("VirtualAppliance");

    Reply list = client.get("/subscriptions/" + SUB + "/providers/Microsoft.Network/azureFirewalls" + V);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body().path("value")).hasSize(1);
    JsonNode firewall = list.body().path("value").get(0);
    assertThat(firewall.at("/properties/ipConfigurations/0/properties/privateIPAddress").asText())
        .isEqualTo(route.path("nextHopIpAddress").asText());
    assertThat(client.get(firewall.path("id").asText() + V).body()).isEqualTo(firewall);
    assertThat(StreamSupport.stream(firewall.at("/properties/ipConfigurations").spliterator(), false)
        .map(c -> c.at("/properties/publicIPAddress/id").asText()).toList())
        .containsExactlyInAnyOrderElementsOf(FW.publicIps().keySet());
    assertThat(client.get("/subscriptions/" + SUB + "/resourceGroups/rg-nva/providers/Microsoft.Network/"
        + "azureFirewalls" + V).body().path("value")).as("no firewall in the appliance's group").isEmpty();
  }

  @Test
  void missingResourcesAre404AsArmAnswersThem() {
    Reply missing = client.get(net("rg-net", "natGateways/nope") + V);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body().at("/error/code").asText()).isEqualTo("ResourceNotFound");
    assertThat(missing.body().at("/error/message").asText())
        .startsWith("The Resource 'Microsoft.Network/natGateways/nope' under resource group 'rg-net' was not found");
    Reply subnet = client.get(net("rg-net", "virtualNetworks/aks-nat-vnet/subnets/other") + V);
    assertThat(subnet.status()).isEqualTo(404);
    assertThat(subnet.body().at("/error/message").asText())
        .startsWith("The Resource 'Microsoft.Network/virtualNetworks/aks-nat-vnet/other' under resource group");
    Reply group = client.get(net("rg-nowhere", "routeTables/udr") + V);
    assertThat(group.status()).isEqualTo(404);
    assertThat(group.body().at("/error/code").asText()).isEqualTo("ResourceGroupNotFound");
  }

  @Test
  void microsoftNetworkApiVersionsOnlyAndGetOnly() {
    Reply none = client.get(NAT.nodeSubnetId());
    assertThat(none.status()).isEqualTo(400);
    Reply aks = client.get(NAT.nodeSubnetId() + "?api-version=2025-07-01");
    assertThat(aks.status()).as("AKS's version is not Microsoft.Network's").isEqualTo(400);
    assertThat(aks.body().at("/error/code").asText()).isEqualTo("NoRegisteredProviderFound");
    assertThat(aks.body().at("/error/message").asText()).contains("'2025-07-01'").contains("2024-07-01");
    Reply list = client.get("/subscriptions/" + SUB + "/providers/Microsoft.Network/azureFirewalls"
        + "?api-version=2099-01-01");
    assertThat(list.status()).isEqualTo(400);
    Reply put = client.put(NAT.nodeSubnetId() + V, client.get(NAT.nodeSubnetId() + V).body(), null);
    assertThat(put.status()).isEqualTo(405);
  }

  @Test
  void eachReadNeedsItsOwnActionInTheCallersRole() {
    String clientId = "5a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
    arm.principalActions(clientId, List.of("Microsoft.Network/virtualNetworks/subnets/read",
        "Microsoft.Network/natGateways/read"));
    ArmTestClient restricted = new ArmTestClient(arm, clientId);
    assertThat(restricted.get(NAT.nodeSubnetId() + V).status()).isEqualTo(200);
    String natId = restricted.get(NAT.nodeSubnetId() + V).body().at("/properties/natGateway/id").asText();
    assertThat(restricted.get(natId + V).status()).isEqualTo(200);
    String tableId = client.get(FW.nodeSubnetId() + V).body().at("/properties/routeTable/id").asText();
    Reply table = restricted.get(tableId + V);
    assertThat(table.status()).isEqualTo(403);
    assertThat(table.body().at("/error/code").asText()).isEqualTo("AuthorizationFailed");
    assertThat(table.body().at("/error/message").asText()).contains("'" + clientId + "'")
        .contains("perform action 'Microsoft.Network/routeTables/read' over scope '" + tableId + "'");
    Reply list = restricted.get("/subscriptions/" + SUB + "/providers/Microsoft.Network/azureFirewalls" + V);
    assertThat(list.status()).isEqualTo(403);
    assertThat(list.body().at("/error/message").asText())
        .contains("'Microsoft.Network/azureFirewalls/read' over scope '/subscriptions/" + SUB + "'");
    assertThat(restricted.get(NAT.clusterId()).status()).as("nor may it read clusters").isEqualTo(403);
  }
}
