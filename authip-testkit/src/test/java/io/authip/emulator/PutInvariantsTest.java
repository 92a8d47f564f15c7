package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The invariants every end-to-end and reliability test relies on do catch each violation they are about. */
class PutInvariantsTest {

  private ArmEmulator arm;
  private ArmTestClient client;
  private ClusterFixture fixture;

  @BeforeEach
  void start() {
    arm = ArmEmulator.builder().operationDuration(Duration.ZERO).start();
    client = new ArmTestClient(arm);
    fixture = ClusterFixture.loadBalancerManagedOutbound(ClusterFixture.DEFAULT_SUBSCRIPTION, "rg", "aks")
        .withAuthorizedIpRanges("20.30.40.0/24");
    arm.seed(fixture);
  }

  @AfterEach
  void stop() {
    arm.close();
  }

  ObjectNode read() {
    return (ObjectNode) client.get(fixture.clusterId()).body();
  }

  static ObjectNode withRanges(ObjectNode cluster, String... ranges) {
    ObjectNode copy = cluster.deepCopy();
    var list = ((ObjectNode) copy.get("properties")).with("apiServerAccessProfile").putArray("authorizedIPRanges");
    for (String r : ranges) {
      list.add(r);
    }
    return copy;
  }

  @Test
  void aPutThatChangesOnlyTheRangesWithIfMatchPasses() {
    ObjectNode c = read();
    client.put(fixture.clusterId(), withRanges(c, "20.30.40.0/24", "52.160.96.17/32"), c.get("eTag").asText());

    assertThatCode(() -> PutInvariants.check(arm)).doesNotThrowAnyException();
    assertThatCode(() -> PutInvariants.assertPutBudget(arm, fixture.clusterId(), 1, 0)).doesNotThrowAnyException();
  }

  @Test
  void aPutWithoutIfMatchFails() {
    client.put(fixture.clusterId(), withRanges(read(), "52.160.96.17/32"), null);

    assertThatThrownBy(() -> PutInvariants.check(arm)).hasMessageContaining("If-Match");
  }

  @Test
  void anEmptyListFailsUnlessTheClusterMayBeOpen() {
    ObjectNode c = read();
    client.put(fixture.clusterId(), withRanges(c), c.get("eTag").asText());

    assertThatThrownBy(() -> PutInvariants.check(arm)).hasMessageContaining("never an empty list");
    assertThatCode(() -> PutInvariants.check(arm, Set.of(fixture.clusterId()))).doesNotThrowAnyException();
  }

  @Test
  void aChangeToAnyOtherFieldFails() {
    ObjectNode c = read();
    ObjectNode changed = withRanges(c, "52.160.96.17/32");
    changed.with("tags").put("owner", "authip");
    client.put(fixture.clusterId(), changed, c.get("eTag").asText());

    assertThatThrownBy(() -> PutInvariants.check(arm)).hasMessageContaining("changed more than authorizedIPRanges");
  }

  @Test
  void aPutThatChangesNothingFails() {
    ObjectNode c = read();
    client.put(fixture.clusterId(), c, c.get("eTag").asText());

    assertThatThrownBy(() -> PutInvariants.check(arm)).hasMessageContaining("changed nothing");
  }

  @Test
  void morePutsThanChangesAndFaultsFail() {
    for (int i = 0; i < 2; i++) {
      ObjectNode c = read();
      client.put(fixture.clusterId(), withRanges(c, "52.160.96." + i + "/32"), c.get("eTag").asText());
    }

    assertThatThrownBy(() -> PutInvariants.assertPutBudget(arm, fixture.clusterId(), 1, 0))
        .hasMessageContaining("1 changes, 0 faults");
    assertThatCode(() -> PutInvariants.assertPutBudget(arm, fixture.clusterId(), 1, 1)).doesNotThrowAnyException();
  }
}
