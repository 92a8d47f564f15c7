package io.authip.operator;

import io.authip.api.v1alpha1.ConditionReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConditionsAndConfigTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant T1 = T0.plusSeconds(60);

  @Test
  void lastTransitionTimeMovesOnlyWhenStatusFlips() {
    List<Condition> c0 = Conditions.set(null, "Ready", false, ConditionReason.Pending, "m0", 1L, T0);
    List<Condition> c1 = Conditions.set(c0, "Ready", false, ConditionReason.Updating, "m1", 2L, T1);
    assertThat(c1.get(0).getLastTransitionTime()).isEqualTo(T0.toString());
    assertThat(c1.get(0).getReason()).isEqualTo("Updating");
    assertThat(c1.get(0).getObservedGeneration()).isEqualTo(2L);
    List<Condition> c2 = Conditions.set(c1, "Ready", true, ConditionReason.InSync, "m2", 2L, T1);
    assertThat(c2.get(0).getLastTransitionTime()).isEqualTo(T1.toString());
    assertThat(Conditions.set(c2, "Drifted", false, ConditionReason.NoDrift, "", 2L, T1)).hasSize(2);
  }

  @Test
  void reconcilingAndStalledFollowReadyAndArePresentOnlyWhileTrue() {
    // kstatus: Reconciling=True is InProgress, Stalled=True is Failed, absent or False means nothing.
    List<Condition> pending = Conditions.withProgress(
        Conditions.set(null, "Ready", false, ConditionReason.Pending, "a: Pending", 1L, T0), 1L, T0);
    assertThat(pending).extracting(Condition::getType).containsExactly("Ready", "Reconciling");
    assertThat(Conditions.find(pending, "Reconciling").orElseThrow()).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getReason()).isEqualTo("Pending");
      assertThat(c.getMessage()).isEqualTo("a: Pending");
      assertThat(c.getObservedGeneration()).isEqualTo(1L);
    });
    // Propagating is Ready but still in progress: AKS enforces within minutes.
    List<Condition> propagating = Conditions.withProgress(
        Conditions.set(pending, "Ready", true, ConditionReason.Propagating, "1/1", 2L, T1), 2L, T1);
    assertThat(Conditions.find(propagating, "Reconciling").orElseThrow().getReason()).isEqualTo("Propagating");
    assertThat(Conditions.find(propagating, "Reconciling").orElseThrow().getLastTransitionTime())
        .isEqualTo(T0.toString());
    List<Condition> inSync = Conditions.withProgress(
        Conditions.set(propagating, "Ready", true, ConditionReason.InSync, "1/1", 2L, T1), 2L, T1);
    assertThat(inSync).extracting(Condition::getType).containsExactly("Ready");
    for (ConditionReason stalling : List.of(ConditionReason.InvalidSpec, ConditionReason.Blocked,
        ConditionReason.AzureError, ConditionReason.Contested, ConditionReason.NotGranted,
        ConditionReason.TargetConflict, ConditionReason.SelectorFailed, ConditionReason.Drifted,
        ConditionReason.InternalError)) {
      List<Condition> stalled = Conditions.withProgress(
          Conditions.set(pending, "Ready", false, stalling, "why", 3L, T1), 3L, T1);
      assertThat(stalled).as(stalling.name()).extracting(Condition::getType).containsExactly("Ready", "Stalled");
      assertThat(Conditions.find(stalled, "Stalled").orElseThrow().getReason()).isEqualTo(stalling.name());
    }
    // A reason authip does not write (status is tenant input) sets neither.
    List<Condition> odd = new java.util.ArrayList<>(pending);
    odd.set(0, new io.fabric8.kubernetes.api.model.ConditionBuilder(odd.get(0)).withReason("Whatever").build());
    assertThat(Conditions.withProgress(odd, 1L, T0)).extracting(Condition::getType).containsExactly("Ready");
  }

  @Test
  void readyMirrorsValidForResourcesWithoutTargets() {
    List<Condition> valid = Conditions.readyFromValid(
        Conditions.set(null, "Valid", true, ConditionReason.Valid, "3 ranges", 1L, T0), 1L, T0);
    assertThat(valid).extracting(Condition::getType, Condition::getStatus, Condition::getReason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("Valid", "True", "Valid"),
            org.assertj.core.groups.Tuple.tuple("Ready", "True", "Valid"));
    List<Condition> invalid = Conditions.readyFromValid(
        Conditions.set(valid, "Valid", false, ConditionReason.InvalidSpec, "spec.ranges[0]: bad", 2L, T1), 2L, T1);
    assertThat(invalid).extracting(Condition::getType, Condition::getStatus, Condition::getReason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("Valid", "False", "InvalidSpec"),
            org.assertj.core.groups.Tuple.tuple("Ready", "False", "InvalidSpec"),
            org.assertj.core.groups.Tuple.tuple("Stalled", "True", "InvalidSpec"));
    assertThat(Conditions.find(invalid, "Ready").orElseThrow().getMessage()).isEqualTo("spec.ranges[0]: bad");
  }

  @Test
  void configFromEnvironmentWithDefaultsAndErrors() {
    OperatorConfig c = OperatorConfig.fromEnvironment(Map.of("AUTHIP_WATCH_NAMESPACES", " a, b ,,",
        "AUTHIP_LEADER_ELECTION", "true", "POD_NAMESPACE", "authip-system", "AUTHIP_POLL_INTERVAL", "250ms"));
    assertThat(c.watchNamespaces()).containsExactlyInAnyOrder("a", "b");
    assertThat(c.leaderElection()).isTrue();
    assertThat(c.leaseNamespace()).isEqualTo("authip-system");
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.maxRanges()).isEqualTo(200);
    assertThat(c.pollInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.propagationDelay()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.describe()).contains("namespaces=a,b").contains("lease=authip-system/authip-leader");
    assertThat(OperatorConfig.fromEnvironment(Map.of()).leaderElection()).isFalse();
    assertThat(OperatorConfig.fromEnvironment(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1")).leaderElection()).isTrue();
    assertThat(OperatorConfig.fromEnvironment(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1",
        "AUTHIP_LEADER_ELECTION", "false")).leaderElection()).isFalse();
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("AUTHIP_HTTP_PORT", "http",
        "AUTHIP_LEADER_ELECTION", "yes", "AUTHIP_MAX_RANGES", "0", "AUTHIP_POLL_INTERVAL", "soon")))
        .hasMessageContaining("AUTHIP_HTTP_PORT='http' is not a whole number")
        .hasMessageContaining("AUTHIP_LEADER_ELECTION='yes' must be true or false")
        .hasMessageContaining("AUTHIP_MAX_RANGES=0 must be between 1 and 100000")
        .hasMessageContaining("AUTHIP_POLL_INTERVAL='soon' is not a duration");
  }

  @Test
  void theVnetIntegrationLimitIsItsOwnSettingAndPoliciesAreValidatedAtTheLargestLimit() {
    OperatorConfig defaults = OperatorConfig.fromEnvironment(Map.of());
    assertThat(defaults.vnetIntegrationMaxRanges()).isEqualTo(2000);
    assertThat(defaults.largestMaxRanges()).isEqualTo(2000);
    assertThat(defaults.describe()).contains("maxRanges=200 vnetIntegrationMaxRanges=2000");
    OperatorConfig off = OperatorConfig.fromEnvironment(Map.of("AUTHIP_VNET_INTEGRATION_MAX_RANGES", "200"));
    assertThat(off.largestMaxRanges()).isEqualTo(200);
    OperatorConfig raised = OperatorConfig.fromEnvironment(Map.of("AUTHIP_MAX_RANGES", "300",
        "AUTHIP_VNET_INTEGRATION_MAX_RANGES", "250"));
    assertThat(raised.largestMaxRanges()).isEqualTo(300);
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("AUTHIP_VNET_INTEGRATION_MAX_RANGES", "0")))
        .hasMessageContaining("AUTHIP_VNET_INTEGRATION_MAX_RANGES=0 must be between 1 and 100000");
  }

  @Test
  void tenancyIsGrantsByDefaultAndRefusesAnythingButGrantsOrOpen() {
    OperatorConfig defaults = OperatorConfig.fromEnvironment(Map.of());
    assertThat(defaults.tenancy()).isEqualTo(OperatorConfig.Tenancy.grants);
    assertThat(defaults.tenantServiceAccount()).isEqualTo("authip-tenant");
    assertThat(defaults.describe()).contains("tenancy=grants tenantServiceAccount=authip-tenant");
    OperatorConfig open = OperatorConfig.fromEnvironment(Map.of("AUTHIP_TENANCY", "Open"));
    assertThat(open.tenancy()).isEqualTo(OperatorConfig.Tenancy.open);
    assertThat(open.describe()).contains("tenancy=open").doesNotContain("tenantServiceAccount");
    assertThat(OperatorConfig.fromEnvironment(Map.of("AUTHIP_TENANT_SERVICE_ACCOUNT", "authip-azure"))
        .tenantServiceAccount()).isEqualTo("authip-azure");
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("AUTHIP_TENANCY", "everyone",
        "AUTHIP_TENANT_SERVICE_ACCOUNT", "Bad_Name")))
        .hasMessageContaining("AUTHIP_TENANCY='everyone' must be grants")
        .hasMessageContaining("AUTHIP_TENANT_SERVICE_ACCOUNT='Bad_Name' is not a ServiceAccount name");
  }
}
