package io.authip.ranges;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The non-public list against Python's {@code ipaddress}, which the Azure CLI uses ({@code is_global}).
 *
 * <p>The expectations were generated once with Python 3.11 using the constants of current CPython
 * ({@code _IPv4Constants} since 3.11.10 / 3.12.4: {@code 192.0.0.0/24} is private except {@code 192.0.0.9} and
 * {@code 192.0.0.10}, following the IANA registry; older Pythons such as 3.11.7 list only {@code 192.0.0.0/29} and
 * {@code 192.0.0.170/31}, the third column). The test does not run Python.
 *
 * <p>One deliberate difference: Python calls multicast ({@code 224.0.0.0/4}) global; authip refuses it, because a
 * multicast address is never the source of a connection to an API server (the domain reference lists
 * {@code 224.0.0.0/4} among the refused ranges).
 */
class SpecialRangesTest {

  static final Cidr MULTICAST = Cidr.parse("224.0.0.0/4");

  /** The first, last, and neighbouring addresses of every IANA special-purpose block. */
  @ParameterizedTest(name = "[{index}] {0}: is_global={1}")
  @CsvSource(textBlock = """
      # address, is_global (current CPython), is_global (Python 3.11.7)
      0.0.0.0, false, false
      0.255.255.255, false, false
      1.0.0.0, true, true
      9.255.255.255, true, true
      10.0.0.0, false, false
      10.255.255.255, false, false
      11.0.0.0, true, true
      100.63.255.255, true, true
      100.64.0.0, false, false
      100.127.255.255, false, false
      100.128.0.0, true, true
      126.255.255.255, true, true
      127.0.0.0, false, false
      127.255.255.255, false, false
      128.0.0.0, true, true
      169.253.255.255, true, true
      169.254.0.0, false, false
      169.254.255.255, false, false
      169.255.0.0, true, true
      172.15.255.255, true, true
      172.16.0.0, false, false
      172.31.255.255, false, false
      172.32.0.0, true, true
      191.255.255.255, true, true
      192.0.0.0, false, false
      192.0.0.7, false, false
      192.0.0.8, false, true
      192.0.0.9, true, true
      192.0.0.10, true, true
      192.0.0.11, false, true
      192.0.0.12, false, true
      192.0.0.169, false, true
      192.0.0.170, false, false
      192.0.0.171, false, false
      192.0.0.172, false, true
      192.0.0.255, false, true
      192.0.1.0, true, true
      192.0.1.255, true, true
      192.0.2.0, false, false
      192.0.2.255, false, false
      192.0.3.0, true, true
      192.31.195.255, true, true
      192.31.196.0, true, true
      192.31.196.255, true, true
      192.31.197.0, true, true
      192.52.192.255, true, true
      192.52.193.0, true, true
      192.52.193.255, true, true
      192.52.194.0, true, true
      192.88.98.255, true, true
      192.88.99.0, true, true
      192.88.99.255, true, true
      192.88.100.0, true, true
      192.167.255.255, true, true
      192.168.0.0, false, false
      192.168.255.255, false, false
      192.169.0.0, true, true
      192.175.47.255, true, true
      192.175.48.0, true, true
      192.175.48.255, true, true
      192.175.49.0, true, true
      198.17.255.255, true, true
      198.18.0.0, false, false
      198.19.255.255, false, false
      198.20.0.0, true, true
      198.51.99.255, true, true
      198.51.100.0, false, false
      198.51.100.255, false, false
      198.51.101.0, true, true
      203.0.112.255, true, true
      203.0.113.0, false, false
      203.0.113.255, false, false
      203.0.114.0, true, true
      223.255.255.255, true, true
      224.0.0.0, true, true
      239.255.255.255, true, true
      240.0.0.0, false, false
      255.255.255.254, false, false
      255.255.255.255, false, false
      """)
  void agreesWithPythonIsGlobalExceptForMulticast(String address, boolean pythonIsGlobal, boolean python3117) {
    Cidr host = Cidr.parse(address);
    boolean expectedPublic = pythonIsGlobal && !MULTICAST.contains(host);
    assertThat(SpecialRanges.firstOverlap(host).isEmpty()).as("%s is public", address).isEqualTo(expectedPublic);
    if (!host.equals(RangeRules.LOAD_BALANCER_ONLY)) {
      assertThat(RangeRules.check(address)).as("check(%s)", address)
          .isInstanceOf(expectedPublic ? RangeRules.Checked.Valid.class : RangeRules.Checked.Invalid.class);
    }
    if (pythonIsGlobal != python3117) {
      assertThat(Cidr.parse("192.0.0.0/24").contains(host)).as("Python versions differ only in 192.0.0.0/24").isTrue();
    }
  }

  /**
   * The whole set, not just sampled addresses: current CPython's {@code _private_networks} minus
   * {@code _private_networks_exceptions}, plus {@code 100.64.0.0/10} (excluded by {@code is_global} separately),
   * collapsed by Python; then multicast.
   */
  @Test
  void coversExactlyPythonsNonGlobalSetPlusMulticast() {
    List<String> python = List.of("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/29", "192.0.0.8/32", "192.0.0.11/32", "192.0.0.12/30", "192.0.0.16/28",
        "192.0.0.32/27", "192.0.0.64/26", "192.0.0.128/25", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4");
    CidrSet expected = CidrSet.parse(python).union(CidrSet.of(MULTICAST));
    CidrSet actual = CidrSet.of(SpecialRanges.notGlobal().stream().map(SpecialRanges.Entry::cidr)
        .collect(Collectors.toList()));
    assertThat(actual).isEqualTo(expected);
    assertThat(actual.addressCount()).isEqualTo(expected.addressCount());
  }

  @Test
  void entriesAreDisjointInAddressOrderAndNamed() {
    List<SpecialRanges.Entry> entries = SpecialRanges.notGlobal();
    for (int i = 1; i < entries.size(); i++) {
      Cidr previous = entries.get(i - 1).cidr();
      Cidr current = entries.get(i).cidr();
      assertThat(previous.end()).as("%s before %s", previous, current).isLessThan(current.start());
    }
    assertThat(entries).allSatisfy(e -> assertThat(e.name()).contains("RFC"));
  }

  @Test
  void firstOverlapNamesTheLowestOverlappingEntry() {
    assertThat(SpecialRanges.firstOverlap(Cidr.parse("0.0.0.0/0"))).map(e -> e.cidr().toString())
        .contains("0.0.0.0/8");
    assertThat(SpecialRanges.firstOverlap(Cidr.parse("172.0.0.0/8"))).map(SpecialRanges.Entry::toString)
        .contains("172.16.0.0/12 (private-use, RFC 1918)");
    assertThat(SpecialRanges.firstOverlap(Cidr.parse("73.140.245.0/24"))).isEmpty();
  }
}
