package io.authip.operator;

import io.authip.api.v1alpha1.ConditionReason;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.IpRangeSetStatus;
import io.authip.logging.Logging;
import io.authip.policy.FieldError;
import io.authip.policy.PolicyValidator;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Reports on each IpRangeSet whether it is valid and how many blocks it merges into, and keeps its sources' content:
 * reads are started on the {@link SourceRefresher}'s threads when due, their results are judged here (the shrink
 * guard, approvals), recorded in the {@link SourceStore} before status says anything, and announced as events.
 * Writes nothing to Azure.
 */
// Not generation-aware: the approval and refresh annotations change metadata only, and must be acted on.
@ControllerConfiguration(name = IpRangeSetReconciler.NAME, generationAwareEventProcessing = false)
public final class IpRangeSetReconciler implements Reconciler<IpRangeSet> {

  /** Approves held content: the held content's hash (several separated by commas or spaces). */
  public static final String APPROVE_ANNOTATION = "authip.io/approve-content";
  /** Any new value asks for every source to be read now (e.g. the time of asking). */
  public static final String REFRESH_ANNOTATION = "authip.io/refresh";

  public static final String NAME = "iprangeset";
  private static final Logger LOG = LoggerFactory.getLogger(IpRangeSetReconciler.class);

  private final PolicyValidator validator;
  private final EventRecorder events;
  private final Clock clock;
  private final SourceStore store;
  private final SourceRefresher refresher;
  private final io.authip.metrics.AuthipMetrics metrics;
  /** How soon a source whose last read failed is read again (capped by its refresh interval). */
  private final java.time.Duration retry;
  /** How often the records of deleted sets are looked for (and at the first reconcile of a set with sources). */
  static final java.time.Duration SWEEP_INTERVAL = java.time.Duration.ofMinutes(10);
  private final java.util.concurrent.atomic.AtomicReference<java.time.Instant> lastSweep =
      new java.util.concurrent.atomic.AtomicReference<>();
  /** The value of {@link #REFRESH_ANNOTATION} last acted on, per set UID. */
  private final java.util.Map<String, String> refreshAsked = new java.util.concurrent.ConcurrentHashMap<>();

  /** Without sources support: sets with sources stay without content (tests of validation only). */
  public IpRangeSetReconciler(PolicyValidator validator, EventRecorder events, Clock clock) {
    this(validator, events, clock, null, null, null, java.time.Duration.ofMinutes(5));
  }

  public IpRangeSetReconciler(PolicyValidator validator, EventRecorder events, Clock clock, SourceStore store,
      SourceRefresher refresher, io.authip.metrics.AuthipMetrics metrics, java.time.Duration retry) {
    this.validator = validator;
    this.events = events;
    this.clock = clock;
    this.store = store;
    this.refresher = refresher;
    this.metrics = metrics;
    this.retry = retry;
  }

  @Override
  public List<io.javaoperatorsdk.operator.processing.event.source.EventSource<?, IpRangeSet>> prepareEventSources(
      io.javaoperatorsdk.operator.api.reconciler.EventSourceContext<IpRangeSet> context) {
    if (refresher == null) {
      return List.of();
    }
    var reads = new io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource<IpRangeSet>(
        "authip-source-reads");
    refresher.onDone(reads::propagateEvent);
    return List.of(reads);
  }

