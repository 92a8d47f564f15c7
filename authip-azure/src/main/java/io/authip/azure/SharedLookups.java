package io.authip.azure;

import io.authip.azure.Outcome.Failure;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One lookup per distinct key per TTL, shared by every cluster and thread (as {@link AddressResolver} does for
 * addresses): a caller asking for a key whose lookup is running waits for that one instead of starting another.
 * Failures are not cached, but everyone waiting on a failed lookup gets it. A lookup must not wait on another key of
 * the same instance, so that callers can never wait on each other in a cycle.
 */
final class SharedLookups<V> {

  private final long ttlNanos;
  private final LongSupplier nanoClock;
  private final ConcurrentMap<String, Entry<V>> cache = new ConcurrentHashMap<>();
  private final AtomicLong lastSweep;

  private static final class Entry<V> {
    final CompletableFuture<Outcome<V>> result = new CompletableFuture<>();
    volatile long completedAt;

    boolean expired(long now, long ttl) {
      return result.isDone() && now - completedAt >= ttl;
    }
  }

  SharedLookups(Duration ttl, LongSupplier nanoClock) {
    this.ttlNanos = ttl.toNanos();
    this.nanoClock = nanoClock;
    this.lastSweep = new AtomicLong(nanoClock.getAsLong());
  }

  /**
   * @param key the resource's ID lower-cased (or another identity of what is looked up)
   * @param what for messages
   * @param lookup asked only when nobody has the key, cached or running; must not throw, nor wait on this instance
   */
  Outcome<V> get(String key, String what, Supplier<Outcome<V>> lookup) {
    long now = nanoClock.getAsLong();
    sweep(now);
    Entry<V> entry;
    boolean mine;
    while (true) {
      Entry<V> current = cache.get(key);
      if (current != null && !current.expired(now, ttlNanos)) {
        entry = current;
        mine = false;
        break;
      }
      Entry<V> fresh = new Entry<>();
      boolean claimed = current == null ? cache.putIfAbsent(key, fresh) == null : cache.replace(key, current, fresh);
      if (claimed) {
        entry = fresh;
        mine = true;
        break;
      }
    }
    if (mine) {
      Outcome<V> result = null;
      try {
        result = lookup.get();
      } catch (RuntimeException e) {
        result = Outcome.failed(ArmErrors.fromException(e, what));
      } finally {
        // Even on an Error, nobody may be left waiting for a lookup that will never finish.
        finish(key, entry, result != null ? result
            : Outcome.failed(new Failure.Transient(what + ": lookup failed unexpectedly")));
      }
    }
    try {
      return entry.result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.failed(new Failure.Transient(what + ": interrupted while waiting for its lookup"));
    } catch (ExecutionException e) {
      return Outcome.failed(new Failure.Transient(what + ": lookup failed unexpectedly"));
    }
  }

  /** The value of {@code key} when it is known without a request: cached, successful and not expired. */
  Optional<V> cached(String key) {
    Entry<V> e = cache.get(key);
    if (e == null || !e.result.isDone() || e.expired(nanoClock.getAsLong(), ttlNanos)
        || !(e.result.getNow(null) instanceof Outcome.Ok<V> ok)) {
      return Optional.empty();
    }
    return Optional.of(ok.value());
  }

  /** Keys cached or being looked up; for tests. */
  int size() {
    return cache.size();
  }

  private void finish(String key, Entry<V> e, Outcome<V> result) {
    e.completedAt = nanoClock.getAsLong();
    if (!result.isOk()) {
      cache.remove(key, e);
    }
    e.result.complete(result);
  }

  /** Forgets keys nobody asked for within a TTL, at most once per TTL. */
  private void sweep(long now) {
    long last = lastSweep.get();
    if (now - last >= ttlNanos && lastSweep.compareAndSet(last, now)) {
      cache.values().removeIf(e -> e.expired(now, ttlNanos));
    }
  }
}
