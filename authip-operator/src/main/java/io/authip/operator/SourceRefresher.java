package io.authip.operator;

import io.authip.api.v1alpha1.RangeSource;
import io.authip.api.v1alpha1.ServiceTagSource;
import io.authip.azure.AksGateway;
import io.authip.azure.Outcome;
import io.authip.azure.ServiceTag;
import io.authip.sources.FeedContent;
import io.authip.sources.FeedException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Reads sources off the reconcile threads: a read (an HTTPS feed, or ARM requests that may wait for the request
 * budget) runs on this refresher's own threads, and its result waits here until the set's next reconcile, which
 * {@code onDone} triggers, takes it. Results live in memory only: after a restart a source is simply read again.
 */
public final class SourceRefresher implements AutoCloseable {

  /** What a read came to: content, the knowledge that a service tag is unchanged, or why it failed. */
  public record Result(FeedContent content, boolean unchanged, String error, int armRequests) {
  }

  private final AksGateway gateway;
  private final FeedFetcher feeds;
  private final String defaultSubscription;
  private final ExecutorService executor;
  private final Map<String, Result> done = new ConcurrentHashMap<>();
  private final Map<String, Boolean> running = new ConcurrentHashMap<>();
  private final AtomicLong armRequests = new AtomicLong();
  private volatile Consumer<ResourceID> onDone = id -> { };

  public SourceRefresher(AksGateway gateway, FeedFetcher feeds, String defaultSubscription, int threads) {
    this.gateway = gateway;
    this.feeds = feeds;
    this.defaultSubscription = defaultSubscription;
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "authip-sources-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Called with the set whose source read has finished. */
  public void onDone(Consumer<ResourceID> callback) {
    this.onDone = callback;
  }

  /** ARM requests made for service tags so far. */
  public long armRequests() {
    return armRequests.get();
  }

  /** Feed requests made so far. */
  public long feedRequests() {
    return feeds.requests();
  }

  private static String id(ResourceID set, String uid, String key) {
    return set.getNamespace().orElse("") + "/" + set.getName() + "/" + uid + "|" + key;
  }

  /** Whether a read of this source is under way. */
  public boolean running(ResourceID set, String uid, String key) {
    return running.containsKey(id(set, uid, key));
  }

  /** The finished read of this source, once; null when there is none. */
  public Result take(ResourceID set, String uid, String key) {
    return done.remove(id(set, uid, key));
  }

  /**
   * Starts reading a source unless a read of it is under way or finished and not yet taken.
   *
   * @param knownChangeNumber the service tag's change number of the content in use (its prefixes are then only read
   *     when it changed), or null
   */
  public void start(ResourceID set, String uid, RangeSource source, String knownChangeNumber) {
    String id = id(set, uid, source.key());
    if (done.containsKey(id) || running.putIfAbsent(id, Boolean.TRUE) != null) {
      return;
    }
    try {
      executor.execute(() -> {
        Result r;
        try {
          r = read(source, knownChangeNumber);
        } catch (RuntimeException e) {
          r = new Result(null, false, "reading " + source.describe() + " failed: " + e, 0);
        }
        done.put(id, r);
        running.remove(id);
        onDone.accept(set);
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      running.remove(id);
    }
  }

  private Result read(RangeSource source, String knownChangeNumber) {
    if (source.getUrl() != null) {
      try {
        return new Result(feeds.fetch(source.getUrl()), false, null, 0);
      } catch (FeedException e) {
        return new Result(null, false, e.getMessage(), 0);
      }
    }
    ServiceTagSource tag = source.getAzureServiceTag();
    String sub = tag.getSubscriptionId() != null ? tag.getSubscriptionId() : defaultSubscription;
    if (sub == null) {
      return new Result(null, false, "no subscription to read service tag " + tag.getName() + " in: set "
          + "azureServiceTag.subscriptionId, or AUTHIP_DEFAULT_SUBSCRIPTION in the operator's configuration", 0);
    }
    Outcome<ServiceTag> outcome = gateway.serviceTag(sub, tag.getLocation(), tag.getName(), knownChangeNumber);
    if (outcome instanceof Outcome.Failed<ServiceTag> f) {
      return new Result(null, false, "service tag " + tag.getName() + ": " + f.failure().message(), 1);
    }
    ServiceTag found = ((Outcome.Ok<ServiceTag>) outcome).value();
    armRequests.addAndGet(found.requests());
    if (found.unchanged()) {
      return new Result(null, true, null, found.requests());
    }
    try {
      return new Result(FeedContent.parse(found.addressPrefixes(), found.changeNumber(), "service tag "
          + found.name()), false, null, found.requests());
    } catch (FeedException e) {
      return new Result(null, false, e.getMessage(), found.requests());
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
