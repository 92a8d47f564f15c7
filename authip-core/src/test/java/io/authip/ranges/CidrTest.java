package io.authip.ranges;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(textBlock = """
      # cidr, start, end, addresses
      73.140.245.0/24, 1233974528, 1233974783, 256
      137.117.106.88/29, 2306173528, 2306173535, 8
      73.140.245.7/32, 1233974535, 1233974535, 1
      0.0.0.0/0, 0, 4294967295, 4294967296
      128.0.0.0/1, 2147483648, 4294967295, 2147483648
      255.255.255.255/32, 4294967295, 4294967295, 1
      """)
  void boundsAndSize(String text, long start, long end, long addresses) {
    Cidr c = Cidr.parse(text);
    assertThat(c.start()).isEqualTo(start);
    assertThat(c.end()).isEqualTo(end);
    assertThat(c.addressCount()).isEqualTo(addresses);
    assertThat(c).hasToString(text);
    assertThat(Cidr.of(start, c.prefix())).isEqualTo(c).hasSameHashCodeAs(c);
  }

  @Test
  void ofRefusesHostBitsNamingTheNetwork() {
    assertThatThrownBy(() -> Cidr.of(2306173530L, 29)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("137.117.106.90/29 is not the first address of its range; did you mean 137.117.106.88/29?");
  }

  @Test
  void ofRefusesValuesOutsideIpv4() {
    assertThatThrownBy(() -> Cidr.of(0, 33)).hasMessage("prefix length /33 is out of range 0..32");
    assertThatThrownBy(() -> Cidr.of(0, -1)).hasMessage("prefix length /-1 is out of range 0..32");
    assertThatThrownBy(() -> Cidr.of(-1, 32)).hasMessage("address -1 is outside IPv4");
    assertThatThrownBy(() -> Cidr.of(1L << 32, 32)).hasMessage("address 4294967296 is outside IPv4");
    assertThatThrownBy(() -> Cidr.host(1L << 32)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hostIsASlash32() {
    assertThat(Cidr.host(1233974535L)).hasToString("73.140.245.7/32");
  }

  @Test
  void containsAndOverlaps() {
    Cidr office = Cidr.parse("73.140.245.0/24");
    Cidr host = Cidr.parse("73.140.245.200");
    Cidr wide = Cidr.parse("73.140.0.0/16");
    Cidr next = Cidr.parse("73.140.246.0/24");
    assertThat(office.contains(host)).isTrue();
    assertThat(host.contains(office)).isFalse();
    assertThat(wide.contains(office)).isTrue();
    assertThat(office.contains(office)).isTrue();
    assertThat(office.contains(next)).isFalse();
    assertThat(office.overlaps(host)).isTrue();
    assertThat(host.overlaps(office)).isTrue();
    assertThat(office.overlaps(next)).isFalse();
    assertThat(next.overlaps(office)).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(Cidr.parse("255.255.255.255"))).isTrue();
  }

  @Test
  void ordersByAddressThenLargestBlockFirst() {
    List<Cidr> list = new ArrayList<>(List.of(Cidr.parse("73.140.245.7"), Cidr.parse("73.140.245.0/24"),
        Cidr.parse("20.42.0.0/23"), Cidr.parse("73.140.245.0/25"), Cidr.parse("73.140.0.0/16")));
    Collections.sort(list);
    assertThat(list).extracting(Cidr::toString).containsExactly("20.42.0.0/23", "73.140.0.0/16", "73.140.245.0/24",
        "73.140.245.0/25", "73.140.245.7/32");
  }

  @Test
  void equalityIsByValue() {
    assertThat(Cidr.parse("73.140.245.7")).isEqualTo(Cidr.parse("73.140.245.7/32"))
        .isNotEqualTo(Cidr.parse("73.140.245.0/24")).isNotEqualTo("73.140.245.7/32");
    assertThat(Cidr.parse("0.0.0.0/0")).isNotEqualTo(Cidr.parse("0.0.0.0/32"));
  }

  @Test
  void formatsAddresses() {
    assertThat(Cidr.formatAddress(0)).isEqualTo("0.0.0.0");
    assertThat(Cidr.formatAddress(4294967295L)).isEqualTo("255.255.255.255");
    assertThat(Cidr.formatAddress(2306173528L)).isEqualTo("137.117.106.88");
  }
}
