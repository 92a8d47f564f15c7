package io.authip.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.api.v1alpha1.Access;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiServerAccessTest {

  @Test
  void bareAddressesOrderAndSplitsCompareEqual() {
    ApiServerAccess a = ApiServerAccess.fromAks(List.of("1.2.3.4", "73.140.245.0/24"));
    ApiServerAccess b = ApiServerAccess.fromAks(List.of("73.140.245.128/25", "1.2.3.4/32", "73.140.245.0/25"));
    assertThat(a).isEqualTo(b);
    assertThat(a.toAks()).containsExactly("1.2.3.4/32", "73.140.245.0/24");
  }

  @Test
  void emptyOrAbsentIsUnrestrictedAndLoadBalancerMarkerIsItsOwnAccess() {
    assertThat(ApiServerAccess.fromAks(null)).isEqualTo(ApiServerAccess.UNRESTRICTED);
    assertThat(ApiServerAccess.fromAks(List.of())).isEqualTo(ApiServerAccess.UNRESTRICTED);
    assertThat(ApiServerAccess.fromAks(List.of("0.0.0.0/32")).access()).isEqualTo(Access.LoadBalancerOnly);
    assertThat(ApiServerAccess.UNRESTRICTED.toAks()).isEmpty();
    assertThat(ApiServerAccess.LOAD_BALANCER_ONLY.toAks()).containsExactly("0.0.0.0/32");
  }

  @Test
  void serviceTagAndUnknownEntriesAreKeptNotDropped() {
    ApiServerAccess a = ApiServerAccess.fromAks(Arrays.asList("AzureCloud", "20.20.20.20", "2001:db8::/32"));
    assertThat(a.serviceTag()).isEqualTo("AzureCloud");
    assertThat(a.unrecognized()).containsExactly("2001:db8::/32");
    assertThat(a.toAks()).containsExactly("AzureCloud", "20.20.20.20/32", "2001:db8::/32");
    ApiServerAccess mixed = ApiServerAccess.fromAks(List.of("0.0.0.0/32", "20.20.20.20"));
    assertThat(mixed.access()).isEqualTo(Access.Restricted);
    assertThat(mixed.unrecognized()).containsExactly("0.0.0.0/32");
  }

  @Test
  void diffSummarisesAddedAndRemoved() {
    AccessDiff d = AccessDiff.between(ApiServerAccess.fromAks(List.of("1.2.3.4", "5.6.7.8")),
        ApiServerAccess.fromAks(List.of("1.2.3.4", "9.9.9.9")));
    assertThat(d.isEmpty()).isFalse();
    assertThat(d.summary()).isEqualTo("+1 -1 (added 9.9.9.9/32; removed 5.6.7.8/32)");
    assertThat(AccessDiff.between(ApiServerAccess.fromAks(List.of("1.2.3.4")),
        ApiServerAccess.fromAks(List.of("1.2.3.4/32"))).isEmpty()).isTrue();
    assertThat(AccessDiff.between(ApiServerAccess.UNRESTRICTED, ApiServerAccess.LOAD_BALANCER_ONLY).accessChanged())
        .isTrue();
  }
}
