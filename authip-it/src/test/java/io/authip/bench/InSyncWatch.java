package io.authip.bench;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.TargetState;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts, through an informer, the policies whose every target is {@code InSync} for the current generation, so that
 * the harness learns the moment a fleet converged without listing a thousand policies in a loop.
 */
final class InSyncWatch implements AutoCloseable {

  private final Map<String, Boolean> inSync = new ConcurrentHashMap<>();
  private final Map<String, Long> observed = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();
  private final SharedIndexInformer<AuthorizedIpPolicy> informer;

  InSyncWatch(KubernetesClient client, String namespace) {
    informer = client.resources(AuthorizedIpPolicy.class).inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(AuthorizedIpPolicy p) {
        track(p);
      }

      @Override
      public void onUpdate(AuthorizedIpPolicy old, AuthorizedIpPolicy p) {
        track(p);
      }

      @Override
      public void onDelete(AuthorizedIpPolicy p, boolean unknownFinalState) {
        if (Boolean.TRUE.equals(inSync.remove(p.getMetadata().getName()))) {
          count.decrementAndGet();
        }
      }
    });
  }

  private synchronized void track(AuthorizedIpPolicy p) {
    boolean now = allInSync(p);
    Boolean before = inSync.put(p.getMetadata().getName(), now);
    if (now && !Boolean.TRUE.equals(before)) {
      count.incrementAndGet();
    } else if (!now && Boolean.TRUE.equals(before)) {
      count.decrementAndGet();
    }
    if (now) {
      observed.put(p.getMetadata().getName(), p.getMetadata().getGeneration());
    }
  }

  static boolean allInSync(AuthorizedIpPolicy p) {
    if (p.getStatus() == null || p.getSpec() == null || p.getStatus().getTargets() == null) {
      return false;
    }
    int expected = p.getSpec().targetsOrEmpty().size();
    if (!p.getSpec().targetSelectorsOrEmpty().isEmpty()) {
      // Selected clusters count once every selector is resolved, with what it took.
      var selectors = p.getStatus().getSelectors();
      if (selectors == null || selectors.isEmpty()
          || !selectors.stream().allMatch(x -> Boolean.TRUE.equals(x.getResolved()))) {
        return false;
      }
      expected += selectors.stream().mapToInt(x -> x.getMatched() == null ? 0 : x.getMatched()).sum();
    }
    return p.getMetadata().getGeneration() != null
        && p.getMetadata().getGeneration().equals(p.getStatus().getObservedGeneration())
        && expected > 0 && p.getStatus().getTargets().size() == expected
        && p.getStatus().getTargets().stream().allMatch(t -> t.getState() == TargetState.InSync);
  }

  int inSyncCount() {
    return count.get();
  }

  /** Waits until {@code policies} policies are in sync; returns false on timeout. */
  boolean awaitAll(int policies, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count.get() < policies) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  /** Waits until the policy is in sync at {@code generation} or later. */
  boolean awaitPolicy(String name, long generation, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!(Boolean.TRUE.equals(inSync.get(name)) && observed.getOrDefault(name, -1L) >= generation)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  @Override
  public void close() {
    informer.close();
  }
}
