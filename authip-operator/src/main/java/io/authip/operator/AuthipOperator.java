package io.authip.operator;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.azure.AksGateway;
import io.authip.metrics.AuthipMetrics;
import io.authip.policy.PolicyValidator;
import io.authip.resources.ResourceSerialization;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.api.config.Cloner;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the operator: every collaborator is built here and handed to the reconcilers through constructors. */
public final class AuthipOperator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AuthipOperator.class);

  /** Lists made at once, each one subscription (or resource group) page after page. */
  static final int LIST_THREADS = 4;
  /**
   * The page size of every informer's LIST (the controllers' own and the secondary ones): kube-apiserver's and
   * kubectl's usual chunk. Unpaged, the first LIST of 5,000 policies is one 3.6 MB response, held whole by the API
   * server and the client and slow enough to break the informer's start; 500 objects are a few hundred KB a page and
   * 10 pages for 5,000 policies. All pages are at the first page's resourceVersion, and the watch continues from it.
   */
  static final long INFORMER_LIST_LIMIT = 500;

  private final Operator operator;
  private final OperatorConfig config;
  private final PrometheusMeterRegistry registry;
  private final AtomicBoolean informerStopped = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  /** This process's holder name in the Lease: the configured one (the pod's name), else a random one. */
  private final String leaseIdentity;
  /** True while this process holds the Lease. */
  private final AtomicBoolean leading = new AtomicBoolean();
  private final KubernetesClient client;
  /** Lists each subscription's clusters, public IPs and prefixes for every policy at once. */
  private final FleetObserver observer;
  private final SourceRefresher refresher;
  private final PolicySyncer syncer;
  private ApiServerProber prober;
  private HealthAndMetricsServer http;

  /**
   * @param metrics must record into {@code registry}; the gateway's call listener usually records into it too
   */
  public AuthipOperator(KubernetesClient client, AksGateway gateway, OperatorConfig config,
      PrometheusMeterRegistry registry, AuthipMetrics metrics, Clock clock) {
    this(client, gateway, config, registry, metrics, clock, true);
  }

  /**
   * @param exitOnLostLease JOSDK's default: exit the process when leadership ends (a pod is then restarted). An
   *     operator embedded in a test JVM or the sandbox passes false, since JOSDK also ends leadership that way on a
   *     graceful stop.
   */
  public AuthipOperator(KubernetesClient client, AksGateway gateway, OperatorConfig config,
      PrometheusMeterRegistry registry, AuthipMetrics metrics, Clock clock, boolean exitOnLostLease) {
    this(client, gateway, null, config, registry, metrics, clock, exitOnLostLease);
  }

  /**
   * @param identities the gateways of TargetGrants' Azure identities (null: a grant naming an identity cannot be
   *     used, and its targets say so)
   */
  public AuthipOperator(KubernetesClient client, AksGateway gateway, IdentityGateways identities,
      OperatorConfig config, PrometheusMeterRegistry registry, AuthipMetrics metrics, Clock clock,
      boolean exitOnLostLease) {
    this.config = config;
    this.registry = registry;
    this.client = client;
    this.leaseIdentity = config.lease().identity() != null ? config.lease().identity()
        : java.util.UUID.randomUUID().toString();
    // A policy may hold as many entries as any cluster accepts; each target is then held to its own limit
    // (TargetPlanner: more with API Server VNet Integration), so a list too long for one cluster blocks that target only.
    PolicyValidator validator = new PolicyValidator(config.largestMaxRanges());
    EventRecorder events = new EventRecorder(client, clock);
    this.operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          .withResourceCloner(cloner(client.getKubernetesSerialization()))
          // The fabric8 mock server (tests, sandbox) has no server-side apply; plain patches work everywhere.
          .withUseSSAToPatchPrimaryResource(false)
          .withSSABasedCreateUpdateMatchForDependentResources(false)
          .withConcurrentReconciliationThreads(config.reconcileThreads())
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
          // JOSDK's default exits the JVM; a resource that cannot be read must not take the operator down.
          .withInformerStoppedHandler((informer, ex) -> {
            if (closing.get()) {
              return;
            }
            informerStopped.set(true);
            LOG.error("an informer stopped; /healthz now fails so that the pod is restarted", ex);
          });
      if (config.leaderElection()) {
        o.withLeaderElectionConfiguration(leaderElection(config, leaseIdentity, metrics, leading, closing,
            exitOnLostLease ? () -> System.exit(1) : () -> LOG.error("lost the Lease; an embedded operator does not "
                + "exit the process")));
      }
    });
    metrics.leader(!config.leaderElection());
    CaptureStore captures = new CaptureStore(client, config.operatorNamespace());
    this.observer = new FleetObserver(clock, LIST_THREADS);
    metrics.lists(() -> observer.stats().lists(), () -> observer.stats().pages());
    if (gateway instanceof io.authip.azure.AzureAksGateway azure) {
      metrics.pacer(azure.pacer());
    }
    PolicySyncer syncer = new PolicySyncer(gateway, captures, config, clock, observer);
    this.syncer = syncer;
    this.prober = new ApiServerProber(ApiServerProber.Resolver.DNS, config.checks().timeout(), clock);
    syncer.reachability(prober);
    Tenancy tenancy = new Tenancy(config, gateway, identities);
    GrantUsage usage = new GrantUsage();
    if (tenancy.open()) {
      LOG.warn("AUTHIP_TENANCY=open: every watched AuthorizedIpPolicy may change every cluster this operator's Azure "
          + "identity can write, with any access, Unrestricted included; use grants (the default) when several teams "
          + "write policies");
    }
    SourceStore sources = new SourceStore(client, config.operatorNamespace());
    this.refresher = new SourceRefresher(gateway, new FeedFetcher(config.sources()),
        config.sources().defaultSubscription(), 2);
    var policyReconciler = new AuthorizedIpPolicyReconciler(validator, syncer,
        new PolicyRestorer(gateway, captures, config.restoreTimeout()), captures, events, metrics, clock,
        config.errorBackoff(), config.maxBackoff(), tenancy, usage, sources);
    RegisteredController<AuthorizedIpPolicy> policies = operator.register(policyReconciler, o -> scope(o));
    operator.register(new IpRangeSetReconciler(validator, events, clock, sources, refresher, metrics,
        config.maxBackoff()), o -> scope(o));
    if (!tenancy.open()) {
      // Cluster-scoped and admin-owned: neither the watched namespaces nor the label selector apply to grants.
      operator.register(new TargetGrantReconciler(usage, metrics, clock,
          config.watchNamespaces().isEmpty() && config.labelSelector() == null),
          o -> o.withInformerListLimit(INFORMER_LIST_LIMIT));
    }
    // The controller's own informer cache: filled on a standby too (JOSDK starts informers before leadership).
    // Unknown (NaN) until the operator has started and the cache exists.
    if (policies instanceof Controller<AuthorizedIpPolicy> controller) {
      metrics.policiesSeen(() -> operator.getRuntimeInfo().isStarted()
          ? controller.getEventSourceManager().getControllerEventSource().keys().count() : Double.NaN);
    }
  }

  /**
   * JOSDK's leader election with authip's Lease, timings and holder name, and the {@code authip_leader} gauge.
   *
   * <p>A deposed leader must not go on reconciling, so losing the Lease ends the process, as JOSDK's own
   * exit-on-stop-leading does. That exit is done here instead of by JOSDK because JOSDK also calls it when the
   * election is cancelled by a graceful stop, from inside the shutdown hook, where {@code System.exit} blocks for
   * ever: every SIGTERM of a leader then ended in a SIGKILL after the pod's grace period. The exit runs on a thread of
   * its own so that the elector's thread (which the shutdown waits for) is not the one blocked in it.
   */
  static LeaderElectionConfiguration leaderElection(OperatorConfig config, String identity, AuthipMetrics metrics,
      AtomicBoolean leading, AtomicBoolean closing, Runnable exit) {
    OperatorConfig.Lease lease = config.lease();
    String name = config.leaseNamespace() + "/" + config.leaseName();
    LeaderCallbacks callbacks = new LeaderCallbacks(() -> {
      LOG.info("now the leader (Lease {}, holder {}): reconciling", name, identity);
      leading.set(true);
      metrics.leader(true);
    }, () -> {
      metrics.leader(false);
      if (closing.get()) {
        LOG.info("stopped leading: the operator is stopping");
        return;
      }
      LOG.error("lost the Lease {}: exiting so that only the new leader reconciles", name);
      Thread t = new Thread(exit, "authip-deposed");
      t.setDaemon(false);
      t.start();
    }, holder -> LOG.info("Lease {} is held by {}", name, holder));
    return new LeaderElectionConfiguration(config.leaseName(), config.leaseNamespace(), lease.leaseDuration(),
        lease.renewDeadline(), lease.retryPeriod(), identity, callbacks, false);
  }

  private <R extends io.fabric8.kubernetes.api.model.HasMetadata> void scope(ControllerConfigurationOverrider<R> o) {
    o.withInformerListLimit(INFORMER_LIST_LIMIT);
    if (!config.watchNamespaces().isEmpty()) {
      o.settingNamespaces(config.watchNamespaces());
    }
    if (config.labelSelector() != null) {
      o.withLabelSelector(config.labelSelector());
    }
    // A safety net under the per-policy resync; the resync itself comes from spec.resyncInterval.
    o.withReconciliationMaxInterval(Duration.ofHours(24));
    // JOSDK's default retry gives up after 5 failed reconciles (about 26 s, e.g. status writes refused while the API
    // server is unavailable); the resource would then not be reconciled again until it is edited, and its drift
    // checks would stop. Retry for as long as it takes, with the operator's own backoff.
    o.withRetry(new GenericRetry().setInitialInterval(config.errorBackoff()).setIntervalMultiplier(2)
        .setMaxInterval(config.maxBackoff().toMillis()).withoutMaxAttempts());
  }

  /**
   * Where the reachability check finds API servers (DNS and port 443 unless replaced, e.g. by the ARM emulator's
   * endpoints in tests and the sandbox); call before {@link #start}.
   */
  public AuthipOperator apiServerResolver(ApiServerProber.Resolver resolver) {
    prober.close();
    prober = new ApiServerProber(resolver, config.checks().timeout(), Clock.systemUTC());
    syncer.reachability(prober);
    return this;
  }

  /** Starts the HTTP endpoints, then the controllers (which wait for the lease when leader election is on). */
  public AuthipOperator start(String httpHost) {
    LOG.info("starting authip: {}", config.describe());
    try {
      http = new HealthAndMetricsServer(httpHost, config.httpPort(), registry, this::live, this::ready);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + config.httpPort(), e);
    }
    operator.start();
    LOG.info("authip started; /metrics, /healthz and /readyz on port {}", http.port());
    return this;
  }

  public int httpPort() {
    return http.port();
  }

  public boolean live() {
    return !informerStopped.get();
  }

  public boolean ready() {
    return live() && operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  @Override
  public void close() {
    closing.set(true);
    try {
      operator.stop();
      if (config.leaderElection() && leading.get()) {
        releaseLease();
      }
    } finally {
      observer.close();
      refresher.close();
      prober.close();
      if (http != null) {
        http.close();
      }
    }
  }

  /**
   * Hands the Lease over after a graceful stop, as client-go's ReleaseOnCancel does (JOSDK does not): the record is
   * rewritten without holder and with a lease duration of 1 s, so that a standby (or the next pod of a rolling
   * update) takes over within a second instead of waiting the full lease duration. Only if this process still holds
   * it, and with the resourceVersion read: a Lease someone else took meanwhile is left alone. Reconciling has
   * stopped before (JOSDK's controllers are stopped first), so no two replicas ever reconcile at once.
   */
  void releaseLease() {
    var leases = client.resources(io.fabric8.kubernetes.api.model.coordination.v1.Lease.class)
        .inNamespace(config.leaseNamespace());
    try {
      var lease = leases.withName(config.leaseName()).get();
      if (lease == null || lease.getSpec() == null || !leaseIdentity.equals(lease.getSpec().getHolderIdentity())) {
        return;
      }
      java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
      lease.getSpec().setHolderIdentity(null);
      lease.getSpec().setLeaseDurationSeconds(1);
      lease.getSpec().setAcquireTime(now);
      lease.getSpec().setRenewTime(now);
      leases.resource(lease).update();
      leading.set(false);
      LOG.info("released the Lease {}/{}", config.leaseNamespace(), config.leaseName());
    } catch (RuntimeException e) {
      // Not released: a standby takes over once the lease duration has passed, as after a crash.
      LOG.warn("could not release the Lease {}/{}: {}", config.leaseNamespace(), config.leaseName(), e.toString());
    }
  }

  /** JOSDK clones resources through JSON; keep the recorded read problems across the copy. */
  static Cloner cloner(KubernetesSerialization serialization) {
    return new Cloner() {
      @Override
      public <R extends HasMetadata> R clone(R object) {
        return ResourceSerialization.copy(serialization, object);
      }
    };
  }
}
