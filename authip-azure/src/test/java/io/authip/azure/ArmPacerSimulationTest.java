package io.authip.azure;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.azure.ArmPacer.Call;
import io.authip.azure.ArmPacer.Limit;
import io.authip.azure.ArmPacer.Limits;
import io.authip.azure.ArmPacer.Priority;
import io.authip.azure.ArmPacer.Reservation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Callers that never sleep, driven by simulated time: each one reserves, gives up its turn until its slot (or the
 * time to ask again), then sends to a model of ARM's bucket written independently of the pacer (fractional
 * tokens, refilled continuously). Checks that the server never throttles, that throughput is the published limit,
 * and how urgent and routine calls share a bucket.
 */
class ArmPacerSimulationTest {

  static final String SUB = "00000000-0000-0000-0000-0000000000aa";
  static final String CLUSTER = ArmPacer.clusterId(SUB, "rg", "c");
  static final long SECOND = 1_000_000_000L;

  /** ARM's side: a token bucket with continuous refill. */
  static final class ServerBucket {
    final double size;
    final double perNano;
    double tokens;
    long last;
    int accepted;
    int throttled;

    ServerBucket(Limit limit, long now) {
      this.size = limit.size();
      this.perNano = 1.0 / limit.refillEvery().toNanos();
      this.tokens = size;
      this.last = now;
    }

    boolean send(long now) {
      tokens = Math.min(size, tokens + (now - last) * perNano);
      last = now;
      if (tokens < 1 - 1e-9) {
        throttled++;
        return false;
      }
      tokens -= 1;
      accepted++;
      return true;
    }
  }

  /** One caller's next turn. */
  record Turn(long at, long seq, int caller, Reservation held, long wantedAt) {
  }

  final AtomicLong now = new AtomicLong(0);
  final ArmPacer pacer = new ArmPacer(Limits.azure(), now::get);
  final PriorityQueue<Turn> turns = new PriorityQueue<>((a, b) -> a.at() != b.at() ? Long.compare(a.at(), b.at())
      : Long.compare(a.seq(), b.seq()));
  long seq;

  void schedule(long at, int caller, Reservation held, long wantedAt) {
    turns.add(new Turn(at, seq++, caller, held, wantedAt));
  }

  /** Reserves and, when the call may not go now, gives up the turn until it may (or may ask again). */
  Turn take(Call call, Priority priority, int caller, Reservation held, long wantedAt) {
    Reservation r = held != null && held.granted() ? held
        : pacer.reserve("p", SUB, call == Call.CLUSTER_PUT ? CLUSTER : null, call, priority);
    Duration remaining = r.remaining();
    if (remaining.isZero() && r.granted()) {
      return new Turn(now.get(), -1, caller, r, wantedAt);
    }
    schedule(now.get() + remaining.toNanos(), caller, r, wantedAt);
    return null;
  }

  @Test
  void manyUrgentCallersGoAtExactlyTheRefillRateInOrderAndAreNeverThrottled() {
    ServerBucket arm = new ServerBucket(Limits.azure().reads(), 0);
    List<Long> sentAt = new ArrayList<>();
    for (int c = 0; c < 100; c++) {
      schedule(0, c, null, 0);
    }
    long end = 60 * SECOND;
    while (!turns.isEmpty() && turns.peek().at() <= end) {
      Turn t = turns.poll();
      now.set(t.at());
      Turn go = take(Call.CLUSTER_GET, Priority.URGENT, t.caller(), t.held(), t.wantedAt());
      if (go != null) {
        assertThat(arm.send(now.get())).isTrue();
        sentAt.add(now.get());
        schedule(now.get(), t.caller(), null, now.get()); // at once, the next call
      }
    }
    assertThat(arm.throttled).isZero();
    // The bucket at once, then one per 40 ms: 250 + 60 s x 25/s.
    assertThat(arm.accepted).isEqualTo(250 + 1500);
    // After the first burst every call has its own slot, exactly one interval after the previous one.
    for (int i = 251; i < sentAt.size(); i++) {
      assertThat(sentAt.get(i) - sentAt.get(i - 1)).isEqualTo(40_000_000L);
    }
  }

