package io.authip.operator;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicyStatus;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.metrics.AuthipMetrics;
import io.authip.policy.PolicyValidator;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Orchestrates observe → validate → act → record status; the logic lives in the collaborators. */
@ControllerConfiguration(name = AuthorizedIpPolicyReconciler.NAME)
public final class AuthorizedIpPolicyReconciler implements Reconciler<AuthorizedIpPolicy>,
    Cleaner<AuthorizedIpPolicy> {

  public static final String NAME = "authorizedippolicy";
  static final String TARGET_INDEX = "authip-target";
  static final String RANGESET_INDEX = "authip-rangeset";
  private static final Logger LOG = LoggerFactory.getLogger(AuthorizedIpPolicyReconciler.class);

  private final PolicyValidator validator;
  private final PolicySyncer syncer;
  private final PolicyRestorer restorer;
  private final EventRecorder events;
  private final AuthipMetrics metrics;
  private final Clock clock;
  private final Duration restoreRetry;

  public AuthorizedIpPolicyReconciler(PolicyValidator validator, PolicySyncer syncer, PolicyRestorer restorer,
      EventRecorder events, AuthipMetrics metrics, Clock clock, Duration restoreRetry) {
    this.validator = validator;
    this.syncer = syncer;
    this.restorer = restorer;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
    this.restoreRetry = restoreRetry;
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
        .withSecondaryToPrimaryMapper(set -> ctx.getPrimaryCache()
            .byIndex(RANGESET_INDEX, set.getMetadata().getNamespace() + "/" + set.getMetadata().getName())
            .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
        .withPrimaryToSecondaryMapper((AuthorizedIpPolicy p) -> p.getSpec() == null ? Set.of()
            : p.getSpec().rangeSetRefsOrEmpty().stream().filter(r -> r != null && r.getName() != null)
                .map(r -> new ResourceID(r.getName(), p.getMetadata().getNamespace())).collect(Collectors.toSet()))
        .build();
    return List.of(new InformerEventSource<>(config, ctx));
  }

  @Override
  public UpdateControl<AuthorizedIpPolicy> reconcile(AuthorizedIpPolicy policy, Context<AuthorizedIpPolicy> ctx) {
    Instant started = clock.instant();
    String ns = policy.getMetadata().getNamespace();
    String name = policy.getMetadata().getName();
    try (var mdc = LogContext.policy(policy)) {
      PolicyValidator.Result validation = validator.validatePolicy(policy, (n, setName) -> rangeSet(ctx, n, setName));
      AuthorizedIpPolicyStatus status;
      Duration next = null;
      if (!validation.valid()) {
        status = PolicyStatusBuilder.invalid(policy, validation.errors(), clock.instant());
        events.emit(policy, EventReason.InvalidSpec, status.getConditions().get(0).getMessage());
        LOG.info("invalid spec, nothing sent to Azure: {}", validation.errors());
      } else {
        PolicySyncer.Result result = syncer.sync(policy, validation.staticRanges(), t -> otherOwner(ctx, policy, t));
        status = PolicyStatusBuilder.of(policy, result.targets(), clock.instant());
        for (PolicyEvent e : result.events()) {
          if (events.emit(policy, e.reason(), e.message()) || e.reason() == EventReason.DriftCorrected) {
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
      UpdateControl<AuthorizedIpPolicy> control = status.equals(policy.getStatus()) ? UpdateControl.noUpdate()
          : UpdateControl.patchStatus(statusOnly(policy, status));
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
      AuthorizedIpPolicy updated = new AuthorizedIpPolicy();
      updated.setMetadata(policy.getMetadata());
      updated.setSpec(policy.getSpec());
      updated.setStatus(status);
      return ErrorStatusUpdateControl.patchStatus(updated);
    } finally {
      LogContext.clear();
    }
  }

  @Override
  public DeleteControl cleanup(AuthorizedIpPolicy policy, Context<AuthorizedIpPolicy> ctx) {
    String ns = policy.getMetadata().getNamespace();
    String name = policy.getMetadata().getName();
    try (var mdc = LogContext.policy(policy)) {
      PolicyRestorer.Result result = restorer.restore(policy);
      result.events().forEach(e -> events.emit(policy, e.reason(), e.message()));
      if (!result.done()) {
        LOG.info("restoring before deletion, waiting on {}", result.waitingOn());
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(restoreRetry);
      }
      metrics.forgetPolicy(ns, name);
      return DeleteControl.defaultDelete();
    } finally {
      LogContext.clear();
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

  /** The oldest policy naming a cluster owns it; ties broken by namespace/name so every replica agrees. */
  static Optional<String> otherOwner(Context<AuthorizedIpPolicy> ctx, AuthorizedIpPolicy self, ClusterTarget target) {
    Comparator<AuthorizedIpPolicy> age = Comparator
        .comparing((AuthorizedIpPolicy p) -> Optional.ofNullable(p.getMetadata().getCreationTimestamp()).orElse("~"))
        .thenComparing(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());
    return ctx.getPrimaryCache().byIndex(TARGET_INDEX, target.key()).stream().min(age)
        .filter(owner -> !ResourceID.fromResource(owner).equals(ResourceID.fromResource(self)))
        .map(owner -> owner.getMetadata().getNamespace() + "/" + owner.getMetadata().getName());
  }

  @SuppressWarnings("unchecked")
  private static Optional<IpRangeSet> rangeSet(Context<AuthorizedIpPolicy> ctx, String namespace, String name) {
    var source = (InformerEventSource<IpRangeSet, AuthorizedIpPolicy>) ctx.eventSourceRetriever()
        .getEventSourceFor(IpRangeSet.class);
    return source.get(new ResourceID(name, namespace));
  }

  /** Patch only the status: a fresh object with name, namespace and status. */
  private static AuthorizedIpPolicy statusOnly(AuthorizedIpPolicy policy, AuthorizedIpPolicyStatus status) {
    AuthorizedIpPolicy fresh = new AuthorizedIpPolicy();
    fresh.getMetadata().setName(policy.getMetadata().getName());
    fresh.getMetadata().setNamespace(policy.getMetadata().getNamespace());
    fresh.setStatus(status);
    return fresh;
  }
}
