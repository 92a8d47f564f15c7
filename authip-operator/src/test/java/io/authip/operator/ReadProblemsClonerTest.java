package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.policy.PolicyValidator;
import io.authip.resources.TolerantSerialization;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class ReadProblemsClonerTest {

  @Test
  void theCopyKeepsTheProblemsFoundWhileReading() {
    KubernetesSerialization serialization = TolerantSerialization.create();
    IpRangeSet bad = serialization.unmarshal("{\"apiVersion\":\"authip.io/v1alpha1\",\"kind\":\"IpRangeSet\","
        + "\"metadata\":{\"name\":\"s\"},\"spec\":{\"ranges\":{}}}", IpRangeSet.class);
    assertThat(bad.getReadProblems()).hasSize(1);
    IpRangeSet copy = new ReadProblemsCloner(serialization).clone(bad);
    assertThat(copy).isNotSameAs(bad);
    assertThat(copy.getReadProblems()).isEqualTo(bad.getReadProblems());
    assertThat(new PolicyValidator().validateRangeSet(copy)).isNotEmpty();
  }
}
