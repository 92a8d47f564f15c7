package io.authip.operator;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicyStatus;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.TargetGrant;
import io.authip.tenancy.Grants;
import io.fabric8.kubernetes.api.model.Namespace;
import io.authip.metrics.AuthipMetrics;
import io.authip.policy.PolicyValidator;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.authip.api.v1alpha1.DeletionPolicy;
import io.authip.api.v1alpha1.Mode;
import io.authip.api.v1alpha1.TargetStatus;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orchestrates observe → validate → act → record status; the logic lives in the collaborators.
 *
 * <p>Called on every event, deletions included ({@code triggerReconcilerOnAllEvents}), so that only policies with
 * {@code deletionPolicy: Restore} carry a finalizer: deleting any other policy never waits for authip. Every status
 * write carries the resourceVersion it was computed from: a refused write stops the pass before anything is sent to
 * Azure, and JOSDK retries it with the fresh resource.
 */
@ControllerConfiguration(name = AuthorizedIpPolicyReconciler.NAME, triggerReconcilerOnAllEvents = true)
public final class AuthorizedIpPolicyReconciler implements Reconciler<AuthorizedIpPolicy> {

  public static final String NAME = "authorizedippolicy";
  /** The finalizer of Restore policies (the name JOSDK gave every policy's finalizer in 0.1). */
  public static final String FINALIZER = "authorizedippolicies.authip.io/finalizer";
  static final String TARGET_INDEX = "authip-target";
  static final String RANGESET_INDEX = "authip-rangeset";
  private static final Logger LOG = LoggerFactory.getLogger(AuthorizedIpPolicyReconciler.class);

  private final PolicyValidator validator;
  private final PolicySyncer syncer;
  private final PolicyRestorer restorer;
  private final CaptureStore captures;
  private final EventRecorder events;
  private final AuthipMetrics metrics;
  private final Clock clock;
  private final Duration restoreBackoff;
  private final Duration maxRestoreBackoff;
  private final Tenancy tenancy;
  private final GrantUsage usage;
  /** Restore attempts per policy UID, for the backoff only: the bound itself is the deletion timestamp's. */
  private final Map<String, Integer> restoreAttempts = new ConcurrentHashMap<>();

  public AuthorizedIpPolicyReconciler(PolicyValidator validator, PolicySyncer syncer, PolicyRestorer restorer,
      CaptureStore captures, EventRecorder events, AuthipMetrics metrics, Clock clock, Duration restoreBackoff,
      Duration maxRestoreBackoff, Tenancy tenancy, GrantUsage usage, SourceStore sources) {
    this.sources = sources;
    this.tenancy = tenancy;
    this.usage = usage;
    this.validator = validator;
    this.syncer = syncer;
    this.restorer = restorer;
    this.captures = captures;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
    this.restoreBackoff = restoreBackoff;
    this.maxRestoreBackoff = maxRestoreBackoff;
  }

  /** Where the content of IpRangeSets' sources is kept (never their status). */
  private final SourceStore sources;

  /** IpRangeSets from the informer, with their sources' content from the {@link SourceStore}. */
  private PolicyValidator.RangeSetLookup lookup(Context<AuthorizedIpPolicy> ctx) {
    return new PolicyValidator.RangeSetLookup() {
      @Override
      public Optional<IpRangeSet> find(String namespace, String name) {
        return rangeSet(ctx, namespace, name);
      }

      @Override
      public PolicyValidator.SourceRanges sources(IpRangeSet set) {
        return sourceRanges(set);
      }
    };
  }

