package io.authip.bench;

import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import io.authip.ranges.SpecialRanges;
import io.authip.ranges.SupernetCover;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The optimal cover ({@link SupernetCover#fit}) of an {@code AzureCloud}-sized set: {@code size} public prefixes of
 * /16 to /30 (most /20 to /27, as in the service tag files) drawn in 24 provider /8s with a fixed seed, merged into
 * their canonical set first, then covered with at most {@code k} blocks. The work is bounded by about n·K pairs
 * of table entries (n blocks in the set); setup prints n, the pairs the program combined and the cover. Run
 * with {@code bench/ranges.sh SupernetCoverBenchmark} (see docs/benchmarks.md). Not a test: surefire never runs it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SupernetCoverBenchmark {

  /** First octets where cloud providers' public ranges lie (Azure's service tags use most of these). */
  static final int[] FIRST_OCTETS = {4, 13, 20, 23, 40, 51, 52, 57, 65, 68, 70, 74, 94, 98, 102, 104, 108, 131, 137,
      138, 157, 168, 191, 207};

  @Param({"10000"})
  int size;

  @Param({"200"})
  int k;

  CidrSet set;

  @Setup
  public void generate() {
    set = generate(size, 42);
    SupernetCover.Result r = SupernetCover.fit(set, k, CidrSet.empty(), CidrSet.empty()).orElseThrow();
    System.out.printf("%n%d prefixes -> %d blocks after merging; cover with at most %d: %s; table pairs combined "
        + "%d (n·K = %d)%n", size, set.size(), k, r.summary(), r.work(), (long) set.size() * k);
  }

  static CidrSet generate(int size, long seed) {
    Random random = new Random(seed);
    List<Cidr> out = new ArrayList<>(size);
    while (out.size() < size) {
      int len = random.nextInt(10) < 8 ? 20 + random.nextInt(8) : 16 + random.nextInt(15);
      long a = ((long) FIRST_OCTETS[random.nextInt(FIRST_OCTETS.length)] << 24) | random.nextInt(1 << 24);
      Cidr c = Cidr.of(a & ~((1L << (32 - len)) - 1) & 0xFFFFFFFFL, len);
      if (SpecialRanges.firstOverlap(c).isEmpty()) {
        out.add(c);
      }
    }
    return CidrSet.of(out);
  }

  @Benchmark
  public SupernetCover.Result fit() {
    return SupernetCover.fit(set, k, CidrSet.empty(), CidrSet.empty()).orElseThrow();
  }
}
