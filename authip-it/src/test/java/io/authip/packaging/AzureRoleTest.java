package io.authip.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** deploy/azure/authip-role.json: the Azure custom role grants what the operator calls in ARM and nothing else. */
class AzureRoleTest {

  @Test
  void roleGrantsExactlyTheOperatorsArmCalls() throws IOException {
    JsonNode role = new ObjectMapper().readTree(Project.DIR.resolve("deploy/azure/authip-role.json").toFile());
    assertThat(strings(role.path("Actions"))).containsExactlyInAnyOrder(
        "Microsoft.ContainerService/managedClusters/read",
        "Microsoft.ContainerService/managedClusters/write",
        "Microsoft.ContainerService/locations/operations/read",
        "Microsoft.ContainerService/locations/operationresults/read",
        "Microsoft.Network/publicIPAddresses/read",
        "Microsoft.Network/publicIPPrefixes/read",
        // the egress of node subnets: their NAT gateways, and the Azure Firewalls their default routes name
        "Microsoft.Network/virtualNetworks/subnets/read",
        "Microsoft.Network/natGateways/read",
        "Microsoft.Network/routeTables/read",
        "Microsoft.Network/azureFirewalls/read",
        // IpRangeSet sources of kind azureServiceTag
        "Microsoft.Network/locations/serviceTagDetails/read");
    assertThat(strings(role.path("NotActions"))).isEmpty();
    assertThat(strings(role.path("DataActions"))).as("no data plane access").isEmpty();
    assertThat(strings(role.path("NotDataActions"))).isEmpty();
    assertThat(role.path("IsCustom").asBoolean()).isTrue();
    assertThat(role.path("Name").asText()).isNotBlank();
    assertThat(strings(role.path("AssignableScopes"))).isNotEmpty()
        .allMatch(scope -> scope.startsWith("/subscriptions/"));
    assertThat(role.toString()).doesNotContain("*");
  }

  private static List<String> strings(JsonNode array) {
    assertThat(array.isArray()).as("%s is a JSON array", array).isTrue();
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }
}
