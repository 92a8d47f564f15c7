package io.authip.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.azure.Outcome.Failure;
import io.authip.ranges.Cidr;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AddressResolverTest {

  private static final String SUB = "3f2b8c1d-5e6a-4b7c-8d9e-0a1b2c3d4e5f";
  private static final String IP1 = "/subscriptions/" + SUB + "/resourceGroups/rg/providers/Microsoft.Network/"
      + "publicIPAddresses/ip1";
  private static final String IP2 = "/subscriptions/" + SUB + "/resourceGroups/rg/providers/Microsoft.Network/"
      + "publicIPAddresses/ip2";
  private static final String PFX = "/subscriptions/" + SUB + "/resourceGroups/rg/providers/Microsoft.Network/"
      + "publicIPPrefixes/pfx";

  private final AtomicLong now = new AtomicLong();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  private Outcome<Cidr> fake(ArmAddressId id) {
    calls.computeIfAbsent(id.key(), k -> new AtomicInteger()).incrementAndGet();
    return switch (id.name()) {
      case "ip1" -> Outcome.ok(Cidr.parse("20.1.1.1"));
      case "ip2" -> Outcome.ok(Cidr.parse("20.1.1.2"));
      case "pfx" -> Outcome.ok(Cidr.parse("20.1.2.16/28"));
      default -> Outcome.failed(new Failure.NotFound(id.describe() + " was not found"));
    };
  }

  private int totalCalls() {
    return calls.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  @Test
  void resolvesEachDistinctIdOnceAcrossSpellingsAndCalls() {
    AddressResolver r = new AddressResolver(this::fake, Duration.ofMinutes(5), now::get);
    Outcome<Map<String, Cidr>> first = r.resolve(List.of(IP1, IP1.toUpperCase(), PFX));
    assertThat(first).isEqualTo(Outcome.ok(Map.of(IP1.toLowerCase(), Cidr.parse("20.1.1.1/32"),
        PFX.toLowerCase(), Cidr.parse("20.1.2.16/28"))));
    r.resolve(List.of(IP1.replace("resourceGroups", "resourcegroups"), IP2));
    assertThat(totalCalls()).isEqualTo(3);
  }

  @Test
  void looksAgainAfterTheTtl() {
    AddressResolver r = new AddressResolver(this::fake, Duration.ofMinutes(5), now::get);
    r.resolve(List.of(IP1));
    now.addAndGet(Duration.ofMinutes(5).toNanos() - 1);
    r.resolve(List.of(IP1));
    assertThat(totalCalls()).isEqualTo(1);
    now.addAndGet(1);
    r.resolve(List.of(IP1));
    assertThat(totalCalls()).isEqualTo(2);
  }

  @Test
  void idsNoLongerAskedForAreForgottenOnceTheirTtlHasPassed() {
    AddressResolver r = new AddressResolver(this::fake, Duration.ofMinutes(5), now::get);
    r.resolve(List.of(IP1, IP2));
    now.addAndGet(Duration.ofMinutes(3).toNanos());
    r.resolve(List.of(PFX));
    assertThat(r.size()).isEqualTo(3);
    now.addAndGet(Duration.ofMinutes(2).toNanos());
    r.resolve(List.of(PFX));
    assertThat(r.size()).as("IP1 and IP2 expired and were swept; PFX is 2 minutes old").isEqualTo(1);
    assertThat(totalCalls()).isEqualTo(3);
  }

  @Test
  void aFailureNamesTheIdFailsTheWholeCallAndIsNotCached() {
    AddressResolver r = new AddressResolver(this::fake, Duration.ofMinutes(5), now::get);
    String missing = IP1.replace("ip1", "gone");
    Outcome<Map<String, Cidr>> out = r.resolve(List.of(IP1, missing));
    assertThat(out).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
      assertThat(f.failure()).isInstanceOf(Failure.NotFound.class);
      assertThat(f.failure().message()).contains("publicIPAddresses/gone");
    });
    r.resolve(List.of(missing));
    assertThat(calls.get(missing.toLowerCase()).get()).isEqualTo(2);
    assertThat(calls.get(IP1.toLowerCase()).get()).isEqualTo(1);
  }

  @Test
  void anUnknownIdIsRefusedBeforeAnyLookup() {
    AddressResolver r = new AddressResolver(this::fake, Duration.ofMinutes(5), now::get);
    Outcome<Map<String, Cidr>> out = r.resolve(List.of(IP1, "/subscriptions/x/natGateways/n"));
    assertThat(out).isEqualTo(Outcome.failed(new Failure.Rejected("UnsupportedResourceId",
        "'/subscriptions/x/natGateways/n' is not the ID of a public IP address or public IP prefix")));
    assertThat(totalCalls()).isZero();
  }

  @Test
  void aThrowingLookupBecomesAFailureAndReleasesWaiters() {
    AddressResolver r = new AddressResolver(id -> {
      throw new IllegalStateException("bug");
    }, Duration.ofMinutes(5), now::get);
    assertThat(r.resolve(List.of(IP1))).isInstanceOf(Outcome.Failed.class);
    assertThat(r.size()).isZero();
  }

  @Test
  void concurrentCallersShareTheRunningLookup() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    AddressResolver r = new AddressResolver(id -> {
      started.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return fake(id);
    }, Duration.ofMinutes(5), now::get);
    Map<Thread, Outcome<Map<String, Cidr>>> results = new ConcurrentHashMap<>();
    Thread owner = new Thread(() -> results.put(Thread.currentThread(), r.resolve(List.of(IP1, IP2, PFX))));
    owner.start();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    List<Thread> others = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      Thread t = new Thread(() -> results.put(Thread.currentThread(), r.resolve(List.of(PFX, IP2, IP1))));
      others.add(t);
      t.start();
    }
    // Every other caller is parked (on the shared lookup, or on its own one if sharing were broken) before the
    // first lookup is allowed to finish.
    await().atMost(Duration.ofSeconds(10)).until(() -> others.stream().allMatch(
        t -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING));
    release.countDown();
    owner.join(10_000);
    for (Thread t : others) {
      t.join(10_000);
    }
    assertThat(results).hasSize(8);
    assertThat(results.values()).allMatch(Outcome::isOk);
    assertThat(calls).containsOnlyKeys(IP1.toLowerCase(), IP2.toLowerCase(), PFX.toLowerCase());
    assertThat(totalCalls()).isEqualTo(3);
  }
}
