package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.kubeapi.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Events against the embedded Kubernetes API: one Event per (object, reason, type, message), counted. */
class EventRecorderTest {

  /** Kubernetes' own check for object names (IsDNS1123Subdomain). */
  static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  static final AtomicInteger COUNTER = new AtomicInteger();
  static EmbeddedKubernetes kube;

  String ns;
  KubernetesClient k8s;
  final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));

  /** A clock the test moves. */
  static final class ManualClock extends Clock {
    final AtomicReference<Instant> now;

    ManualClock(Instant start) {
      now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @BeforeAll
  static void start() {
    kube = EmbeddedKubernetes.start(0);
  }

  @AfterAll
  static void stop() {
    if (kube != null) {
      kube.close();
    }
  }

  @BeforeEach
  void namespace() {
    ns = "ev" + COUNTER.incrementAndGet();
    k8s = kube.client();
  }

  @Test
  void aRepeatUpdatesTheCountOfTheSameEventAndRepeatsInsideTheWindowCostNoCall() {
    EventRecorder recorder = new EventRecorder(k8s, clock);
    AuthorizedIpPolicy p = policy("production", "uid-1");

    assertThat(recorder.emit(p, EventReason.Blocked, "aks1: private cluster")).isTrue();
    Event first = single();
    assertThat(first.getCount()).isEqualTo(1);
    assertThat(first.getType()).isEqualTo("Warning");
    assertThat(first.getMetadata().getName()).matches("production\\.[0-9a-f]{16}");
    String version = first.getMetadata().getResourceVersion();

    clock.advance(EventRecorder.REPEAT_AFTER.minusSeconds(1));
    assertThat(recorder.emit(p, EventReason.Blocked, "aks1: private cluster")).isFalse();
    assertThat(single().getMetadata().getResourceVersion()).isEqualTo(version);

    clock.advance(Duration.ofSeconds(2));
    assertThat(recorder.emit(p, EventReason.Blocked, "aks1: private cluster")).isTrue();
    Event second = single();
    assertThat(second.getMetadata().getName()).isEqualTo(first.getMetadata().getName());
    assertThat(second.getCount()).isEqualTo(2);
    assertThat(second.getFirstTimestamp()).isEqualTo(first.getFirstTimestamp());
    assertThat(Instant.parse(second.getLastTimestamp())).isEqualTo(clock.instant());

    // Another message, reason or object is another Event.
    assertThat(recorder.emit(p, EventReason.Blocked, "aks2: private cluster")).isTrue();
    assertThat(recorder.emit(p, EventReason.AzureError, "aks1: private cluster")).isTrue();
    assertThat(recorder.emit(policy("production", "uid-2"), EventReason.Blocked, "aks1: private cluster")).isTrue();
    assertThat(events()).hasSize(4).extracting(e -> e.getMetadata().getName()).doesNotHaveDuplicates();
  }

  @Test
  void twoProcessesShareOneEvent() {
    AuthorizedIpPolicy p = policy("staging", "uid-3");
    EventRecorder first = new EventRecorder(k8s, clock);
    EventRecorder second = new EventRecorder(k8s, clock); // a new leader after a failover: an empty cache

    assertThat(first.emit(p, EventReason.DriftDetected, "aks1 differs")).isTrue();
    assertThat(second.emit(p, EventReason.DriftDetected, "aks1 differs")).isTrue();
    assertThat(single().getCount()).isEqualTo(2);
    clock.advance(EventRecorder.REPEAT_AFTER);
    assertThat(first.emit(p, EventReason.DriftDetected, "aks1 differs")).isTrue();
    assertThat(single().getCount()).isEqualTo(3);
  }

  @Test
  void concurrentProcessesLoseNoCount() throws Exception {
    AuthorizedIpPolicy p = policy("batch", "uid-4");
    int processes = 3;
    ExecutorService pool = Executors.newFixedThreadPool(processes);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < processes; i++) {
        EventRecorder recorder = new EventRecorder(k8s, clock);
        Callable<Boolean> emit = () -> {
          go.await();
          return recorder.emit(p, EventReason.AzureError, "aks1: 503");
        };
        results.add(pool.submit(emit));
      }
      go.countDown();
      int written = 0;
      for (Future<Boolean> f : results) {
        written += f.get() ? 1 : 0;
      }
      assertThat(written).isPositive();
      assertThat(single().getCount()).isEqualTo(written);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void namesOfLongObjectsAreBoundedValidAndDistinct() {
    EventRecorder recorder = new EventRecorder(k8s, clock);
    String longName = "a".repeat(250) + "-x";
    assertThat(recorder.emit(policy(longName, "uid-5"), EventReason.Applied, "done")).isTrue();
    assertThat(recorder.emit(policy("a".repeat(250) + "-y", "uid-6"), EventReason.Applied, "done")).isTrue();
    List<Event> all = events();
    assertThat(all).hasSize(2).extracting(e -> e.getMetadata().getName()).doesNotHaveDuplicates()
        .allMatch(n -> n.length() <= 253, "at most 253 characters")
        .allMatch(n -> DNS_SUBDOMAIN.matcher(n).matches(), "a DNS subdomain");
    assertThat(all).allMatch(e -> e.getInvolvedObject().getName().startsWith("aaaa"));

    for (String odd : List.of("x.-y", "-x-", "x..y", "Up_Per", "a".repeat(235) + ".-b", "a".repeat(236) + "-b", "")) {
      String name = EventRecorder.name(odd, "k");
      assertThat(name).hasSizeLessThanOrEqualTo(253).matches(DNS_SUBDOMAIN);
    }
  }

  @Test
  void aFailureToEmitNeverThrows() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + port)
        .withRequestTimeout(2_000).withConnectionTimeout(2_000).withRequestRetryBackoffLimit(0).build();
    try (KubernetesClient unreachable = new KubernetesClientBuilder().withConfig(config)
        .withHttpClientFactory(new JdkHttpClientFactory()).build()) {
      EventRecorder recorder = new EventRecorder(unreachable, clock);
      assertThat(recorder.emit(policy("p", "uid-7"), EventReason.InternalError, "boom")).isFalse();
      // Not cached as written: the next attempt tries again.
      assertThat(recorder.emit(policy("p", "uid-7"), EventReason.InternalError, "boom")).isFalse();
    }
  }

  AuthorizedIpPolicy policy(String name, String uid) {
    AuthorizedIpPolicy p = new AuthorizedIpPolicy();
    p.getMetadata().setName(name);
    p.getMetadata().setNamespace(ns);
    p.getMetadata().setUid(uid);
    return p;
  }

  List<Event> events() {
    return k8s.v1().events().inNamespace(ns).list().getItems();
  }

  Event single() {
    List<Event> all = events();
    assertThat(all).hasSize(1);
    return all.get(0);
  }
}