  @Override
  public UpdateControl<IpRangeSet> reconcile(IpRangeSet set, Context<IpRangeSet> context) {
    try (var mdc = MDC.putCloseable(Logging.RANGE_SET, set.getMetadata().getNamespace() + "/"
        + set.getMetadata().getName())) {
      PolicyValidator.RangeCheck check = validator.checkRangeSet(set);
      List<FieldError> errors = check.errors();
      IpRangeSetStatus old = set.getStatus();
      IpRangeSetStatus status = new IpRangeSetStatus();
      Long generation = set.getMetadata().getGeneration();
      status.setObservedGeneration(generation);
      java.time.Duration next = null;
      if (errors.isEmpty() && !set.getSpec().sourcesOrEmpty().isEmpty() && store != null) {
        sweep(context);
        SourceSync sync = new SourceSync(set, context, clock.instant());
        // A record that cannot be written throws: nothing is announced, the reconcile is retried, and the reads whose
        // results were taken are started again (their attempt was not recorded).
        next = sync.run();
        status.setSources(sync.statuses);
        List<io.fabric8.kubernetes.api.model.Condition> conditions = old == null ? null : old.getConditions();
        if (sync.missing != null) {
          conditions = Conditions.set(conditions, Conditions.VALID, false, ConditionReason.SourceUnavailable,
              sync.missing, generation, clock.instant());
        } else {
          io.authip.ranges.CidrSet all = check.ranges().union(sync.blocks);
          status.setRangeCount(all.size());
          conditions = Conditions.set(conditions, Conditions.VALID, true, ConditionReason.Valid, all.size()
              + " ranges after merging (" + sync.blocks.size() + " from " + sync.statuses.size() + " source"
              + (sync.statuses.size() == 1 ? "" : "s") + ")", generation, clock.instant());
        }
        conditions = Conditions.set(conditions, SOURCE_STALE, sync.stale != null, sync.stale != null
            ? ConditionReason.Stale : ConditionReason.Fresh, sync.stale != null ? sync.stale
            : "every source's last read succeeded", generation, clock.instant());
        conditions = Conditions.set(conditions, SHRINK_HELD, sync.held != null, sync.held != null
            ? ConditionReason.Held : ConditionReason.NotHeld, sync.held != null ? sync.held
            : "no refresh is held back", generation, clock.instant());
        status.setConditions(conditions);
      } else if (errors.isEmpty()) {
        int count = check.ranges().size();
        status.setRangeCount(count);
        status.setConditions(Conditions.set(old == null ? null : old.getConditions(), Conditions.VALID, true, ConditionReason.Valid,
            count + " ranges after merging", generation, clock.instant()));
        forgetMetrics(set);
      } else {
        String message = invalidMessage(errors);
        status.setConditions(Conditions.set(old == null ? null : old.getConditions(), Conditions.VALID, false,
            ConditionReason.InvalidSpec, message, generation, clock.instant()));
        events.emit(set, EventReason.InvalidSpec, message);
      }
      status.setConditions(Conditions.readyFromValid(status.getConditions(), generation, clock.instant()));
      pruneMetrics(context);
      UpdateControl<IpRangeSet> control;
      if (status.equals(old)) {
        control = UpdateControl.noUpdate();
      } else {
        IpRangeSet fresh = new IpRangeSet();
        fresh.getMetadata().setName(set.getMetadata().getName());
        fresh.getMetadata().setNamespace(set.getMetadata().getNamespace());
        fresh.setStatus(status);
        control = UpdateControl.patchStatus(fresh);
      }
      return next == null ? control : control.rescheduleAfter(next);
    }
  }

  /** As for policies: {@code Valid=Unknown}, reason InternalError, unless the exception is a 409 Conflict. */
  @Override
  public ErrorStatusUpdateControl<IpRangeSet> updateErrorStatus(IpRangeSet set, Context<IpRangeSet> context,
      Exception e) {
    try (var mdc = MDC.putCloseable(Logging.RANGE_SET, set.getMetadata().getNamespace() + "/"
        + set.getMetadata().getName())) {
      if (ErrorStatus.isConflict(e)) {
        return ErrorStatusUpdateControl.noStatusUpdate();
      }
      IpRangeSetStatus status = ErrorStatus.of(set, e, clock.instant());
      String message = Conditions.find(status.getConditions(), Conditions.VALID).orElseThrow().getMessage();
      LOG.warn("{}", message);
      events.emit(set, EventReason.InternalError, message);
      if (status.equals(set.getStatus())) {
        return ErrorStatusUpdateControl.noStatusUpdate();
      }
      IpRangeSet updated = new IpRangeSet();
      updated.setMetadata(set.getMetadata());
      updated.setSpec(set.getSpec());
      updated.setStatus(status);
      return ErrorStatusUpdateControl.patchStatus(updated);
    }
  }

  static final String SOURCE_STALE = "SourceStale";
  static final String SHRINK_HELD = "ShrinkHeld";

