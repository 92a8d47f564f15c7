package io.authip.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.policy.FieldError;
import io.authip.policy.PolicyValidator;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResourceSerializationTest {

  final KubernetesSerialization serialization = ResourceSerialization.create();

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
        "spec.egress.natGateway: has the wrong type (the string 'perhaps'); expected true or false",
        "spec.mode: has the wrong type (a list); expected one of Enforce, Observe");
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
  void unknownSpecFieldsAreProblemsWithASuggestionAndUnknownFieldsElsewhereAreIgnored() {
    AuthorizedIpPolicy p = serialization.unmarshal("{\"apiVersion\":\"authip.io/v1alpha1\",\"kind\":"
        + "\"AuthorizedIpPolicy\",\"metadata\":{\"name\":\"p\"},\"extra\":1,\"spec\":{\"rnages\":[{\"cidr\":"
        + "\"1.2.3.4\"}],\"egress\":{\"loadBalancer\":true,\"zzz\":{\"a\":[1]}}},\"status\":{\"future\":1}}",
        AuthorizedIpPolicy.class);
    assertThat(p.getReadProblems()).containsExactly(
        "spec.rnages: unknown field 'rnages'; did you mean 'ranges'?",
        "spec.egress.zzz: unknown field 'zzz'; known fields: allowUnknown, loadBalancer, managementCluster, natGateway, "
            + "nodePublicIpPrefixes, publicIpResourceIds");
    assertThat(p.getSpec().getEgress().getLoadBalancer()).isTrue();
  }

  @Test
  void aNumberIsNeverReadAsAnEnumConstant() {
    // Jackson's default reads 2 as the third constant: Unrestricted, an API server open to everyone.
    AuthorizedIpPolicy p = serialization.unmarshal(HEADER + "{\"access\":2,\"mode\":0}}", AuthorizedIpPolicy.class);
    assertThat(p.getSpec().getAccess()).isNull();
    assertThat(p.getSpec().getMode()).isNull();
    assertThat(p.getReadProblems()).containsExactly(
        "spec.access: '2' is not a valid value; allowed: Restricted, LoadBalancerOnly, Unrestricted",
        "spec.mode: '0' is not a valid value; allowed: Enforce, Observe");
  }

  @Test
  void whatJacksonCannotReadBecomesAProblemOnAResourceThatKeepsItsIdentity() {
    AuthorizedIpPolicy p = serialization.unmarshal("{\"apiVersion\":\"authip.io/v1alpha1\",\"kind\":"
        + "\"AuthorizedIpPolicy\",\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"uid\":\"u-1\","
        + "\"generation\":3},\"spec\":{\"egress\":{\"loadBalancer\":{\"x\":1}}}}", AuthorizedIpPolicy.class);
    assertThat(p.getMetadata().getName()).isEqualTo("p");
    assertThat(p.getMetadata().getNamespace()).isEqualTo("n");
    assertThat(p.getMetadata().getUid()).isEqualTo("u-1");
    assertThat(p.getMetadata().getGeneration()).isEqualTo(3L);
    // Only the field is lost, not the spec: whatever else is wrong in it is found in the same pass.
    assertThat(p.getSpec().getEgress().getLoadBalancer()).isNull();
    assertThat(p.getReadProblems()).containsExactly("spec.egress.loadBalancer: has the wrong type (an object); "
        + "expected true or false");
    assertThat(new PolicyValidator().validatePolicy(p, (ns, n) -> Optional.empty()).errors())
        .extracting(FieldError::toString)
        .contains("spec.egress.loadBalancer: has the wrong type (an object); expected true or false");

    // An exception no handler can prevent (a number out of range): the resource keeps its identity, nothing else.
    AuthorizedIpPolicy q = serialization.unmarshal("{\"apiVersion\":\"authip.io/v1alpha1\",\"kind\":"
        + "\"AuthorizedIpPolicy\",\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"uid\":\"u-1\","
        + "\"generation\":99999999999999999999999},\"spec\":{\"access\":\"Unrestricted\"}}", AuthorizedIpPolicy.class);
    assertThat(q.getMetadata().getName()).isEqualTo("p");
    assertThat(q.getMetadata().getUid()).isEqualTo("u-1");
    assertThat(q.getSpec()).isNull();
    assertThat(q.getReadProblems()).singleElement().asString()
        .startsWith("metadata.generation: cannot be read (Numeric value (99999999999999999999999) out of range");
  }

  @Test
  void anUnreadableSpecIsReportedTheSameWithOrWithoutAStatus() {
    AuthorizedIpPolicy p = serialization.unmarshal(HEADER + "{\"egress\":{\"loadBalancer\":{\"x\":1}}},"
        + "\"status\":{\"observedGeneration\":1}}", AuthorizedIpPolicy.class);
    assertThat(p.getReadProblems()).containsExactly("spec.egress.loadBalancer: has the wrong type (an object); "
        + "expected true or false");
  }

  @Test
  void anUnreadableStatusDoesNotHideTheSpec() {
    AuthorizedIpPolicy p = serialization.unmarshal(HEADER + "{\"access\":\"LoadBalancerOnly\"},\"status\":"
        + "{\"observedGeneration\":99999999999999999999999}}", AuthorizedIpPolicy.class);
    assertThat(p.getSpec().getAccess()).isEqualTo(Access.LoadBalancerOnly);
    assertThat(p.getStatus()).isNull();
    assertThat(p.getReadProblems()).singleElement().asString()
        .startsWith("status.observedGeneration: cannot be read (Numeric value (99999999999999999999999) out of range");
  }

  @Test
  void aStringWhereAnObjectBelongsIsLocatedAndQuotedValuesAreShortened() {
    AuthorizedIpPolicy p = serialization.unmarshal(HEADER + "\"hello\"}", AuthorizedIpPolicy.class);
    assertThat(p.getReadProblems()).containsExactly("spec: has the wrong type (a string); expected an object");
    String longValue = "x".repeat(100_000);
    AuthorizedIpPolicy q = serialization.unmarshal(HEADER + "{\"mode\":\"" + longValue + "\"}}",
        AuthorizedIpPolicy.class);
    assertThat(q.getReadProblems()).singleElement().asString()
        .isEqualTo("spec.mode: '" + "x".repeat(256) + "... (100000 characters)' is not a valid value; allowed: "
            + "Enforce, Observe");
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
    IpRangeSet copy = ResourceSerialization.copy(serialization, bad);
    assertThat(copy).isNotSameAs(bad);
    assertThat(copy.getReadProblems()).isEqualTo(bad.getReadProblems());
    assertThat(new PolicyValidator().validateRangeSet(copy)).isNotEmpty();
  }
}
