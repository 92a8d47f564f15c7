package io.authip.operator;

import io.authip.policy.Durations;
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
 * @param vnetIntegrationMaxRanges entry limit per cluster with API Server VNet Integration
 *     ({@code apiServerAccessProfile.enableVnetIntegration}; AKS documents 2,000; whether the service enforces 200 or
 *     2,000 there is unverified, hence a setting)
 * @param reconcileThreads concurrent reconciliations
 * @param logLevel error, warn, info or debug
 * @param pollInterval how often a running Azure operation is polled
 * @param propagationDelay how long a target stays Propagating after a change (AKS: up to 2 minutes)
 * @param busyRetry wait before retrying a cluster busy with another operation
 * @param errorBackoff first wait after an Azure error; doubles per consecutive error
 * @param maxBackoff the longest wait after errors
 * @param resyncCap if set, no policy is re-read less often than this, whatever its resyncInterval (tests, and
 *     fleets that want faster drift detection everywhere)
 * @param operatorNamespace the operator's own namespace, where it keeps what tenants must not write (the
 *     pre-takeover captures used by deletionPolicy Restore)
 * @param restoreTimeout how long after a policy's deletion a restore is attempted before authip gives up, says so
 *     and releases the finalizer
 * @param flapCorrections how many drift corrections of one cluster within {@code flapWindow} make it Contested
 * @param flapWindow the window of the flap guard; a Contested target is corrected again after it, or on a spec change
 * @param lease who this process is in the Lease, and the Lease's timings (used when leaderElection is on)
 * @param tenancy whether TargetGrants decide which namespaces may change which clusters ({@code grants}), or every
 *     watched policy may change every cluster the operator's identity can write ({@code open})
 * @param tenantServiceAccount the one ServiceAccount name (in a policy's namespace) whose tokens the operator may
 *     request for a grant's identity: its RBAC allows no other
 * @param tokenAudience the audience of those tokens: what the identities' federated credentials expect
 */
public record OperatorConfig(
    Set<String> watchNamespaces,
    String labelSelector,
    boolean leaderElection,
    String leaseNamespace,
    String leaseName,
    int httpPort,
    int maxRanges,
    int vnetIntegrationMaxRanges,
    int reconcileThreads,
    String logLevel,
    Duration pollInterval,
    Duration propagationDelay,
    Duration busyRetry,
    Duration errorBackoff,
    Duration maxBackoff,
    Duration resyncCap,
    String operatorNamespace,
    Duration restoreTimeout,
    int flapCorrections,
    Duration flapWindow,
    Lease lease,
    Tenancy tenancy,
    String tenantServiceAccount,
    String tokenAudience,
    Sources sources,
    ApiServerChecks checks) {

  /**
   * The reachability check of policies with {@code spec.reachability.check}, and the cluster authip runs in.
   *
   * @param timeout how long a TCP connection and TLS handshake to an API server may take
   * @param interval how often a checked cluster's API server is checked again (during a propagation window: every
   *     poll interval)
   * @param selfClusterId the ARM ID of the AKS cluster authip runs in ({@code spec.egress.managementCluster}), or null
   */
  public record ApiServerChecks(Duration timeout, Duration interval, String selfClusterId) {

    String describe() {
      return " reachabilityTimeout=" + human(timeout) + " reachabilityInterval=" + human(interval)
          + (selfClusterId == null ? "" : " selfCluster=" + selfClusterId);
    }
  }

  /** With other reachability settings, e.g. for tests. */
  public OperatorConfig withChecks(ApiServerChecks c) {
    return new OperatorConfig(watchNamespaces, labelSelector, leaderElection, leaseNamespace, leaseName, httpPort,
        maxRanges, vnetIntegrationMaxRanges, reconcileThreads, logLevel, pollInterval, propagationDelay, busyRetry,
        errorBackoff, maxBackoff, resyncCap, operatorNamespace, restoreTimeout, flapCorrections, flapWindow, lease,
        tenancy, tenantServiceAccount, tokenAudience, sources, c);
  }

  /**
   * How IpRangeSet sources are read.
   *
   * @param feedHosts the hosts URL sources may name ({@code host} for port 443, or {@code host:port}); empty: no
   *     URL source is ever requested
   * @param feedMaxBytes the largest feed body read; a longer one fails the refresh
   * @param feedTimeout the longest a feed request may take, connection included
   * @param feedCaFile PEM certificates trusted for feeds in addition to the JDK's, or null
   * @param defaultSubscription the subscription service tags are read in when a source names none, or null
   */
  public record Sources(Set<String> feedHosts, long feedMaxBytes, Duration feedTimeout, java.nio.file.Path feedCaFile,
      String defaultSubscription) {

    public Sources {
      feedHosts = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(feedHosts));
    }

    String describe() {
      return " feedHosts=" + (feedHosts.isEmpty() ? "none" : String.join(",", feedHosts)) + " feedMaxBytes="
          + feedMaxBytes + " feedTimeout=" + human(feedTimeout)
          + (defaultSubscription == null ? "" : " defaultSubscription=" + defaultSubscription);
    }
  }

  /** With other source settings, e.g. for tests. */
  public OperatorConfig withSources(Sources s) {
    return new OperatorConfig(watchNamespaces, labelSelector, leaderElection, leaseNamespace, leaseName, httpPort,
        maxRanges, vnetIntegrationMaxRanges, reconcileThreads, logLevel, pollInterval, propagationDelay, busyRetry,
        errorBackoff, maxBackoff, resyncCap, operatorNamespace, restoreTimeout, flapCorrections, flapWindow, lease,
        tenancy, tenantServiceAccount, tokenAudience, s, checks);
  }

  /** How targets are authorized. */
  public enum Tenancy {
    /** Only what a TargetGrant for the policy's namespace covers, with the access it allows (the default). */
    grants,
    /** Every watched policy may change every cluster the operator's identity can write (0.1's behaviour). */
    open
  }

  /** The audience Entra ID's federated credentials expect by default. */
  public static final String DEFAULT_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

  /** The ServiceAccount name the chart lets the operator request tokens for. */
  public static final String DEFAULT_TENANT_SERVICE_ACCOUNT = "authip-tenant";


  /**
   * The holder's name and timings of leader election, as JOSDK and fabric8 use them: a holder renews every
   * {@code retryPeriod}; it gives up (and the process exits) when it could not renew for {@code renewDeadline}; a
   * standby takes over once the Lease has not been renewed for {@code leaseDuration}.
   *
   * @param identity the holder name written into the Lease (the pod name), or null for a random one
   */
  public record Lease(String identity, Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {

    /** JOSDK's defaults (15 s, 10 s, 2 s). */
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(15);
    public static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RETRY_PERIOD = Duration.ofSeconds(2);

    /** JOSDK's timings, with the given identity. */
    public static Lease withDefaults(String identity) {
      return new Lease(identity, DEFAULT_DURATION, DEFAULT_RENEW_DEADLINE, DEFAULT_RETRY_PERIOD);
    }

    String describe() {
      return " leaseIdentity=" + (identity == null ? "random" : identity) + " leaseDuration=" + leaseDuration
          + " leaseRenewDeadline=" + renewDeadline + " leaseRetryPeriod=" + retryPeriod;
    }
  }

  public OperatorConfig {
    watchNamespaces = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(watchNamespaces));
  }

  /**
   * The most entries any cluster accepts: what a policy may hold before egress is added. Which clusters accept it is
   * decided per target ({@code TargetPlanner}).
   */
  public int largestMaxRanges() {
    return Math.max(maxRanges, vnetIntegrationMaxRanges);
  }

  /** The interval to re-read a policy's clusters at, given its own {@code resyncInterval}. */
  public Duration effectiveResync(Duration fromSpec) {
    return resyncCap != null && resyncCap.compareTo(fromSpec) < 0 ? resyncCap : fromSpec;
  }

  /** With other timings, e.g. for tests. */
  public OperatorConfig withTimings(Duration poll, Duration propagation, Duration busy, Duration resync) {
    return new OperatorConfig(watchNamespaces, labelSelector, leaderElection, leaseNamespace, leaseName, httpPort,
        maxRanges, vnetIntegrationMaxRanges, reconcileThreads, logLevel, poll, propagation, busy, errorBackoff, maxBackoff, resync,
        operatorNamespace, restoreTimeout, flapCorrections, flapWindow, lease, tenancy, tenantServiceAccount, tokenAudience, sources, checks);
  }

  /** With another flap guard and restore timeout, e.g. for tests. */
  public OperatorConfig withGuards(int corrections, Duration window, Duration restore) {
    return new OperatorConfig(watchNamespaces, labelSelector, leaderElection, leaseNamespace, leaseName, httpPort,
        maxRanges, vnetIntegrationMaxRanges, reconcileThreads, logLevel, pollInterval, propagationDelay, busyRetry, errorBackoff, maxBackoff,
        resyncCap, operatorNamespace, restore, corrections, window, lease, tenancy, tenantServiceAccount, tokenAudience, sources, checks);
  }

  /** With leader election on a Lease {@code name} in {@code namespace}. */
  public OperatorConfig withLeaderElection(String namespace, String name) {
    return new OperatorConfig(watchNamespaces, labelSelector, true, namespace, name, httpPort, maxRanges,
        vnetIntegrationMaxRanges, reconcileThreads, logLevel, pollInterval, propagationDelay, busyRetry, errorBackoff, maxBackoff, resyncCap,
        operatorNamespace, restoreTimeout, flapCorrections, flapWindow, lease, tenancy, tenantServiceAccount, tokenAudience, sources, checks);
  }

  /** With another tenancy mode, e.g. for tests. */
  public OperatorConfig withTenancy(Tenancy mode) {
    return new OperatorConfig(watchNamespaces, labelSelector, leaderElection, leaseNamespace, leaseName, httpPort,
        maxRanges, vnetIntegrationMaxRanges, reconcileThreads, logLevel, pollInterval, propagationDelay, busyRetry, errorBackoff, maxBackoff,
        resyncCap, operatorNamespace, restoreTimeout, flapCorrections, flapWindow, lease, mode, tenantServiceAccount, tokenAudience, sources, checks);
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
    int vnetMaxRanges = integer(env, "AUTHIP_VNET_INTEGRATION_MAX_RANGES", RangeRules.AKS_VNET_INTEGRATION_MAX_ENTRIES,
        1, 100_000, errors);
    int threads = integer(env, "AUTHIP_RECONCILE_THREADS", 10, 1, 200, errors);
    String level = env.getOrDefault("AUTHIP_LOG_LEVEL", "info").toLowerCase(Locale.ROOT);
    if (!List.of("error", "warn", "info", "debug", "trace").contains(level)) {
      errors.add("AUTHIP_LOG_LEVEL='" + level + "' must be one of error, warn, info, debug, trace");
    }
    Duration poll = positive(env, "AUTHIP_POLL_INTERVAL", Duration.ofSeconds(10), errors);
    Duration propagation = duration(env, "AUTHIP_PROPAGATION_DELAY", Duration.ofMinutes(2), errors);
    Duration busy = positive(env, "AUTHIP_BUSY_RETRY", Duration.ofSeconds(30), errors);
    Duration backoff = positive(env, "AUTHIP_ERROR_BACKOFF", Duration.ofSeconds(10), errors);
    Duration maxBackoff = positive(env, "AUTHIP_MAX_BACKOFF", Duration.ofMinutes(5), errors);
    Duration resyncCap = positive(env, "AUTHIP_RESYNC_CAP", null, errors);
    String operatorNs = blankToNull(env.getOrDefault("AUTHIP_NAMESPACE",
        env.getOrDefault("POD_NAMESPACE", "authip-system")));
    Duration restoreTimeout = positive(env, "AUTHIP_RESTORE_TIMEOUT", Duration.ofMinutes(10), errors);
    int flapCorrections = integer(env, "AUTHIP_FLAP_CORRECTIONS", 3, 1, 1000, errors);
    Duration flapWindow = positive(env, "AUTHIP_FLAP_WINDOW", Duration.ofMinutes(30), errors);
    if (operatorNs == null) {
      errors.add("AUTHIP_NAMESPACE must name the operator's namespace");
    }
    Lease lease = lease(env, errors);
    Tenancy tenancy = Tenancy.grants;
    String mode = blankToNull(env.get("AUTHIP_TENANCY"));
    if (mode != null) {
      try {
        tenancy = Tenancy.valueOf(mode.toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        errors.add("AUTHIP_TENANCY='" + mode + "' must be grants (TargetGrants decide which namespaces may change "
            + "which clusters) or open (every policy may change every cluster)");
      }
    }
    String tenantSa = env.getOrDefault("AUTHIP_TENANT_SERVICE_ACCOUNT", DEFAULT_TENANT_SERVICE_ACCOUNT).strip();
    String audience = env.getOrDefault("AUTHIP_TOKEN_EXCHANGE_AUDIENCE", DEFAULT_TOKEN_EXCHANGE_AUDIENCE).strip();
    if (audience.isEmpty() || audience.chars().anyMatch(Character::isWhitespace)) {
      errors.add("AUTHIP_TOKEN_EXCHANGE_AUDIENCE='" + audience + "' must be one audience, as the identities' "
          + "federated credentials name it, e.g. " + DEFAULT_TOKEN_EXCHANGE_AUDIENCE);
    }
    if (!tenantSa.matches(io.authip.api.v1alpha1.GrantIdentity.SERVICE_ACCOUNT_PATTERN)) {
      errors.add("AUTHIP_TENANT_SERVICE_ACCOUNT='" + tenantSa + "' is not a ServiceAccount name (lower-case letters, "
          + "digits, '-' and '.'), e.g. " + DEFAULT_TENANT_SERVICE_ACCOUNT);
    }
    Sources sources = sources(env, errors);
    Duration probeTimeout = positive(env, "AUTHIP_REACHABILITY_TIMEOUT", Duration.ofSeconds(5), errors);
    Duration probeInterval = positive(env, "AUTHIP_REACHABILITY_INTERVAL", Duration.ofMinutes(5), errors);
    String self = blankToNull(env.get("AUTHIP_SELF_CLUSTER_ID"));
    if (self != null && io.authip.api.v1alpha1.ClusterTarget.fromResourceId(self).isEmpty()) {
      errors.add("AUTHIP_SELF_CLUSTER_ID='" + self + "' is not the ARM ID of a managed cluster; expected "
          + "/subscriptions/<guid>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>");
    }
    ApiServerChecks checks = new ApiServerChecks(probeTimeout, probeInterval, self);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid configuration: " + String.join("; ", errors));
    }
    return new OperatorConfig(namespaces, selector, leader, leaseNs, leaseName, port, maxRanges, vnetMaxRanges, threads, level,
        poll, propagation, busy, backoff, maxBackoff, resyncCap, operatorNs, restoreTimeout, flapCorrections,
        flapWindow, lease, tenancy, tenantSa, audience, sources, checks);

  }

  private static final java.util.regex.Pattern FEED_HOST =
      java.util.regex.Pattern.compile("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$");

  /** AUTHIP_FEED_HOSTS, AUTHIP_FEED_MAX_BYTES, AUTHIP_FEED_TIMEOUT, AUTHIP_FEED_CA_FILE, AUTHIP_DEFAULT_SUBSCRIPTION. */
  private static Sources sources(Map<String, String> env, List<String> errors) {
    Set<String> hosts = new TreeSet<>();
    for (String h : env.getOrDefault("AUTHIP_FEED_HOSTS", "").split(",")) {
      String host = h.strip().toLowerCase(Locale.ROOT);
      if (host.isEmpty()) {
        continue;
      }
      if (!FEED_HOST.matcher(host).matches()) {
        errors.add("AUTHIP_FEED_HOSTS has '" + h.strip() + "', which is not a host name (or host:port); list exact "
            + "names such as api.github.com,ip-ranges.amazonaws.com (no schemes, paths or wildcards)");
      } else {
        hosts.add(host);
      }
    }
    int maxBytes = integer(env, "AUTHIP_FEED_MAX_BYTES", 8 * 1024 * 1024, 1024, 64 * 1024 * 1024, errors);
    Duration timeout = positive(env, "AUTHIP_FEED_TIMEOUT", Duration.ofSeconds(30), errors);
    java.nio.file.Path ca = null;
    String caText = blankToNull(env.get("AUTHIP_FEED_CA_FILE"));
    if (caText != null) {
      ca = java.nio.file.Path.of(caText);
      if (!java.nio.file.Files.isReadable(ca)) {
        errors.add("AUTHIP_FEED_CA_FILE=" + caText + " is not a readable file; give a PEM file of certificates");
      }
    }
    String sub = blankToNull(env.get("AUTHIP_DEFAULT_SUBSCRIPTION"));
    if (sub != null && !sub.matches(io.authip.api.v1alpha1.ClusterTarget.SUBSCRIPTION_PATTERN)) {
      errors.add("AUTHIP_DEFAULT_SUBSCRIPTION='" + sub + "' is not a subscription ID (a GUID)");
    }
    return new Sources(hosts, maxBytes, timeout, ca, sub);
  }

  /**
   * The Lease timings (each positive; renew deadline shorter than the lease duration and longer than 2.2 retry
   * periods, as fabric8 requires) and the holder name: the pod name (POD_NAME from the downward API, else
   * HOSTNAME, which Kubernetes sets to the pod name).
   */
  private static Lease lease(Map<String, String> env, List<String> errors) {
    Duration duration = positive(env, "AUTHIP_LEASE_DURATION", Lease.DEFAULT_DURATION, errors);
    Duration renew = positive(env, "AUTHIP_LEASE_RENEW_DEADLINE", Lease.DEFAULT_RENEW_DEADLINE, errors);
    Duration retry = positive(env, "AUTHIP_LEASE_RETRY_PERIOD", Lease.DEFAULT_RETRY_PERIOD, errors);
    if (renew.compareTo(duration) >= 0) {
      errors.add("AUTHIP_LEASE_RENEW_DEADLINE=" + human(renew) + " must be shorter than AUTHIP_LEASE_DURATION="
          + human(duration) + " (a standby must not take over while the holder may still be renewing): lower the "
          + "renew deadline or raise the lease duration");
    }
    // fabric8 waits up to retryPeriod * (1 + 1.2) between attempts (jitter) and refuses anything tighter.
    if (renew.toMillis() * 10 <= retry.toMillis() * 22) {
      errors.add("AUTHIP_LEASE_RENEW_DEADLINE=" + human(renew) + " must be longer than 2.2 x AUTHIP_LEASE_RETRY_PERIOD="
          + human(retry) + " (one retry with its jitter must fit before the deadline): lower the retry period or "
          + "raise the renew deadline");
    }
    String identity = blankToNull(env.get("POD_NAME"));
    if (identity == null) {
      identity = blankToNull(env.get("HOSTNAME"));
    }
    return new Lease(identity, duration, renew, retry);
  }

  private static Duration positive(Map<String, String> env, String key, Duration def, List<String> errors) {
    Duration d = duration(env, key, def, errors);
    if (d != null && d.isZero()) {
      errors.add(key + "='" + env.get(key).strip() + "' must be longer than zero, e.g. "
          + (def == null ? Durations.EXAMPLES : human(def)));
      return def;
    }
    return d;
  }

  /** 15s rather than PT15S, in the grammar of the variables. */
  private static String human(Duration d) {
    return Durations.format(d);
  }

  /** One line for the start-up log (nothing secret is in here). */
  public String describe() {
    return "namespaces=" + (watchNamespaces.isEmpty() ? "all" : String.join(",", watchNamespaces))
        + " labelSelector=" + (labelSelector == null ? "none" : labelSelector)
        + " leaderElection=" + leaderElection + (leaderElection ? " lease=" + leaseNamespace + "/" + leaseName : "")
        + " httpPort=" + httpPort + " maxRanges=" + maxRanges + " vnetIntegrationMaxRanges=" + vnetIntegrationMaxRanges + " reconcileThreads=" + reconcileThreads
        + " logLevel=" + logLevel + " pollInterval=" + pollInterval + " propagationDelay=" + propagationDelay
        + " busyRetry=" + busyRetry + " errorBackoff=" + errorBackoff + " maxBackoff=" + maxBackoff
        + (resyncCap == null ? "" : " resyncCap=" + resyncCap)
        + " namespace=" + operatorNamespace + " restoreTimeout=" + restoreTimeout
        + " flapGuard=" + flapCorrections + "/" + flapWindow
        + (leaderElection ? lease.describe() : "") + sources.describe() + checks.describe()
        + " tenancy=" + tenancy + (tenancy == Tenancy.grants ? " tenantServiceAccount=" + tenantServiceAccount
            + " tokenAudience=" + tokenAudience : "");
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

  /** One of the variables, in the grammar of {@link Durations} (zero allowed; negative values are refused). */
  static Duration duration(Map<String, String> env, String key, Duration def, List<String> errors) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return def;
    }
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      errors.add(key + "=" + e.getMessage() + (def == null ? "" : " (default " + human(def) + ")"));
      return def;
    }
  }
}
