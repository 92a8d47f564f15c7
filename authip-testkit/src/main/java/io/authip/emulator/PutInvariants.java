package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.authip.emulator.ArmEmulator;
import io.authip.emulator.PutAudit;
import io.authip.emulator.RecordedRequest;
import io.authip.emulator.RequestKind;
import io.authip.emulator.ResourceIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What must hold for every cluster PUT the emulator saw, whatever the test did: checked after every end-to-end and
 * reliability test.
 * <ol>
 *   <li>every PUT carries {@code If-Match} with an eTag (not {@code *});</li>
 *   <li>never an empty (or missing) authorizedIPRanges list, unless the test lets that cluster be Unrestricted;</li>
 *   <li>a PUT whose If-Match named the stored eTag changes nothing but authorizedIPRanges (read-only
 *       {@code eTag} and {@code provisioningState} aside); a PUT with a stale eTag is never accepted;</li>
 *   <li>every accepted PUT changes the ranges, unless the cluster was left Failed or Canceled by an operation
 *       (re-sending the same change is how AKS recovers from that): no idle PUTs.</li>
 * </ol>
 * {@link #assertPutBudget} adds the per-test bound: no more PUTs than changes plus faults that forced a retry.
 */
public final class PutInvariants {

  private static final ObjectMapper JSON = new ObjectMapper();

  private PutInvariants() {
  }

  /** All invariants, no cluster allowed to become Unrestricted. */
  public static void check(ArmEmulator arm) {
    check(arm, Set.of());
  }

  /**
   * @param mayOpen IDs of clusters whose policy says Unrestricted: an empty list is what was asked for there
   */
  public static void check(ArmEmulator arm, Set<String> mayOpen) {
    Set<String> open = mayOpen.stream().map(ResourceIds::key).collect(Collectors.toSet());
    for (RecordedRequest r : arm.requests()) {
      if (r.kind() != RequestKind.CLUSTER_PUT) {
        continue;
      }
      assertThat(r.header("If-Match")).as("If-Match on PUT %s", r.path()).isPresent();
      assertThat(r.header("If-Match").orElseThrow().strip()).as("If-Match on PUT %s", r.path())
          .isNotEmpty().isNotEqualTo("*");
      if (!open.contains(r.resourceKey())) {
        JsonNode ranges = parse(r.body()).path("properties").path("apiServerAccessProfile").path("authorizedIPRanges");
        assertThat(ranges.isArray() && ranges.size() > 0)
            .as("never an empty list while the policy says Restricted: PUT %s sent %s", r.path(), ranges)
            .isTrue();
      }
    }
    for (PutAudit a : arm.putAudits()) {
      if (a.before() == null || a.sent() == null) {
        continue;
      }
      if (!a.ifMatchCurrent()) {
        assertThat(a.accepted()).as("a PUT with a stale If-Match (%s, stored %s) was accepted on %s", a.ifMatch(),
            a.eTagBefore().orElse("none"), a.clusterId()).isFalse();
        continue;
      }
      assertThat(withoutOwnedField(a.sent()))
          .as("PUT %s at %s changed more than authorizedIPRanges", a.clusterId(), a.at())
          .isEqualTo(withoutOwnedField(a.before()));
      if (a.accepted()) {
        String state = a.before().path("properties").path("provisioningState").asText("");
        boolean recovering = state.equalsIgnoreCase("Failed") || state.equalsIgnoreCase("Canceled");
        assertThat(!ranges(a.sent()).equals(ranges(a.before())) || recovering)
            .as("PUT %s at %s changed nothing: it sent the ranges the cluster already had, %s", a.clusterId(), a.at(),
                ranges(a.before()))
            .isTrue();
      }
    }
  }

  /**
   * No more PUTs (answered or not) for the cluster than the changes the test made plus the faults that forced a
   * retry (a refused PUT, a failed operation, a restart while a change was in flight).
   */
  public static void assertPutBudget(ArmEmulator arm, String clusterId, int changes, int forcedRetries) {
    long puts = arm.requests().stream()
        .filter(r -> r.kind() == RequestKind.CLUSTER_PUT && r.resourceKey().equals(ResourceIds.key(clusterId)))
        .count();
    assertThat(puts).as("PUTs to %s: %d changes, %d faults that forced a retry", clusterId, changes, forcedRetries)
        .isLessThanOrEqualTo(changes + forcedRetries);
  }

  /** The cluster body without what a PUT may change: the owned field, and what the service computes. */
  static ObjectNode withoutOwnedField(ObjectNode cluster) {
    ObjectNode copy = cluster.deepCopy();
    copy.remove("eTag");
    JsonNode properties = copy.get("properties");
    if (properties instanceof ObjectNode p) {
      p.remove("provisioningState");
      if (p.get("apiServerAccessProfile") instanceof ObjectNode profile) {
        profile.remove("authorizedIPRanges");
        if (profile.isEmpty()) {
          // authip creates the profile to hold the list when a cluster had none
          p.remove("apiServerAccessProfile");
        }
      }
    }
    return copy;
  }

  static Set<String> ranges(ObjectNode cluster) {
    Set<String> out = new TreeSet<>();
    cluster.path("properties").path("apiServerAccessProfile").path("authorizedIPRanges")
        .forEach(n -> out.add(n.asText()));
    return out;
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
