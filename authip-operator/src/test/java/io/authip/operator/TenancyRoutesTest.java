package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.GrantIdentity;
import io.authip.api.v1alpha1.GrantTarget;
import io.authip.api.v1alpha1.TargetGrant;
import io.authip.api.v1alpha1.TargetGrantSpec;
import io.authip.api.v1alpha1.TargetReason;
import io.authip.azure.AksGateway;
import io.authip.azure.AzureConfig;
import io.authip.tenancy.Grants;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How {@link Tenancy} routes a target: which gateway, or why none, before any Azure request. */
class TenancyRoutesTest {

  static final String SUB = "6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b";
  static final ClusterTarget CLUSTER = new ClusterTarget(SUB, "rg-pay", "aks-pay");
  static final GrantIdentity TEAM = new GrantIdentity("11111111-1111-4111-8111-111111111111",
      "22222222-2222-4222-8222-222222222222", "authip-tenant");
  static final AksGateway OWN = new NamedGateway("own");
  static final AksGateway TEAMS = new NamedGateway("team");

  /** A gateway that only has a name: routing never calls Azure, so nothing else is needed. */
  record NamedGateway(String name) implements AksGateway {
    @Override
    public io.authip.azure.Outcome<io.authip.policy.ClusterSnapshot> read(ClusterTarget target) {
      throw new AssertionError("routing must not read");
    }

    @Override
    public io.authip.azure.Outcome<Map<String, io.authip.ranges.Cidr>> resolve(java.util.Collection<String> ids) {
      throw new AssertionError("routing must not resolve");
    }

    @Override
    public io.authip.azure.Outcome<io.authip.azure.OperationHandle> apply(io.authip.policy.ClusterSnapshot snapshot,
        io.authip.policy.ApiServerAccess desired) {
      throw new AssertionError("routing must not write");
    }

    @Override
    public io.authip.azure.Outcome<io.authip.azure.OperationStatus> poll(io.authip.azure.OperationHandle handle) {
      throw new AssertionError("routing must not poll");
    }
  }

  static TargetGrant grant(String name, GrantIdentity identity) {
    TargetGrant g = new TargetGrant();
    g.getMetadata().setName(name);
    g.getMetadata().setUid(name);
    g.getMetadata().setResourceVersion("1");
    TargetGrantSpec spec = new TargetGrantSpec();
    spec.setNamespaces(List.of("payments"));
    spec.setTargets(new ArrayList<>(List.of(new GrantTarget(SUB, "rg-pay*", null))));
    spec.setIdentity(identity);
    g.setSpec(spec);
    return g;
  }

  static Tenancy tenancy(OperatorConfig.Tenancy mode, IdentityGateways identities) {
    return new Tenancy(OperatorConfig.forTesting().withTenancy(mode), OWN, identities);
  }

  @Test
  void openModeRoutesEverythingThroughTheOperatorsOwnIdentity() {
    Tenancy open = tenancy(OperatorConfig.Tenancy.open, (ns, id) -> TEAMS);
    assertThat(open.router(null, "anyone", null).route(CLUSTER, Access.Unrestricted))
        .isEqualTo(new TargetRoute.Allowed(OWN, null));
  }

  @Test
  void aGrantsIdentityGetsItsOwnGatewayAndOneNotAllowedHereIsRefused() {
    Tenancy t = tenancy(OperatorConfig.Tenancy.grants, (ns, id) -> TEAMS);
    Grants grants = t.grants(List.of(grant("team", TEAM)));
    assertThat(t.router(grants, "payments", Map.of()).route(CLUSTER, Access.Restricted))
        .isEqualTo(new TargetRoute.Allowed(TEAMS, "team"));
    assertThat(t.router(grants, "web", Map.of()).route(CLUSTER, Access.Restricted))
        .isInstanceOfSatisfying(TargetRoute.Refused.class, r -> assertThat(r.reason()).isEqualTo(
            TargetReason.NotGranted));

    GrantIdentity other = new GrantIdentity(TEAM.getClientId(), TEAM.getTenantId(), "someone-else");
    TargetGrant edited = grant("team", other);
    edited.getMetadata().setResourceVersion("2"); // every edit has a new resourceVersion: the parsed grant is renewed
    Grants wrongSa = t.grants(List.of(edited));
    assertThat(t.router(wrongSa, "payments", Map.of()).route(CLUSTER, Access.Restricted))
        .isInstanceOfSatisfying(TargetRoute.Refused.class, r -> {
          assertThat(r.reason()).isEqualTo(TargetReason.IdentityUnavailable);
          assertThat(r.message()).contains("'someone-else'").contains("AUTHIP_TENANT_SERVICE_ACCOUNT");
        });
    assertThat(t.allows(wrongSa, "payments", Map.of(), CLUSTER, Access.Restricted)).isFalse();
  }

