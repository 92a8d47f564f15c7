package io.authip.bench;

import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import io.authip.ranges.RangeRules;
import io.authip.ranges.SpecialRanges;
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
 * Canonicalize + aggregate {@code size} random public prefixes (lengths /16 to /32, uniformly random aligned
 * starts, drawn again when they touch a non-public range), from four starting points:
 * <ul>
 *   <li>{@code blocks}: primitive arrays, {@link CidrSet#ofBlocks};</li>
 *   <li>{@code cidrs}: parsed {@link Cidr} values, {@link CidrSet#of(java.util.Collection)};</li>
 *   <li>{@code strings}: text such as {@code 20.42.17.0/24}, parsed strictly, {@link CidrSet#parse};</li>
 *   <li>{@code stringsWithRules}: text checked against every rule as {@code authip ranges} does
 *       ({@link RangeRules#check}: syntax, host bits, public-only), then aggregated.</li>
 * </ul>
 * Run with {@code bench/ranges.sh} (see docs/benchmarks.md). Not a test: surefire never runs it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CidrSetBenchmark {

  @Param({"10000", "1000000"})
  int size;

  long[] starts;
  int[] prefixes;
  List<Cidr> cidrs;
  List<String> strings;

  @Setup
  public void generate() {
    Random random = new Random(42);
    starts = new long[size];
    prefixes = new int[size];
    cidrs = new ArrayList<>(size);
    strings = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      Cidr c;
      do {
        int prefix = 16 + random.nextInt(17);
        long mask = (1L << 32) - (1L << (32 - prefix));
        c = Cidr.of(random.nextLong(1L << 32) & mask, prefix);
      } while (SpecialRanges.firstOverlap(c).isPresent());
      starts[i] = c.start();
      prefixes[i] = c.prefix();
      cidrs.add(c);
      strings.add(c.toString());
    }
  }

  @Benchmark
  public CidrSet blocks() {
    return CidrSet.ofBlocks(starts, prefixes, size);
  }

  @Benchmark
  public CidrSet cidrs() {
    return CidrSet.of(cidrs);
  }

  @Benchmark
  public CidrSet strings() {
    return CidrSet.parse(strings);
  }

  @Benchmark
  public CidrSet stringsWithRules() {
    List<Cidr> valid = new ArrayList<>(strings.size());
    for (String s : strings) {
      if (RangeRules.check(s) instanceof RangeRules.Checked.Valid v) {
        valid.add(v.cidr());
      } else {
        throw new IllegalStateException("generated an invalid entry: " + s);
      }
    }
    return CidrSet.of(valid);
  }
}
