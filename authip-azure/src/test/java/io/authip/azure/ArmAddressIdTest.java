package io.authip.azure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArmAddressIdTest {

  private static final String SUB = "3f2b8c1d-5e6a-4b7c-8d9e-0a1b2c3d4e5f";

  @Test
  void publicIpsAndPrefixesInAnySpelling() {
    ArmAddressId a = ArmAddressId.parse("/subscriptions/" + SUB + "/resourceGroups/MC_rg_aks_westeurope/providers/"
        + "Microsoft.Network/publicIPAddresses/ip-1").orElseThrow();
    ArmAddressId b = ArmAddressId.parse("/SUBSCRIPTIONS/" + SUB.toUpperCase() + "/resourcegroups/mc_rg_aks_westeurope"
        + "/providers/microsoft.network/publicipaddresses/IP-1").orElseThrow();
    assertThat(a.kind()).isEqualTo(ArmAddressId.Kind.PUBLIC_IP);
    assertThat(a.key()).isEqualTo(b.key());
    assertThat(a.resourceGroup()).isEqualTo("MC_rg_aks_westeurope");
    assertThat(a.name()).isEqualTo("ip-1");
    assertThat(ArmAddressId.parse("/subscriptions/" + SUB + "/resourceGroups/rg/providers/Microsoft.Network/"
        + "publicIPPrefixes/pfx").orElseThrow().kind()).isEqualTo(ArmAddressId.Kind.PUBLIC_IP_PREFIX);
  }

  @Test
  void anythingElseIsNotAnAddressId() {
    assertThat(ArmAddressId.parse(null)).isEmpty();
    assertThat(ArmAddressId.parse("")).isEmpty();
    assertThat(ArmAddressId.parse("/subscriptions/" + SUB + "/resourceGroups/rg/providers/Microsoft.Network/"
        + "natGateways/nat")).isEmpty();
    assertThat(ArmAddressId.parse("/subscriptions/" + SUB + "/resourceGroups/rg/providers/Microsoft.Network/"
        + "publicIPAddresses/a/../../x")).isEmpty();
    assertThat(ArmAddressId.parse("/subscriptions/" + SUB + "/resourceGroups/rg/providers/Microsoft.Network/"
        + "publicIPAddresses/a?api-version=1")).isEmpty();
  }
}
