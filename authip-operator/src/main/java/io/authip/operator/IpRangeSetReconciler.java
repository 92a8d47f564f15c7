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

/** Reports on each IpRangeSet whether it is valid and how many blocks it merges into. Never touches Azure. */
@ControllerConfiguration(name = IpRangeSetReconciler.NAME)
public final class IpRangeSetReconciler implements Reconciler<IpRangeSet> {

  public static final String NAME = "iprangeset";
  private static final Logger LOG = LoggerFactory.getLogger(IpRangeSetReconciler.class);

  private final PolicyValidator validator;
  private final EventRecorder events;
  private final Clock clock;

  public IpRangeSetReconciler(PolicyValidator validator, EventRecorder events, Clock clock) {
    this.validator = validator;
    this.events = events;
    this.clock = clock;
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
      if (errors.isEmpty()) {
        int count = check.ranges().size();
        status.setRangeCount(count);
        status.setConditions(Conditions.set(old == null ? null : old.getConditions(), Conditions.VALID, true, ConditionReason.Valid,
            count + " ranges after merging", generation, clock.instant()));
      } else {
        String message = invalidMessage(errors);
        status.setConditions(Conditions.set(old == null ? null : old.getConditions(), Conditions.VALID, false,
            ConditionReason.InvalidSpec, message, generation, clock.instant()));
        events.emit(set, EventReason.InvalidSpec, message);
      }
      status.setConditions(Conditions.readyFromValid(status.getConditions(), generation, clock.instant()));
      if (status.equals(old)) {
        return UpdateControl.noUpdate();
      }
      IpRangeSet fresh = new IpRangeSet();
      fresh.getMetadata().setName(set.getMetadata().getName());
      fresh.getMetadata().setNamespace(set.getMetadata().getNamespace());
      fresh.setStatus(status);
      return UpdateControl.patchStatus(fresh);
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

  /** The {@code Valid=False} message of a set with these errors: the first five, then how many more. */
  public static String invalidMessage(List<FieldError> errors) {
    return errors.stream().limit(5).map(FieldError::toString).collect(Collectors.joining("; "))
        + (errors.size() > 5 ? "; and " + (errors.size() - 5) + " more" : "");
  }
}