  private PolicyValidator.SourceRanges sourceRanges(IpRangeSet set) {
    var list = set.getSpec() == null ? List.<io.authip.api.v1alpha1.RangeSource>of() : set.getSpec().sourcesOrEmpty();
    if (list.isEmpty()) {
      return PolicyValidator.SourceRanges.NONE;
    }
    var states = sources.states(set);
    io.authip.ranges.CidrSet all = io.authip.ranges.CidrSet.empty();
    for (int i = 0; i < list.size(); i++) {
      var source = list.get(i);
      SourceStore.State st = source == null ? null : states.get(source.key());
      if (st == null || st.good() == null) {
        return PolicyValidator.SourceRanges.missing("spec.sources[" + i + "]" + (source == null ? ""
            : " (" + source.describe() + ")") + " has no content yet"
            + (st != null && st.lastError() != null ? ": " + st.lastError() : " (not read yet)"));
      }
      all = all.union(st.good().blocks());
    }
    return PolicyValidator.SourceRanges.of(all);
  }

  @Override
  public List<EventSource<?, AuthorizedIpPolicy>> prepareEventSources(EventSourceContext<AuthorizedIpPolicy> ctx) {
    ctx.getPrimaryCache().addIndexer(TARGET_INDEX, p -> p.getSpec() == null ? List.of()
        : p.getSpec().targetsOrEmpty().stream().filter(Objects::nonNull).map(ClusterTarget::key).distinct().toList());
    ctx.getPrimaryCache().addIndexer(RANGESET_INDEX, p -> p.getSpec() == null ? List.of()
        : p.getSpec().rangeSetRefsOrEmpty().stream().filter(r -> r != null && r.getName() != null)
            .map(r -> p.getMetadata().getNamespace() + "/" + r.getName()).distinct().toList());
    var config = InformerEventSourceConfiguration.from(IpRangeSet.class, AuthorizedIpPolicy.class)
        .withNamespacesInheritedFromController()
        .withInformerListLimit(AuthipOperator.INFORMER_LIST_LIMIT)
        .withSecondaryToPrimaryMapper(set -> ctx.getPrimaryCache()
            .byIndex(RANGESET_INDEX, set.getMetadata().getNamespace() + "/" + set.getMetadata().getName())
            .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
        .withPrimaryToSecondaryMapper((AuthorizedIpPolicy p) -> p.getSpec() == null ? Set.of()
            : p.getSpec().rangeSetRefsOrEmpty().stream().filter(r -> r != null && r.getName() != null)
                .map(r -> new ResourceID(r.getName(), p.getMetadata().getNamespace())).collect(Collectors.toSet()))
        .build();
    // Lists of clusters arrive on their own threads: the policies waiting for one, or targeting a cluster it shows
    // changed, are reconciled then.
    var lists = new SimpleInboundEventSource<AuthorizedIpPolicy>("authip-cluster-lists");
    syncer.onListed(lists::propagateEvent);
    if (tenancy.open()) {
      return List.of(new InformerEventSource<>(config, ctx), lists);
    }
    // Tenancy: a grant that is created, edited (its spec: a new generation) or deleted may change what any policy may
    // reach (grants are few and rarely edited; their status, which authip writes, triggers nothing); a namespace's
    // labels may change which grants are for its policies. Both are cluster-scoped: one informer over all namespaces,
    // whatever namespaces the policies are watched in.
    var grants = InformerEventSourceConfiguration.from(TargetGrant.class, AuthorizedIpPolicy.class)
        .withWatchAllNamespaces()
        .withInformerListLimit(AuthipOperator.INFORMER_LIST_LIMIT)
        .withFollowControllerNamespacesChanges(false)
        .withSecondaryToPrimaryMapper(g -> ctx.getPrimaryCache().list().map(ResourceID::fromResource)
            .collect(Collectors.toSet()))
        .withOnUpdateFilter((TargetGrant now, TargetGrant before) -> !Objects.equals(now.getMetadata().getGeneration(),
            before.getMetadata().getGeneration()))
        .build();
    var namespaces = InformerEventSourceConfiguration.from(Namespace.class, AuthorizedIpPolicy.class)
        .withWatchAllNamespaces()
        .withInformerListLimit(AuthipOperator.INFORMER_LIST_LIMIT)
        .withFollowControllerNamespacesChanges(false)
        .withSecondaryToPrimaryMapper(n -> ctx.getPrimaryCache().list(n.getMetadata().getName())
            .map(ResourceID::fromResource).collect(Collectors.toSet()))
        .withOnUpdateFilter((Namespace now, Namespace before) -> !Objects.equals(now.getMetadata().getLabels(),
            before.getMetadata().getLabels()))
        .build();
    return List.of(new InformerEventSource<>(config, ctx), new InformerEventSource<>(grants, ctx),
        new InformerEventSource<>(namespaces, ctx), lists);
  }

  @Override
  public UpdateControl<AuthorizedIpPolicy> reconcile(AuthorizedIpPolicy policy, Context<AuthorizedIpPolicy> ctx) {
    Instant started = clock.instant();
    String ns = policy.getMetadata().getNamespace();
    String name = policy.getMetadata().getName();
    try (var mdc = LogContext.policy(policy)) {
      if (ctx.isPrimaryResourceDeleted()) {
        forget(policy);
        return UpdateControl.noUpdate();
      }
      if (policy.isMarkedForDeletion()) {
        return delete(policy, ctx);
      }
      AuthorizedIpPolicy current = keepFinalizerIfRestore(policy, ctx);
      StatusWriter writer = new StatusWriter(current, ctx);
      PolicyValidator.Result validation = validator.validatePolicy(current, lookup(ctx));
      AuthorizedIpPolicyStatus status;
      Duration next = null;
      if (!validation.valid()) {
        status = PolicyStatusBuilder.invalid(current, validation.errors(), clock.instant());
        events.emit(current, EventReason.InvalidSpec, status.getConditions().get(0).getMessage());
        LOG.info("invalid spec, nothing sent to Azure: {}", validation.errors());
      } else {
        boolean specChanged = current.getStatus() != null
            && !Objects.equals(current.getStatus().getObservedGeneration(), current.getMetadata().getGeneration());
        Grants grants = grants(ctx, tenancy);
        TargetRoute.Router routes = router(ctx, tenancy, grants, current, extraEgress(current));
        java.util.Set<String> used = new java.util.TreeSet<>();
        TargetRoute.Router recording = (t, a) -> {
          TargetRoute r = routes.route(t, a);
          if (r instanceof TargetRoute.Allowed allowed && allowed.grant() != null) {
            used.add(allowed.grant());
          }
          return r;
        };
        Map<String, String> labels = tenancy.open() ? null : namespaceLabels(ctx, ns);
        PolicySyncer.Listers listers = (sub, rg) -> tenancy.listers(grants, ns, labels, sub, rg);
        PolicySyncer.Result result = syncer.sync(current, validation.staticRanges(), recording, listers,
            t -> otherOwner(ctx, validator, tenancy, grants, current, t), writer::record, specChanged);
        usage.record(ns + "/" + name, used);
        status = PolicyStatusBuilder.of(writer.latest(), result.targets(), result.selectors(), clock.instant());
        for (PolicyEvent e : result.events()) {
          if (events.emit(current, e.reason(), e.message()) || e.reason() == EventReason.DriftCorrected) {
            logEvent(e);
          }
          if (e.reason() == EventReason.DriftCorrected && e.targetKey() != null) {
            metrics.driftCorrected(ns, name, e.targetKey());
          }
        }
        next = result.rescheduleAfter();
      }
      boolean ready = Conditions.find(status.getConditions(), Conditions.READY)
          .map(c -> "True".equals(c.getStatus())).orElse(false);
      metrics.recordPolicy(ns, name, ready, status.getTargets());
      writer.write(status);
      UpdateControl<AuthorizedIpPolicy> control = UpdateControl.noUpdate();
      return next == null ? control : control.rescheduleAfter(next);
    } finally {
      metrics.reconciled(Duration.between(started, clock.instant()));
      LogContext.clear();
    }
  }

  /**
   * An unexpected exception: {@code Ready=False}, reason InternalError, a Warning event, and JOSDK retries with the
   * operator's backoff. A 409 Conflict (a status write based on an old resourceVersion) changes nothing: the retry
   * reconciles from the newer object. No status write when the condition already says the same.
   */
  @Override
  public ErrorStatusUpdateControl<AuthorizedIpPolicy> updateErrorStatus(AuthorizedIpPolicy policy,
      Context<AuthorizedIpPolicy> ctx, Exception e) {
    try (var mdc = LogContext.policy(policy)) {
      if (ErrorStatus.isConflict(e)) {
        LOG.info("status write refused with 409 Conflict (the policy changed meanwhile); retrying");
        return ErrorStatusUpdateControl.noStatusUpdate();
      }
      AuthorizedIpPolicyStatus status = ErrorStatus.of(policy, e, clock.instant());
      String message = Conditions.find(status.getConditions(), Conditions.READY).orElseThrow().getMessage();
      LOG.warn("{}", message);
      events.emit(policy, EventReason.InternalError, message);
      metrics.recordPolicy(policy.getMetadata().getNamespace(), policy.getMetadata().getName(), false,
          status.getTargets());
      if (status.equals(policy.getStatus())) {
        return ErrorStatusUpdateControl.noStatusUpdate();
      }
      // Written as every status is: an update with the resourceVersion of the policy JOSDK handed over, so that a newer
      // status (a recorded intent) is never overwritten by this stale copy; a conflict just leaves it to the retry.
      AuthorizedIpPolicy updated = ctx.getClient().getKubernetesSerialization().clone(policy);
      updated.setStatus(status);
      try {
        ctx.getClient().resource(updated).updateStatus();
      } catch (io.fabric8.kubernetes.client.KubernetesClientException conflict) {
        LOG.info("could not record InternalError in status (HTTP {}); retrying", conflict.getCode());
      }
      return ErrorStatusUpdateControl.noStatusUpdate();
    } finally {
      LogContext.clear();
    }
  }

  /** Only a Restore policy in Enforce mode needs authip before it goes; any other loses the finalizer (upgrade). */
  private AuthorizedIpPolicy keepFinalizerIfRestore(AuthorizedIpPolicy policy, Context<AuthorizedIpPolicy> ctx) {
    boolean wanted = policy.getSpec() != null && policy.getSpec().effectiveDeletionPolicy() == DeletionPolicy.Restore
        && policy.getSpec().effectiveMode() == Mode.Enforce;
    if (wanted && !policy.hasFinalizer(FINALIZER)) {
      return PrimaryUpdateAndCacheUtils.addFinalizer(ctx, FINALIZER);
    }
    if (!wanted && policy.hasFinalizer(FINALIZER)) {
      return PrimaryUpdateAndCacheUtils.removeFinalizer(ctx, FINALIZER);
    }
    return policy;
  }

  private UpdateControl<AuthorizedIpPolicy> delete(AuthorizedIpPolicy policy, Context<AuthorizedIpPolicy> ctx) {
    if (!policy.hasFinalizer(FINALIZER)) {
      return UpdateControl.noUpdate(); // someone else's finalizer holds it; nothing of authip's to do
    }
    String uid = policy.getMetadata().getUid();
    // Restoring sends only what the cluster had before; the policy's extra egress IDs are not read for it.
    Grants grants = grants(ctx, tenancy);
    PolicyRestorer.Result result = restorer.restore(policy, router(ctx, tenancy, grants, policy, List.of()),
        t -> otherOwner(ctx, validator, tenancy, grants, policy, t)
            .or(() -> syncer.selectedElsewhere(policy, t.key())), clock.instant());
    result.events().forEach(e -> events.emit(policy, e.reason(), e.message()));
    if (!result.done()) {
      int attempt = restoreAttempts.merge(uid, 1, Integer::sum);
      long factor = 1L << Math.min(attempt - 1, 16);
      Duration wait = restoreBackoff.multipliedBy(factor);
      wait = wait.compareTo(maxRestoreBackoff) > 0 ? maxRestoreBackoff : wait;
      LOG.info("restoring before deletion (attempt {}), waiting on {}; next look in {}", attempt, result.waitingOn(),
          wait);
      return UpdateControl.<AuthorizedIpPolicy>noUpdate().rescheduleAfter(wait);
    }
    restoreAttempts.remove(uid);
    forgetCaptures(policy);
    PrimaryUpdateAndCacheUtils.removeFinalizer(ctx, FINALIZER);
    metrics.forgetPolicy(policy.getMetadata().getNamespace(), policy.getMetadata().getName());
    return UpdateControl.noUpdate();
  }

  private void forget(AuthorizedIpPolicy policy) {
    syncer.forget(ResourceID.fromResource(policy));
    usage.forget(policy.getMetadata().getNamespace() + "/" + policy.getMetadata().getName());
    metrics.forgetPolicy(policy.getMetadata().getNamespace(), policy.getMetadata().getName());
    restoreAttempts.remove(String.valueOf(policy.getMetadata().getUid()));
    forgetCaptures(policy);
  }

  private void forgetCaptures(AuthorizedIpPolicy policy) {
    String uid = policy.getMetadata().getUid();
    if (uid == null) {
      return;
    }
    try {
      captures.forget(uid);
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      LOG.warn("could not delete the capture record of the deleted policy (ConfigMap {}/{}): {}",
          captures.namespace(), CaptureStore.configMapName(uid), e.getMessage());
    }
  }

  private static void logEvent(PolicyEvent e) {
    if (e.targetKey() == null) {
      LOG.info("{}: {}", e.reason(), e.message());
      return;
    }
    try (var mdc = LogContext.cluster(e.targetKey())) {
      LOG.info("{}: {}", e.reason(), e.message());
    }
  }

  /**
   * Writes the policy's status with the resourceVersion of the last version seen (read by the informer, or written
   * by this pass): a write computed from an outdated policy is refused (409) instead of overwriting what changed.
   */
  private final class StatusWriter {
    private final Context<AuthorizedIpPolicy> ctx;
    private AuthorizedIpPolicy latest;

    StatusWriter(AuthorizedIpPolicy policy, Context<AuthorizedIpPolicy> ctx) {
      this.latest = policy;
      this.ctx = ctx;
    }

    AuthorizedIpPolicy latest() {
      return latest;
    }

    /** The intent of a change before the Azure write, or its poll URL after it: the targets as they stand. */
    void record(List<TargetStatus> targets) {
      write(PolicyStatusBuilder.of(latest, targets, clock.instant()));
    }

    void write(AuthorizedIpPolicyStatus status) {
      if (status.equals(latest.getStatus())) {
        return;
      }
      AuthorizedIpPolicy copy = ctx.getClient().getKubernetesSerialization().clone(latest);
      copy.setStatus(status);
      AuthorizedIpPolicy updated = ctx.getClient().resource(copy).updateStatus();
      ctx.eventSourceRetriever().getControllerEventSource()
          .handleRecentResourceUpdate(ResourceID.fromResource(updated), updated, latest);
      latest = updated;
    }
  }

  /**
   * The oldest valid Enforce policy naming a cluster owns it; ties broken by namespace/name so every replica agrees.
   * An invalid or Observe policy owns nothing, so it can neither squat a cluster nor be blocked from observing it.
   */
  Optional<String> otherOwner(Context<AuthorizedIpPolicy> ctx, PolicyValidator validator, Tenancy tenancy,
      Grants grants, AuthorizedIpPolicy self, ClusterTarget target) {
    Comparator<AuthorizedIpPolicy> age = Comparator
        .comparing((AuthorizedIpPolicy p) -> Optional.ofNullable(p.getMetadata().getCreationTimestamp()).orElse("~"))
        .thenComparing(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());
    return ctx.getPrimaryCache().byIndex(TARGET_INDEX, target.key()).stream()
        .filter(p -> ResourceID.fromResource(p).equals(ResourceID.fromResource(self))
            || canOwn(ctx, validator, tenancy, grants, p, target))
        .min(age)
        .filter(owner -> !ResourceID.fromResource(owner).equals(ResourceID.fromResource(self)))
        .map(owner -> owner.getMetadata().getNamespace() + "/" + owner.getMetadata().getName());
  }

  /**
   * A valid Enforce policy that may reach the cluster: a policy whose namespace is not granted the cluster must not
   * keep the granted one from it by being older.
   */
  private boolean canOwn(Context<AuthorizedIpPolicy> ctx, PolicyValidator validator, Tenancy tenancy,
      Grants grants, AuthorizedIpPolicy p, ClusterTarget target) {
    return p.getSpec() != null && p.getSpec().effectiveMode() == Mode.Enforce
        && (grants == null || tenancy.allows(grants, p.getMetadata().getNamespace(),
            namespaceLabels(ctx, p.getMetadata().getNamespace()), target, p.getSpec().effectiveAccess()))
        && validator.validatePolicy(p, lookup(ctx)).valid();
  }

  /** The valid grants, read once per pass (routing and every ownership check use the same); null in open mode. */
  private static Grants grants(Context<AuthorizedIpPolicy> ctx, Tenancy tenancy) {
    return tenancy.open() ? null : tenancy.grants(grants(ctx));
  }

  /** Which identity reaches each cluster of the policy, or why none may. */
  static TargetRoute.Router router(Context<AuthorizedIpPolicy> ctx, Tenancy tenancy, Grants grants,
      AuthorizedIpPolicy policy, List<String> extraEgress) {
    if (tenancy.open()) {
      return tenancy.router(null, null, null);
    }
    String ns = policy.getMetadata().getNamespace();
    return tenancy.router(grants, ns, namespaceLabels(ctx, ns), extraEgress);
  }

  /** The public IPs and prefixes the policy names as extra egress (tenant input: checked against the grant). */
  private static List<String> extraEgress(AuthorizedIpPolicy policy) {
    var egress = policy.getSpec() == null ? null : policy.getSpec().getEgress();
    return egress == null || egress.getPublicIpResourceIds() == null ? List.of()
        : egress.getPublicIpResourceIds().stream().filter(Objects::nonNull).toList();
  }

  @SuppressWarnings("unchecked")
  private static List<TargetGrant> grants(Context<AuthorizedIpPolicy> ctx) {
    var source = (InformerEventSource<TargetGrant, AuthorizedIpPolicy>) ctx.eventSourceRetriever()
        .getEventSourceFor(TargetGrant.class);
    return source.list().toList();
  }

  /**
   * The namespace's labels, or null when the namespace is not (yet) in the informer's cache: then no selector can be
   * judged, and only grants that name the namespace apply (a NotIn or DoesNotExist selector must not match labels
   * that are merely unknown). A namespace that appears later triggers the reconcile again.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, String> namespaceLabels(Context<AuthorizedIpPolicy> ctx, String namespace) {
    var source = (InformerEventSource<Namespace, AuthorizedIpPolicy>) ctx.eventSourceRetriever()
        .getEventSourceFor(Namespace.class);
    return source.get(new ResourceID(namespace)).map(n -> n.getMetadata().getLabels() == null
        ? Map.<String, String>of() : n.getMetadata().getLabels()).orElse(null);
  }

  @SuppressWarnings("unchecked")
  private static Optional<IpRangeSet> rangeSet(Context<AuthorizedIpPolicy> ctx, String namespace, String name) {
    var source = (InformerEventSource<IpRangeSet, AuthorizedIpPolicy>) ctx.eventSourceRetriever()
        .getEventSourceFor(IpRangeSet.class);
    return source.get(new ResourceID(name, namespace));
  }
}
