package io.authip.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource({
      "rg-payments-*, rg-payments-weu, true",
      "rg-payments-*, RG-Payments-WEU, true",   // ARM compares IDs case-insensitively
      "RG-PAYMENTS-*, rg-payments-neu, true",
      "rg-payments-*, rg-payments-, true",      // * matches nothing too
      "rg-payments-*, rg-payment-weu, false",
      "rg-payments-*, xrg-payments-weu, false", // anchored at the start
      "rg-payments, rg-payments-weu, false",    // and at the end
      "rg-payments, RG-PAYMENTS, true",
      "aks-?, aks-1, true",
      "aks-?, aks-12, false",
      "aks-?, aks-, false",
      "*, anything, true",
      "*-weu, aks-prod-weu, true",
      "*-weu, aks-prod-neu, false",
      "a*b*c, a-b-b-c, true",
      "a*b*c, a-b-b-cd, false",
      "rg.(x)*, rg.(x)1, true",                 // resource group characters are literal
      "rg.*, rgx1, false",
  })
  void matchesAsDocumented(String glob, String name, boolean expected) {
    assertThat(Glob.of(glob).matches(name)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"'', x", "*, x"})
  void absentOrStarMatchesEveryName(String glob, String name) {
    assertThat(Glob.of(glob.isEmpty() ? null : glob).matches(name)).isTrue();
    assertThat(Glob.of(glob.isEmpty() ? null : glob).matches("RG-(x).y_" + "z".repeat(80))).isTrue();
  }

  @org.junit.jupiter.api.Test
  void foldsCaseOneCharacterAtATimeAsArmDoesNotByALocale() {
    // The Kelvin sign lower-cases to an ASCII k, but ARM's ordinal ignore-case keeps it a different character.
    assertThat(Glob.of("rg-k*").matches("rg-\u212Aa")).isFalse();
    assertThat(Glob.of("rg-K*").matches("rg-ka")).isTrue();
    // a dotted capital I lower-cases to two characters; '?' still stands for exactly one
    assertThat(Glob.of("rg-?").matches("rg-\u0130")).isTrue();
    assertThat(Glob.of("rg-i").matches("rg-\u0130")).isFalse();
  }

  @org.junit.jupiter.api.Test
  @org.junit.jupiter.api.Timeout(10)
  void neverMatchesNullAndStaysLinearOnHostilePatterns() {
    assertThat(Glob.of("*").matches(null)).isFalse();
    String hostile = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
    assertThat(Glob.of(hostile).matches("a".repeat(90))).isFalse();
  }
}
