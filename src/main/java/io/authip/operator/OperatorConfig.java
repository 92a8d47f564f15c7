package io.authip.operator;

import io.authip.ranges.RangeRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Operator settings, read once from environment variables and checked at start-up.
 *
 * @param watchNamespaces namespaces to watch; empty means all
 * @param labelSelector only policies matching it (to shard a large fleet across installs), or null
 * @param leaderElection whether to take a Lease before reconciling
 * @param leaseNamespace where the Lease lives (null: the client's namespace)
 * @param leaseName the Lease's name
 * @param httpPort port of /metrics, /healthz and /readyz (0: a free port)
 * @param maxRanges entry limit per cluster (AKS: 200)
 * @param reconcileThreads concurrent reconciliations
 * @param logLevel error, warn, info or debug
 * @param pollInterval how often a running Azure operation is polled
 * @param propagationDelay how long a target stays Propagating after a change (AKS: up to 2 minutes)
 * @param busyRetry wait before retrying a cluster busy with another operation
 * @param errorBackoff first wait after an Azure error; doubles per consecutive error
 * @param maxBackoff the longest wait after errors
 * @param resyncCap if set, no policy is re-read less often than this, whatever its resyncInterval (tests, and
 *     fleets that want faster drift detection everywhere)
 */
public record OperatorConfig(
    Set<String> watchNamespaces,
    String labelSelector,
    boolean leaderElection,
    String leaseNamespace,
    String leaseName,
    int httpPort,
    int maxRanges,
    int reconcileThreads,
    String logLevel,
    Duration pollInterval,
    Duration propagationDelay,
    Duration busyRetry,
    Duration errorBackoff,
    Duration maxBackoff,
    Duration resyncCap) {

  public OperatorConfig {
    watchNamespaces = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(watchNamespaces));
  }

  /** The interval to re-read a policy's clusters at, given its own {@code resyncInterval}. */
  public Duration effectiveResync(Duration fromSpec) {
    return resyncCap != null && resyncCap.compareTo(fromSpec) < 0 ? resyncCap : fromSpec;
  }

  /** With other timings, e.g. for tests. */
  public OperatorConfig withTimings(Duration poll, Duration propagation, Duration busy, Duration resync) {
    return new OperatorConfig(watchNamespaces, labelSelector, leaderElection, leaseNamespace, leaseName, httpPort,
        maxRanges, reconcileThreads, logLevel, poll, propagation, busy, errorBackoff, maxBackoff, resync);
  }

  /** With leader election on a Lease {@code name} in {@code namespace}. */
  public OperatorConfig withLeaderElection(String namespace, String name) {
    return new OperatorConfig(watchNamespaces, labelSelector, true, namespace, name, httpPort, maxRanges,
        reconcileThreads, logLevel, pollInterval, propagationDelay, busyRetry, errorBackoff, maxBackoff, resyncCap);
  }

  /** Defaults for tests and the sandbox: no leader election, fast polling, a free port. */
  public static OperatorConfig forTesting() {
    return fromEnvironment(Map.of("AUTHIP_HTTP_PORT", "0", "AUTHIP_POLL_INTERVAL", "200ms",
        "AUTHIP_PROPAGATION_DELAY", "1s", "AUTHIP_BUSY_RETRY", "300ms", "AUTHIP_ERROR_BACKOFF", "200ms",
        "AUTHIP_MAX_BACKOFF", "2s", "AUTHIP_RESYNC_CAP", "1s"));
  }

  /**
   * @throws IllegalArgumentException listing every invalid variable
   */
  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    List<String> errors = new ArrayList<>();
    Set<String> namespaces = new TreeSet<>();
    String ns = env.getOrDefault("AUTHIP_WATCH_NAMESPACES", "");
    Arrays.stream(ns.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(namespaces::add);
    String selector = blankToNull(env.get("AUTHIP_LABEL_SELECTOR"));
    // On by default inside a pod (several replicas must not all write), off on a laptop and in tests.
    boolean leader = bool(env, "AUTHIP_LEADER_ELECTION", env.containsKey("KUBERNETES_SERVICE_HOST"), errors);
    String leaseNs = blankToNull(env.getOrDefault("AUTHIP_LEADER_ELECTION_NAMESPACE", env.get("POD_NAMESPACE")));
    String leaseName = env.getOrDefault("AUTHIP_LEASE_NAME", "authip-leader");
    int port = integer(env, "AUTHIP_HTTP_PORT", 8080, 0, 65535, errors);
    int maxRanges = integer(env, "AUTHIP_MAX_RANGES", RangeRules.AKS_MAX_ENTRIES, 1, 100_000, errors);
    int threads = integer(env, "AUTHIP_RECONCILE_THREADS", 10, 1, 200, errors);
    String level = env.getOrDefault("AUTHIP_LOG_LEVEL", "info").toLowerCase(Locale.ROOT);
    if (!List.of("error", "warn", "info", "debug", "trace").contains(level)) {
      errors.add("AUTHIP_LOG_LEVEL='" + level + "' must be one of error, warn, info, debug, trace");
    }
    Duration poll = duration(env, "AUTHIP_POLL_INTERVAL", Duration.ofSeconds(10), errors);
    Duration propagation = duration(env, "AUTHIP_PROPAGATION_DELAY", Duration.ofMinutes(2), errors);
    Duration busy = duration(env, "AUTHIP_BUSY_RETRY", Duration.ofSeconds(30), errors);
    Duration backoff = duration(env, "AUTHIP_ERROR_BACKOFF", Duration.ofSeconds(10), errors);
    Duration maxBackoff = duration(env, "AUTHIP_MAX_BACKOFF", Duration.ofMinutes(5), errors);
    Duration resyncCap = duration(env, "AUTHIP_RESYNC_CAP", null, errors);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid configuration: " + String.join("; ", errors));
    }
    return new OperatorConfig(namespaces, selector, leader, leaseNs, leaseName, port, maxRanges, threads, level,
        poll, propagation, busy, backoff, maxBackoff, resyncCap);
  }

  /** One line for the start-up log (nothing secret is in here). */
  public String describe() {
    return "namespaces=" + (watchNamespaces.isEmpty() ? "all" : String.join(",", watchNamespaces))
        + " labelSelector=" + (labelSelector == null ? "none" : labelSelector)
        + " leaderElection=" + leaderElection + (leaderElection ? " lease=" + leaseNamespace + "/" + leaseName : "")
        + " httpPort=" + httpPort + " maxRanges=" + maxRanges + " reconcileThreads=" + reconcileThreads
        + " logLevel=" + logLevel + " pollInterval=" + pollInterval + " propagationDelay=" + propagationDelay
        + " busyRetry=" + busyRetry + " errorBackoff=" + errorBackoff + " maxBackoff=" + maxBackoff
        + (resyncCap == null ? "" : " resyncCap=" + resyncCap);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private static boolean bool(Map<String, String> env, String key, boolean def, List<String> errors) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return def;
    }
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(v);
    }
    errors.add(key + "='" + v + "' must be true or false");
    return def;
  }

  private static int integer(Map<String, String> env, String key, int def, int min, int max, List<String> errors) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return def;
    }
    try {
      int i = Integer.parseInt(v.strip());
      if (i < min || i > max) {
        errors.add(key + "=" + i + " must be between " + min + " and " + max);
      }
      return i;
    } catch (NumberFormatException e) {
      errors.add(key + "='" + v + "' is not a whole number");
      return def;
    }
  }

  /** Accepts 250ms, 10s, 5m, 1h. */
  static Duration duration(Map<String, String> env, String key, Duration def, List<String> errors) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return def;
    }
    String s = v.strip().toLowerCase(Locale.ROOT);
    try {
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      }
      long n = Long.parseLong(s.substring(0, s.length() - 1));
      switch (s.charAt(s.length() - 1)) {
        case 's':
          return Duration.ofSeconds(n);
        case 'm':
          return Duration.ofMinutes(n);
        case 'h':
          return Duration.ofHours(n);
        default:
          break;
      }
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      // reported below
    }
    errors.add(key + "='" + v + "' is not a duration such as 500ms, 10s, 5m or 1h");
    return def;
  }
}
