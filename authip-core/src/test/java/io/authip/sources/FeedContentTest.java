package io.authip.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.authip.ranges.CidrSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeedContentTest {

  @Test
  void mergesIpv4AndCountsSkippedIpv6() throws Exception {
    FeedContent c = FeedContent.parse(List.of("20.42.0.0/24", " 20.42.1.0/24 ", "2603:1000::/40", "13.64.39.16/32",
        "13.64.39.16"), "7", "service tag X");
    assertThat(c.blocks().toStrings()).containsExactly("13.64.39.16/32", "20.42.0.0/23");
    assertThat(c.ipv6Skipped()).isEqualTo(1);
    assertThat(c.listed()).isEqualTo(5);
    assertThat(c.changeNumber()).isEqualTo("7");
    assertThat(c.hash()).startsWith("sha256:").hasSize(7 + 32)
        .isEqualTo(FeedContent.hash(CidrSet.parse(List.of("20.42.1.0/24", "20.42.0.0/24", "13.64.39.16"))));
  }

  @Test
  void oneEntryThatCannotBeAuthorizedRefusesTheWholeContent() {
    assertThatThrownBy(() -> FeedContent.parse(List.of("20.42.0.0/24", "10.0.0.0/8", "20.42.0.1/24"), null,
        "https://feeds.example.com/x"))
        .isInstanceOf(FeedException.class)
        .hasMessageStartingWith("https://feeds.example.com/x returned 2 entries that cannot be authorized, the first "
            + "'10.0.0.0/8': ")
        .hasMessageContaining("not a public range")
        .hasMessageEndingWith("the content is not used (the last good content, if any, stays in force)");
  }

  @Test
  void emptyContentIsRefusedNotUsed() {
    assertThatThrownBy(() -> FeedContent.parse(List.of("2603:1000::/40"), null, "service tag Y"))
        .hasMessage("service tag Y returned no IPv4 range (only 1 IPv6 entries, which AKS does not accept); an empty "
            + "source is refused rather than used");
    assertThatThrownBy(() -> FeedContent.parse(List.of(), null, "f")).hasMessageContaining("returned no IPv4 range");
  }

  @Test
  void refreshIntervalIsBounded() {
    assertThat(RefreshInterval.of(null)).isEqualTo(RefreshInterval.DEFAULT);
    assertThat(RefreshInterval.of("1d12h")).hasHours(36);
    assertThat(RefreshInterval.of("45m")).hasMinutes(45);
    assertThat(RefreshInterval.problem("7d")).isEmpty();
    assertThat(RefreshInterval.problem("8d")).hasValue("'8d' is out of range; sources are refreshed every 15m to 7d");
    assertThat(RefreshInterval.problem("10m")).hasValueSatisfying(m -> assertThat(m).contains("out of range"));
    assertThat(RefreshInterval.problem("6 hours")).hasValue("'6 hours' is not an interval; write days, hours and "
        + "minutes such as 30m, 6h or 1d12h");
    assertThat(RefreshInterval.problem("h")).isPresent();
  }
}
