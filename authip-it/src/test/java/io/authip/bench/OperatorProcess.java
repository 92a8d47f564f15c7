package io.authip.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.authip.cli.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The operator process of a benchmark scenario: exactly {@code authip run} (configured by the environment the
 * harness gives it), plus a line protocol on standard input so that the harness can read this process's own
 * figures at the moments it chooses. {@code stats} answers one line {@code BENCH-STATS <json>} on standard output;
 * the operator logs on standard error.
 */
public final class OperatorProcess {

  static final String STATS_PREFIX = "BENCH-STATS ";

  /** The largest heap occupancy seen: just before each collection, and at each stats request. */
  private static final AtomicLong PEAK_HEAP = new AtomicLong();

  private OperatorProcess() {
  }

  public static void main(String[] args) {
    watchCollections();
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    // The operator itself writes nothing on standard output, so the protocol has it to itself.
    System.setOut(System.err);
    Thread stats = new Thread(() -> serveStats(out), "bench-stats");
    stats.setDaemon(true);
    stats.start();
    Main.main(new String[] {"run"});
  }

  private static void serveStats(PrintStream out) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.strip().equals("stats")) {
          out.println(STATS_PREFIX + snapshot());
        }
      }
    } catch (IOException e) {
      System.err.println("bench-stats: standard input failed: " + e);
    }
  }

  /** JSON with cpuNanos, heapUsed, peakHeap, rssKiB, hwmKiB, threads. */
  static String snapshot() {
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        used += pool.getUsage().getUsed();
      }
    }
    PEAK_HEAP.accumulateAndGet(used, Math::max);
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long[] mem = procStatus();
    return "{\"cpuNanos\":" + os.getProcessCpuTime() + ",\"heapUsed\":" + used + ",\"peakHeap\":" + PEAK_HEAP.get()
        + ",\"rssKiB\":" + mem[0] + ",\"hwmKiB\":" + mem[1] + ",\"threads\":"
        + ManagementFactory.getThreadMXBean().getThreadCount() + "}";
  }

  /** VmRSS and VmHWM of this process, in KiB. */
  private static long[] procStatus() {
    long rss = -1;
    long hwm = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = kib(line);
        } else if (line.startsWith("VmHWM:")) {
          hwm = kib(line);
        }
      }
    } catch (IOException e) {
      System.err.println("bench-stats: cannot read /proc/self/status: " + e);
    }
    return new long[] {rss, hwm};
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  /** Heap occupancy peaks right before a collection: record it there, where sampling would miss it. */
  private static void watchCollections() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (!(gc instanceof NotificationEmitter emitter)) {
        continue;
      }
      emitter.addNotificationListener((notification, handback) -> {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
          return;
        }
        var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        long before = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
          MemoryUsage u = info.getGcInfo().getMemoryUsageBeforeGc().get(pool.getName());
          if (pool.getType() == MemoryType.HEAP && u != null) {
            before += u.getUsed();
          }
        }
        PEAK_HEAP.accumulateAndGet(before, Math::max);
      }, null, null);
    }
  }
}
