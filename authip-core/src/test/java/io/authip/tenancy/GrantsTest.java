package io.authip.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.GrantIdentity;
import io.authip.api.v1alpha1.GrantTarget;
import io.authip.api.v1alpha1.TargetGrant;
import io.authip.api.v1alpha1.TargetGrantSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrantsTest {

  static final String SUB = "6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b";
  static final String OTHER_SUB = "0b3c5d7e-1a2b-4c3d-8e9f-a0b1c2d3e4f5";
  static final GrantIdentity PAYMENTS_ID = new GrantIdentity("11111111-1111-4111-8111-111111111111",
      "22222222-2222-4222-8222-222222222222", "authip-tenant");

  static TargetGrant grant(String name, List<String> namespaces, LabelSelector selector, List<Access> access,
      GrantIdentity identity, GrantTarget... targets) {
    TargetGrant g = new TargetGrant();
    g.getMetadata().setName(name);
    TargetGrantSpec spec = new TargetGrantSpec();
    spec.setNamespaces(namespaces);
    spec.setNamespaceSelector(selector);
    spec.setTargets(List.of(targets));
    spec.setAllowedAccess(access);
    spec.setIdentity(identity);
    g.setSpec(spec);
    return g;
  }

  static Grants of(TargetGrant... grants) {
    return new Grants(java.util.Arrays.stream(grants).peek(g -> assertThat(GrantValidator.validate(g)).isEmpty())
        .map(Grant::of).toList());
  }

  static ClusterTarget cluster(String sub, String rg, String name) {
    return new ClusterTarget(sub, rg, name);
  }

  final Grants grants = of(
      grant("team-payments", List.of("payments"), null, null, PAYMENTS_ID,
          new GrantTarget(SUB, "rg-payments-*", "*")),
      grant("team-web", null, new LabelSelectorBuilder().addToMatchLabels("team", "web").build(),
          List.of(Access.Restricted, Access.Unrestricted), null, new GrantTarget(SUB, "rg-web", "aks-?")));

  @Test
  void aCoveredTargetIsGrantedWithTheGrantsIdentity() {
    GrantDecision d = grants.decide("payments", Map.of(), cluster(SUB, "RG-Payments-WEU", "aks-1"), Access.Restricted);
    assertThat(d).isEqualTo(new GrantDecision.Granted("team-payments", PAYMENTS_ID));
    // subscription IDs compare case-insensitively too, as in ARM IDs
    assertThat(grants.decide("payments", Map.of(), cluster(SUB.toUpperCase(), "rg-payments-neu", "x"),
        Access.LoadBalancerOnly)).isInstanceOf(GrantDecision.Granted.class);
  }

  @Test
  void aNamespaceWithoutAGrantGetsNothingAndIsToldWhatToAskFor() {
    GrantDecision d = grants.decide("marketing", Map.of(), cluster(SUB, "rg-payments-weu", "aks-1"), Access.Restricted);
    assertThat(d).isInstanceOf(GrantDecision.NotGranted.class);
    assertThat(((GrantDecision.NotGranted) d).message()).contains("no TargetGrant is for namespace marketing")
        .contains("spec.namespaces").contains("aks-1");
  }

  @Test
  void aTargetOutsideTheGrantsScopesIsRefusedNamingWhatTheNamespaceHas() {
    for (ClusterTarget t : List.of(cluster(SUB, "rg-web", "aks-1"), cluster(OTHER_SUB, "rg-payments-weu", "aks-1"),
        cluster(SUB, "xrg-payments-weu", "aks-1"))) {
      GrantDecision d = grants.decide("payments", Map.of(), t, Access.Restricted);
      assertThat(d).as(t.toString()).isInstanceOf(GrantDecision.NotGranted.class);
      assertThat(((GrantDecision.NotGranted) d).message()).contains("is not granted to namespace payments")
          .contains("TargetGrant team-payments covers").contains("rg-payments-*");
    }
  }

  @Test
  void unrestrictedOnlyWhenListed() {
    GrantDecision d = grants.decide("payments", Map.of(), cluster(SUB, "rg-payments-weu", "a"), Access.Unrestricted);
    assertThat(((GrantDecision.NotGranted) d).message()).contains("access Unrestricted")
        .contains("TargetGrant team-payments allows Restricted, LoadBalancerOnly")
        .contains("spec.allowedAccess");
    assertThat(grants.decide("web", Map.of("team", "web"), cluster(SUB, "rg-web", "aks-1"), Access.Unrestricted))
        .isEqualTo(new GrantDecision.Granted("team-web", null));
    assertThat(grants.decide("web", Map.of("team", "web"), cluster(SUB, "rg-web", "aks-1"), Access.LoadBalancerOnly))
        .isInstanceOf(GrantDecision.NotGranted.class);
  }

  @Test
  void selectorsFollowKubernetesSemantics() {
    assertThat(grants.decide("web", Map.of("team", "web", "x", "y"), cluster(SUB, "rg-web", "aks-1"),
        Access.Restricted)).isInstanceOf(GrantDecision.Granted.class);
    assertThat(grants.decide("web", Map.of("team", "webshop"), cluster(SUB, "rg-web", "aks-1"), Access.Restricted))
        .isInstanceOf(GrantDecision.NotGranted.class);
    TargetGrant all = grant("every", null, null, null, null, new GrantTarget(SUB, null, null));
    all.getSpec().setAllNamespaces(true);
    Grants every = of(all);
    assertThat(every.decide("any", Map.of(), cluster(SUB, "rg", "aks"), Access.Restricted))
        .isInstanceOf(GrantDecision.Granted.class);
    assertThat(every.decide("unknown-yet", null, cluster(SUB, "rg", "aks"), Access.Restricted))
        .isInstanceOf(GrantDecision.Granted.class);
    Grants expr = of(grant("expr", null, new LabelSelectorBuilder().addNewMatchExpression().withKey("tier")
        .withOperator("In").withValues("gold", "silver").endMatchExpression().addNewMatchExpression()
        .withKey("frozen").withOperator("DoesNotExist").endMatchExpression().build(), null, null,
        new GrantTarget(SUB, null, null)));
    assertThat(expr.decide("a", Map.of("tier", "gold"), cluster(SUB, "rg", "aks"), Access.Restricted))
        .isInstanceOf(GrantDecision.Granted.class);
    assertThat(expr.decide("a", Map.of("tier", "gold", "frozen", ""), cluster(SUB, "rg", "aks"), Access.Restricted))
        .isInstanceOf(GrantDecision.NotGranted.class);
    assertThat(expr.decide("a", Map.of("tier", "bronze"), cluster(SUB, "rg", "aks"), Access.Restricted))
        .isInstanceOf(GrantDecision.NotGranted.class);
  }

  @Test
  void unknownLabelsJudgeNoSelectorSoANegativeOneCannotLetANamespaceIn() {
    Grants notFrozen = of(grant("not-frozen", null, new LabelSelectorBuilder().addNewMatchExpression()
        .withKey("frozen").withOperator("DoesNotExist").endMatchExpression().build(), null, null,
        new GrantTarget(SUB, null, null)));
    assertThat(notFrozen.decide("a", Map.of(), cluster(SUB, "rg", "aks"), Access.Restricted))
        .isInstanceOf(GrantDecision.Granted.class);
    GrantDecision unknown = notFrozen.decide("a", null, cluster(SUB, "rg", "aks"), Access.Restricted);
    assertThat(((GrantDecision.NotGranted) unknown).message()).contains("labels are not known yet");
    // a grant that names the namespace needs no labels
    assertThat(grants.decide("payments", null, cluster(SUB, "rg-payments-1", "x"), Access.Restricted))
        .isInstanceOf(GrantDecision.Granted.class);
  }

  @Test
  void extraEgressResourcesMustLieInTheGrantsSubscriptionAndResourceGroups() {
    Grant payments = grants.named("team-payments").orElseThrow();
    assertThat(payments.coversResource("/subscriptions/" + SUB + "/resourceGroups/RG-Payments-Net/providers/"
        + "Microsoft.Network/publicIPAddresses/fw")).isTrue();
    assertThat(payments.coversResource("/subscriptions/" + SUB + "/resourceGroups/rg-shared/providers/"
        + "Microsoft.Network/publicIPAddresses/fw")).isFalse();
    assertThat(payments.coversResource("/subscriptions/" + OTHER_SUB + "/resourceGroups/rg-payments-net/providers/"
        + "Microsoft.Network/publicIPAddresses/fw")).isFalse();
    assertThat(payments.coversResource("not an id")).isFalse();
  }

  @Test
  void ofSeveralGrantsTheFirstByNameThatAllowsTheAccessWins() {
    GrantIdentity other = new GrantIdentity("33333333-3333-4333-8333-333333333333",
        "22222222-2222-4222-8222-222222222222", "authip-tenant");
    Grants two = of(
        grant("b-wide", List.of("payments"), null, List.of(Access.values()), other, new GrantTarget(SUB, null, null)),
        grant("a-narrow", List.of("payments"), null, null, PAYMENTS_ID, new GrantTarget(SUB, "rg-payments-*", null)));
    assertThat(two.decide("payments", Map.of(), cluster(SUB, "rg-payments-1", "x"), Access.Restricted))
        .isEqualTo(new GrantDecision.Granted("a-narrow", PAYMENTS_ID));
    assertThat(two.decide("payments", Map.of(), cluster(SUB, "rg-payments-1", "x"), Access.Unrestricted))
        .isEqualTo(new GrantDecision.Granted("b-wide", other));
  }

  @Test
  void noGrantsAtAllMeansNothingIsGranted() {
    assertThat(new Grants(List.of()).decide("payments", Map.of(), cluster(SUB, "rg", "aks"), Access.Restricted))
        .isInstanceOf(GrantDecision.NotGranted.class);
  }
}
