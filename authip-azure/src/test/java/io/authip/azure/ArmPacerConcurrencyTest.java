package io.authip.azure;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.azure.ArmPacer.Call;
import io.authip.azure.ArmPacer.Kind;
import io.authip.azure.ArmPacer.Limits;
import io.authip.azure.ArmPacer.Priority;
import io.authip.azure.ArmPacer.Reservation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Many threads on one pacer: every slot handed out once, in each thread's order, and no accounting lost. */
class ArmPacerConcurrencyTest {

  static final String SUB = "00000000-0000-0000-0000-0000000000aa";
  static final int THREADS = 8;

  @Test
  void contendingThreadsGetDistinctSlotsOneIntervalApart() throws Exception {
    AtomicLong nanos = new AtomicLong(0);
    ArmPacer pacer = new ArmPacer(Limits.azure(), nanos::get);
    int perThread = 2_000;
    ConcurrentLinkedQueue<Long> all = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> outOfOrder = new ConcurrentLinkedQueue<>();
    runOnThreads(t -> {
      long last = -1;
      for (int i = 0; i < perThread; i++) {
        long d = pacer.reserve("p", SUB, null, Call.CLUSTER_GET, Priority.URGENT).delay().toNanos();
        if (d < last || (d == last && d > 0)) {
          outOfOrder.add(t + ": " + d + " after " + last);
        }
        last = d;
        all.add(d);
      }
    });
    assertThat(outOfOrder).isEmpty();
    List<Long> sorted = new ArrayList<>(all);
    Collections.sort(sorted);
    long interval = Duration.ofMillis(40).toNanos();
    List<Long> expected = new ArrayList<>();
    for (int i = 0; i < THREADS * perThread; i++) {
      expected.add(Math.max(0, i - 249) * interval);
    }
    assertThat(sorted).isEqualTo(expected);
    assertThat(pacer.counters(Kind.READ).reserved()).isEqualTo(THREADS * perThread);
    assertThat(pacer.counters(Kind.READ).delayed()).isEqualTo(THREADS * perThread - 250);
  }

  @Test
  void reservingReleasingCorrectingAndSweepingTogetherLoseNoToken() throws Exception {
    AtomicLong nanos = new AtomicLong(0);
    ArmPacer pacer = new ArmPacer(Limits.azure().withIdleAfter(Duration.ofMillis(5)), nanos::get);
    runOnThreads(t -> {
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      List<Reservation> held = new ArrayList<>();
      for (int i = 0; i < 5_000; i++) {
        String sub = "00000000-0000-0000-0000-00000000000" + rnd.nextInt(4);
        String cluster = ArmPacer.clusterId(sub, "rg", "c" + rnd.nextInt(3));
        switch (rnd.nextInt(10)) {
          case 0 -> pacer.sweep();
          case 1 -> nanos.addAndGet(rnd.nextLong(1, 3_000_000));
          case 2 -> pacer.observe("p" + t, sub, Kind.READ, 240 + rnd.nextInt(20));
          default -> held.add(pacer.reserve("p" + t, sub, cluster,
              rnd.nextBoolean() ? Call.CLUSTER_PUT : Call.CLUSTER_LIST_PAGE,
              rnd.nextBoolean() ? Priority.URGENT : Priority.ROUTINE));
        }
      }
      held.forEach(Reservation::release);
    });
    // Everything given back: once the time of any correction has passed, every bucket is full again.
    nanos.addAndGet(Duration.ofHours(2).toNanos());
    assertThat(pacer.buckets()).allSatisfy(b -> assertThat(b.tokens()).isEqualTo((double) b.size()));
    int kept = pacer.buckets().size();
    assertThat(kept).isPositive();
    assertThat(pacer.sweep()).isEqualTo(kept);
    assertThat(pacer.buckets()).isEmpty();
  }

  interface Body {
    void run(int thread) throws Exception;
  }

  static void runOnThreads(Body body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          start.await();
          body.run(thread);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