  @Test
  void routineResyncUsesWhatUrgentWorkLeavesAndNeverDelaysItByMoreThanTheReservesRefill() {
    ServerBucket arm = new ServerBucket(Limits.azure().reads(), 0);
    int routineCallers = 50;
    long reserveRefill = 50 * 40_000_000L;
    long urgentEvery = 200_000_000L; // 5 urgent calls a second, below the refill rate
    for (int c = 0; c < routineCallers; c++) {
      schedule(0, c, null, 0);
    }
    schedule(SECOND, -1, null, SECOND); // the urgent arrivals, numbered -1, -2, ...
    long end = 120 * SECOND;
    int routineSent = 0;
    int urgentSent = 0;
    long worstUrgentWait = 0;
    while (!turns.isEmpty() && turns.peek().at() <= end) {
      Turn t = turns.poll();
      now.set(t.at());
      boolean urgent = t.caller() < 0;
      if (urgent && t.held() == null) {
        schedule(now.get() + urgentEvery, t.caller() - 1, null, now.get() + urgentEvery);
      }
      Turn go = take(Call.CLUSTER_GET, urgent ? Priority.URGENT : Priority.ROUTINE, t.caller(), t.held(),
          t.wantedAt());
      if (go == null) {
        continue;
      }
      assertThat(arm.send(now.get())).isTrue();
      if (urgent) {
        urgentSent++;
        worstUrgentWait = Math.max(worstUrgentWait, now.get() - t.wantedAt());
      } else {
        routineSent++;
        schedule(now.get(), t.caller(), null, now.get());
      }
    }
    assertThat(arm.throttled).isZero();
    assertThat(urgentSent).isGreaterThanOrEqualTo(590);
    assertThat(worstUrgentWait).isLessThanOrEqualTo(reserveRefill);
    // Routine work gets the rest: the whole bucket less at most its reserve, over 2 minutes.
    assertThat(urgentSent + routineSent).isBetween(250 + 120 * 25 - 51, 250 + 120 * 25);
    assertThat(routineSent).isGreaterThan(120 * 25 - 120 * 5 - 51);
    assertThat(pacer.counters(ArmPacer.Kind.READ).refused()).isPositive();
  }

  @Test
  void clusterPutsOfOneClusterGoAtOnePerMinuteOnceItsBucketIsEmpty() {
    ServerBucket aks = new ServerBucket(Limits.azure().clusterPut(), 0);
    ServerBucket writes = new ServerBucket(Limits.azure().writes(), 0);
    for (int c = 0; c < 30; c++) {
      schedule(0, c, null, 0);
    }
    long end = 10 * 60 * SECOND;
    while (!turns.isEmpty() && turns.peek().at() <= end) {
      Turn t = turns.poll();
      now.set(t.at());
      if (take(Call.CLUSTER_PUT, Priority.URGENT, t.caller(), t.held(), t.wantedAt()) != null) {
        assertThat(aks.send(now.get())).isTrue();
        assertThat(writes.send(now.get())).isTrue();
        schedule(now.get() + SECOND, t.caller(), null, now.get() + SECOND);
      }
    }
    assertThat(aks.throttled).isZero();
    assertThat(aks.accepted).isEqualTo(20 + 10);
  }

  @Test
  void afterA429EveryCallerWaitsForTheRetryAfterAndThenGoesOneAtATime() {
    ServerBucket arm = new ServerBucket(Limits.azure().reads(), 0);
    List<Long> sentAt = new ArrayList<>();
    for (int c = 0; c < 40; c++) {
      schedule(0, c, null, 0);
    }
    long blockAt = 10 * SECOND;
    boolean blocked = false;
    long end = 30 * SECOND;
    while (!turns.isEmpty() && turns.peek().at() <= end) {
      Turn t = turns.poll();
      now.set(t.at());
      if (!blocked && now.get() >= blockAt) {
        // Someone else emptied the subscription's bucket; ARM says: come back in 5 s.
        blocked = true;
        pacer.throttled("p", SUB, ArmPacer.Kind.READ, Duration.ofSeconds(5));
        arm.tokens = -5 * 25 + 1;
      }
      if (take(Call.CLUSTER_GET, Priority.URGENT, t.caller(), t.held(), t.wantedAt()) != null) {
        assertThat(arm.send(now.get())).isTrue();
        sentAt.add(now.get());
        schedule(now.get(), t.caller(), null, now.get());
      }
    }
    assertThat(arm.throttled).isZero();
    assertThat(sentAt).noneMatch(at -> at > blockAt && at < blockAt + 5 * SECOND);
    List<Long> after = sentAt.stream().filter(at -> at >= blockAt + 5 * SECOND).toList();
    for (int i = 1; i < after.size(); i++) {
      assertThat(after.get(i) - after.get(i - 1)).as("spread, not a herd").isGreaterThanOrEqualTo(40_000_000L);
    }
  }
}
