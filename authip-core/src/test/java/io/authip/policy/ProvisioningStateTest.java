package io.authip.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProvisioningStateTest {

  @ParameterizedTest
  @CsvSource(value = {"Succeeded,Succeeded,false", "succeeded,Succeeded,false", "Failed,Failed,true",
      "FAILED,Failed,true", "Canceled,Canceled,true", "Cancelled,Canceled,true", "Updating,,false",
      "InProgress,,false", "Accepted,,false", "Creating,,false", ",,false"})
  void onlyTheThreeTerminalStatesAreTerminal(String text, ProvisioningState expected, boolean failure) {
    assertThat(ProvisioningState.terminal(text)).isEqualTo(java.util.Optional.ofNullable(expected));
    assertThat(ProvisioningState.isTerminal(text)).isEqualTo(expected != null);
    assertThat(ProvisioningState.isFailure(text)).isEqualTo(failure);
  }
}
