package io.authip.sources;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.ranges.CidrSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShrinkGuardTest {

  static CidrSet set(String... cidrs) {
    return CidrSet.parse(List.of(cidrs));
  }

  @Test
  void aRemovalAboveTheThresholdIsHeldAndDescribed() {
    CidrSet before = set("20.42.0.0/22", "52.1.0.0/24");
    CidrSet after = set("20.42.0.0/23", "52.1.0.0/24", "40.1.0.0/24");
    ShrinkGuard.Change c = ShrinkGuard.held(before, after, 10).orElseThrow();
    assertThat(c.removed().toStrings()).containsExactly("20.42.2.0/23");
    assertThat(c.added().toStrings()).containsExactly("40.1.0.0/24");
    assertThat(c.removedPercent()).isEqualTo(512 * 100.0 / 1280);
    assertThat(c.summary()).isEqualTo("+1 block (256 addresses), -1 block (512 addresses, 40.0 %): added "
        + "40.1.0.0/24; removed 20.42.2.0/23");
    assertThat(ShrinkGuard.held(before, after, 40)).isEmpty();
    assertThat(ShrinkGuard.held(before, after, 39)).isPresent();
  }

  @Test
  void additionsAloneAreNeverHeld() {
    assertThat(ShrinkGuard.held(set("20.42.0.0/24"), set("20.42.0.0/24", "40.0.0.0/8"), 0)).isEmpty();
    assertThat(ShrinkGuard.change(set("20.42.0.0/24"), set("20.42.0.0/24")).isEmpty()).isTrue();
  }

  @Test
  void minusIsExactOnRandomSets() {
    long seed = 20261206L;
    System.out.println("ShrinkGuardTest seed " + seed);
    java.util.Random random = new java.util.Random(seed);
    for (int round = 0; round < 300; round++) {
      CidrSet a = random(random);
      CidrSet b = random(random);
      CidrSet d = a.minus(b);
      // every address of a small window: in d exactly when in a and not in b
      for (long x = 0x14000000L; x < 0x14000000L + 4096; x++) {
        assertThat(d.containsAddress(x)).as("seed %s round %s address %s", seed, round, x)
            .isEqualTo(a.containsAddress(x) && !b.containsAddress(x));
      }
      assertThat(d.union(b)).isEqualTo(a.union(b));
      assertThat(d.addressCount()).isEqualTo(a.addressCount() - a.minus(d).addressCount());
    }
  }

  private static CidrSet random(java.util.Random r) {
    List<io.authip.ranges.Cidr> out = new java.util.ArrayList<>();
    int n = r.nextInt(12);
    for (int i = 0; i < n; i++) {
      int prefix = 20 + r.nextInt(13);
      long start = 0x14000000L + (r.nextInt(4096) & ~((1 << (32 - prefix)) - 1));
      out.add(io.authip.ranges.Cidr.of(start, prefix));
    }
    return CidrSet.of(out);
  }
}