  private void forgetMetrics(IpRangeSet set) {
    if (metrics != null) {
      metrics.forgetRangeSet(set.getMetadata().getNamespace() + "/" + set.getMetadata().getName());
    }
  }

  /**
   * Deletes the source records of deleted sets, at most every {@link #SWEEP_INTERVAL}. A set missing from this
   * controller's cache is looked up in the API before its record goes (the cache may not see it: another install's
   * label selector or namespaces), and one with another UID was deleted and created again.
   */
  private void sweep(Context<IpRangeSet> context) {
    java.time.Instant now = clock.instant();
    java.time.Instant last = lastSweep.get();
    if (last != null && last.plus(SWEEP_INTERVAL).isAfter(now) || !lastSweep.compareAndSet(last, now)) {
      return;
    }
    try {
      int deleted = store.sweep((ns, name, uid) -> {
        var cached = context.getPrimaryCache().get(new io.javaoperatorsdk.operator.processing.event.ResourceID(name,
            ns));
        if (cached.isPresent() && uid.equals(cached.get().getMetadata().getUid())) {
          return true;
        }
        return context.getClient().resources(IpRangeSet.class).inNamespace(ns)
            .withField("metadata.name", name).list().getItems().stream()
            .anyMatch(s -> uid.equals(s.getMetadata().getUid()));
      });
      if (deleted > 0) {
        LOG.info("deleted the source records of {} IpRangeSet(s) that no longer exist", deleted);
      }
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      LOG.warn("could not look for the source records of deleted IpRangeSets (HTTP {}): {}", e.getCode(),
          e.getMessage());
    }
  }

  /** Drops the source series of sets that are gone from the cache (deleted). */
  private void pruneMetrics(Context<IpRangeSet> context) {
    if (metrics == null) {
      return;
    }
    for (String key : metrics.rangeSetsRecorded()) {
      int slash = key.indexOf('/');
      var id = new io.javaoperatorsdk.operator.processing.event.ResourceID(key.substring(slash + 1),
          key.substring(0, slash));
      if (context.getPrimaryCache().get(id).isEmpty()) {
        metrics.forgetRangeSet(key);
      }
    }
  }

  /** One reconcile's work on a set's sources. */
  private final class SourceSync {
    final IpRangeSet set;
    final Context<IpRangeSet> context;
    final java.time.Instant now;
    final List<io.authip.api.v1alpha1.SourceStatus> statuses = new java.util.ArrayList<>();
    io.authip.ranges.CidrSet blocks = io.authip.ranges.CidrSet.empty();
    String missing;
    String stale;
    String held;
    private final List<Runnable> announcements = new java.util.ArrayList<>();

    SourceSync(IpRangeSet set, Context<IpRangeSet> context, java.time.Instant now) {
      this.set = set;
      this.context = context;
      this.now = now;
    }

