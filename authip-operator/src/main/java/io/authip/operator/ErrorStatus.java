package io.authip.operator;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicyStatus;
import io.authip.api.v1alpha1.ConditionReason;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.IpRangeSetStatus;
import io.authip.resources.ResourceSerialization;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.OperatorException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * What an unexpected exception in a reconcile does to status (JOSDK's {@code updateErrorStatus}). Pure.
 *
 * <p>A policy gets {@code Ready=False}, reason {@link #REASON}, with a bounded one-line message; its targets keep
 * the state last observed (and their captured ranges and pending operations, which must never be lost), so a target
 * may still say InSync while the policy is not Ready: the condition says so. Everything else in status is copied
 * unchanged, so that the status patch JOSDK computes touches only the condition. An IpRangeSet's {@code Valid}
 * condition becomes {@code Unknown}: a set that could not be checked is neither valid nor invalid.
 *
 * <p>A 409 from the Kubernetes API (a status write with an old resourceVersion) is not an internal error: another
 * write won, and the retry reconciles from the newer object.
 */
final class ErrorStatus {

  /** The condition reason (and Warning event reason) of an unexpected exception. */
  static final ConditionReason REASON = ConditionReason.InternalError;
  /** Longest condition message, in characters. */
  static final int MAX_MESSAGE = 512;
  private static final int MAX_CAUSES = 3;
  /** Longest part taken from one exception's message, so that a cause still fits after a long message. */
  private static final int MAX_PART = 240;
  private static final KubernetesSerialization COPIER = ResourceSerialization.create();

  private ErrorStatus() {
  }

  /** Whether {@code e} (or a cause) is a 409 Conflict from the Kubernetes API. */
  static boolean isConflict(Throwable e) {
    Set<Throwable> seen = new HashSet<>();
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() == 409) {
        return true;
      }
    }
    return false;
  }

  /**
   * One line, at most {@link #MAX_MESSAGE} characters: the class and message of the exception and of up to
   * {@link #MAX_CAUSES} causes, control characters and runs of blanks as single spaces, no stack trace.
   */
  static String describe(Throwable e) {
    StringBuilder out = new StringBuilder("reconcile failed: ");
    Set<Throwable> seen = new HashSet<>();
    int depth = 0;
    for (Throwable t = e; t != null && seen.add(t) && depth <= MAX_CAUSES; t = t.getCause()) {
      if (wrapper(t)) {
        continue;
      }
      if (depth++ > 0) {
        out.append("; caused by ");
      }
      out.append(t.getClass().getName());
      String message = t.getMessage() == null ? "" : oneLine(t.getMessage());
      if (!message.isEmpty()) {
        out.append(": ").append(message.length() <= MAX_PART ? message : message.substring(0, MAX_PART - 3) + "...");
      }
    }
    String line = oneLine(out.toString());
    return line.length() <= MAX_MESSAGE ? line : line.substring(0, MAX_MESSAGE - 3) + "...";
  }

  /** JOSDK wraps what a reconciler throws, and {@code new RuntimeException(cause)} only repeats its cause. */
  private static boolean wrapper(Throwable t) {
    Throwable cause = t.getCause();
    return cause != null && cause != t && (t.getClass() == OperatorException.class
        || t.getMessage() == null || t.getMessage().equals(cause.toString()));
  }

  private static String oneLine(String s) {
    return s.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
  }

  /** The policy's status with only {@code Ready} changed; equal to the current status when nothing changes. */
  static AuthorizedIpPolicyStatus of(AuthorizedIpPolicy policy, Throwable e, Instant now) {
    AuthorizedIpPolicyStatus status = policy.getStatus() == null ? new AuthorizedIpPolicyStatus()
        : COPIER.clone(policy.getStatus());
    String message = describe(e) + "; targets show the state last observed";
    if (message.length() > MAX_MESSAGE) {
      message = describe(e);
    }
    status.setConditions(Conditions.withProgress(Conditions.set(status.getConditions(), Conditions.READY, false,
        REASON, message, policy.getMetadata().getGeneration(), now), policy.getMetadata().getGeneration(), now));
    return status;
  }

  /** The set's status with only {@code Valid} changed (to Unknown). */
  static IpRangeSetStatus of(IpRangeSet set, Throwable e, Instant now) {
    IpRangeSetStatus status = set.getStatus() == null ? new IpRangeSetStatus() : COPIER.clone(set.getStatus());
    status.setConditions(Conditions.readyFromValid(Conditions.set(status.getConditions(), Conditions.VALID,
        Conditions.UNKNOWN, REASON, describe(e), set.getMetadata().getGeneration(), now),
        set.getMetadata().getGeneration(), now));
    return status;
  }
}
