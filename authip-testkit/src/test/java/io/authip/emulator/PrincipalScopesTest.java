package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.emulator.ArmTestClient.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Azure RBAC per principal: a team's identity may touch only what its role assignments cover. */
class PrincipalScopesTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;
  private static final String TEAM_A = "aaaaaaaa-0000-4000-8000-00000000000a";
  private static final String TEAM_B = "bbbbbbbb-0000-4000-8000-00000000000b";
  private ArmEmulator arm;
  private ClusterFixture clusterA;
  private ClusterFixture clusterB;
  private Caller a;
  private Caller b;

  /** Requests with the token of one client ID (a lenient one: scopes do not care how the token was had). */
  private final class Caller {
    private final ArmTestClient http = new ArmTestClient(arm);
    private final String token;

    Caller(String clientId) {
      Reply reply = http.send(HttpRequest.newBuilder(URI.create(arm.baseUrl() + "/" + arm.tenantId()
          + "/oauth2/v2.0/token")).header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(ArmTestClient.form(Map.of("grant_type", "client_credentials",
              "client_id", clientId, "client_secret", "s", "scope",
              "https://management.azure.com/.default")))));
      this.token = reply.body().get("access_token").asText();
    }

    Reply get(String pathOrUrl) {
      return http.send(HttpRequest.newBuilder(http.uri(pathOrUrl)).header("Authorization", "Bearer " + token).GET());
    }

    Reply put(String path, ObjectNode body, String ifMatch) {
      return http.send(HttpRequest.newBuilder(http.uri(path)).header("Authorization", "Bearer " + token)
          .header("Content-Type", "application/json").header("If-Match", ifMatch)
          .PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
    }
  }

  @BeforeEach
  void start() {
    arm = ArmEmulator.builder().operationDuration(Duration.ofMinutes(1)).start();
    clusterA = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-team-a", "aks-a");
    clusterB = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-team-b", "aks-b");
    arm.seed(clusterA);
    arm.seed(clusterB);
    arm.principalScopes(TEAM_A, List.of("/subscriptions/" + SUB.toUpperCase() + "/resourceGroups/RG-TEAM-A"));
    arm.principalScopes(TEAM_B, List.of("/subscriptions/" + SUB + "/resourcegroups/rg-team-b/"));
    a = new Caller(TEAM_A);
    b = new Caller(TEAM_B);
  }

  @AfterEach
  void stop() {
    arm.close();
  }

  private static ObjectNode withRanges(Reply read, String... ranges) {
    ObjectNode body = read.body().deepCopy();
    ObjectNode properties = (ObjectNode) body.get("properties");
    ObjectNode profile = properties.has("apiServerAccessProfile")
        ? (ObjectNode) properties.get("apiServerAccessProfile") : properties.putObject("apiServerAccessProfile");
    var list = profile.putArray("authorizedIPRanges");
    for (String r : ranges) {
      list.add(r);
    }
    return body;
  }

  @Test
  void inScopeReadsAndWritesWorkAndScopesCompareAsArmIdsDo() {
    Reply read = a.get(clusterA.clusterId());
    Reply put = a.put(clusterA.clusterId(), withRanges(read, "20.30.40.0/24"), read.body().get("eTag").asText());

    assertThat(read.status()).isEqualTo(200);
    assertThat(put.status()).isEqualTo(200);
    assertThat(arm.cluster(clusterA.clusterId()).orElseThrow().at("/properties/apiServerAccessProfile/"
        + "authorizedIPRanges/0").asText()).isEqualTo("20.30.40.0/24");
    String ipId = ResourceIds.publicIpId(SUB, "rg-team-a", "office");
    arm.putPublicIp(ipId, "20.50.60.70");
    assertThat(a.get(ipId).status()).isEqualTo(200);
    assertThat(a.get(clusterA.publicIps().keySet().iterator().next()).status())
        .as("the managed outbound IP lives in the node resource group, outside rg-team-a").isEqualTo(403);
    assertThat(a.get(ipId.toUpperCase().replace("/RESOURCEGROUPS/", "/resourceGroups/")).status())
        .as("IDs compare case-insensitively").isEqualTo(200);
  }

  @Test
  void outOfScopeReadsAndWritesAre403AuthorizationFailedAndChangeNothing() {
    Reply readB = b.get(clusterB.clusterId());
    String eTag = arm.eTag(clusterB.clusterId());
    int putsBefore = arm.requestCount(clusterB.clusterId(), "PUT");

    Reply get = a.get(clusterB.clusterId());
    Reply put = a.put(clusterB.clusterId(), withRanges(readB, "20.30.40.0/24"), eTag);
    String ipId = ResourceIds.publicIpId(SUB, "rg-team-b", "office");
    arm.putPublicIp(ipId, "20.50.60.71");
    Reply ip = a.get(ipId);

    assertThat(get.status()).isEqualTo(403);
    assertThat(get.body().at("/error/code").asText()).isEqualTo("AuthorizationFailed");
    assertThat(get.body().at("/error/message").asText()).isEqualTo("The client '" + TEAM_A + "' with object id '"
        + ArmEmulator.objectId(TEAM_A) + "' does not have authorization to perform action "
        + "'Microsoft.ContainerService/managedClusters/read' over scope '" + clusterB.clusterId() + "' or the scope "
        + "is invalid. If access was recently granted, please refresh your credentials.");
    assertThat(put.status()).isEqualTo(403);
    assertThat(put.body().at("/error/message").asText())
        .contains("'Microsoft.ContainerService/managedClusters/write' over scope '" + clusterB.clusterId() + "'");
    assertThat(put.header("Azure-AsyncOperation")).as("no operation started").isNull();
    assertThat(ip.status()).isEqualTo(403);
    assertThat(ip.body().at("/error/message").asText())
        .contains("'Microsoft.Network/publicIPAddresses/read' over scope '" + ipId + "'");
    ObjectNode now = arm.cluster(clusterB.clusterId()).orElseThrow();
    assertThat(now.get("eTag").asText()).isEqualTo(eTag);
    assertThat(now.at("/properties/provisioningState").asText()).isEqualTo("Succeeded");
    assertThat(now.at("/properties/apiServerAccessProfile/authorizedIPRanges").isMissingNode()
        || now.at("/properties/apiServerAccessProfile/authorizedIPRanges").isEmpty()).isTrue();
    assertThat(arm.requestCount(clusterB.clusterId(), "PUT")).as("counted like any answer")
        .isEqualTo(putsBefore + 1);
    assertThat(arm.requests()).filteredOn(r -> r.status() == 403).hasSize(3)
        .allSatisfy(r -> assertThat(r.clientId()).isEqualTo(TEAM_A));
  }

  @Test
  void operationPollsNeedTheSubscriptionScope() {
    Reply read = a.get(clusterA.clusterId());
    Reply put = a.put(clusterA.clusterId(), withRanges(read, "20.30.40.0/24"), read.body().get("eTag").asText());
    String poll = put.header("Azure-AsyncOperation");
    String subscriptionWide = "cccccccc-0000-4000-8000-00000000000c";
    arm.principalScopes(subscriptionWide, List.of("/subscriptions/" + SUB));

    Reply byA = a.get(poll);
    Reply bySubscriptionRole = new Caller(subscriptionWide).get(poll);

    assertThat(byA.status()).isEqualTo(403);
    assertThat(byA.body().at("/error/message").asText()).contains("'" + TEAM_A + "'",
        "'Microsoft.ContainerService/locations/operations/read' over scope '/subscriptions/" + SUB
            + "/providers/Microsoft.ContainerService/locations/");
    assertThat(bySubscriptionRole.status()).isEqualTo(200);
    assertThat(new Caller(subscriptionWide).get(clusterB.clusterId()).status()).isEqualTo(200);
  }

  @Test
  void scopesMatchWholeSegmentsAndUnscopedPrincipalsAreUnrestricted() {
    String prefixOnly = "dddddddd-0000-4000-8000-00000000000d";
    arm.principalScopes(prefixOnly, List.of("/subscriptions/" + SUB + "/resourceGroups/rg-team"));
    String none = "eeeeeeee-0000-4000-8000-00000000000e";
    arm.principalScopes(none, List.of());

    assertThat(new Caller(prefixOnly).get(clusterA.clusterId()).status()).as("rg-team does not cover rg-team-a")
        .isEqualTo(403);
    assertThat(new Caller(none).get(clusterA.clusterId()).status()).as("no role assignment at all").isEqualTo(403);
    assertThat(new Caller("unscoped").get(clusterA.clusterId()).status()).isEqualTo(200);
    assertThat(new Caller("unscoped").get(clusterB.clusterId()).status()).isEqualTo(200);
    assertThatThrownBy(() -> arm.principalScopes(none, List.of("rg-team-a")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'rg-team-a'");
    assertThatThrownBy(() -> arm.principalScopes(none, List.of("/subscriptions/" + SUB + "/resourceGroup/x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/resourceGroup/x'");
  }

  @Test
  void theRequestLogNamesThePrincipalOfEveryRequest() {
    a.get(clusterA.clusterId());
    b.get(clusterB.clusterId());
    b.get(clusterA.clusterId());
    new ArmTestClient(arm).send(HttpRequest.newBuilder(URI.create(arm.baseUrl() + clusterA.clusterId()
        + ArmTestClient.API)).GET());

    List<RecordedRequest> forA = arm.requests().stream().filter(r -> r.kind() == RequestKind.CLUSTER_GET
        && r.resourceKey().equals(ResourceIds.key(clusterA.clusterId()))).toList();
    assertThat(forA).extracting(RecordedRequest::clientId, RecordedRequest::status)
        .containsExactly(tuple(TEAM_A, 200), tuple(TEAM_B, 403), tuple(null, 401));
  }

  @Test
  void theRoleScopeSwitchNamesTheCaller() {
    Reply read = a.get(clusterA.clusterId());
    String poll = a.put(clusterA.clusterId(), withRanges(read, "20.30.40.0/24"), read.body().get("eTag").asText())
        .header("Azure-AsyncOperation");
    arm.roleScope(RoleScope.RESOURCE_GROUP);

    Reply unscoped = new Caller("ffffffff-0000-4000-8000-00000000000f").get(poll);

    assertThat(unscoped.status()).isEqualTo(403);
    assertThat(unscoped.body().at("/error/message").asText()).startsWith("The client "
        + "'ffffffff-0000-4000-8000-00000000000f' with object id '"
        + ArmEmulator.objectId("ffffffff-0000-4000-8000-00000000000f") + "'");
  }
}
