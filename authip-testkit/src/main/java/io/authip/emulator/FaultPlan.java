package io.authip.emulator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/** The faults waiting to happen, in the order they were added; each one fires for its next N matching requests. */
final class FaultPlan {

  private static final class Rule {
    final FaultTarget target;
    final Fault fault;
    int remaining;
    /** Matching requests still to let through before the fault fires. */
    int skip;

    Rule(FaultTarget target, Fault fault, int remaining, int skip) {
      this.target = target;
      this.fault = fault;
      this.remaining = remaining;
      this.skip = skip;
    }
  }

  private final List<Rule> rules = new ArrayList<>();

  synchronized void add(FaultTarget target, Fault fault, int times) {
    add(target, fault, times, 0);
  }

  synchronized void add(FaultTarget target, Fault fault, int times, int skip) {
    if (times < 1) {
      throw new IllegalArgumentException("a fault must fire at least once, got times=" + times);
    }
    if (skip < 0) {
      throw new IllegalArgumentException("skip cannot be negative, got " + skip);
    }
    rules.add(new Rule(target, fault, times, skip));
  }

  /** The fault for this request, consuming one of its firings; the first matching rule wins. */
  synchronized Optional<Fault> take(RequestKind kind, String resourceKey, String operationClusterKey, String method) {
    Iterator<Rule> it = rules.iterator();
    while (it.hasNext()) {
      Rule rule = it.next();
      if (rule.target.matches(kind, resourceKey, operationClusterKey, method)) {
        if (rule.skip > 0) {
          rule.skip--;
          continue;
        }
        if (--rule.remaining == 0) {
          it.remove();
        }
        return Optional.of(rule.fault);
      }
    }
    return Optional.empty();
  }

  /** How many firings are still pending, over all rules. */
  synchronized int pending() {
    return rules.stream().mapToInt(r -> r.remaining).sum();
  }

  /** How many firings are still pending for rules added with exactly this target. */
  synchronized int pending(FaultTarget target) {
    return rules.stream().filter(r -> r.target.equals(target)).mapToInt(r -> r.remaining).sum();
  }

  synchronized void clear() {
    rules.clear();
  }
}