    /** Judges finished reads, records, starts due reads; returns when the set should be looked at again. */
    java.time.Duration run() {
      var spec = set.getSpec();
      var id = io.javaoperatorsdk.operator.processing.event.ResourceID.fromResource(set);
      String uid = set.getMetadata().getUid();
      java.time.Duration interval = io.authip.sources.RefreshInterval.of(spec.getRefreshInterval());
      java.time.Duration failedRetry = retry.compareTo(interval) < 0 ? retry : interval;
      int maxShrink = spec.effectiveMaxShrinkPercent();
      java.util.Set<String> approved = approvals(set);
      String asked = set.getMetadata().getAnnotations() == null ? null
          : set.getMetadata().getAnnotations().get(REFRESH_ANNOTATION);
      boolean refreshNow = asked != null && !asked.equals(refreshAsked.get(uid));
      java.util.Map<String, SourceStore.State> before = store.states(set);
      java.util.Map<String, SourceStore.State> after = new java.util.LinkedHashMap<>();
      java.util.List<io.authip.metrics.AuthipMetrics.SourceSample> samples = new java.util.ArrayList<>();
      java.time.Duration next = interval;
      var sources = spec.sourcesOrEmpty();
      for (int i = 0; i < sources.size(); i++) {
        var source = sources.get(i);
        String key = source.key();
        String field = "spec.sources[" + i + "] (" + source.describe() + ")";
        SourceStore.State st = before.getOrDefault(key, SourceStore.State.NEW);
        SourceRefresher.Result result = refresher.take(id, uid, key);
        if (result != null) {
          st = judge(field, st, result, maxShrink, approved);
          LOG.info("{}: {}", field, result.error() != null ? "read failed: " + result.error() : result.unchanged()
              ? "unchanged" : st.held() != null && st.held().hash().equals(result.content().hash()) ? "held back"
              : "content " + result.content().hash() + ", " + result.content().blocks().size() + " blocks");
        }
        if (st.held() != null && approved.contains(st.held().hash())) {
          SourceStore.Held h = st.held();
          String change = h.change();
          announcements.add(() -> events.emit(set, EventReason.ShrinkApproved, field + ": held content " + h.hash()
              + " approved by annotation " + APPROVE_ANNOTATION + " and now in use: " + change));
          st = new SourceStore.State(new SourceStore.Good(h.blocks(), h.hash(), h.changeNumber(), h.ipv6Skipped(),
              now.toString()), null, st.lastAttempt(), st.lastError());
        }
        after.put(key, st);
        java.time.Instant last = parse(st.lastAttempt());
        java.time.Duration wait = st.lastError() != null ? failedRetry : interval;
        java.time.Duration untilDue = last == null ? java.time.Duration.ZERO
            : java.time.Duration.between(now, last.plus(wait));
        if ((untilDue.isNegative() || untilDue.isZero() || refreshNow) && !refresher.running(id, uid, key)) {
          LOG.debug("reading {}", field);
          refresher.start(id, uid, source, st.good() == null ? null : st.good().changeNumber());
        } else if (untilDue.compareTo(next) < 0 && !untilDue.isNegative() && !untilDue.isZero()) {
          next = untilDue;
        }
        statuses.add(status(source, st));
        if (st.good() == null) {
          if (missing == null) {
            missing = field + " has no content yet: " + (st.lastError() != null ? st.lastError()
                : "being read") + "; policies referencing this set are not changed until it has";
          }
        } else {
          blocks = blocks.union(st.good().blocks());
          if (st.lastError() != null && stale == null) {
            stale = field + ": the last read failed (" + st.lastError() + "); the content read at "
                + st.good().refreshedAt() + " stays in use";
          }
        }
        if (st.held() != null && held == null) {
          held = field + ": a refresh would change " + st.held().change() + ", removing more than "
              + "maxShrinkPercent=" + maxShrink + " %; held back until the next refresh returns it again, or approve "
              + "it: kubectl annotate iprangeset " + set.getMetadata().getName() + " -n "
              + set.getMetadata().getNamespace() + " " + APPROVE_ANNOTATION + "=" + st.held().hash() + " --overwrite";
        }
        samples.add(new io.authip.metrics.AuthipMetrics.SourceSample(source.describe(), st.good() != null,
            st.good() != null && st.lastError() != null, st.held() != null,
            st.good() == null ? null : parse(st.good().refreshedAt())));
      }
      // Intent first: what the sources hold is durable before status or events say so.
      store.write(set, after);
      if (refreshNow) {
        refreshAsked.put(uid, asked);
      }
      announcements.forEach(Runnable::run);
      if (metrics != null) {
        metrics.recordRangeSet(set.getMetadata().getNamespace(), set.getMetadata().getName(), samples);
      }
      return next;
    }

