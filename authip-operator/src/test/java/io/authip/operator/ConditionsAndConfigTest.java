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
