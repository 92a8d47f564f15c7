package io.authip.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counters and the request log. Thread-safe; counters are exact, the log keeps the newest {@code capacity}. */
final class RequestStats {

  private final int capacity;
  private final Map<String, AtomicInteger> byResourceAndMethod = new ConcurrentHashMap<>();
  private final Map<RequestKind, AtomicInteger> byKind = new EnumMap<>(RequestKind.class);
  private final Map<String, ObjectNode> lastPutBodies = new ConcurrentHashMap<>();
  private final Set<String> apiVersions = ConcurrentHashMap.newKeySet();
  private final Deque<RecordedRequest> log = new ArrayDeque<>();
  private final java.util.function.Consumer<RecordedRequest> listener;
  private final Deque<PutAudit> putAudits = new ArrayDeque<>();
  private int dropped;

  RequestStats(int capacity, java.util.function.Consumer<RecordedRequest> listener) {
    this.listener = listener;
    if (capacity < 0) {
      throw new IllegalArgumentException("the request log capacity cannot be negative: " + capacity);
    }
    this.capacity = capacity;
    for (RequestKind kind : RequestKind.values()) {
      byKind.put(kind, new AtomicInteger());
    }
  }

  void record(RecordedRequest request) {
    byResourceAndMethod.computeIfAbsent(request.resourceKey() + " " + request.method(), k -> new AtomicInteger())
        .incrementAndGet();
    byKind.get(request.kind()).incrementAndGet();
    request.apiVersion().ifPresent(apiVersions::add);
    listener.accept(request);
    synchronized (log) {
      if (capacity == 0) {
        dropped++;
        return;
      }
      if (log.size() == capacity) {
        log.removeFirst();
        dropped++;
      }
      log.addLast(request);
    }
  }

  /** Keeps the newest {@code capacity} cluster PUT audits, as the request log keeps requests. */
  void audit(PutAudit audit) {
    synchronized (putAudits) {
      if (capacity == 0) {
        return;
      }
      if (putAudits.size() == capacity) {
        putAudits.removeFirst();
      }
      putAudits.addLast(audit);
    }
  }

  List<PutAudit> putAudits() {
    synchronized (putAudits) {
      return List.copyOf(putAudits);
    }
  }

  void lastPutBody(String clusterKey, ObjectNode body) {
    lastPutBodies.put(clusterKey, body);
  }

  Optional<ObjectNode> lastPutBody(String clusterKey) {
    ObjectNode body = lastPutBodies.get(clusterKey);
    return body == null ? Optional.empty() : Optional.of(body.deepCopy());
  }

  int count(String resourceKey, String method) {
    AtomicInteger n = byResourceAndMethod.get(resourceKey + " " + method);
    return n == null ? 0 : n.get();
  }

  int count(RequestKind kind) {
    return byKind.get(kind).get();
  }

  Map<String, Integer> countsByResourceAndMethod() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    byResourceAndMethod.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  List<RecordedRequest> requests() {
    synchronized (log) {
      return List.copyOf(new ArrayList<>(log));
    }
  }

  int droppedFromLog() {
    synchronized (log) {
      return dropped;
    }
  }

  Set<String> apiVersions() {
    return new TreeSet<>(apiVersions);
  }

  /** Forgets counts, the log, the last PUT bodies and the PUT audits. */
  void reset() {
    byResourceAndMethod.clear();
    byKind.values().forEach(n -> n.set(0));
    lastPutBodies.clear();
    apiVersions.clear();
    synchronized (log) {
      log.clear();
      dropped = 0;
    }
    synchronized (putAudits) {
      putAudits.clear();
    }
  }
}