    private SourceStore.State judge(String field, SourceStore.State st, SourceRefresher.Result r, int maxShrink,
        java.util.Set<String> approved) {
      String at = now.toString();
      if (r.error() != null) {
        if (!r.error().equals(st.lastError())) {
          announcements.add(() -> events.emit(set, EventReason.SourceFailed, field + ": " + r.error()
              + (st.good() != null ? "; the content read at " + st.good().refreshedAt() + " stays in use" : "")));
        }
        return new SourceStore.State(st.good(), st.held(), at, r.error());
      }
      if (r.unchanged()) {
        SourceStore.Good g = st.good();
        return new SourceStore.State(g == null ? null : new SourceStore.Good(g.blocks(), g.hash(), g.changeNumber(),
            g.ipv6Skipped(), at), st.held(), at, null);
      }
      io.authip.sources.FeedContent c = r.content();
      if (st.good() == null) {
        announcements.add(() -> events.emit(set, EventReason.SourceChanged, field + ": first content, "
            + c.blocks().size() + " blocks (" + String.format(java.util.Locale.ROOT, "%,d", c.blocks().addressCount())
            + " addresses)" + (c.ipv6Skipped() > 0 ? ", " + c.ipv6Skipped() + " IPv6 entries skipped" : "")
            + (c.changeNumber() != null ? ", changeNumber " + c.changeNumber() : "")));
        return new SourceStore.State(SourceStore.Good.of(c, at), null, at, null);
      }
      if (c.hash().equals(st.good().hash())) {
        return new SourceStore.State(SourceStore.Good.of(c, at), null, at, null);
      }
      var change = io.authip.sources.ShrinkGuard.change(st.good().blocks(), c.blocks());
      boolean confirmed = st.held() != null && st.held().hash().equals(c.hash());
      if (change.removedPercent() <= maxShrink || confirmed || approved.contains(c.hash())) {
        String how = change.removedPercent() <= maxShrink ? "" : confirmed ? " (held before; returned again by this "
            + "refresh, so now in use)" : " (approved in advance by annotation " + APPROVE_ANNOTATION + ")";
        EventReason reason = change.removedPercent() <= maxShrink ? EventReason.SourceChanged
            : EventReason.ShrinkApproved;
        announcements.add(() -> events.emit(set, reason, field + ": " + change.summary() + how
            + (c.changeNumber() != null ? "; changeNumber " + c.changeNumber() : "")));
        return new SourceStore.State(SourceStore.Good.of(c, at), null, at, null);
      }
      String summary = change.summary();
      announcements.add(() -> events.emit(set, EventReason.ShrinkHeld, field + ": the refresh would change "
          + summary + ", removing more than maxShrinkPercent=" + maxShrink + " %; held back (content " + c.hash()
          + "), the content in use stays until the next refresh returns the same or annotation "
          + APPROVE_ANNOTATION + "=" + c.hash() + " approves it"));
      return new SourceStore.State(st.good(), new SourceStore.Held(c.blocks(), c.hash(), c.changeNumber(),
          c.ipv6Skipped(), summary, at), at, null);
    }

    private io.authip.api.v1alpha1.SourceStatus status(io.authip.api.v1alpha1.RangeSource source,
        SourceStore.State st) {
      var s = new io.authip.api.v1alpha1.SourceStatus();
      s.setSource(source.describe());
      if (st.good() != null) {
        s.setRangeCount(st.good().blocks().size());
        s.setIpv6Skipped(st.good().ipv6Skipped());
        s.setContentHash(st.good().hash());
        s.setChangeNumber(st.good().changeNumber());
        s.setLastRefresh(st.good().refreshedAt());
      }
      s.setLastAttempt(st.lastAttempt());
      s.setLastError(st.lastError());
      if (st.held() != null) {
        s.setHeldHash(st.held().hash());
        s.setHeldChange(st.held().change());
      }
      return s;
    }
  }

  private static java.time.Instant parse(String text) {
    try {
      return text == null ? null : java.time.Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  /** The hashes {@link #APPROVE_ANNOTATION} approves, each as {@code sha256:<hex>}. */
  static java.util.Set<String> approvals(IpRangeSet set) {
    var annotations = set.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(APPROVE_ANNOTATION);
    if (value == null) {
      return java.util.Set.of();
    }
    java.util.Set<String> out = new java.util.HashSet<>();
    for (String h : value.split("[,\\s]+")) {
      String t = h.strip().toLowerCase(java.util.Locale.ROOT);
      if (!t.isEmpty()) {
        out.add(t.startsWith(io.authip.sources.FeedContent.HASH_PREFIX) ? t
            : io.authip.sources.FeedContent.HASH_PREFIX + t);
      }
    }
    return out;
  }

  /** The {@code Valid=False} message of a set with these errors: the first five, then how many more. */
  public static String invalidMessage(List<FieldError> errors) {
    return errors.stream().limit(5).map(FieldError::toString).collect(Collectors.joining("; "))
        + (errors.size() > 5 ? "; and " + (errors.size() - 5) + " more" : "");
  }
}
