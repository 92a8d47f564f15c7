package io.authip.azure;

import io.authip.azure.Outcome.Failure;
import io.authip.ranges.Cidr;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Resolves public IP and prefix IDs with a TTL cache shared by every cluster and thread: one lookup per distinct ID
 * per TTL, and callers asking for an ID whose lookup is already running wait for that one instead of starting
 * another. Failures are not cached (the next call looks again), but everyone waiting on a failed lookup gets it.
 *
 * <p>A caller first claims every ID nobody is looking up, then performs its own lookups, then waits for the
 * others': since no caller waits before finishing its own lookups, callers cannot wait on each other in a cycle.
 */
final class AddressResolver {

  /** Looks one resource up; must not throw. */
  @FunctionalInterface
  interface Lookup {
    Outcome<Cidr> lookup(ArmAddressId id);
  }

  private final Lookup lookup;
  private final long ttlNanos;
  private final LongSupplier nanoClock;
  private final ConcurrentMap<String, Entry> cache = new ConcurrentHashMap<>();
  private final AtomicLong lastSweep;

  private static final class Entry {
    final CompletableFuture<Outcome<Cidr>> result = new CompletableFuture<>();
    volatile long completedAt;

    boolean expired(long now, long ttl) {
      return result.isDone() && now - completedAt >= ttl;
    }
  }

  AddressResolver(Lookup lookup, Duration ttl, LongSupplier nanoClock) {
    this.lookup = lookup;
    this.ttlNanos = ttl.toNanos();
    this.nanoClock = nanoClock;
    this.lastSweep = new AtomicLong(nanoClock.getAsLong());
  }

  /**
   * Forgets IDs no cluster has asked for within a TTL, so the cache does not keep what the fleet no longer uses. At
   * most once per TTL: scanning every entry on every call made resolving quadratic in the fleet (a third of a 1,000-
   * cluster fleet's reconcile CPU went to it). An expired entry that is still wanted is replaced when asked for.
   */
  private void sweep(long now) {
    long last = lastSweep.get();
    if (now - last >= ttlNanos && lastSweep.compareAndSet(last, now)) {
      cache.values().removeIf(e -> e.expired(now, ttlNanos));
    }
  }

  /** The blocks of these IDs when every one is cached, done, successful and not expired; no request. */
  java.util.Optional<Map<String, Cidr>> cached(Collection<String> resourceIds) {
    long now = nanoClock.getAsLong();
    Map<String, Cidr> out = new LinkedHashMap<>();
    for (String raw : resourceIds) {
      var parsed = ArmAddressId.parse(raw);
      if (parsed.isEmpty()) {
        return java.util.Optional.empty();
      }
      Entry e = cache.get(parsed.get().key());
      if (e == null || !e.result.isDone() || e.expired(now, ttlNanos)
          || !(e.result.getNow(null) instanceof Outcome.Ok<Cidr> ok)) {
        return java.util.Optional.empty();
      }
      out.put(parsed.get().key(), ok.value());
    }
    return java.util.Optional.of(Map.copyOf(out));
  }

  Outcome<Map<String, Cidr>> resolve(Collection<String> resourceIds) {
    Map<String, ArmAddressId> wanted = new LinkedHashMap<>();
    for (String raw : resourceIds) {
      var parsed = ArmAddressId.parse(raw);
      if (parsed.isEmpty()) {
        // Fail closed: an egress reference authip cannot resolve must never silently drop out of the ranges.
        return Outcome.failed(new Failure.Rejected("UnsupportedResourceId",
            "'" + raw + "' is not the ID of a public IP address or public IP prefix"));
      }
      wanted.putIfAbsent(parsed.get().key(), parsed.get());
    }
    long now = nanoClock.getAsLong();
    sweep(now);

    Map<String, Entry> entries = new LinkedHashMap<>();
    List<ArmAddressId> mine = new ArrayList<>();
    for (ArmAddressId id : wanted.values()) {
      while (true) {
        Entry current = cache.get(id.key());
        if (current != null && !current.expired(now, ttlNanos)) {
          entries.put(id.key(), current);
          break;
        }
        Entry fresh = new Entry();
        boolean claimed = current == null ? cache.putIfAbsent(id.key(), fresh) == null
            : cache.replace(id.key(), current, fresh);
        if (claimed) {
          entries.put(id.key(), fresh);
          mine.add(id);
          break;
        }
      }
    }

    try {
      for (ArmAddressId id : mine) {
        Outcome<Cidr> result;
        try {
          result = lookup.lookup(id);
        } catch (RuntimeException ex) {
          result = Outcome.failed(ArmErrors.fromException(ex, id.describe()));
        }
        finish(id, entries.get(id.key()), result);
      }
    } finally {
      // Even on an Error, nobody may be left waiting for a lookup that will never finish.
      for (ArmAddressId id : mine) {
        Entry e = entries.get(id.key());
        if (!e.result.isDone()) {
          finish(id, e, Outcome.failed(new Failure.Transient(id.describe() + ": lookup failed unexpectedly")));
        }
      }
    }

    Map<String, Cidr> out = new LinkedHashMap<>();
    for (Map.Entry<String, Entry> en : entries.entrySet()) {
      Outcome<Cidr> r = await(en.getValue(), wanted.get(en.getKey()));
      if (r instanceof Outcome.Failed<Cidr> f) {
        return Outcome.failed(f.failure());
      }
      out.put(en.getKey(), ((Outcome.Ok<Cidr>) r).value());
    }
    return Outcome.ok(Map.copyOf(out));
  }

  /**
   * Keeps blocks found by listing as if each had been looked up now. An ID whose lookup is running is left to it.
   *
   * @param listed ARM IDs (any case) to their blocks
   */
  void prime(Map<String, Cidr> listed) {
    long now = nanoClock.getAsLong();
    for (Map.Entry<String, Cidr> en : listed.entrySet()) {
      var id = ArmAddressId.parse(en.getKey());
      if (id.isEmpty()) {
        continue;
      }
      Entry e = new Entry();
      e.completedAt = now;
      e.result.complete(Outcome.ok(en.getValue()));
      cache.compute(id.get().key(), (k, current) -> current == null || current.result.isDone() ? e : current);
    }
  }

  private void finish(ArmAddressId id, Entry e, Outcome<Cidr> result) {
    e.completedAt = nanoClock.getAsLong();
    if (!result.isOk()) {
      cache.remove(id.key(), e);
    }
    e.result.complete(result);
  }

  /** Number of IDs cached or being looked up; for tests. */
  int size() {
    return cache.size();
  }

  private static Outcome<Cidr> await(Entry e, ArmAddressId id) {
    try {
      return e.result.get();
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return Outcome.failed(new Failure.Transient(id.describe() + ": interrupted while waiting for its lookup"));
    } catch (ExecutionException ex) {
      return Outcome.failed(new Failure.Transient(id.describe() + ": lookup failed unexpectedly"));
    }
  }
}
