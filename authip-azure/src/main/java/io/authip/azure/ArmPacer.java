package io.authip.azure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Paces calls to Azure Resource Manager with local copies of ARM's and AKS's token buckets, so that authip spreads
 * its requests over time instead of running into 429s. Pure logic on an injected monotonic nano clock; it never
 * sleeps and never blocks a caller for longer than one short per-bucket lock.
 *
 * <h2>Buckets</h2>
 * One bucket per key, created on first use and dropped again once it has been idle and full for
 * {@link Limits#idleAfter()}:
 * <ul>
 *   <li>{@link Kind#READ}, {@link Kind#WRITE}: per principal and subscription, as ARM counts them (ARM also counts
 *       per region; authip talks to one ARM region per process, so the region is not part of the key). DELETE is
 *       counted as a write: ARM gives deletes their own bucket of the same size, so sharing one is conservative.</li>
 *   <li>{@link Kind#CLUSTER_PUT}: per managed cluster, whoever calls (AKS limits PUTs per cluster).</li>
 *   <li>{@link Kind#CLUSTER_LIST}: per subscription, whoever calls (AKS limits managedClusters LIST per
 *       subscription).</li>
 * </ul>
 * Every call takes one token from each bucket it touches ({@link Call#kinds()}).
 *
 * <h2>Reservations</h2>
 * {@link #reserve} takes the tokens at once, going into debt if need be, and answers with the moment the call may
 * be sent. Each bucket is a virtual clock ("the bucket is empty at {@code emptyAt}"): a reservation moves it one
 * token interval forward, so N callers that contend for an empty bucket get N distinct slots, one refill interval
 * apart, in the order they asked (FIFO), and the calls sent at those slots never exceed the bucket's size and
 * refill rate. A caller whose {@link Reservation#remaining()} is positive must not sleep: it keeps the reservation
 * (keyed by its target) and comes back at that time, or {@link Reservation#release() releases} it to give the
 * tokens back.
 *
 * <h2>Priorities</h2>
 * {@link Priority#URGENT} calls may take the bucket down to zero and into debt (they queue FIFO at the refill
 * rate). {@link Priority#ROUTINE} calls must leave a reserve of {@link Limits#routineReserve()} of the bucket
 * (20 % by default) and never put the bucket into debt:
 * <ul>
 *   <li>a routine call is granted only when a token is left for it now; its slot is the moment the bucket would be
 *       back at the reserve, so routine calls never wait longer than the reserve's refill time (for reads: 50 tokens
 *       at 25/s = 2 s) and an urgent call that arrives after them never waits more than that reserve's refill time
 *       on their account;</li>
 *   <li>otherwise the routine call is <em>refused</em>: no token is taken ({@link Reservation#granted()} is false)
 *       and {@link Reservation#delay()} says when to ask again. Refused routine callers are given distinct times,
 *       one refill interval apart, each when the bucket should be above the reserve again, so they come back spread
 *       out rather than all at once; urgent calls still go first if they take those tokens meanwhile.</li>
 * </ul>
 * Why 20 %: it keeps 50 reads and 40 writes per principal and subscription (4 PUTs per cluster) for user edits and
 * operations in flight, enough for a burst of edits to go without waiting, while leaving 80 % of each bucket to
 * the resync; a larger reserve slows routine work without making urgent work faster once urgent work queues
 * (routine calls get nothing while urgent calls hold the bucket below the reserve).
 *
 * <h2>Correction from the server</h2>
 * {@link #observe} lowers a bucket to what ARM says is left ({@code x-ms-ratelimit-remaining-subscription-*}); it
 * never raises it, because other writers (other processes, other principals within the subscription-wide limit)
 * share ARM's bucket and local accounting can only underestimate what they took. {@link #throttled} applies a
 * 429's {@code Retry-After} to the bucket: it is empty until then, reservations already made move back by the
 * same time, and later ones queue behind them.
 *
 * <p>{@link PacingPolicy} reports answers to the pacer; the retries of the SDK's retry policy are not reserved
 * here, their cost shows up through those corrections.
 */
public final class ArmPacer {

  /** The token buckets authip keeps track of. */
  public enum Kind {
    /** ARM reads (GET, HEAD) of a principal in a subscription: 250, 25 per second. */
    READ,
    /** ARM writes (PUT, PATCH, POST, DELETE) of a principal in a subscription: 200, 10 per second. */
    WRITE,
    /** AKS PUTs of one managed cluster: 20, 1 per minute. */
    CLUSTER_PUT,
    /** AKS LISTs of managed clusters in a subscription, each page a request: 500, 1 per second. */
    CLUSTER_LIST
  }

  /** The ARM requests authip makes, with the buckets each one draws from. */
  public enum Call {
    CLUSTER_GET(Kind.READ),
    CLUSTER_PUT(Kind.WRITE, Kind.CLUSTER_PUT),
    CLUSTER_LIST_PAGE(Kind.READ, Kind.CLUSTER_LIST),
    OPERATION_GET(Kind.READ),
    ADDRESS_GET(Kind.READ),
    ADDRESS_LIST_PAGE(Kind.READ);

    private final Set<Kind> kinds;

    Call(Kind first, Kind... rest) {
      this.kinds = Set.copyOf(EnumSet.of(first, rest));
    }

    public Set<Kind> kinds() {
      return kinds;
    }
  }

  /** Who may take the last part of a bucket. */
  public enum Priority {
    /** User edits, operations in flight, writes needed to converge: may drain the bucket and queue in debt. */
    URGENT,
    /** Resync reads and lists: leave the reserve alone, never queue in debt. */
    ROUTINE
  }

  /**
   * One bucket's size and refill.
   *
   * @param size tokens when full, at least 1
   * @param refillEvery the time one token takes to come back, positive
   */
  public record Limit(long size, Duration refillEvery) {
    public Limit {
      if (size < 1) {
        throw new IllegalArgumentException("bucket size must be at least 1: " + size);
      }
      Objects.requireNonNull(refillEvery, "refillEvery");
      if (refillEvery.isNegative() || refillEvery.isZero()) {
        throw new IllegalArgumentException("refill interval must be positive: " + refillEvery);
      }
    }

    /** {@code size} tokens, refilled at {@code tokensPerSecond} (the interval rounded up to a nanosecond). */
    public static Limit perSecond(long size, long tokensPerSecond) {
      return perPeriod(size, tokensPerSecond, Duration.ofSeconds(1));
    }

    /** {@code size} tokens, refilled at {@code tokensPerMinute}. */
    public static Limit perMinute(long size, long tokensPerMinute) {
      return perPeriod(size, tokensPerMinute, Duration.ofMinutes(1));
    }

    private static Limit perPeriod(long size, long tokens, Duration period) {
      if (tokens < 1) {
        throw new IllegalArgumentException("refill must be at least one token per period: " + tokens);
      }
      long nanos = period.toNanos();
      return new Limit(size, Duration.ofNanos((nanos + tokens - 1) / tokens));
    }
  }

  /**
   * The buckets' sizes and refills; a null {@link Limit} leaves that kind unpaced.
   *
   * @param routineReserve the share of each bucket routine calls leave alone, in [0, 1)
   * @param idleAfter how long a full, unused bucket is kept before it is dropped
   */
  public record Limits(Limit reads, Limit writes, Limit clusterPut, Limit clusterList, double routineReserve,
      Duration idleAfter) {

    /** The share of a bucket routine calls leave to urgent ones, see the class comment. */
    public static final double DEFAULT_ROUTINE_RESERVE = 0.2;
    /** Buckets that are full and unused this long are dropped. */
    public static final Duration DEFAULT_IDLE_AFTER = Duration.ofMinutes(10);

    public Limits {
      if (!(routineReserve >= 0 && routineReserve < 1)) {
        throw new IllegalArgumentException("routineReserve must be in [0, 1): " + routineReserve);
      }
      Objects.requireNonNull(idleAfter, "idleAfter");
      if (idleAfter.isNegative()) {
        throw new IllegalArgumentException("idleAfter must not be negative: " + idleAfter);
      }
    }

    /** The published figures (ARM token buckets as of 2024; AKS resource provider limits). */
    public static Limits azure() {
      return new Limits(Limit.perSecond(250, 25), Limit.perSecond(200, 10), Limit.perMinute(20, 1),
          Limit.perSecond(500, 1), DEFAULT_ROUTINE_RESERVE, DEFAULT_IDLE_AFTER);
    }

    /** No pacing: every reservation goes at once; only the counters count. */
    public static Limits unlimited() {
      return new Limits(null, null, null, null, DEFAULT_ROUTINE_RESERVE, DEFAULT_IDLE_AFTER);
    }

    public Limits withRoutineReserve(double share) {
      return new Limits(reads, writes, clusterPut, clusterList, share, idleAfter);
    }

    public Limits withIdleAfter(Duration idle) {
      return new Limits(reads, writes, clusterPut, clusterList, routineReserve, idle);
    }

    /** The limit of one kind, or null when that kind is not paced. */
    public Limit of(Kind kind) {
      return switch (kind) {
        case READ -> reads;
        case WRITE -> writes;
        case CLUSTER_PUT -> clusterPut;
        case CLUSTER_LIST -> clusterList;
      };
    }

    /** The tokens routine calls leave in a bucket of this size: the share rounded down, at most size - 1. */
    long reserveOf(long size) {
      return Math.min(size - 1, (long) Math.floor(size * routineReserve));
    }
  }

  /**
   * What one bucket holds now.
   *
   * @param principal the principal, or "" for the AKS buckets (which count every caller)
   * @param clusterId the lower-cased cluster id for {@link Kind#CLUSTER_PUT}, else null
   * @param tokens tokens left now; negative when reservations already wait for tokens to come back
   * @param blockedFor how long a 429's {@code Retry-After} still holds the bucket empty, zero when not
   * @param idleFor since the bucket was last reserved from, observed or throttled
   */
  public record BucketState(String principal, String subscription, String clusterId, Kind kind, long size,
      double tokens, Duration blockedFor, Duration idleFor) {
  }

  /**
   * What happened to one kind of bucket since the pacer was created, for metrics.
   *
   * @param reserved granted reservations
   * @param delayed granted reservations that had to wait (positive wait)
   * @param refused routine reservations refused because only the reserve was left
   * @param released granted reservations given back
   * @param throttled 429s applied to buckets of this kind
   * @param lowered server answers that lowered a bucket below local accounting
   */
  public record Counters(long reserved, long delayed, long refused, long released, long throttled, long lowered) {
  }

  /**
   * The answer to {@link #reserve}: tokens held for one call and the time it may be sent, or a refusal.
   * Thread-safe; {@link #release()} at most once takes effect.
   */
  public static final class Reservation {

    private final ArmPacer pacer;
    private final List<Booking> bookings;
    private final long at;
    private final long notBefore;
    private final boolean granted;
    private final AtomicBoolean released = new AtomicBoolean();

    private Reservation(ArmPacer pacer, List<Booking> bookings, long at, long notBefore, boolean granted) {
      this.pacer = pacer;
      this.bookings = bookings;
      this.at = at;
      this.notBefore = notBefore;
      this.granted = granted;
    }

    /** True when the tokens are held; false when a routine call was refused (nothing held, ask again later). */
    public boolean granted() {
      return granted;
    }

    /** The wait as answered: until the slot when granted, until it is worth asking again when refused. */
    public Duration delay() {
      return Duration.ofNanos(Math.max(0, notBefore - at));
    }

    /**
     * The wait from now, including any 429 that moved the buckets back since the reservation was made.
     * Zero means: send the call now.
     */
    public Duration remaining() {
      return Duration.ofNanos(Math.max(0, due() - pacer.clock.getAsLong()));
    }

    /** The slot, moved back by any 429 since the booking. */
    private long due() {
      long due = notBefore;
      if (granted) {
        for (Booking b : bookings) {
          due = Math.max(due, b.due());
        }
      }
      return due;
    }

    /** How long the slot has been due (zero while it is still to come). */
    public Duration overdue() {
      return Duration.ofNanos(Math.max(0, pacer.clock.getAsLong() - due()));
    }

    /** Granted and due now. */
    public boolean ready() {
      return granted && !released.get() && remaining().isZero();
    }

    /**
     * Gives the tokens back, for a call that will not be sent after all. Must not be called once the call was sent.
     * Calls with a later slot keep it (they were computed with these tokens gone, which only errs on the safe side).
     */
    public void release() {
      if (!granted || !released.compareAndSet(false, true)) {
        return;
      }
      for (Booking b : bookings) {
        b.bucket().giveBack();
        pacer.counters.get(b.bucket().key.kind()).released.increment();
      }
    }

    @Override
    public String toString() {
      return (granted ? "Reservation[delay=" : "Reservation[refused, retry in ") + delay() + "]";
    }
  }

  private record Booking(Bucket bucket, long slot, long shiftAt) {
    long due() {
      // A 429 after the booking moved every pending slot back by the time it added; and nothing goes before its end.
      return Math.max(slot + (bucket.shift - shiftAt), bucket.blockedUntil);
    }
  }

  private record Key(String principal, String subscription, Kind kind, String clusterId) {
  }

  private static final Comparator<Key> KEY_ORDER = Comparator.comparing(Key::kind);

  /** A booking in one bucket: granted with its slot, or refused with the time to ask again; shift as of then. */
  private record Booked(Bucket bucket, boolean granted, long time, long shift) {
  }

  private final Limits limits;
  private final LongSupplier clock;
  private final ConcurrentHashMap<Key, Bucket> buckets = new ConcurrentHashMap<>();
  private final Map<Kind, MutableCounters> counters = new EnumMap<>(Kind.class);
  private final AtomicLong lastSweep;
  private final long sweepEvery;

  /** A pacer on {@link System#nanoTime()}. */
  public ArmPacer(Limits limits) {
    this(limits, System::nanoTime);
  }

  /** @param nanoClock a monotonic clock in nanoseconds, as {@link System#nanoTime()} */
  public ArmPacer(Limits limits, LongSupplier nanoClock) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.clock = Objects.requireNonNull(nanoClock, "nanoClock");
    for (Kind k : Kind.values()) {
      counters.put(k, new MutableCounters());
    }
    this.sweepEvery = Math.max(1, Math.min(limits.idleAfter().toNanos(), Duration.ofMinutes(1).toNanos()));
    this.lastSweep = new AtomicLong(clock.getAsLong());
  }

  public Limits limits() {
    return limits;
  }

  /**
   * The id of a managed cluster as the pacer keys it, the same as {@link PacingPolicy} derives from request paths.
   */
  public static String clusterId(String subscription, String resourceGroup, String name) {
    return ("/subscriptions/" + subscription + "/resourceGroups/" + resourceGroup
        + "/providers/Microsoft.ContainerService/managedClusters/" + name).toLowerCase(Locale.ROOT);
  }

  /** Reserves the buckets of one call; see {@link #reserve(String, String, String, Set, Priority)}. */
  public Reservation reserve(String principal, String subscription, String clusterIdOrNull, Call call,
      Priority priority) {
    return reserve(principal, subscription, clusterIdOrNull, call.kinds(), priority);
  }

  /**
   * Takes one token from each bucket of {@code kinds} for one call and says when it may be sent.
   *
   * <p>Granted: the tokens are held, {@link Reservation#delay()} is the time to the slot (the latest over the
   * buckets), zero when the call may go now. Refused (routine only, when a bucket has no token left for it now:
   * earlier routine calls already hold the reserve's refill, or urgent calls hold the bucket in debt): nothing is
   * held and {@link Reservation#delay()} says when to ask again. A refusal in one bucket gives back the tokens just
   * taken from the others.
   *
   * @param clusterIdOrNull the cluster's id (any case), required when {@code kinds} has {@link Kind#CLUSTER_PUT}
   */
  public Reservation reserve(String principal, String subscription, String clusterIdOrNull, Set<Kind> kinds,
      Priority priority) {
    Objects.requireNonNull(priority, "priority");
    long now = clock.getAsLong();
    maybeSweep(now);
    List<Key> keys = new ArrayList<>(kinds.size());
    for (Kind k : kinds) {
      if (limits.of(k) != null) {
        keys.add(key(principal, subscription, clusterIdOrNull, k));
      } else {
        counters.get(k).reserved.increment();
      }
    }
    keys.sort(KEY_ORDER);
    List<Booking> booked = new ArrayList<>(keys.size());
    long slot = now;
    for (Key key : keys) {
      Booked b = book(key, now, priority);
      if (!b.granted()) {
        for (Booking earlier : booked) {
          earlier.bucket().giveBack();
        }
        counters.get(key.kind()).refused.increment();
        return new Reservation(this, List.of(), now, b.time(), false);
      }
      booked.add(new Booking(b.bucket(), b.time(), b.shift()));
      slot = Math.max(slot, b.time());
    }
    for (Booking b : booked) {
      MutableCounters c = counters.get(b.bucket().key.kind());
      c.reserved.increment();
      if (slot > now) {
        c.delayed.increment();
      }
    }
    return new Reservation(this, List.copyOf(booked), now, slot, true);
  }

  /**
   * Takes the tokens only if the call may go now: true when it may (the tokens are then held), false when it would
   * have to wait or was refused (nothing is held). Unlike {@link #reserve}, callers that get false keep no place in
   * the queue.
   */
  public boolean tryAcquire(String principal, String subscription, String clusterIdOrNull, Call call,
      Priority priority) {
    Reservation r = reserve(principal, subscription, clusterIdOrNull, call, priority);
    if (r.granted() && r.delay().isZero()) {
      return true;
    }
    r.release();
    return false;
  }

  /** {@link #observe(String, String, String, Kind, long)} for a bucket without a cluster. */
  public void observe(String principal, String subscription, Kind kind, long remaining) {
    observe(principal, subscription, null, kind, remaining);
  }

  /**
   * The server says {@code remaining} tokens are left in a bucket: the local bucket is lowered to that if it holds
   * more, never raised (others share the server's bucket; local accounting only ever underestimates their use).
   */
  public void observe(String principal, String subscription, String clusterIdOrNull, Kind kind, long remaining) {
    if (limits.of(kind) == null) {
      return;
    }
    long now = clock.getAsLong();
    withLiveBucket(key(principal, subscription, clusterIdOrNull, kind), now, b -> {
      if (b.lower(now, Math.max(0, remaining))) {
        counters.get(kind).lowered.increment();
      }
      return null;
    });
  }

  /** Runs {@code action} holding the lock of the key's bucket, one a sweep has not retired. */
  private <T> T withLiveBucket(Key key, long now, java.util.function.Function<Bucket, T> action) {
    while (true) {
      Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(k, limits.of(k.kind()), limits, now));
      synchronized (b) {
        if (!b.retired) {
          return action.apply(b);
        }
      }
    }
  }

  /** {@link #throttled(String, String, String, Kind, Duration)} for a bucket without a cluster. */
  public void throttled(String principal, String subscription, Kind kind, Duration retryAfter) {
    throttled(principal, subscription, null, kind, retryAfter);
  }

  /**
   * The server answered 429 with {@code retryAfter}: the bucket is empty until {@code now + retryAfter}, the slots
   * of reservations already made move back by the time this adds to any earlier 429's, and later reservations
   * queue behind them. The first reservation made afterwards goes exactly at {@code now + retryAfter}.
   */
  public void throttled(String principal, String subscription, String clusterIdOrNull, Kind kind,
      Duration retryAfter) {
    counters.get(kind).throttled.increment();
    if (limits.of(kind) == null) {
      return;
    }
    long now = clock.getAsLong();
    long after = Math.max(0, retryAfter.toNanos());
    withLiveBucket(key(principal, subscription, clusterIdOrNull, kind), now, b -> {
      b.block(now, after);
      return null;
    });
  }

  /** The counters of every kind. */
  public Map<Kind, Counters> counters() {
    Map<Kind, Counters> out = new EnumMap<>(Kind.class);
    counters.forEach((k, c) -> out.put(k, c.snapshot()));
    return Map.copyOf(out);
  }

  /** The counters of one kind. */
  public Counters counters(Kind kind) {
    return counters.get(kind).snapshot();
  }

  /** One bucket's state, empty when it does not exist (never used, or dropped when idle and full). */
  public Optional<BucketState> bucket(String principal, String subscription, String clusterIdOrNull, Kind kind) {
    Bucket b = buckets.get(key(principal, subscription, clusterIdOrNull, kind));
    return b == null ? Optional.empty() : Optional.of(b.state(clock.getAsLong()));
  }

  /** The state of every bucket kept now. */
  public List<BucketState> buckets() {
    long now = clock.getAsLong();
    List<BucketState> out = new ArrayList<>();
    for (Bucket b : buckets.values()) {
      out.add(b.state(now));
    }
    return out;
  }

  /** Drops the buckets that are full, unblocked and unused for {@link Limits#idleAfter()}; returns how many. */
  public int sweep() {
    long now = clock.getAsLong();
    lastSweep.set(now);
    int dropped = 0;
    for (Bucket b : buckets.values()) {
      boolean drop;
      synchronized (b) {
        drop = !b.retired && b.idle(now, limits.idleAfter().toNanos());
        if (drop) {
          b.retired = true;
        }
      }
      if (drop && buckets.remove(b.key, b)) {
        dropped++;
      }
    }
    return dropped;
  }

  private void maybeSweep(long now) {
    long last = lastSweep.get();
    if (now - last >= sweepEvery && lastSweep.compareAndSet(last, now)) {
      sweep();
    }
  }

  private Booked book(Key key, long now, Priority priority) {
    return withLiveBucket(key, now, b -> b.book(now, priority));
  }

  private static Key key(String principal, String subscription, String clusterIdOrNull, Kind kind) {
    Objects.requireNonNull(subscription, "subscription");
    Objects.requireNonNull(kind, "kind");
    String sub = subscription.toLowerCase(Locale.ROOT);
    return switch (kind) {
      case READ, WRITE -> new Key(Objects.requireNonNull(principal, "principal"), sub, kind, null);
      case CLUSTER_LIST -> new Key("", sub, kind, null);
      case CLUSTER_PUT -> {
        if (clusterIdOrNull == null || clusterIdOrNull.isBlank()) {
          throw new IllegalArgumentException("a CLUSTER_PUT bucket needs the cluster's id");
        }
        String id = clusterIdOrNull.strip().toLowerCase(Locale.ROOT);
        while (id.endsWith("/")) {
          id = id.substring(0, id.length() - 1);
        }
        yield new Key("", sub, kind, id);
      }
    };
  }

  private static final class MutableCounters {
    final LongAdder reserved = new LongAdder();
    final LongAdder delayed = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder released = new LongAdder();
    final LongAdder throttled = new LongAdder();
    final LongAdder lowered = new LongAdder();

    Counters snapshot() {
      return new Counters(reserved.sum(), delayed.sum(), refused.sum(), released.sum(), throttled.sum(),
          lowered.sum());
    }
  }

  /**
   * One token bucket as a virtual clock: it holds {@code min(size, (t - emptyAt) / interval)} tokens at time t,
   * negative while reservations wait for tokens to come back. All arithmetic in whole nanoseconds, so slots are
   * exact. Guarded by its own monitor; {@code shift} and {@code blockedUntil} are also read without it.
   */
  private static final class Bucket {
    final Key key;
    final long size;
    final long interval;
    final long reserve;
    private long emptyAt;
    private long routineNext;
    private long lastUsed;
    volatile long shift;
    volatile long blockedUntil;
    boolean retired;

    Bucket(Key key, Limit limit, Limits limits, long now) {
      this.key = key;
      this.size = limit.size();
      this.interval = limit.refillEvery().toNanos();
      this.reserve = limits.reserveOf(size);
      this.emptyAt = now - size * interval;
      this.routineNext = now;
      this.lastUsed = now;
      this.blockedUntil = now;
    }

    synchronized Booked book(long now, Priority priority) {
      lastUsed = now;
      long e = Math.max(emptyAt, now - size * interval);
      long after = e + interval;
      long slot;
      if (priority == Priority.ROUTINE) {
        if (after > now) {
          // Not one token left above zero: refuse, and hand out distinct times to come back, each when the bucket
          // should be back above the reserve, one interval apart.
          long hint = Math.max(e + (reserve + 1) * interval, routineNext);
          routineNext = hint + interval;
          return new Booked(this, false, hint, shift);
        }
        slot = after + reserve * interval;
      } else {
        slot = after;
      }
      emptyAt = after;
      return new Booked(this, true, Math.max(Math.max(now, slot), blockedUntil), shift);
    }

    synchronized void giveBack() {
      if (!retired) {
        emptyAt -= interval;
      }
    }

    /** Lowers the bucket to {@code remaining} tokens if it holds more; true when it did. */
    synchronized boolean lower(long now, long remaining) {
      lastUsed = now;
      if (remaining >= size) {
        return false;
      }
      long e = Math.max(emptyAt, now - size * interval);
      long lowered = now - remaining * interval;
      if (lowered > e) {
        emptyAt = lowered;
        return true;
      }
      return false;
    }

    synchronized void block(long now, long after) {
      lastUsed = now;
      long until = now + after;
      long from = Math.max(blockedUntil, now);
      if (until <= from) {
        return;
      }
      long added = until - from;
      // Empty (but for the last token, which comes back at `until`) and pending slots moved back by `added`.
      emptyAt = Math.max(emptyAt, now - interval) + added;
      shift += added;
      blockedUntil = until;
    }

    synchronized boolean idle(long now, long idleAfter) {
      return now - lastUsed >= idleAfter && blockedUntil <= now && emptyAt <= now - size * interval;
    }

    synchronized BucketState state(long now) {
      double tokens = Math.min((double) size, (double) (now - emptyAt) / interval);
      return new BucketState(key.principal(), key.subscription(), key.clusterId(), key.kind(), size, tokens,
          Duration.ofNanos(Math.max(0, blockedUntil - now)), Duration.ofNanos(Math.max(0, now - lastUsed)));
    }
  }
}
