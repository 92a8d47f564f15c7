package io.authip.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.authip.azure.ArmPacer.BucketState;
import io.authip.azure.ArmPacer.Call;
import io.authip.azure.ArmPacer.Kind;
import io.authip.azure.ArmPacer.Limit;
import io.authip.azure.ArmPacer.Limits;
import io.authip.azure.ArmPacer.Priority;
import io.authip.azure.ArmPacer.Reservation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ArmPacerTest {

  static final String ME = "principal-a";
  static final String OTHER = "principal-b";
  static final String SUB = "00000000-0000-0000-0000-0000000000aa";
  static final String CLUSTER = ArmPacer.clusterId(SUB, "rg", "c1");
  static final String CLUSTER2 = ArmPacer.clusterId(SUB, "rg", "c2");
  static final Duration READ_EVERY = Duration.ofMillis(40);
  static final Duration WRITE_EVERY = Duration.ofMillis(100);

  /** Starts far from zero and negative: the pacer must not assume any origin of the nano clock. */
  final AtomicLong nanos = new AtomicLong(-5_000_000_000_000L);
  final ArmPacer pacer = new ArmPacer(Limits.azure(), nanos::get);

  void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  Reservation read(Priority p) {
    return pacer.reserve(ME, SUB, null, Call.CLUSTER_GET, p);
  }

  List<Duration> delays(int n, Priority p) {
    List<Duration> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(read(p).delay());
    }
    return out;
  }

  @Test
  void azureLimitsAreThePublishedFigures() {
    Limits l = Limits.azure();
    assertThat(l.reads()).isEqualTo(new Limit(250, READ_EVERY));
    assertThat(l.writes()).isEqualTo(new Limit(200, WRITE_EVERY));
    assertThat(l.clusterPut()).isEqualTo(new Limit(20, Duration.ofMinutes(1)));
    assertThat(l.clusterList()).isEqualTo(new Limit(500, Duration.ofSeconds(1)));
    assertThat(l.routineReserve()).isEqualTo(0.2);
    assertThat(l.idleAfter()).isEqualTo(Duration.ofMinutes(10));
    assertThat(l.reserveOf(250)).isEqualTo(50);
    assertThat(l.reserveOf(20)).isEqualTo(4);
    assertThat(l.withRoutineReserve(0.99).reserveOf(20)).as("never the whole bucket").isEqualTo(19);
    assertThat(Limit.perSecond(1, 3).refillEvery()).as("rounded up").isEqualTo(Duration.ofNanos(333_333_334));
  }

  @Test
  void limitsRefuseNonsense() {
    assertThatThrownBy(() -> new Limit(0, READ_EVERY)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Limit(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Limit.perSecond(1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Limits.azure().withRoutineReserve(1.0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Limits.azure().withRoutineReserve(-0.1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Limits.azure().withRoutineReserve(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aFullBucketLetsItsSizeGoAtOnceThenSpacesCallersOneIntervalApartInOrder() {
    assertThat(delays(250, Priority.URGENT)).containsOnly(Duration.ZERO);
    List<Duration> queued = delays(5, Priority.URGENT);
    assertThat(queued).containsExactly(READ_EVERY, READ_EVERY.multipliedBy(2), READ_EVERY.multipliedBy(3),
        READ_EVERY.multipliedBy(4), READ_EVERY.multipliedBy(5));
    assertThat(pacer.counters(Kind.READ).reserved()).isEqualTo(255);
    assertThat(pacer.counters(Kind.READ).delayed()).isEqualTo(5);
  }

  @Test
  void slotsHonourTheRefillThatHappenedMeanwhile() {
    delays(250, Priority.URGENT);
    advance(Duration.ofMillis(100)); // 2.5 tokens back
    assertThat(delays(4, Priority.URGENT)).containsExactly(Duration.ZERO, Duration.ZERO, Duration.ofMillis(20),
        Duration.ofMillis(60));
  }

  @Test
  void aBucketNeverHoldsMoreThanItsSize() {
    delays(250, Priority.URGENT);
    advance(Duration.ofHours(1));
    assertThat(delays(250, Priority.URGENT)).containsOnly(Duration.ZERO);
    assertThat(read(Priority.URGENT).delay()).isEqualTo(READ_EVERY);
  }

  @Test
  void reservationRemainingCountsDownWithTheClock() {
    delays(250, Priority.URGENT);
    Reservation r = read(Priority.URGENT);
    assertThat(r.granted()).isTrue();
    assertThat(r.ready()).isFalse();
    advance(Duration.ofMillis(30));
    assertThat(r.remaining()).isEqualTo(Duration.ofMillis(10));
    advance(Duration.ofMillis(10));
    assertThat(r.remaining()).isZero();
    assertThat(r.ready()).isTrue();
    assertThat(r.delay()).as("as answered").isEqualTo(READ_EVERY);
  }

  @Test
  void routineCallsLeaveTheReserveAndNeverQueueInDebt() {
    // 250 - 50 go now; the next 50 get the refill of the reserve's refill time (2 s); then refusals.
    List<Duration> d = delays(250, Priority.ROUTINE);
    assertThat(d.subList(0, 200)).containsOnly(Duration.ZERO);
    assertThat(d.get(200)).isEqualTo(READ_EVERY);
    assertThat(d.get(249)).isEqualTo(READ_EVERY.multipliedBy(50)).isEqualTo(Duration.ofSeconds(2));
    Reservation refused = read(Priority.ROUTINE);
    assertThat(refused.granted()).isFalse();
    assertThat(refused.ready()).isFalse();
    assertThat(pacer.counters(Kind.READ).refused()).isEqualTo(1);
    assertThat(pacer.bucket(ME, SUB, null, Kind.READ).orElseThrow().tokens()).as("refusals hold nothing")
        .isEqualTo(0.0);
  }

  @Test
  void refusedRoutineCallersComeBackSpreadOutWhenTheBucketIsAboveTheReserveAgain() {
    delays(250, Priority.URGENT);
    List<Duration> hints = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Reservation r = read(Priority.ROUTINE);
      assertThat(r.granted()).isFalse();
      hints.add(r.delay());
    }
    // Empty now: 51 tokens (reserve + 1) take 2.04 s; then one interval apart.
    assertThat(hints).containsExactly(READ_EVERY.multipliedBy(51), READ_EVERY.multipliedBy(52),
        READ_EVERY.multipliedBy(53));
    advance(hints.get(0));
    Reservation back = read(Priority.ROUTINE);
    assertThat(back.granted()).isTrue();
    assertThat(back.delay()).as("goes at once when it comes back at its time").isZero();
  }

  @Test
  void urgentCallsDrainTheReserveThatRoutineCallsLeave() {
    delays(200, Priority.ROUTINE);
    assertThat(delays(50, Priority.URGENT)).containsOnly(Duration.ZERO);
    assertThat(read(Priority.URGENT).delay()).isEqualTo(READ_EVERY);
  }

  @Test
  void routineWorkDelaysAnUrgentCallByAtMostTheReservesRefillTime() {
    // Routine work takes everything it may: the bucket's size less the reserve now, the reserve as it comes back.
    while (read(Priority.ROUTINE).granted()) {
      // keep asking
    }
    Duration reserveRefill = READ_EVERY.multipliedBy(50);
    Reservation urgent = read(Priority.URGENT);
    assertThat(urgent.delay()).isLessThanOrEqualTo(reserveRefill).isEqualTo(READ_EVERY);
    // A burst of urgent calls as large as the reserve is through within the reserve's refill time.
    List<Duration> burst = delays(49, Priority.URGENT);
    assertThat(burst.get(48)).isEqualTo(reserveRefill);
    // Meanwhile routine calls get nothing.
    assertThat(read(Priority.ROUTINE).granted()).isFalse();
  }

  @Test
  void releaseGivesTheTokensBackOnce() {
    delays(250, Priority.URGENT);
    Reservation a = read(Priority.URGENT);
    Reservation b = read(Priority.URGENT);
    assertThat(b.delay()).isEqualTo(READ_EVERY.multipliedBy(2));
    b.release();
    b.release();
    a.release();
    assertThat(pacer.counters(Kind.READ).released()).isEqualTo(2);
    assertThat(b.ready()).as("released reservations are never ready").isFalse();
    assertThat(read(Priority.URGENT).delay()).isEqualTo(READ_EVERY);
    // Releasing a refusal does nothing.
    pacer.reserve(ME, SUB, null, Call.CLUSTER_GET, Priority.ROUTINE).release();
    assertThat(pacer.counters(Kind.READ).released()).isEqualTo(2);
  }

  @Test
  void releasingIntoAFullBucketDoesNotOverfillIt() {
    Reservation r = read(Priority.URGENT);
    advance(Duration.ofMinutes(1));
    r.release();
    assertThat(delays(250, Priority.URGENT)).containsOnly(Duration.ZERO);
    assertThat(read(Priority.URGENT).delay()).isEqualTo(READ_EVERY);
  }

  @Test
  void tryAcquireTakesTokensOnlyWhenTheCallMayGoNow() {
    for (int i = 0; i < 250; i++) {
      assertThat(pacer.tryAcquire(ME, SUB, null, Call.ADDRESS_GET, Priority.URGENT)).isTrue();
    }
    assertThat(pacer.tryAcquire(ME, SUB, null, Call.ADDRESS_GET, Priority.URGENT)).isFalse();
    advance(READ_EVERY);
    assertThat(pacer.tryAcquire(ME, SUB, null, Call.ADDRESS_GET, Priority.URGENT)).as("no token was kept").isTrue();
  }

  @Test
  void aClusterPutDrawsFromTheWriteBucketAndTheClustersOwnBucket() {
    for (int i = 0; i < 20; i++) {
      assertThat(pacer.reserve(ME, SUB, CLUSTER, Call.CLUSTER_PUT, Priority.URGENT).delay()).isZero();
    }
    assertThat(pacer.reserve(ME, SUB, CLUSTER, Call.CLUSTER_PUT, Priority.URGENT).delay())
        .isEqualTo(Duration.ofMinutes(1));
    assertThat(pacer.reserve(ME, SUB, CLUSTER2, Call.CLUSTER_PUT, Priority.URGENT).delay())
        .as("another cluster has its own bucket").isZero();
    assertThat(pacer.bucket(ME, SUB, null, Kind.WRITE).orElseThrow().tokens()).isEqualTo(200.0 - 22);
    assertThat(pacer.bucket(ME, SUB, CLUSTER, Kind.CLUSTER_PUT).orElseThrow().tokens()).isEqualTo(-1.0);
    assertThat(pacer.counters(Kind.CLUSTER_PUT).delayed()).isEqualTo(1);
    assertThat(pacer.counters(Kind.WRITE).delayed()).as("the call waited, whichever bucket made it").isEqualTo(1);
  }

  @Test
  void theClusterBucketsCountEveryPrincipalAndIgnoreCase() {
    for (int i = 0; i < 20; i++) {
      pacer.reserve(i % 2 == 0 ? ME : OTHER, SUB, CLUSTER, Call.CLUSTER_PUT, Priority.URGENT);
    }
    String shouted = CLUSTER.toUpperCase() + "/";
    assertThat(pacer.reserve(OTHER, SUB.toUpperCase(), shouted, Call.CLUSTER_PUT, Priority.URGENT).delay())
        .isEqualTo(Duration.ofMinutes(1));
    for (int i = 0; i < 500; i++) {
      pacer.reserve(i % 2 == 0 ? ME : OTHER, SUB, null, Call.CLUSTER_LIST_PAGE, Priority.URGENT);
    }
    assertThat(pacer.reserve(ME, SUB, null, Call.CLUSTER_LIST_PAGE, Priority.URGENT).delay())
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void readAndWriteBucketsArePerPrincipalAndSubscription() {
    delays(250, Priority.URGENT);
    assertThat(read(Priority.URGENT).delay()).isPositive();
    assertThat(pacer.reserve(OTHER, SUB, null, Call.CLUSTER_GET, Priority.URGENT).delay()).isZero();
    assertThat(pacer.reserve(ME, "00000000-0000-0000-0000-0000000000bb", null, Call.CLUSTER_GET, Priority.URGENT)
        .delay()).isZero();
    assertThat(pacer.reserve(ME, SUB.toUpperCase(), null, Call.CLUSTER_GET, Priority.URGENT).delay())
        .as("subscription ids are case-insensitive").isPositive();
    assertThat(pacer.reserve(ME, SUB, null, Set.of(Kind.WRITE), Priority.URGENT).delay()).isZero();
  }

  @Test
  void aClusterPutNeedsTheClusterId() {
    assertThatThrownBy(() -> pacer.reserve(ME, SUB, null, Call.CLUSTER_PUT, Priority.URGENT))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> pacer.reserve(ME, SUB, " ", Call.CLUSTER_PUT, Priority.URGENT))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRefusalInOneBucketGivesBackTheTokensTakenFromTheOthers() {
    for (int i = 0; i < 500; i++) {
      pacer.reserve(OTHER, SUB, null, Call.CLUSTER_LIST_PAGE, Priority.URGENT);
    }
    Reservation page = pacer.reserve(ME, SUB, null, Call.CLUSTER_LIST_PAGE, Priority.ROUTINE);
    assertThat(page.granted()).isFalse();
    assertThat(page.delay()).isEqualTo(Duration.ofSeconds(101));
    assertThat(pacer.bucket(ME, SUB, null, Kind.READ).orElseThrow().tokens()).isEqualTo(250.0);
    assertThat(pacer.counters(Kind.CLUSTER_LIST).refused()).isEqualTo(1);
    assertThat(pacer.counters(Kind.READ).refused()).isZero();
  }

  @Test
  void theServerCanOnlyLowerABucket() {
    pacer.observe(ME, SUB, Kind.READ, 10);
    assertThat(pacer.bucket(ME, SUB, null, Kind.READ).orElseThrow().tokens()).isEqualTo(10.0);
    assertThat(delays(10, Priority.URGENT)).containsOnly(Duration.ZERO);
    assertThat(read(Priority.URGENT).delay()).isEqualTo(READ_EVERY);
    pacer.observe(ME, SUB, Kind.READ, 200);
    assertThat(read(Priority.URGENT).delay()).as("not raised").isEqualTo(READ_EVERY.multipliedBy(2));
    pacer.observe(ME, SUB, Kind.WRITE, 5000);
    assertThat(pacer.bucket(ME, SUB, null, Kind.WRITE).orElseThrow().tokens()).isEqualTo(200.0);
    pacer.observe(ME, SUB, Kind.WRITE, -3);
    assertThat(pacer.bucket(ME, SUB, null, Kind.WRITE).orElseThrow().tokens()).as("read as zero").isEqualTo(0.0);
    assertThat(pacer.counters(Kind.READ).lowered()).isEqualTo(1);
    assertThat(pacer.counters(Kind.WRITE).lowered()).isEqualTo(1);
  }

  @Test
  void aRetryAfterEmptiesTheBucketUntilItEndsAndLaterCallsQueueBehindIt() {
    pacer.throttled(ME, SUB, Kind.READ, Duration.ofSeconds(7));
    assertThat(delays(3, Priority.URGENT)).containsExactly(Duration.ofSeconds(7),
        Duration.ofSeconds(7).plus(READ_EVERY), Duration.ofSeconds(7).plus(READ_EVERY.multipliedBy(2)));
    BucketState s = pacer.bucket(ME, SUB, null, Kind.READ).orElseThrow();
    assertThat(s.blockedFor()).isEqualTo(Duration.ofSeconds(7));
    assertThat(pacer.counters(Kind.READ).throttled()).isEqualTo(1);
    Reservation routine = read(Priority.ROUTINE);
    assertThat(routine.granted()).isFalse();
    assertThat(routine.remaining()).isGreaterThan(Duration.ofSeconds(7));
  }

  @Test
  void aRetryAfterMovesReservationsAlreadyMadeBackAndKeepsThemApart() {
    delays(250, Priority.URGENT);
    Reservation first = read(Priority.URGENT);
    Reservation second = read(Priority.URGENT);
    pacer.throttled(ME, SUB, Kind.READ, Duration.ofSeconds(3));
    assertThat(first.remaining()).isEqualTo(Duration.ofSeconds(3).plus(READ_EVERY));
    assertThat(second.remaining()).isEqualTo(Duration.ofSeconds(3).plus(READ_EVERY.multipliedBy(2)));
    assertThat(read(Priority.URGENT).delay()).isEqualTo(Duration.ofSeconds(3).plus(READ_EVERY.multipliedBy(3)));
    assertThat(first.delay()).as("as first answered").isEqualTo(READ_EVERY);
  }

  @Test
  void aReservationDueBeforeA429WaitsForItsEnd() {
    Reservation due = read(Priority.URGENT);
    assertThat(due.ready()).isTrue();
    pacer.throttled(ME, SUB, Kind.READ, Duration.ofSeconds(2));
    assertThat(due.ready()).isFalse();
    assertThat(due.remaining()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void overlappingRetryAftersOnlyExtendTheBlock() {
    pacer.throttled(ME, SUB, Kind.READ, Duration.ofSeconds(10));
    advance(Duration.ofSeconds(1));
    pacer.throttled(ME, SUB, Kind.READ, Duration.ofSeconds(5)); // ends before the first: adds nothing
    assertThat(read(Priority.URGENT).delay()).isEqualTo(Duration.ofSeconds(9));
    pacer.throttled(ME, SUB, Kind.READ, Duration.ofSeconds(12)); // 3 s past the first
    assertThat(read(Priority.URGENT).delay()).isEqualTo(Duration.ofSeconds(12).plus(READ_EVERY));
    assertThat(pacer.counters(Kind.READ).throttled()).isEqualTo(3);
  }

  @Test
  void aClusterPut429HoldsThatClusterOnly() {
    pacer.throttled(ME, SUB, CLUSTER, Kind.CLUSTER_PUT, Duration.ofSeconds(60));
    assertThat(pacer.reserve(ME, SUB, CLUSTER, Call.CLUSTER_PUT, Priority.URGENT).delay())
        .isEqualTo(Duration.ofSeconds(60));
    assertThat(pacer.reserve(ME, SUB, CLUSTER2, Call.CLUSTER_PUT, Priority.URGENT).delay()).isZero();
  }

  @Test
  void unlimitedPacesNothingButStillCounts() {
    ArmPacer off = new ArmPacer(Limits.unlimited(), nanos::get);
    for (int i = 0; i < 10_000; i++) {
      assertThat(off.reserve(ME, SUB, CLUSTER, Call.CLUSTER_PUT, Priority.ROUTINE).ready()).isTrue();
    }
    off.throttled(ME, SUB, Kind.READ, Duration.ofMinutes(5));
    off.observe(ME, SUB, Kind.READ, 0);
    assertThat(off.reserve(ME, SUB, null, Call.CLUSTER_GET, Priority.URGENT).delay()).isZero();
    assertThat(off.buckets()).isEmpty();
    assertThat(off.counters(Kind.CLUSTER_PUT).reserved()).isEqualTo(10_000);
    assertThat(off.counters(Kind.READ).throttled()).isEqualTo(1);
  }

  @Test
  void oneKindCanBeLeftUnpaced() {
    Limits l = Limits.azure();
    ArmPacer noListLimit = new ArmPacer(new Limits(l.reads(), l.writes(), l.clusterPut(), null, 0.2,
        l.idleAfter()), nanos::get);
    for (int i = 0; i < 250; i++) {
      noListLimit.reserve(ME, SUB, null, Call.CLUSTER_LIST_PAGE, Priority.URGENT);
    }
    assertThat(noListLimit.reserve(ME, SUB, null, Call.CLUSTER_LIST_PAGE, Priority.URGENT).delay())
        .as("the read bucket still paces").isEqualTo(READ_EVERY);
  }

  @Test
  void idleFullBucketsAreDroppedOthersKept() {
    read(Priority.URGENT);
    pacer.throttled(ME, "00000000-0000-0000-0000-0000000000bb", Kind.READ, Duration.ofMinutes(30));
    delays(250, Priority.URGENT);
    pacer.reserve(OTHER, SUB, null, Call.CLUSTER_GET, Priority.URGENT);
    assertThat(pacer.buckets()).hasSize(3);
    advance(Duration.ofMinutes(9));
    pacer.reserve(OTHER, SUB, null, Call.CLUSTER_GET, Priority.URGENT); // keeps this one in use
    assertThat(pacer.sweep()).isZero();
    advance(Duration.ofMinutes(1));
    assertThat(pacer.sweep()).as("full and idle for 10 min").isEqualTo(1);
    assertThat(pacer.bucket(ME, SUB, null, Kind.READ)).isEmpty();
    assertThat(pacer.bucket(OTHER, SUB, null, Kind.READ)).isPresent();
    assertThat(pacer.bucket(ME, "00000000-0000-0000-0000-0000000000bb", null, Kind.READ))
        .as("still blocked by its Retry-After").isPresent();
    // A bucket dropped and made again starts full.
    assertThat(read(Priority.URGENT).delay()).isZero();
  }

  @Test
  void reservationsSweepNowAndThen() {
    for (int i = 0; i < 100; i++) {
      pacer.reserve(ME, String.format("00000000-0000-0000-0000-%012d", i), null, Call.CLUSTER_GET,
          Priority.URGENT);
    }
    assertThat(pacer.buckets()).hasSize(100);
    advance(Duration.ofMinutes(11));
    read(Priority.URGENT);
    assertThat(pacer.buckets()).hasSize(1);
  }

  @Test
  void aReservationOfADroppedBucketCanStillBeReleasedHarmlessly() {
    Reservation r = read(Priority.URGENT);
    advance(Duration.ofMinutes(11));
    assertThat(pacer.sweep()).isEqualTo(1);
    r.release();
    assertThat(delays(250, Priority.URGENT)).containsOnly(Duration.ZERO);
    assertThat(read(Priority.URGENT).delay()).isEqualTo(READ_EVERY);
  }

  @Test
  void bucketStatesForGauges() {
    delays(260, Priority.URGENT);
    pacer.reserve(ME, SUB, CLUSTER, Call.CLUSTER_PUT, Priority.URGENT);
    advance(Duration.ofMillis(20));
    BucketState reads = pacer.bucket(ME, SUB, null, Kind.READ).orElseThrow();
    assertThat(reads.tokens()).as("ten waiting, half a token back").isEqualTo(-9.5);
    assertThat(reads.principal()).isEqualTo(ME);
    assertThat(reads.size()).isEqualTo(250);
    assertThat(reads.idleFor()).isEqualTo(Duration.ofMillis(20));
    BucketState put = pacer.bucket("ignored", SUB, CLUSTER, Kind.CLUSTER_PUT).orElseThrow();
    assertThat(put.principal()).isEmpty();
    assertThat(put.clusterId()).isEqualTo(CLUSTER);
    assertThat(pacer.buckets()).extracting(BucketState::kind)
        .containsExactlyInAnyOrder(Kind.READ, Kind.WRITE, Kind.CLUSTER_PUT);
    assertThat(pacer.counters()).containsOnlyKeys(Kind.values());
  }

  @Test
  void clusterIdsAreLowerCaseArmIds() {
    assertThat(ArmPacer.clusterId("SUB", "My-RG", "Prod")).isEqualTo(
        "/subscriptions/sub/resourcegroups/my-rg/providers/microsoft.containerservice/managedclusters/prod");
    assertThat(Call.CLUSTER_PUT.kinds()).containsExactlyInAnyOrder(Kind.WRITE, Kind.CLUSTER_PUT);
    assertThat(Call.CLUSTER_LIST_PAGE.kinds()).containsExactlyInAnyOrder(Kind.READ, Kind.CLUSTER_LIST);
    assertThat(Call.OPERATION_GET.kinds()).containsExactly(Kind.READ);
  }
}
