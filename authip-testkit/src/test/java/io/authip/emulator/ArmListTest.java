package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.emulator.ArmTestClient.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The list operations: ManagedClusters_List / ListByResourceGroup and the network ListAll / List, in pages. */
class ArmListTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;
  private static final String OTHER_SUB = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a";
  private static final String CLUSTERS = "/subscriptions/" + SUB + "/providers/Microsoft.ContainerService/managedClusters";
  private static final String PROD_CLUSTERS = "/subscriptions/" + SUB
      + "/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters";
  private static final String TEAM = "aaaaaaaa-0000-4000-8000-00000000000a";

  private ArmEmulator arm;
  private ArmTestClient client;
  private final List<ClusterFixture> fixtures = new ArrayList<>();

  @BeforeEach
  void start() {
    arm = ArmEmulator.builder().listPageSize(2).start();
    client = new ArmTestClient(arm);
    // Seeded out of order: lists come sorted by lower-cased ID whatever the order of creation.
    fixtures.add(ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-prod", "aks-3").withTag("team", "blue"));
    fixtures.add(ClusterFixture.loadBalancerCustomOutbound(SUB, "RG-Prod", "AKS-1"));
    fixtures.add(ClusterFixture.managedNatGateway(SUB, "rg-prod", "aks-2"));
    fixtures.add(ClusterFixture.nodePublicIpPrefix(SUB, "rg-dev", "aks-dev"));
    fixtures.add(ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-prod", "aks-4"));
    fixtures.add(ClusterFixture.loadBalancerManagedOutbound(OTHER_SUB, "rg-prod", "aks-elsewhere"));
    fixtures.forEach(arm::seed);
  }

  @AfterEach
  void stop() {
    arm.close();
  }

  /** Every page, following nextLink until it is absent. */
  private List<Reply> pages(String path) {
    List<Reply> pages = new ArrayList<>();
    Reply page = client.get(path);
    pages.add(page);
    while (page.status() == 200 && page.body().has("nextLink")) {
      page = client.get(page.body().get("nextLink").asText());
      pages.add(page);
    }
    return pages;
  }

  private static List<JsonNode> items(List<Reply> pages) {
    List<JsonNode> out = new ArrayList<>();
    pages.forEach(p -> p.body().get("value").forEach(out::add));
    return out;
  }

  private static List<String> ids(List<JsonNode> items) {
    return items.stream().map(i -> i.get("id").asText()).toList();
  }

  @Test
  void subscriptionListPagesThroughEveryClusterSortedByLowerCasedIdAsAGetShowsIt() {
    List<Reply> pages = pages(CLUSTERS);

    assertThat(pages).hasSize(3).allSatisfy(p -> assertThat(p.status()).isEqualTo(200));
    assertThat(pages.get(0).body().get("value")).hasSize(2);
    assertThat(pages.get(2).body().has("nextLink")).isFalse();
    List<JsonNode> items = items(pages);
    assertThat(ids(items)).containsExactly(
        ResourceIds.managedClusterId(SUB, "rg-dev", "aks-dev"),
        ResourceIds.managedClusterId(SUB, "RG-Prod", "AKS-1"),
        ResourceIds.managedClusterId(SUB, "rg-prod", "aks-2"),
        ResourceIds.managedClusterId(SUB, "rg-prod", "aks-3"),
        ResourceIds.managedClusterId(SUB, "rg-prod", "aks-4"));
    for (JsonNode item : items) {
      assertThat(item).isEqualTo(client.get(item.get("id").asText()).body());
      assertThat(item.get("eTag").asText()).isEqualTo(arm.eTag(item.get("id").asText()));
    }
    assertThat(items.get(3).at("/tags/team").asText()).isEqualTo("blue");
    assertThat(items.get(3).at("/properties/provisioningState").asText()).isEqualTo("Succeeded");
    assertThat(arm.requestCount(RequestKind.CLUSTER_LIST)).isEqualTo(3);
    assertThat(arm.requestCount(CLUSTERS, "GET")).isEqualTo(3);
    assertThat(arm.requests()).filteredOn(r -> r.kind() == RequestKind.CLUSTER_LIST).hasSize(3)
        .allSatisfy(r -> assertThat(r.clientId()).isEqualTo("app"));
  }

  @Test
  void nextLinkIsAbsoluteWithTheApiVersionAndAnOpaqueSkipToken() {
    Reply first = client.get(CLUSTERS + "?api-version=2024-05-01");

    String nextLink = first.body().get("nextLink").asText();
    assertThat(nextLink).startsWith(arm.baseUrl() + CLUSTERS + "?api-version=2024-05-01&$skiptoken=")
        .matches(".*\\$skiptoken=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$");
    assertThat(client.get(nextLink).status()).isEqualTo(200);
    assertThat(arm.requests()).filteredOn(r -> r.kind() == RequestKind.CLUSTER_LIST)
        .allSatisfy(r -> assertThat(r.apiVersion()).contains("2024-05-01"));
  }

  @Test
  void aTamperedForeignOrMadeUpSkipTokenIs400() {
    String nextLink = client.get(CLUSTERS).body().get("nextLink").asText();
    String token = nextLink.substring(nextLink.indexOf("$skiptoken=") + "$skiptoken=".length());
    String forged = java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString(ResourceIds.key(fixtures.get(2).clusterId()).getBytes()) + token.substring(token.indexOf('.'));
    String base = arm.baseUrl() + CLUSTERS + "?api-version=2025-07-01&$skiptoken=";

    for (String bad : List.of(forged, token + "x", "garbage", "", token.substring(0, token.indexOf('.')))) {
      Reply reply = client.get(base + bad);
      assertThat(reply.status()).as(bad).isEqualTo(400);
      assertThat(reply.body().at("/error/code").asText()).isEqualTo("InvalidSkipToken");
    }
    // A token of one list is no good on another.
    Reply foreign = client.get(arm.baseUrl() + PROD_CLUSTERS + "?api-version=2025-07-01&$skiptoken=" + token);
    assertThat(foreign.status()).isEqualTo(400);
  }

  @Test
  void apiVersionIsRequiredOnEveryPage() {
    Reply none = client.get(CLUSTERS + "?");
    String nextLink = client.get(CLUSTERS).body().get("nextLink").asText();
    Reply stripped = client.get(nextLink.replace("api-version=2025-07-01&", ""));

    assertThat(none.status()).isEqualTo(400);
    assertThat(none.body().at("/error/code").asText()).isEqualTo("MissingApiVersionParameter");
    assertThat(stripped.status()).isEqualTo(400);
  }

  @Test
  void resourceGroupListHoldsOnlyThatGroupAndAnUnknownGroupIs404() {
    List<JsonNode> items = items(pages(PROD_CLUSTERS));
    Reply unknown = client.get("/subscriptions/" + SUB
        + "/resourceGroups/rg-none/providers/Microsoft.ContainerService/managedClusters");

    assertThat(ids(items)).containsExactly(
        ResourceIds.managedClusterId(SUB, "RG-Prod", "AKS-1"),
        ResourceIds.managedClusterId(SUB, "rg-prod", "aks-2"),
        ResourceIds.managedClusterId(SUB, "rg-prod", "aks-3"),
        ResourceIds.managedClusterId(SUB, "rg-prod", "aks-4"));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body().at("/error/code").asText()).isEqualTo("ResourceGroupNotFound");
  }

  @Test
  void anEmptySubscriptionListsNothingWithoutNextLink() {
    Reply reply = client.get("/subscriptions/00000000-1111-4222-8333-444444444444/providers/"
        + "Microsoft.ContainerService/managedClusters");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().toString()).isEqualTo("{\"value\":[]}");
  }

  @Test
  void clustersCreatedOrRemovedBetweenPagesAreNeitherRepeatedNorFatal() {
    Reply first = client.get(CLUSTERS);
    assertThat(ids(items(List.of(first)))).containsExactly(
        ResourceIds.managedClusterId(SUB, "rg-dev", "aks-dev"), ResourceIds.managedClusterId(SUB, "RG-Prod", "AKS-1"));
    // Before the last item listed: not seen by this listing. After it: seen once. The last item removed: no harm.
    arm.seed(ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-a", "aks-before"));
    arm.seed(ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-prod", "aks-5"));
    arm.removeCluster(ResourceIds.managedClusterId(SUB, "rg-prod", "aks-1"));
    arm.removeCluster(ResourceIds.managedClusterId(SUB, "rg-prod", "aks-3"));

    List<Reply> rest = new ArrayList<>();
    Reply page = client.get(first.body().get("nextLink").asText());
    rest.add(page);
    while (page.body().has("nextLink")) {
      page = client.get(page.body().get("nextLink").asText());
      rest.add(page);
    }

    assertThat(ids(items(rest))).containsExactly(
        ResourceIds.managedClusterId(SUB, "rg-prod", "aks-2"),
        ResourceIds.managedClusterId(SUB, "rg-prod", "aks-4"),
        ResourceIds.managedClusterId(SUB, "rg-prod", "aks-5"));
  }

  @Test
  void publicIpAndPrefixListsServeWhatTheirGetsServe() {
    arm.close();
    arm = ArmEmulator.builder().start();
    client = new ArmTestClient(arm);
    ClusterFixture custom = ClusterFixture.loadBalancerCustomOutbound(SUB, "rg-net", "aks");
    ClusterFixture nodes = ClusterFixture.nodePublicIpPrefix(SUB, "rg-other", "aks");
    arm.seed(custom);
    arm.seed(nodes);
    String ips = "/subscriptions/" + SUB + "/providers/Microsoft.Network/publicIPAddresses";
    String prefixes = "/subscriptions/" + SUB + "/providers/Microsoft.Network/publicIPPrefixes";

    List<JsonNode> allIps = items(pages(ips));
    List<JsonNode> allPrefixes = items(pages(prefixes));
    List<JsonNode> groupIps = items(pages("/subscriptions/" + SUB
        + "/resourceGroups/rg-net/providers/Microsoft.Network/publicIPAddresses"));
    List<JsonNode> groupPrefixes = items(pages("/subscriptions/" + SUB
        + "/resourceGroups/rg-other/providers/Microsoft.Network/publicIPPrefixes"));

    List<String> expectedIps = new ArrayList<>();
    expectedIps.addAll(custom.publicIps().keySet());
    expectedIps.addAll(nodes.publicIps().keySet());
    assertThat(ids(allIps)).containsExactlyInAnyOrderElementsOf(expectedIps);
    assertThat(ids(allIps).stream().map(ResourceIds::key).toList()).isSorted();
    for (JsonNode ip : allIps) {
      assertThat(ip).isEqualTo(client.get(ip.get("id").asText()).body());
      assertThat(ip.at("/properties/ipAddress").asText()).isNotBlank();
      assertThat(ip.get("name").asText()).isNotBlank();
    }
    assertThat(ids(allPrefixes)).containsExactlyInAnyOrder(
        custom.publicIpPrefixes().keySet().iterator().next(), nodes.publicIpPrefixes().keySet().iterator().next());
    assertThat(allPrefixes).allSatisfy(p -> assertThat(p.at("/properties/ipPrefix").asText()).contains("/28"));
    assertThat(ids(groupIps)).containsExactlyInAnyOrderElementsOf(custom.publicIps().keySet());
    assertThat(ids(groupPrefixes)).containsExactlyElementsOf(nodes.publicIpPrefixes().keySet());
    assertThat(arm.requestCount(RequestKind.PUBLIC_IP_LIST)).isEqualTo(2);
    assertThat(arm.requestCount(RequestKind.PUBLIC_IP_PREFIX_LIST)).isEqualTo(2);
  }

  @Test
  void otherMethodsOnAListAre405() {
    Reply post = client.send(client.authorized(CLUSTERS).POST(HttpRequest.BodyPublishers.noBody()));

    assertThat(post.status()).isEqualTo(405);
    assertThat(post.header("Allow")).isEqualTo("GET");
  }

  @Test
  void aPrincipalScopedToResourceGroupsCannotListTheSubscriptionButCanListItsGroup() {
    arm.principalScopes(TEAM, List.of("/subscriptions/" + SUB + "/resourceGroups/rg-prod"));
    String token = client.send(HttpRequest.newBuilder(URI.create(arm.baseUrl() + "/" + arm.tenantId()
        + "/oauth2/v2.0/token")).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(ArmTestClient.form(Map.of("grant_type", "client_credentials",
            "client_id", TEAM, "client_secret", "s", "scope", "https://management.azure.com/.default")))))
        .body().get("access_token").asText();
    java.util.function.Function<String, Reply> get = path -> client.send(HttpRequest.newBuilder(client.uri(path))
        .header("Authorization", "Bearer " + token).GET());

    Reply subscription = get.apply(CLUSTERS);
    Reply group = get.apply(PROD_CLUSTERS);
    Reply otherGroup = get.apply("/subscriptions/" + SUB
        + "/resourceGroups/rg-dev/providers/Microsoft.Network/publicIPAddresses");

    assertThat(subscription.status()).isEqualTo(403);
    assertThat(subscription.body().toString()).isEqualTo("{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":"
        + "\"The client '" + TEAM + "' with object id '" + ArmEmulator.objectId(TEAM) + "' does not have "
        + "authorization to perform action 'Microsoft.ContainerService/managedClusters/read' over scope "
        + "'/subscriptions/" + SUB + "' or the scope is invalid. If access was recently granted, please refresh "
        + "your credentials.\"}}");
    assertThat(group.status()).isEqualTo(200);
    assertThat(group.body().get("value")).hasSize(2);
    assertThat(otherGroup.status()).isEqualTo(403);
    assertThat(otherGroup.body().at("/error/message").asText())
        .contains("'Microsoft.Network/publicIPAddresses/read' over scope '/subscriptions/" + SUB
            + "/resourceGroups/rg-dev'");
    assertThat(arm.requestCount(RequestKind.CLUSTER_LIST)).isEqualTo(2);
  }

  @Test
  void roleScopeResourceGroupRefusesSubscriptionListsOnly() {
    arm.roleScope(RoleScope.RESOURCE_GROUP);

    assertThat(client.get(CLUSTERS).status()).isEqualTo(403);
    assertThat(client.get(PROD_CLUSTERS).status()).isEqualTo(200);
  }

  @Test
  void listItemsKeepUnknownFields() {
    arm.editCluster(fixtures.get(3).clusterId(), c -> ((ObjectNode) c.get("properties")).putObject("futureFeature")
        .put("enabled", true));

    JsonNode first = client.get(CLUSTERS).body().get("value").get(0);

    assertThat(first.at("/properties/futureFeature/enabled").asBoolean()).isTrue();
  }
}
