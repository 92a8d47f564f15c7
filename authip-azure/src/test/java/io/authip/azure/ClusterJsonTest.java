package io.authip.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterJsonTest {

  private static final String CLUSTER = """
      {"id":"/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c",
       "eTag":"e1","location":"westeurope","tags":{"a":"b"},
       "properties":{"provisioningState":"Succeeded","powerState":{"code":"Running"},
         "futureField":{"ratio":1.0,"big":12345678901234567890,"list":[1,2.50,"x"]},
         "apiServerAccessProfile":{"authorizedIPRanges":["20.1.2.3/32"],"enablePrivateCluster":false}}}
      """;

  @Test
  void replacesOnlyTheRangesAndKeepsNumbersAsWritten() throws Exception {
    JsonNode read = ClusterJson.parse(CLUSTER.getBytes(StandardCharsets.UTF_8));
    ObjectNode changed = ClusterJson.withAuthorizedRanges(read, List.of("20.1.2.0/24", "40.1.1.1/32"));

    JsonNode reread = ClusterJson.parse(ClusterJson.write(changed));
    assertThat(reread.at("/properties/apiServerAccessProfile/authorizedIPRanges").toString())
        .isEqualTo("[\"20.1.2.0/24\",\"40.1.1.1/32\"]");
    ((ObjectNode) reread.at("/properties/apiServerAccessProfile")).set("authorizedIPRanges",
        read.at("/properties/apiServerAccessProfile/authorizedIPRanges"));
    assertThat(reread).isEqualTo(read);
    String written = new String(ClusterJson.write(changed), StandardCharsets.UTF_8);
    assertThat(written).contains("\"ratio\":1.0").contains("12345678901234567890").contains("2.50");
    assertThat(read.at("/properties/apiServerAccessProfile/authorizedIPRanges").toString())
        .as("the input is not modified").isEqualTo("[\"20.1.2.3/32\"]");
  }

  @Test
  void createsTheProfileWhenAbsent() throws Exception {
    JsonNode read = ClusterJson.parse("{\"eTag\":\"e\",\"properties\":{\"dnsPrefix\":\"d\"}}".getBytes());
    assertThat(ClusterJson.withAuthorizedRanges(read, List.of("0.0.0.0/32")).toString())
        .isEqualTo("{\"eTag\":\"e\",\"properties\":{\"dnsPrefix\":\"d\",\"apiServerAccessProfile\":"
            + "{\"authorizedIPRanges\":[\"0.0.0.0/32\"]}}}");
  }

  @Test
  void unrestrictedSendsAnEmptyList() throws Exception {
    JsonNode read = ClusterJson.parse(CLUSTER.getBytes(StandardCharsets.UTF_8));
    assertThat(ClusterJson.withAuthorizedRanges(read, List.of())
        .at("/properties/apiServerAccessProfile/authorizedIPRanges").toString()).isEqualTo("[]");
  }

  @Test
  void refusesABodyOfTheWrongShape() throws Exception {
    JsonNode read = ClusterJson.parse("{\"properties\":{\"apiServerAccessProfile\":[]}}".getBytes());
    assertThatThrownBy(() -> ClusterJson.withAuthorizedRanges(read, List.of("1.2.3.4/32")))
        .hasMessageContaining("'apiServerAccessProfile' of the managed cluster is not a JSON object");
  }

  @Test
  void readsETagAndProvisioningState() throws Exception {
    JsonNode read = ClusterJson.parse(CLUSTER.getBytes(StandardCharsets.UTF_8));
    assertThat(ClusterJson.eTag(read)).isEqualTo("e1");
    assertThat(ClusterJson.provisioningState(read)).isEqualTo("Succeeded");
    assertThat(ClusterJson.eTag(ClusterJson.parse("{}".getBytes()))).isNull();
  }
}
