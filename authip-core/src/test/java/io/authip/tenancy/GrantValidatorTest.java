package io.authip.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.api.v1alpha1.GrantIdentity;
import io.authip.api.v1alpha1.GrantTarget;
import io.authip.api.v1alpha1.TargetGrant;
import io.authip.policy.FieldError;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrantValidatorTest {

  static final String SUB = GrantsTest.SUB;

  static List<String> fields(TargetGrant g) {
    return GrantValidator.validate(g).stream().map(FieldError::field).toList();
  }

  @Test
  void theIssuesExampleIsValid() {
    TargetGrant g = GrantsTest.grant("team-payments", List.of("payments"),
        new LabelSelectorBuilder().addToMatchLabels("team", "payments").build(), null, GrantsTest.PAYMENTS_ID,
        new GrantTarget(SUB, "rg-payments-*", "*"));
    assertThat(GrantValidator.validate(g)).isEmpty();
  }

  @Test
  void everyProblemIsReportedWithItsFieldAndWhatWouldBeRight() {
    TargetGrant g = GrantsTest.grant("bad", List.of("Payments"), new LabelSelectorBuilder().addNewMatchExpression()
            .withKey("team").withOperator("Equals").endMatchExpression().build(), null,
        new GrantIdentity("not-a-guid", null, "Bad_Name"),
        new GrantTarget("*", "rg/x", "aks prod"));
    List<FieldError> errors = GrantValidator.validate(g);
    assertThat(errors).extracting(FieldError::field).containsExactly("spec.namespaces[0]",
        "spec.namespaceSelector.matchExpressions[0].operator", "spec.targets[0].subscriptionId",
        "spec.targets[0].resourceGroup", "spec.targets[0].clusterName", "spec.identity.clientId",
        "spec.identity.tenantId", "spec.identity.serviceAccountName");
    assertThat(errors.get(2).message()).contains("'*'").contains("subscriptions take no glob");
    assertThat(errors.get(3).message()).contains("rg-payments-*");
  }

  @Test
  void aGrantForNoNamespaceOrWithoutTargetsIsInvalidNotSilentlyEmpty() {
    TargetGrant none = GrantsTest.grant("none", null, null, null, null, new GrantTarget(SUB, null, null));
    assertThat(fields(none)).containsExactly("spec.namespaces");
    TargetGrant empty = GrantsTest.grant("empty", List.of("a"), null, null, null);
    assertThat(fields(empty)).containsExactly("spec.targets");
    TargetGrant noSpec = new TargetGrant();
    assertThat(fields(noSpec)).containsExactly("spec");
  }

  @Test
  void anEmptySelectorOrAccessListIsRefusedNotReadAsEverythingOrNothing() {
    TargetGrant g = GrantsTest.grant("empty", null, new io.fabric8.kubernetes.api.model.LabelSelector(), List.of(),
        null, new GrantTarget(SUB, null, null));
    List<FieldError> errors = GrantValidator.validate(g);
    assertThat(errors).extracting(FieldError::field).containsExactly("spec.namespaceSelector", "spec.allowedAccess");
    assertThat(errors.get(0).message()).contains("would select every namespace").contains("allNamespaces: true");
    TargetGrant all = GrantsTest.grant("all", null, null, null, null, new GrantTarget(SUB, null, null));
    all.getSpec().setAllNamespaces(true);
    assertThat(GrantValidator.validate(all)).isEmpty();
    java.util.Map<String, String> nullValue = new java.util.HashMap<>();
    nullValue.put("team", null);
    TargetGrant typo = GrantsTest.grant("typo", null, new io.fabric8.kubernetes.api.model.LabelSelector(null,
        nullValue), null, null, new GrantTarget(SUB, null, null));
    assertThat(fields(typo)).containsExactly("spec.namespaceSelector.matchLabels");
  }

  @Test
  void readProblemsMakeTheGrantInvalid() {
    TargetGrant g = GrantsTest.grant("typed", List.of("a"), null, null, null, new GrantTarget(SUB, null, null));
    g.setReadProblems(List.of("spec.allowedAccess[0]: 'Everything' is not a valid value"));
    assertThat(fields(g)).containsExactly("spec.allowedAccess[0]");
  }
}
