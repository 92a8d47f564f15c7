package io.authip.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time of the benchmark JVM per operation (all its threads: the benchmark, GC, JIT). On a shared machine the
 * wall-clock score grows with everybody else's load; this figure barely does, so it shows what the code costs.
 * Use with {@code -prof io.authip.bench.CpuTimeProfiler}.
 */
public final class CpuTimeProfiler implements InternalProfiler {

  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long before;

  @Override
  public String getDescription() {
    return "process CPU time per operation";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    before = os.getProcessCpuTime();
  }

  @Override
  public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
      IterationResult result) {
    long cpuNanos = os.getProcessCpuTime() - before;
    long ops = Math.max(1, result.getMetadata().getAllOps());
    return List.of(new ScalarResult("·cpu", cpuNanos / 1e6 / ops, "ms/op", AggregationPolicy.AVG));
  }
}
