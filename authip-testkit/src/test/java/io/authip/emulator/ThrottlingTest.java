package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.emulator.ArmTestClient.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Opt-in automatic throttling and stored range order. */
class ThrottlingTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;
  private final SettableClock clock = new SettableClock(Instant.parse("2025-09-01T10:00:00Z"));

  @Test
  void readsRunOutPerSubscriptionAndRefillWithTime() {
    try (ArmEmulator arm = ArmEmulator.builder().clock(clock)
        .throttling(new Throttling(3, 0.5, 0, null)).start()) {
      ClusterFixture fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "aks");
      ClusterFixture elsewhere = ClusterFixture.loadBalancerManagedOutbound("another-subscription", "rg", "aks");
      arm.seed(fixture);
      arm.seed(elsewhere);
      ArmTestClient client = new ArmTestClient(arm);

      for (int i = 0; i < 3; i++) {
        assertThat(client.get(fixture.clusterId()).status()).isEqualTo(200);
      }
      Reply throttled = client.get(fixture.clusterId());
      assertThat(throttled.status()).isEqualTo(429);
      assertThat(throttled.header("Retry-After")).isEqualTo("2");
      assertThat(throttled.body().at("/error/code").asText()).isEqualTo("SubscriptionRequestsThrottled");
      assertThat(client.get(elsewhere.clusterId()).status()).isEqualTo(200);

      clock.advance(Duration.ofSeconds(2));
      assertThat(client.get(fixture.clusterId()).status()).isEqualTo(200);
      assertThat(client.get(fixture.clusterId()).status()).isEqualTo(429);
    }
  }

  @Test
  void clusterPutsRunOutPerClusterAsInAks() {
    try (ArmEmulator arm = ArmEmulator.builder().clock(clock).operationDuration(Duration.ZERO)
        .throttling(Throttling.azureLike()).start()) {
      ClusterFixture fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "aks");
      arm.seed(fixture);
      ArmTestClient client = new ArmTestClient(arm);
      JsonNode body = client.get(fixture.clusterId()).body();

      for (int i = 0; i < 20; i++) {
        assertThat(client.put(fixture.clusterId(), body, null).status()).isEqualTo(200);
      }
      Reply throttled = client.put(fixture.clusterId(), body, null);

      assertThat(throttled.status()).isEqualTo(429);
      assertThat(throttled.header("Retry-After")).isEqualTo("60");
      clock.advance(Duration.ofMinutes(1));
      assertThat(client.put(fixture.clusterId(), body, null).status()).isEqualTo(200);
    }
  }

  @Test
  void storedRangesCanComeBackInAnotherOrder() {
    for (RangeOrder order : RangeOrder.values()) {
      try (ArmEmulator arm = ArmEmulator.builder().operationDuration(Duration.ZERO).rangeOrder(order).start()) {
        ClusterFixture fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "aks");
        arm.seed(fixture);
        ArmTestClient client = new ArmTestClient(arm);
        ObjectNode body = (ObjectNode) client.get(fixture.clusterId()).body();
        ((ObjectNode) body.at("/properties/apiServerAccessProfile")).putArray("authorizedIPRanges")
            .add("20.30.40.7").add("52.1.0.0/16").add("20.30.40.0/24");

        JsonNode stored = client.put(fixture.clusterId(), body, null).body()
            .at("/properties/apiServerAccessProfile/authorizedIPRanges");

        String expected = switch (order) {
          case AS_SENT -> "[\"20.30.40.7/32\",\"52.1.0.0/16\",\"20.30.40.0/24\"]";
          case SORTED -> "[\"20.30.40.0/24\",\"20.30.40.7/32\",\"52.1.0.0/16\"]";
          case REVERSED -> "[\"20.30.40.0/24\",\"52.1.0.0/16\",\"20.30.40.7/32\"]";
        };
        assertThat(stored.toString()).as(order.name()).isEqualTo(expected);
      }
    }
  }

  private static final String CLUSTERS = "/subscriptions/" + SUB
      + "/providers/Microsoft.ContainerService/managedClusters";

  /** A GET with a token issued to {@code clientId}. */
  private static Reply getAs(ArmEmulator arm, ArmTestClient http, String clientId, String path) {
    String token = http.send(HttpRequest.newBuilder(URI.create(arm.baseUrl() + "/" + arm.tenantId()
        + "/oauth2/v2.0/token")).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(ArmTestClient.form(Map.of("grant_type", "client_credentials",
            "client_id", clientId, "client_secret", "s", "scope", "https://management.azure.com/.default")))))
        .body().get("access_token").asText();
    return http.send(HttpRequest.newBuilder(http.uri(path)).header("Authorization", "Bearer " + token).GET());
  }

  @Test
  void readBucketsArePerPrincipalAndSubscriptionWithArmsAnswerAndHeaders() {
    try (ArmEmulator arm = ArmEmulator.builder().clock(clock)
        .throttling(new Throttling(3, 0.5, 0, null)).start()) {
      ClusterFixture fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "aks");
      arm.seed(fixture);
      ArmTestClient client = new ArmTestClient(arm);

      assertThat(client.get(fixture.clusterId()).header("x-ms-ratelimit-remaining-subscription-reads"))
          .isEqualTo("2");
      assertThat(client.get(fixture.clusterId()).header("x-ms-ratelimit-remaining-subscription-reads"))
          .isEqualTo("1");
      assertThat(client.get(fixture.clusterId()).header("x-ms-ratelimit-remaining-subscription-reads"))
          .isEqualTo("0");
      Reply throttled = client.get(fixture.clusterId());
      Reply otherPrincipal = getAs(arm, client, "another-app", fixture.clusterId());

      assertThat(throttled.status()).isEqualTo(429);
      assertThat(throttled.header("Retry-After")).isEqualTo("2");
      assertThat(throttled.header("x-ms-ratelimit-remaining-subscription-reads")).isEqualTo("0");
      assertThat(throttled.body().toString()).isEqualTo("{\"error\":{\"code\":\"SubscriptionRequestsThrottled\","
          + "\"message\":\"Number of 'read' requests for subscription '" + SUB + "' actor '"
          + ArmEmulator.objectId("app") + "' exceeded. Please try again after '2' seconds after additional tokens "
          + "are available. Refer to https://aka.ms/arm-throttling for additional information.\"}}");
      assertThat(otherPrincipal.status()).isEqualTo(200);
      assertThat(otherPrincipal.header("x-ms-ratelimit-remaining-subscription-reads")).isEqualTo("2");
      assertThat(arm.throttledCount(RequestKind.CLUSTER_GET)).isEqualTo(1);
      assertThat(arm.throttledCount(RequestKind.CLUSTER_PUT)).isZero();

      clock.advance(Duration.ofMillis(2500));
      Reply refilled = client.get(fixture.clusterId());
      assertThat(refilled.status()).isEqualTo(200);
      assertThat(refilled.header("x-ms-ratelimit-remaining-subscription-reads")).isEqualTo("0");
      arm.resetCounters();
      assertThat(arm.throttledCount(RequestKind.CLUSTER_GET)).isZero();
      assertThat(client.get(fixture.clusterId()).status()).as("a reset does not refill").isEqualTo(429);
    }
  }

  @Test
  void writesTakeFromTheirOwnBucketPerPrincipalAndSubscription() {
    try (ArmEmulator arm = ArmEmulator.builder().clock(clock).operationDuration(Duration.ZERO)
        .throttling(Throttling.none().withWrites(2, 0.5)).start()) {
      ClusterFixture fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "aks");
      arm.seed(fixture);
      ArmTestClient client = new ArmTestClient(arm);
      JsonNode body = client.get(fixture.clusterId()).body();

      Reply put = client.put(fixture.clusterId(), body, null);
      ObjectNode tags = ArmTestClient.JSON.createObjectNode();
      tags.putObject("tags").put("team", "blue");
      Reply patch = client.patch(fixture.clusterId(), tags, null);
      Reply throttled = client.put(fixture.clusterId(), body, null);

      assertThat(put.status()).isEqualTo(200);
      assertThat(put.header("x-ms-ratelimit-remaining-subscription-writes")).isEqualTo("1");
      assertThat(patch.status()).isEqualTo(200);
      assertThat(patch.header("x-ms-ratelimit-remaining-subscription-writes")).isEqualTo("0");
      assertThat(throttled.status()).isEqualTo(429);
      assertThat(throttled.header("Retry-After")).isEqualTo("2");
      assertThat(throttled.body().at("/error/code").asText()).isEqualTo("SubscriptionRequestsThrottled");
      assertThat(throttled.body().at("/error/message").asText()).startsWith("Number of 'write' requests for "
          + "subscription '" + SUB + "' actor '" + ArmEmulator.objectId("app") + "' exceeded.");
      assertThat(client.get(fixture.clusterId()).header("x-ms-ratelimit-remaining-subscription-reads"))
          .as("reads are not throttled: ARM's full bucket").isEqualTo("250");
      assertThat(arm.throttledCount(RequestKind.CLUSTER_PUT)).isEqualTo(1);
      assertThat(arm.lastPutBody(fixture.clusterId())).isPresent();
    }
  }

  @Test
  void aClusterPutRefusedByAksHasUsedItsArmWriteToken() {
    try (ArmEmulator arm = ArmEmulator.builder().clock(clock).operationDuration(Duration.ZERO)
        .throttling(new Throttling(0, 0, 1, Duration.ofMinutes(1)).withWrites(5, 1)).start()) {
      ClusterFixture fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "aks");
      arm.seed(fixture);
      ArmTestClient client = new ArmTestClient(arm);
      JsonNode body = client.get(fixture.clusterId()).body();

      assertThat(client.put(fixture.clusterId(), body, null).status()).isEqualTo(200);
      Reply throttled = client.put(fixture.clusterId(), body, null);

      assertThat(throttled.status()).isEqualTo(429);
      assertThat(throttled.body().at("/error/code").asText()).isEqualTo("TooManyRequests");
      assertThat(throttled.header("Retry-After")).isEqualTo("60");
      assertThat(throttled.header("x-ms-ratelimit-remaining-subscription-writes")).isEqualTo("3");
    }
  }

  @Test
  void clusterListPagesTakeFromAksListBucketPerSubscriptionAndFromTheReadBucket() {
    try (ArmEmulator arm = ArmEmulator.builder().clock(clock).listPageSize(1)
        .throttling(new Throttling(4, 1, 0, null).withClusterLists(2, 1)).start()) {
      arm.seed(ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "aks-1"));
      arm.seed(ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "aks-2"));
      ArmTestClient client = new ArmTestClient(arm);

      Reply first = client.get(CLUSTERS);
      Reply second = client.get(first.body().get("nextLink").asText());
      Reply third = getAs(arm, client, "another-app", CLUSTERS);

      assertThat(first.status()).isEqualTo(200);
      assertThat(second.status()).isEqualTo(200);
      assertThat(second.body().has("nextLink")).isFalse();
      assertThat(third.status()).as("the list bucket is the subscription's, whoever asks").isEqualTo(429);
      assertThat(third.header("Retry-After")).isEqualTo("1");
      assertThat(third.body().toString()).isEqualTo("{\"error\":{\"code\":\"TooManyRequests\",\"message\":"
          + "\"Too many requests to list managed clusters in subscription '" + SUB + "'. Please retry after 1 "
          + "seconds.\"}}");
      assertThat(client.get(ResourceIds.managedClusterId(SUB, "rg", "aks-1")).status()).isEqualTo(200);
      assertThat(client.get(CLUSTERS).header("x-ms-ratelimit-remaining-subscription-reads"))
          .as("the refused list used a read token").isEqualTo("0");
      assertThat(arm.throttledCount(RequestKind.CLUSTER_LIST)).isEqualTo(2);
      assertThat(client.get(CLUSTERS).body().at("/error/code").asText()).isEqualTo("SubscriptionRequestsThrottled");

      clock.advance(Duration.ofSeconds(2));
      assertThat(client.get(CLUSTERS).status()).isEqualTo(200);
    }
  }

  @Test
  void azureHasEveryPublishedLimitAndAzureLikeKeepsItsOwn() {
    Throttling azure = Throttling.azure();
    assertThat(azure.readBucket()).isEqualTo(250);
    assertThat(azure.readsPerSecond()).isEqualTo(25);
    assertThat(azure.writeBucket()).isEqualTo(200);
    assertThat(azure.writesPerSecond()).isEqualTo(10);
    assertThat(azure.clusterPutBucket()).isEqualTo(20);
    assertThat(azure.clusterPutRefill()).isEqualTo(Duration.ofMinutes(1));
    assertThat(azure.clusterListBucket()).isEqualTo(500);
    assertThat(azure.clusterListsPerSecond()).isEqualTo(1);
    Throttling like = Throttling.azureLike();
    assertThat(like).isEqualTo(new Throttling(250, 25, 20, Duration.ofMinutes(1)));
    assertThat(like.writeBucket()).isZero();
    assertThat(like.clusterListBucket()).isZero();

    try (ArmEmulator arm = ArmEmulator.builder().clock(clock).operationDuration(Duration.ZERO)
        .throttling(Throttling.azure()).start()) {
      ClusterFixture fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg", "aks");
      arm.seed(fixture);
      ArmTestClient client = new ArmTestClient(arm);
      Reply get = client.get(fixture.clusterId());
      Reply put = client.put(fixture.clusterId(), get.body(), null);

      assertThat(get.header("x-ms-ratelimit-remaining-subscription-reads")).isEqualTo("249");
      assertThat(put.header("x-ms-ratelimit-remaining-subscription-writes")).isEqualTo("199");
      assertThat(put.header("x-ms-ratelimit-remaining-subscription-reads")).isNull();
    }
  }

  @Test
  void policiesAreChecked() {
    assertThatThrownBy(() -> Throttling.none().withWrites(5, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Throttling.none().withClusterLists(5, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Throttling.none().withWrites(-1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Throttling(5, 0, 0, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Throttling(0, 0, 5, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
