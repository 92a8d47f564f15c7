package io.authip.ranges;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Worked examples of canonicalization; {@link CidrSetPropertyTest} covers random inputs. */
class CidrSetTest {

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      # input (comma-separated) | canonical set
      73.140.245.0/24|73.140.245.0/24
      73.140.245.7|73.140.245.7/32
      73.140.245.7,73.140.245.7/32,73.140.245.7|73.140.245.7/32
      20.42.0.0/24,20.42.1.0/24,52.160.96.17|20.42.0.0/23,52.160.96.17/32
      20.42.1.0/24,20.42.0.0/24|20.42.0.0/23
      73.140.0.0/16,73.140.245.0/24,73.140.245.7|73.140.0.0/16
      73.140.245.0/24,73.140.0.0/16|73.140.0.0/16
      73.140.245.0/24,73.140.246.0/24|73.140.245.0/24,73.140.246.0/24
      73.140.244.0/24,73.140.245.0/24,73.140.246.0/24|73.140.244.0/23,73.140.246.0/24
      73.140.244.0/24,73.140.245.0/24,73.140.246.0/24,73.140.247.0/24|73.140.244.0/22
      52.160.96.17,52.160.96.18,52.160.96.19|52.160.96.17/32,52.160.96.18/31
      52.160.96.16/29,52.160.96.24/29,52.160.96.32/28|52.160.96.16/28,52.160.96.32/28
      52.160.96.0/25,52.160.96.64/26,52.160.96.128/25|52.160.96.0/24
      52.160.96.0/24,52.160.96.128/25,52.160.96.192/26|52.160.96.0/24
      52.0.0.0/8,20.0.0.0/8|20.0.0.0/8,52.0.0.0/8
      0.0.0.0/1,128.0.0.0/1|0.0.0.0/0
      0.0.0.0/0,73.140.245.7|0.0.0.0/0
      255.255.255.254,255.255.255.255|255.255.255.254/31
      0.0.0.0,0.0.0.1,0.0.0.2|0.0.0.0/31,0.0.0.2/32
      137.117.106.88/29,137.117.106.96/27,137.117.106.128/25|137.117.106.88/29,137.117.106.96/27,137.117.106.128/25
      137.117.106.87,137.117.106.88/29,137.117.106.96|137.117.106.87/32,137.117.106.88/29,137.117.106.96/32
      """)
  void canonicalizes(String input, String expected) {
    CidrSet set = CidrSet.parse(Arrays.asList(input.split(",")));
    assertThat(set).hasToString(expected);
    assertThat(set.toStrings()).containsExactly(expected.split(","));
    assertThat(set.size()).isEqualTo(expected.split(",").length);
    assertThat(CidrSet.parse(set.toStrings())).as("idempotent").isEqualTo(set);
  }

  @Test
  void a256AddressRunBecomesOneBlockAndAnUnalignedRunTheFewestBlocks() {
    List<Cidr> hosts = new ArrayList<>();
    for (long a = 1233974528L; a < 1233974528L + 256; a++) {
      hosts.add(Cidr.host(a));
    }
    assertThat(CidrSet.of(hosts)).hasToString("73.140.245.0/24");
    // 73.140.245.1 .. 73.140.246.254: the aligned split of [x.1, y.254].
    List<Cidr> unaligned = new ArrayList<>();
    for (long a = 1233974529L; a <= 1233974528L + 510; a++) {
      unaligned.add(Cidr.host(a));
    }
    assertThat(CidrSet.of(unaligned).toStrings()).containsExactly("73.140.245.1/32", "73.140.245.2/31",
        "73.140.245.4/30", "73.140.245.8/29", "73.140.245.16/28", "73.140.245.32/27", "73.140.245.64/26",
        "73.140.245.128/25", "73.140.246.0/25", "73.140.246.128/26", "73.140.246.192/27", "73.140.246.224/28",
        "73.140.246.240/29", "73.140.246.248/30", "73.140.246.252/31", "73.140.246.254/32");
    assertThat(CidrSet.of(unaligned).addressCount()).isEqualTo(510);
  }

  @Test
  void theWorstCaseIntervalSplitsInto62Blocks() {
    // [0.0.0.1, 255.255.255.254], written as 302 blocks: a ladder up inside 0/8, the /8s 1..254, a ladder down
    // inside 255/8. Its fewest-blocks cover is 31 blocks growing up to /2 and 31 shrinking back to /32.
    List<Cidr> input = new ArrayList<>();
    for (int k = 0; k <= 23; k++) {
      input.add(Cidr.of(1L << k, 32 - k));
      input.add(Cidr.of((1L << 32) - (1L << (k + 1)), 32 - k));
    }
    for (long octet = 1; octet <= 254; octet++) {
      input.add(Cidr.of(octet << 24, 8));
    }
    CidrSet set = CidrSet.of(input);
    assertThat(set.size()).isEqualTo(62);
    assertThat(set.addressCount()).isEqualTo((1L << 32) - 2);
    assertThat(set.containsAddress(0)).isFalse();
    assertThat(set.containsAddress((1L << 32) - 1)).isFalse();
    assertThat(set.get(0)).hasToString("0.0.0.1/32");
    assertThat(set.toStrings()).contains("1.0.0.0/8", "2.0.0.0/7", "64.0.0.0/2", "128.0.0.0/2", "254.0.0.0/8");
    assertThat(set.get(61)).hasToString("255.255.255.254/32");
  }

  @Test
  void parseAcceptsWhatTheParserAcceptsAndThrowsOnTheFirstRefusal() {
    assertThat(CidrSet.parse(List.of(" 20.42.1.0/24\t", "20.42.0.0/24", "52.160.96.17")))
        .hasToString("20.42.0.0/23,52.160.96.17/32");
    assertThatThrownBy(() -> CidrSet.parse(List.of("73.140.245.0/24", "137.117.106.90/29", "010.0.0.0/8")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("137.117.106.90/29 is not the first address of its range; did you mean 137.117.106.88/29?");
    assertThatThrownBy(() -> CidrSet.parse(java.util.Arrays.asList("73.140.245.0/24", null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("is missing");
  }

  @Test
  void emptySet() {
    assertThat(CidrSet.empty().isEmpty()).isTrue();
    assertThat(CidrSet.of()).isEqualTo(CidrSet.empty());
    assertThat(CidrSet.of(List.of())).isEqualTo(CidrSet.empty());
    assertThat(CidrSet.ofBlocks(new long[0], new int[0], 0)).isEqualTo(CidrSet.empty());
    assertThat(CidrSet.empty().size()).isZero();
    assertThat(CidrSet.empty().addressCount()).isZero();
    assertThat(CidrSet.empty().containsAddress(0)).isFalse();
    assertThat(CidrSet.empty()).hasToString("");
    assertThat(CidrSet.empty().union(CidrSet.empty())).isEqualTo(CidrSet.empty());
  }

  @Test
  void containsAddressAtTheEdgesOfEveryBlock() {
    CidrSet set = CidrSet.parse(List.of("20.42.0.0/23", "52.160.96.17", "137.117.106.88/29"));
    for (Cidr c : set.cidrs()) {
      assertThat(set.containsAddress(c.start())).isTrue();
      assertThat(set.containsAddress(c.end())).isTrue();
      assertThat(set.containsAddress(c.start() - 1)).isFalse();
      assertThat(set.containsAddress(c.end() + 1)).isFalse();
    }
    assertThat(set.addressCount()).isEqualTo(512 + 1 + 8);
  }

  @Test
  void coversIsExactSetInclusion() {
    CidrSet set = CidrSet.parse(List.of("20.42.0.0/24", "20.42.1.0/24"));
    assertThat(set.covers(Cidr.parse("20.42.0.0/23"))).isTrue();
    assertThat(set.covers(Cidr.parse("20.42.1.128/25"))).isTrue();
    assertThat(set.covers(Cidr.parse("20.42.0.0/22"))).isFalse();
    assertThat(set.covers(Cidr.parse("20.42.2.0"))).isFalse();
    assertThat(CidrSet.empty().covers(Cidr.parse("20.42.2.0"))).isFalse();
  }

  @Test
  void unionMergesAcrossSets() {
    CidrSet a = CidrSet.parse(List.of("20.42.0.0/24", "52.160.96.17"));
    CidrSet b = CidrSet.parse(List.of("20.42.1.0/24", "52.160.96.16"));
    assertThat(a.union(b)).hasToString("20.42.0.0/23,52.160.96.16/31");
    assertThat(a.union(CidrSet.empty())).isSameAs(a);
    assertThat(CidrSet.empty().union(b)).isSameAs(b);
  }

  @Test
  void accessorsAgree() {
    CidrSet set = CidrSet.parse(List.of("52.160.96.17", "20.42.0.0/23"));
    assertThat(set.get(0)).isEqualTo(Cidr.parse("20.42.0.0/23"));
    assertThat(set.get(1)).isEqualTo(Cidr.parse("52.160.96.17/32"));
    assertThat(set.cidrs()).containsExactly(set.get(0), set.get(1));
    assertThatThrownBy(() -> set.cidrs().add(Cidr.parse("1.1.1.1"))).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> set.toStrings().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void equalityIgnoresSpellingOrderAndDuplicates() {
    CidrSet a = CidrSet.parse(List.of("52.160.96.17", "20.42.0.0/24", "20.42.1.0/24"));
    CidrSet b = CidrSet.parse(List.of("20.42.0.0/23", "52.160.96.17/32", "20.42.0.128/25", "52.160.96.17"));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(CidrSet.parse(List.of("20.42.0.0/23"))).isNotEqualTo("20.42.0.0/23");
  }

  @Test
  void ofBlocksDoesNotChangeItsInputAndMatchesOf() {
    long[] starts = {1233974784L, 1233974528L, 1233974528L};
    int[] prefixes = {24, 24, 25};
    CidrSet set = CidrSet.ofBlocks(starts, prefixes, 3);
    assertThat(set).hasToString("73.140.245.0/24,73.140.246.0/24");
    assertThat(starts).containsExactly(1233974784L, 1233974528L, 1233974528L);
    assertThat(CidrSet.ofBlocks(starts, prefixes, 1)).hasToString("73.140.246.0/24");
  }

  @Test
  void ofBlocksRefusesWhatIsNotABlock() {
    assertThatThrownBy(() -> CidrSet.ofBlocks(new long[] {2306173530L}, new int[] {29}, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("not a CIDR block: 137.117.106.90/29");
    assertThatThrownBy(() -> CidrSet.ofBlocks(new long[] {0}, new int[] {33}, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("not a CIDR block: 0.0.0.0/33");
    assertThatThrownBy(() -> CidrSet.ofBlocks(new long[] {0}, new int[] {-1}, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("not a CIDR block: 0.0.0.0/-1");
    assertThatThrownBy(() -> CidrSet.ofBlocks(new long[] {1L << 32}, new int[] {0}, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("not a CIDR block: address 4294967296 is outside "
            + "IPv4");
    assertThatThrownBy(() -> CidrSet.ofBlocks(new long[] {-256}, new int[] {24}, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("not a CIDR block: address -256 is outside IPv4");
  }

  @org.junit.jupiter.api.Test
  void coversAndFirstOverlapAgreeWithAddressByAddressOnRandomSets() {
    java.util.Random random = new java.util.Random(7);
    for (int round = 0; round < 300; round++) {
      java.util.List<Cidr> blocks = new java.util.ArrayList<>();
      for (int i = 0; i < 1 + random.nextInt(6); i++) {
        int len = 26 + random.nextInt(7);
        long a = Cidr.parse("20.0.0.0/26").start() + random.nextInt(64);
        blocks.add(Cidr.of(a & ~((1L << (32 - len)) - 1), len));
      }
      CidrSet set = CidrSet.of(blocks);
      for (int len = 26; len <= 32; len++) {
        for (long a = Cidr.parse("20.0.0.0/26").start(); a < Cidr.parse("20.0.0.64/32").start(); a += 1L << (32 - len)) {
          Cidr c = Cidr.of(a, len);
          boolean all = true;
          boolean any = false;
          for (long x = c.start(); x <= c.end(); x++) {
            all &= set.containsAddress(x);
            any |= set.containsAddress(x);
          }
          org.assertj.core.api.Assertions.assertThat(set.covers(c)).as("%s covers %s", set, c).isEqualTo(all);
          org.assertj.core.api.Assertions.assertThat(set.firstOverlap(c).isPresent()).as("%s overlaps %s", set, c)
              .isEqualTo(any);
          set.firstOverlap(c).ifPresent(o -> org.assertj.core.api.Assertions.assertThat(o.overlaps(c)).isTrue());
        }
      }
    }
  }
}
