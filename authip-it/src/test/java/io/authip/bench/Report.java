package io.authip.bench;

import io.authip.emulator.RequestKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The benchmark's tables, in Markdown so that they go into docs/benchmarks.md as printed. */
final class Report {

  private static final double MIB = 1024.0 * 1024.0;

  private Report() {
  }

  static String markdown(List<FleetBenchmark.Result> results, FleetBenchmark.Settings s) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Operator JVM: -Xmx%s -XX:TieredStopAtLevel=1%s; %d CPUs; Java %s (%s); "
            + "poll interval %d ms; propagation delay 0; resync cap %d s; emulator operation delay 0, list pages of "
            + "%d; Azure's limits %s; operator pacing %s.%n%n", s.xmx(),
        s.jvmArgs().isEmpty() ? "" : " " + String.join(" ", s.jvmArgs()),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        System.getProperty("java.vm.name"), s.poll().toMillis(), s.resync().toSeconds(), FleetBenchmark.PAGE_SIZE,
        s.azureLimits() ? "on in the emulator (reads 250 + 25/s and writes 200 + 10/s per principal and subscription, "
            + "AKS PUT 20 + 1/min per cluster, AKS list 500 + 1/s per subscription)" : "off",
        s.pacing() ? "on" : "off"));
    b.append("Convergence (from the operator JVM's start to every target InSync) against the lower bound Azure's "
        + "limits put on the requests made (per subscription: reads beyond 250 at 25/s, writes beyond 200 at 10/s, "
        + "cluster list pages beyond 500 at 1/s; the largest):\n\n");
    b.append("| scenario | policies / targets | converge s | bound s | ratio | limited by | 429s | peak heap MiB "
        + "| RSS MiB | CPU s | harness CPU s | load avg |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (FleetBenchmark.Result r : results) {
      b.append("| ").append(r.scenario().title).append(" | ").append(r.policies()).append(" / ").append(r.targets())
          .append(" | ").append(r.converged() ? f1(r.convergeSeconds())
              : "not in " + f1(r.convergeSeconds()) + " (" + r.inSyncAtEnd() + " in sync)")
          .append(" | ").append(f1(r.bound().seconds())).append(" | ").append(ratio(r.convergeSeconds(),
              r.bound().seconds())).append(" | ").append(r.bound().limitedBy()).append(" | ").append(r.throttled())
          .append(" | ").append(f0(r.atConvergence().peakHeap() / MIB))
          .append(" | ").append(f0(r.atConvergence().rssKiB() / 1024.0))
          .append(" | ").append(f1(r.atConvergence().cpuSeconds()))
          .append(" | ").append(f1(r.harnessCpuSeconds()))
          .append(" | ").append(r.loadBefore()).append(" → ").append(r.loadAtConvergence()).append(" |\n");
    }
    b.append("\nARM requests to converge, actual / minimum (lists in pages):\n\n");
    b.append("| scenario |");
    FleetBenchmark.SHOWN.forEach(k -> b.append(' ').append(k.name().toLowerCase(Locale.ROOT).replace('_', ' '))
        .append(" |"));
    b.append("\n|---|");
    FleetBenchmark.SHOWN.forEach(k -> b.append("---|"));
    b.append('\n');
    for (FleetBenchmark.Result r : results) {
      b.append("| ").append(r.scenario().title);
      for (RequestKind k : FleetBenchmark.SHOWN) {
        b.append(" | ").append(r.calls().get(k)).append(" / ").append(r.minimum().get(k));
      }
      b.append(" |\n");
    }
    b.append("\nSteady state, per resync interval (").append(s.resync().toSeconds()).append(" s), averaged over ")
        .append(s.steadyIntervals()).append(" intervals that start one interval after convergence; reads per hour of "
            + "the busiest subscription as a share of one principal's read budget there (90,000 an hour):\n\n");
    b.append("| scenario | clusters | cluster GET | cluster PUT | other ARM requests | read budget used | 429s "
        + "| CPU s | Kubernetes requests |\n");
    b.append("|---|---|---|---|---|---|---|---|---|\n");
    for (FleetBenchmark.Result r : results) {
      FleetBenchmark.Steady st = r.steady();
      if (st == null) {
        continue;
      }
      b.append("| ").append(r.scenario().title).append(" | ").append(r.targets()).append(" | ")
          .append(f1(st.clusterGets())).append(" | ").append(f1(st.puts())).append(" | ").append(f1(st.otherArm()))
          .append(" | ").append(f2(st.readsPerHourShare() * 100)).append(" % | ").append(st.throttled())
          .append(" | ").append(f2(st.cpuSeconds())).append(" | ").append(f1(st.kubeRequests())).append(" |\n");
    }
    b.append("\nPeak resident memory over the whole run (VmHWM of the operator JVM):\n\n");
    b.append("| scenario | VmHWM MiB | threads |\n|---|---|---|\n");
    for (FleetBenchmark.Result r : results) {
      b.append("| ").append(r.scenario().title).append(" | ").append(f0(r.atEnd().hwmKiB() / 1024.0)).append(" | ")
          .append(r.atEnd().threads()).append(" |\n");
    }
    for (FleetBenchmark.Result r : results) {
      if (r.latenciesMs().isEmpty()) {
        continue;
      }
      List<Double> l = r.latenciesMs();
      b.append("\nChange latency, ").append(r.scenario().title).append(" converged: ").append(l.size())
          .append(" sequential edits of one policy, from the update call's return to the PUT's arrival:\n\n");
      b.append("| edits | p50 ms | p99 ms | max ms | min ms |\n|---|---|---|---|---|\n");
      b.append("| ").append(l.size()).append(" | ").append(f1(p(l, 50))).append(" | ").append(f1(p(l, 99)))
          .append(" | ").append(f1(p(l, 100))).append(" | ").append(f1(p(l, 0))).append(" |\n");
    }
    return b.toString();
  }

  static String oneLine(FleetBenchmark.Result r) {
    StringBuilder b = new StringBuilder("   ");
    for (RequestKind k : FleetBenchmark.SHOWN) {
      b.append(k.name().toLowerCase(Locale.ROOT)).append(' ').append(r.calls().get(k)).append('/')
          .append(r.minimum().get(k)).append("  ");
    }
    b.append(String.format(Locale.ROOT, "| bound %.1f s (%s), ratio %s, 429s %d ", r.bound().seconds(),
        r.bound().limitedBy(), ratio(r.convergeSeconds(), r.bound().seconds()), r.throttled()));
    b.append(String.format(Locale.ROOT,
        "| load %s -> %s | peak heap %.0f MiB, RSS %.0f MiB (HWM %.0f), CPU %.1f s (harness %.1f s)", r.loadBefore(),
        r.loadAtConvergence(), r.atConvergence().peakHeap() / MIB, r.atConvergence().rssKiB() / 1024.0,
        r.atEnd().hwmKiB() / 1024.0, r.atConvergence().cpuSeconds(), r.harnessCpuSeconds()));
    return b.toString();
  }

  /** Nearest-rank percentile; 0 is the minimum, 100 the maximum. */
  static double p(List<Double> values, int percentile) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  /** Convergence over its bound, or n/a when the buckets hold every request (a bound of 0). */
  static String ratio(double seconds, double bound) {
    return bound <= 0 ? "n/a (within the buckets)" : f2(seconds / bound);
  }

  static String ms(double v) {
    return f1(v) + " ms";
  }

  private static String f0(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static String f1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String f2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
