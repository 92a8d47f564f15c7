package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.policy.FieldError;
import io.authip.policy.PolicyValidator;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TolerantSerializationTest {

  final KubernetesSerialization serialization = TolerantSerialization.create();

  static final String HEADER = "{\"apiVersion\":\"authip.io/v1alpha1\",\"kind\":\"AuthorizedIpPolicy\","
      + "\"metadata\":{\"name\":\"p\",\"namespace\":\"n\"},\"spec\":";

  @Test
  void wrongTypesBecomeRecordedProblemsInsteadOfExceptions() {
    AuthorizedIpPolicy p = serialization.unmarshal(HEADER + "{\"targets\":5,\"access\":\"Unrestrictd\","
        + "\"ranges\":\"1.2.3.4\",\"egress\":{\"natGateway\":\"perhaps\"},\"mode\":[1,2]}}", AuthorizedIpPolicy.class);
    assertThat(p.getReadProblems()).containsExactlyInAnyOrder(
        "spec.targets: has the wrong type (a number); expected a list",
        "spec.access: 'Unrestrictd' is not a valid value; allowed: Restricted, LoadBalancerOnly, Unrestricted",
        "spec.ranges: has the wrong type (a string); expected a list",
        "spec.egress.natGateway: 'perhaps' is not a valid true or false",
        "spec.mode: has the wrong type (a list); expected value");
    assertThat(p.getSpec().getAccess()).isNull();
    var errors = new PolicyValidator().validatePolicy(p, (ns, n) -> Optional.empty()).errors();
    assertThat(errors).extracting(FieldError::field).contains("spec.targets", "spec.access", "spec.ranges",
        "spec.egress.natGateway", "spec.mode");
  }

  @Test
  void nestedListElementsAreLocatedByIndex() {
    AuthorizedIpPolicy p = serialization.unmarshal(HEADER + "{\"targets\":[{\"subscriptionId\":[\"x\"]}],"
        + "\"ranges\":[{\"cidr\":\"1.2.3.4\"},{\"cidr\":{\"a\":1}}]}}", AuthorizedIpPolicy.class);
    assertThat(p.getReadProblems()).containsExactlyInAnyOrder(
        "spec.targets[0].subscriptionId: has the wrong type (a list); expected a string",
        "spec.ranges[1].cidr: has the wrong type (an object); expected a string");
  }

  @Test
  void validResourcesHaveNoProblemsAndTheClonerKeepsProblems() {
    AuthorizedIpPolicy ok = serialization.unmarshal(HEADER + "{\"access\":\"LoadBalancerOnly\"}}",
        AuthorizedIpPolicy.class);
    assertThat(ok.getReadProblems()).isEmpty();
    assertThat(ok.getSpec().getAccess()).isEqualTo(Access.LoadBalancerOnly);
    IpRangeSet bad = serialization.unmarshal("{\"apiVersion\":\"authip.io/v1alpha1\",\"kind\":\"IpRangeSet\","
        + "\"metadata\":{\"name\":\"s\"},\"spec\":{\"ranges\":{}}}", IpRangeSet.class);
    assertThat(bad.getReadProblems()).hasSize(1);
    IpRangeSet copy = TolerantSerialization.cloner(serialization).clone(bad);
    assertThat(copy).isNotSameAs(bad);
    assertThat(copy.getReadProblems()).isEqualTo(bad.getReadProblems());
    assertThat(new PolicyValidator().validateRangeSet(copy)).isNotEmpty();
  }
}
