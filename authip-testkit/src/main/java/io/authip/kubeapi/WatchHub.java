package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Every change the store makes, in resourceVersion order, for the HTTP watches kubectl opens: live to the
 * subscribers, and the recent past kept so that a watch from a resourceVersion misses nothing between its list
 * and its watch.
 */
final class WatchHub implements AutoCloseable {

  /**
   * One change. {@code before} is null for a creation, {@code after} for a deletion.
   *
   * @param resourceVersion the store's version after the change (deletions get a version of their own)
   */
  record Change(long resourceVersion, String group, String version, String plural, JsonNode before,
      JsonNode after) {
  }

  /** The requested resourceVersion is older than the kept history: the client has to list again. */
  static final class Expired extends Exception {
    Expired(String message) {
      super(message);
    }
  }

  private static final Change CLOSED = new Change(Long.MAX_VALUE, "", "", "", null, null);

  private final int capacity;
  private final Deque<Change> history = new ArrayDeque<>();
  private final Set<Subscription> subscribers = new LinkedHashSet<>();
  private long completeAfter;
  private boolean closed;

  WatchHub(int capacity) {
    this.capacity = capacity;
  }

  synchronized void publish(Change change) {
    history.addLast(change);
    while (history.size() > capacity) {
      completeAfter = history.removeFirst().resourceVersion();
    }
    for (Subscription s : subscribers) {
      s.queue.add(change);
    }
  }

  /**
   * Starts receiving changes; those after {@code since} that are still kept come first.
   *
   * @param since a resourceVersion, or -1 for live changes only
   */
  synchronized Subscription subscribe(long since) throws Expired {
    Subscription s = new Subscription();
    if (closed) {
      s.queue.add(CLOSED);
      return s;
    }
    if (since >= 0) {
      if (since < completeAfter) {
        throw new Expired("too old resource version: " + since + " (" + completeAfter + ")");
      }
      for (Change c : history) {
        if (c.resourceVersion() > since) {
          s.queue.add(c);
        }
      }
    }
    subscribers.add(s);
    return s;
  }

  private synchronized void unsubscribe(Subscription s) {
    subscribers.remove(s);
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (Subscription s : subscribers) {
      s.queue.add(CLOSED);
    }
    subscribers.clear();
  }

  /** The changes for one watch, in order. */
  final class Subscription implements AutoCloseable {
    private final BlockingQueue<Change> queue = new LinkedBlockingQueue<>();
    private boolean ended;

    /**
     * @return the next change, or null when none came within the timeout or the hub is closed (see
     *     {@link #ended()})
     */
    Change poll(long timeout, TimeUnit unit) throws InterruptedException {
      if (ended) {
        return null;
      }
      Change c = queue.poll(timeout, unit);
      if (c == CLOSED) {
        ended = true;
        return null;
      }
      return c;
    }

    boolean ended() {
      return ended;
    }

    @Override
    public void close() {
      unsubscribe(this);
    }
  }
}