  @Test
  void withoutFederatedIdentitiesAnIdentityGrantNeitherRoutesNorOwns() {
    Tenancy t = tenancy(OperatorConfig.Tenancy.grants, null);
    Grants grants = t.grants(List.of(grant("team", TEAM)));
    assertThat(t.router(grants, "payments", Map.of()).route(CLUSTER, Access.Restricted))
        .isInstanceOfSatisfying(TargetRoute.Refused.class, r -> assertThat(r.message()).contains("authip run"));
    assertThat(t.allows(grants, "payments", Map.of(), CLUSTER, Access.Restricted)).isFalse();
    Grants plain = t.grants(List.of(grant("plain", null)));
    assertThat(t.allows(plain, "payments", Map.of(), CLUSTER, Access.Restricted)).isTrue();
  }

  @Test
  void extraEgressOutsideTheAllowingGrantIsRefused() {
    Tenancy t = tenancy(OperatorConfig.Tenancy.grants, (ns, id) -> TEAMS);
    Grants grants = t.grants(List.of(grant("plain", null)));
    String inside = "/subscriptions/" + SUB + "/resourceGroups/rg-pay-net/providers/Microsoft.Network/"
        + "publicIPAddresses/fw";
    String outside = "/subscriptions/" + SUB + "/resourceGroups/rg-other/providers/Microsoft.Network/"
        + "publicIPAddresses/fw";
    assertThat(t.router(grants, "payments", Map.of(), List.of(inside)).route(CLUSTER, Access.Restricted))
        .isEqualTo(new TargetRoute.Allowed(OWN, "plain"));
    assertThat(t.router(grants, "payments", Map.of(), List.of(inside, outside)).route(CLUSTER, Access.Restricted))
        .isInstanceOfSatisfying(TargetRoute.Refused.class, r -> assertThat(r.message())
            .contains("spec.egress.publicIpResourceIds[1]").contains("rg-other"));
  }

  @Test
  void anInvalidGrantGrantsNothingAndAnEditedOneIsReadAgain() {
    Tenancy t = tenancy(OperatorConfig.Tenancy.grants, (ns, id) -> TEAMS);
    TargetGrant g = grant("plain", null);
    g.getSpec().getTargets().get(0).setSubscriptionId("*");
    assertThat(t.grants(List.of(g)).all()).isEmpty();
    TargetGrant fixed = grant("plain", null);
    fixed.getMetadata().setResourceVersion("2");
    assertThat(t.grants(List.of(fixed)).all()).hasSize(1);
  }

  @Test
  void theGatewaysOfIdentitiesNoGrantNamesAreDropped() {
    FederatedGateways gateways = new FederatedGateways(AzureConfig.fromEnvironment(Map.of()), null,
        OperatorConfig.DEFAULT_TOKEN_EXCHANGE_AUDIENCE, (op, code, duration, headers) -> { });
    GrantIdentity other = new GrantIdentity("33333333-3333-4333-8333-333333333333", TEAM.getTenantId(),
        "authip-tenant");
    AksGateway a = gateways.gateway("payments", TEAM);
    assertThat(gateways.gateway("payments", TEAM)).isSameAs(a);
    gateways.gateway("web", TEAM);
    gateways.gateway("payments", other);
    assertThat(gateways.size()).isEqualTo(3);
    Tenancy t = tenancy(OperatorConfig.Tenancy.grants, gateways);
    t.grants(List.of(grant("team", TEAM)));
    assertThat(gateways.size()).as("the gateways of TEAM, in both namespaces").isEqualTo(2);
    gateways.retain(Set.of());
    assertThat(gateways.size()).isZero();
  }
}
