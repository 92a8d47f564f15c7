package io.authip.operator;

import io.authip.logging.Logging;
import io.authip.metrics.AuthipMetrics;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.slf4j.MDC;

/**
 * The MDC entries every log line of a reconcile carries: {@code policy=namespace/name} for the whole reconcile and
 * {@code cluster=subscription/resourcegroup/name} (lower-cased, as the metrics label) around one target's work.
 * Reconcile threads are pooled, so each entry is removed when its scope ends.
 */
final class LogContext {

  private LogContext() {
  }

  /** Sets {@code policy} until closed. */
  static MDC.MDCCloseable policy(HasMetadata resource) {
    return MDC.putCloseable(Logging.POLICY, resource.getMetadata().getNamespace() + "/"
        + resource.getMetadata().getName());
  }

  /** Sets {@code cluster} until closed. */
  static MDC.MDCCloseable cluster(String clusterId) {
    return MDC.putCloseable(Logging.CLUSTER, AuthipMetrics.clusterLabel(clusterId));
  }

  /** Removes both, whatever a collaborator left behind. */
  static void clear() {
    MDC.remove(Logging.POLICY);
    MDC.remove(Logging.CLUSTER);
  }
}
