package io.authip.ranges;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The rules one entry must satisfy (R1, R2, R3, R5) and the count limit (R4). */
class RangeRulesTest {

  /** Public ranges only: no documentation range (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) is valid data. */
  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      73.140.245.0/24|73.140.245.0/24
      137.117.106.88/29|137.117.106.88/29
      73.140.245.7|73.140.245.7/32
      20.20.20.20|20.20.20.20/32
      52.160.96.17/32|52.160.96.17/32
      1.0.0.0/8|1.0.0.0/8
      11.0.0.0/8|11.0.0.0/8
      100.128.0.0/9|100.128.0.0/9
      128.0.0.0/3|128.0.0.0/3
      172.32.0.0/11|172.32.0.0/11
      192.0.0.9|192.0.0.9/32
      192.0.0.10/32|192.0.0.10/32
      192.0.1.0/24|192.0.1.0/24
      192.88.99.0/24|192.88.99.0/24
      192.169.0.0/16|192.169.0.0/16
      198.20.0.0/14|198.20.0.0/14
      223.255.255.255|223.255.255.255/32
      """)
  void acceptsPublicRanges(String text, String canonical) {
    RangeRules.Checked checked = RangeRules.check(text);
    assertThat(checked).isInstanceOf(RangeRules.Checked.Valid.class);
    assertThat(((RangeRules.Checked.Valid) checked).cidr()).hasToString(canonical);
  }

  @Test
  void r1RefusesIpv6() {
    assertThat(invalid("2001:db8::/32")).isEqualTo("'2001:db8::/32' is an IPv6 range; AKS authorized IP ranges accept "
        + "IPv4 only");
  }

  @Test
  void r2RefusesTheSeedsExampleWithHostBits() {
    assertThat(invalid("137.117.106.90/29"))
        .isEqualTo("137.117.106.90/29 is not the first address of its range; did you mean 137.117.106.88/29?");
  }

  /** The reference's own list of refused ranges, and single addresses inside every non-public range. */
  @ParameterizedTest(name = "[{index}] {0} lies in {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      10.0.0.0/8|10.0.0.0/8 (private-use, RFC 1918)
      192.168.1.0/24|192.168.0.0/16 (private-use, RFC 1918)
      100.64.0.0/10|100.64.0.0/10 (shared address space, RFC 6598)
      127.0.0.1|127.0.0.0/8 (loopback, RFC 1122)
      169.254.0.0/16|169.254.0.0/16 (link-local, RFC 3927)
      224.0.0.0/4|224.0.0.0/4 (multicast, RFC 5771)
      192.0.2.0/24|192.0.2.0/24 (documentation TEST-NET-1, RFC 5737)
      198.51.100.0/24|198.51.100.0/24 (documentation TEST-NET-2, RFC 5737)
      203.0.113.0/24|203.0.113.0/24 (documentation TEST-NET-3, RFC 5737)
      0.1.2.3|0.0.0.0/8 ("this network", RFC 791)
      172.31.255.255|172.16.0.0/12 (private-use, RFC 1918)
      192.0.0.0/29|192.0.0.0/29 (IETF protocol assignments, RFC 6890)
      192.0.0.8|192.0.0.8/32 (IETF protocol assignments, RFC 6890)
      192.0.0.11|192.0.0.11/32 (IETF protocol assignments, RFC 6890)
      192.0.0.170/31|192.0.0.128/25 (IETF protocol assignments, RFC 6890)
      198.18.0.0/15|198.18.0.0/15 (benchmarking, RFC 2544)
      198.19.255.255|198.18.0.0/15 (benchmarking, RFC 2544)
      239.255.255.255|224.0.0.0/4 (multicast, RFC 5771)
      240.0.0.0/4|240.0.0.0/4 (reserved, RFC 1112)
      255.255.255.255|240.0.0.0/4 (reserved, RFC 1112)
      """)
  void r3RefusesAddressesInsideANonPublicRange(String text, String range) {
    String canonical = Cidr.parse(text).toString();
    assertThat(invalid(text)).isEqualTo(canonical + " is not a public range: it lies in " + range
        + "; only globally reachable addresses can reach a public API server");
  }

  /** Fail closed: a block is refused when any part of it is not public, and the message names that part. */
  @ParameterizedTest(name = "[{index}] {0} contains {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      8.0.0.0/5|10.0.0.0/8 (private-use, RFC 1918)
      8.0.0.0/6|10.0.0.0/8 (private-use, RFC 1918)
      100.0.0.0/8|100.64.0.0/10 (shared address space, RFC 6598)
      172.0.0.0/8|172.16.0.0/12 (private-use, RFC 1918)
      192.0.0.0/16|192.0.0.0/29 (IETF protocol assignments, RFC 6890)
      192.0.0.8/30|192.0.0.8/32 (IETF protocol assignments, RFC 6890)
      192.0.0.0/8|192.0.0.0/29 (IETF protocol assignments, RFC 6890)
      198.0.0.0/8|198.18.0.0/15 (benchmarking, RFC 2544)
      203.0.0.0/16|203.0.113.0/24 (documentation TEST-NET-3, RFC 5737)
      192.0.0.0/2|192.0.0.0/29 (IETF protocol assignments, RFC 6890)
      128.0.0.0/1|169.254.0.0/16 (link-local, RFC 3927)
      """)
  void r3RefusesBlocksContainingANonPublicRange(String text, String range) {
    assertThat(invalid(text)).isEqualTo(text + " is not a public range: it contains " + range
        + "; split it so that only public addresses remain");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"0.0.0.0/32", "0.0.0.0", " 0.0.0.0/32 "})
  void r5RefusesTheLoadBalancerMarkerNamingTheAccessField(String text) {
    assertThat(invalid(text)).isEqualTo("0.0.0.0/32 is AKS's marker for \"load balancer outbound IPs only\" and "
        + "cannot be combined with other ranges; set access: LoadBalancerOnly instead of listing it");
    assertThat(RangeRules.LOAD_BALANCER_ONLY).hasToString("0.0.0.0/32");
  }

  @Test
  void r6TheWholeAddressSpaceIsNotAWayToSayUnrestricted() {
    assertThat(invalid("0.0.0.0/0")).isEqualTo("0.0.0.0/0 would authorize every address; set access: Unrestricted "
        + "if that is really meant");
  }

  @Test
  void r7AServiceTagIsNotARange() {
    assertThat(invalid("AzureCloud")).isEqualTo("'AzureCloud' is not an IPv4 address or CIDR (expected four "
        + "dot-separated numbers, a.b.c.d or a.b.c.d/n)");
  }

  @ParameterizedTest(name = "[{index}] {0} of {1}")
  @CsvSource(textBlock = """
      0, 200
      1, 200
      199, 200
      200, 200
      5, 5
      """)
  void r4CountsWithinTheLimitPass(int count, int max) {
    assertThat(RangeRules.limitProblem(count, max)).isEmpty();
  }

  @ParameterizedTest(name = "[{index}] {0} of {1}")
  @CsvSource(delimiter = '|', textBlock = """
      201|200|201 ranges after merging duplicates, overlaps and adjacent ranges; 1 over the limit of 200
      450|200|450 ranges after merging duplicates, overlaps and adjacent ranges; 250 over the limit of 200
      2|1|2 ranges after merging duplicates, overlaps and adjacent ranges; 1 over the limit of 1
      """)
  void r4OverTheLimitSaysByHowMuch(int count, int max, String message) {
    assertThat(RangeRules.limitProblem(count, max)).contains(message);
    assertThat(RangeRules.AKS_MAX_ENTRIES).isEqualTo(200);
  }

  @Test
  void publicProblemIsEmptyForAPublicBlock() {
    assertThat(RangeRules.publicProblem(Cidr.parse("73.140.245.0/24"))).isEmpty();
    assertThat(RangeRules.publicProblem(Cidr.parse("10.0.0.0/8"))).isPresent();
  }

  static String invalid(String text) {
    RangeRules.Checked checked = RangeRules.check(text);
    assertThat(checked).as("check(%s)", text).isInstanceOf(RangeRules.Checked.Invalid.class);
    return ((RangeRules.Checked.Invalid) checked).message();
  }
}
