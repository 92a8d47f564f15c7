package io.authip.operator;

import io.authip.api.v1alpha1.ConditionReason;
import io.authip.api.v1alpha1.TargetGrant;
import io.authip.api.v1alpha1.TargetGrantStatus;
import io.authip.policy.FieldError;
import io.authip.tenancy.GrantValidator;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports on each TargetGrant whether it is valid (an invalid grant grants nothing) and which policies change clusters
 * through it, as this process's last reconciles of them found. Never touches Azure; registered in grants mode only.
 */
@ControllerConfiguration(name = TargetGrantReconciler.NAME, triggerReconcilerOnAllEvents = true)
public final class TargetGrantReconciler implements Reconciler<TargetGrant> {

  public static final String NAME = "targetgrant";
  /** How often the list of policies using a grant is refreshed (it is written only when it changed). */
  static final Duration USAGE_REFRESH = Duration.ofSeconds(30);
  private static final Logger LOG = LoggerFactory.getLogger(TargetGrantReconciler.class);

  private final GrantUsage usage;
  private final io.authip.metrics.AuthipMetrics metrics;
  private final Clock clock;
  private final boolean wholeView;

  /**
   * @param wholeView whether this install reconciles every policy (no label selector, no watched namespaces): only
   *     then does it write which policies use a grant; sharded installs would each overwrite the others' list
   */
  public TargetGrantReconciler(GrantUsage usage, io.authip.metrics.AuthipMetrics metrics, Clock clock,
      boolean wholeView) {
    this.usage = usage;
    this.metrics = metrics;
    this.clock = clock;
    this.wholeView = wholeView;
  }

  @Override
  public UpdateControl<TargetGrant> reconcile(TargetGrant grant, Context<TargetGrant> context) {
    if (context.isPrimaryResourceDeleted()) {
      metrics.forgetGrant(grant.getMetadata().getName());
      return UpdateControl.noUpdate();
    }
    List<FieldError> errors = GrantValidator.validate(grant);
    TargetGrantStatus old = grant.getStatus();
    TargetGrantStatus status = new TargetGrantStatus();
    Long generation = grant.getMetadata().getGeneration();
    status.setObservedGeneration(generation);
    List<io.fabric8.kubernetes.api.model.Condition> previous = old == null ? null : old.getConditions();
    if (errors.isEmpty()) {
      TreeSet<String> policies = usage.policies(grant.getMetadata().getName());
      TreeSet<String> namespaces = new TreeSet<>();
      policies.forEach(p -> namespaces.add(p.substring(0, p.indexOf('/'))));
      if (wholeView) {
        status.setPolicyCount(policies.size());
        status.setPolicies(policies.isEmpty() ? null : new ArrayList<>(policies).subList(0,
            Math.min(policies.size(), TargetGrantStatus.MAX_POLICIES_SHOWN)));
        status.setNamespaces(namespaces.isEmpty() ? null : new ArrayList<>(namespaces).subList(0,
            Math.min(namespaces.size(), TargetGrantStatus.MAX_POLICIES_SHOWN)));
      }
      status.setConditions(Conditions.set(previous, Conditions.VALID, true, ConditionReason.Valid,
          "grants " + grant.getSpec().targetsOrEmpty().size() + " target scopes with "
              + grant.getSpec().effectiveAllowedAccess(), generation, clock.instant()));
    } else {
      String message = IpRangeSetReconciler.invalidMessage(errors) + "; this grant grants nothing until fixed";
      LOG.warn("TargetGrant {} is invalid: {}", grant.getMetadata().getName(), message);
      status.setPolicyCount(wholeView ? 0 : null);
      status.setConditions(Conditions.set(previous, Conditions.VALID, false, ConditionReason.InvalidSpec, message,
          generation, clock.instant()));
    }
    status.setConditions(Conditions.readyFromValid(status.getConditions(), generation, clock.instant()));
    metrics.recordGrant(grant.getMetadata().getName(), errors.isEmpty(),
        usage.policies(grant.getMetadata().getName()).size());
    UpdateControl<TargetGrant> control;
    if (status.equals(old)) {
      control = UpdateControl.noUpdate();
    } else {
      TargetGrant fresh = new TargetGrant();
      fresh.getMetadata().setName(grant.getMetadata().getName());
      fresh.setStatus(status);
      control = UpdateControl.patchStatus(fresh);
    }
    return control.rescheduleAfter(USAGE_REFRESH);
  }

  @Override
  public ErrorStatusUpdateControl<TargetGrant> updateErrorStatus(TargetGrant grant, Context<TargetGrant> context,
      Exception e) {
    LOG.warn("TargetGrant {}: status not written: {}", grant.getMetadata().getName(), e.toString());
    return ErrorStatusUpdateControl.noStatusUpdate();
  }
}
