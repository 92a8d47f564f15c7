package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.emulator.ArmTestClient.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Where the emulator is as strict as ARM: signed operation URLs, stale If-Match answers, role scope. */
class ArmStrictnessTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;

  private final SettableClock clock = new SettableClock(Instant.parse("2025-09-01T10:00:00Z"));
  private ArmEmulator arm;
  private ArmTestClient client;
  private ClusterFixture fixture;

  @BeforeEach
  void start() {
    arm = ArmEmulator.builder().clock(clock).operationDuration(Duration.ofSeconds(30)).start();
    client = new ArmTestClient(arm);
    fixture = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-strict", "aks")
        .withAuthorizedIpRanges("20.30.40.0/24");
    arm.seed(fixture);
  }

  @AfterEach
  void stop() {
    arm.close();
  }

  private Reply startOperation() {
    Reply read = client.get(fixture.clusterId());
    Reply put = client.put(fixture.clusterId(), read.body(), read.body().get("eTag").asText());
    assertThat(put.status()).isEqualTo(200);
    return put;
  }

  @Test
  void operationUrlsAreSignedAndOnlyTheUrlAsGivenIsAnswered() {
    Reply put = startOperation();
    String async = put.header("Azure-AsyncOperation");
    String location = put.header("Location");
    assertThat(async).contains("?api-version=2016-03-30&t=").contains("&c=").contains("&s=").contains("&h=");
    assertThat(location).contains("/operationresults/").contains("&s=");

    assertThat(client.get(async).status()).isEqualTo(200);
    assertThat(client.get(location).status()).isEqualTo(202);

    String unsigned = async.substring(0, async.indexOf("&t="));
    String path = async.substring(0, async.indexOf('?'));
    String query = async.substring(async.indexOf('?'));
    List<String> altered = new ArrayList<>();
    altered.add(unsigned);                                                           // signature missing
    altered.add(changeFirstCharacterOf(async, "&s="));                               // signature changed
    altered.add(async.replaceFirst("&t=(\\d)", "&t=9"));                              // timestamp changed
    altered.add(async.replaceFirst("&c=MII", "&c=MIJ"));                              // certificate changed
    altered.add(changeFirstCharacterOf(async, "&h="));                               // hash changed
    altered.add(async.replaceFirst("&h=[^&]*", ""));                                  // hash missing
    altered.add(path.replace("/operations/", "/operationresults/") + query);          // another URL, same query
    for (String url : altered) {
      assertThat(url).isNotEqualTo(async);
      Reply refused = client.get(url);
      assertThat(refused.status()).as(url).isEqualTo(401);
      assertThat(refused.body().at("/error/code").asText()).isEqualTo("AuthenticationFailed");
      assertThat(refused.body().at("/error/message").asText()).contains("signature", "Azure-AsyncOperation");
    }
    // ARM paths are case-insensitive: the signature covers the path, not its spelling.
    assertThat(client.get(path.replace("/operations/", "/OPERATIONS/") + query).status()).isEqualTo(200);
    // An operation that does not exist, signed: 404 as before.
    assertThat(client.get(arm.signedUrl("/subscriptions/" + SUB
        + "/providers/Microsoft.ContainerService/locations/westeurope/operations/nope")).status()).isEqualTo(404);
    String external = arm.beginExternalOperation(ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-strict", "aks")
        .clusterId(), Duration.ofSeconds(1));
    assertThat(external).contains("&s=");
  }

  @Test
  void aStaleIfMatchGets412And409EtagMismatchInTurnByDefault() {
    Reply read = client.get(fixture.clusterId());
    arm.editCluster(fixture.clusterId(), c -> c.with("tags").put("editedBy", "portal"));
    String stale = read.body().get("eTag").asText();

    Reply first = client.put(fixture.clusterId(), read.body(), stale);
    Reply second = client.put(fixture.clusterId(), read.body(), stale);
    Reply third = client.put(fixture.clusterId(), read.body(), stale);

    assertThat(first.status()).isEqualTo(412);
    assertThat(first.body().at("/error/code").asText()).isEqualTo("PreconditionFailed");
    assertThat(second.status()).isEqualTo(409);
    assertThat(second.body().at("/error/code").asText()).isEqualTo("EtagMismatch");
    assertThat(second.body().at("/error/message").asText()).contains("Another operation is in progress");
    assertThat(second.body().at("/error/details/0/message").asText()).contains("Etag mismatched");
    assertThat(third.status()).isEqualTo(412);
    assertThat(arm.cluster(fixture.clusterId()).orElseThrow().at("/tags/editedBy").asText()).isEqualTo("portal");
  }

  @Test
  void theStaleAnswerCanBeFixed() {
    Reply read = client.get(fixture.clusterId());
    arm.editCluster(fixture.clusterId(), c -> c.with("tags").put("editedBy", "portal"));
    String stale = read.body().get("eTag").asText();
    arm.staleETagAnswer(StaleETagAnswer.ETAG_MISMATCH);
    assertThat(client.put(fixture.clusterId(), read.body(), stale).status()).isEqualTo(409);
    assertThat(client.put(fixture.clusterId(), read.body(), stale).status()).isEqualTo(409);
    arm.staleETagAnswer(StaleETagAnswer.PRECONDITION_FAILED);
    assertThat(client.put(fixture.clusterId(), read.body(), stale).status()).isEqualTo(412);
    assertThat(client.put(fixture.clusterId(), read.body(), stale).status()).isEqualTo(412);
    try (ArmEmulator only412 = ArmEmulator.builder().staleETagAnswer(StaleETagAnswer.PRECONDITION_FAILED).start()) {
      only412.seed(fixture);
      ArmTestClient c = new ArmTestClient(only412);
      Reply r = c.get(fixture.clusterId());
      only412.editCluster(fixture.clusterId(), b -> b.with("tags").put("x", "y"));
      assertThat(c.put(fixture.clusterId(), r.body(), r.body().get("eTag").asText()).status()).isEqualTo(412);
      assertThat(c.put(fixture.clusterId(), r.body(), r.body().get("eTag").asText()).status()).isEqualTo(412);
    }
  }

  @Test
  void aRoleAtResourceGroupScopeCannotReadOperations() {
    Reply put = startOperation();
    arm.roleScope(RoleScope.RESOURCE_GROUP);

    Reply op = client.get(put.header("Azure-AsyncOperation"));
    Reply result = client.get(put.header("Location"));

    assertThat(op.status()).isEqualTo(403);
    assertThat(op.body().at("/error/code").asText()).isEqualTo("AuthorizationFailed");
    assertThat(op.body().at("/error/message").asText())
        .contains("Microsoft.ContainerService/locations/operations/read");
    assertThat(result.status()).isEqualTo(403);
    assertThat(result.body().at("/error/message").asText()).contains("locations/operationresults/read");
    assertThat(client.get(fixture.clusterId()).status()).as("the cluster itself is in the resource group")
        .isEqualTo(200);

    arm.roleScope(RoleScope.SUBSCRIPTION);
    assertThat(client.get(put.header("Azure-AsyncOperation")).status()).isEqualTo(200);
  }

  /** The URL with the first character after {@code marker} replaced by another one (whatever the signature drew). */
  static String changeFirstCharacterOf(String url, String marker) {
    int at = url.indexOf(marker) + marker.length();
    char other = url.charAt(at) == 'A' ? 'B' : 'A';
    return url.substring(0, at) + other + url.substring(at + 1);
  }
}
