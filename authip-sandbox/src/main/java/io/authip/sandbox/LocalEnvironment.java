package io.authip.sandbox;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.GrantTarget;
import io.authip.api.v1alpha1.TargetGrant;
import io.authip.api.v1alpha1.TargetGrantSpec;
import io.authip.azure.AzureAksGateway;
import io.authip.azure.AzureConfig;
import io.authip.emulator.ArmEmulator;
import io.authip.kubeapi.EmbeddedKubernetes;
import io.authip.metrics.AuthipMetrics;
import io.authip.operator.AuthipOperator;
import io.authip.operator.FederatedGateways;
import io.authip.operator.OperatorConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything authip needs, on this machine: the ARM emulator over HTTPS, an embedded Kubernetes API with the CRDs,
 * and the operator wired exactly as {@code authip run} wires it (real Azure SDK gateway, real JOSDK). Used by
 * {@code authip sandbox}, the end-to-end tests and the benchmarks. The operator runs as its ServiceAccount
 * ({@link EmbeddedKubernetes#operatorClient()}), authorized by the shipped RBAC; {@link #kube()}{@code .client()}
 * is the administrator, for what tests and the sandbox do themselves.
 */
public final class LocalEnvironment implements AutoCloseable {

  /**
   * @param kubePort port of the Kubernetes API (0: free)
   * @param armPort port of the ARM emulator (0: free)
   * @param operationDuration how long the emulator's long-running operations take
   * @param operator the operator's settings (its httpPort included)
   * @param workDir where the emulator's certificate is written
   * @param azureSettings Azure settings ({@code AzureConfig} variable names) that replace the sandbox's, e.g. a short
   *     {@code AUTHIP_AZURE_HTTP_TIMEOUT} for tests of slow answers
   */
  public record Options(int kubePort, int armPort, Duration operationDuration, OperatorConfig operator, Path workDir,
      Map<String, String> azureSettings, java.util.function.UnaryOperator<ArmEmulator.Builder> emulator) {

    public Options {
      azureSettings = Map.copyOf(azureSettings);
      emulator = emulator == null ? b -> b : emulator;
    }

    public Options(int kubePort, int armPort, Duration operationDuration, OperatorConfig operator, Path workDir,
        Map<String, String> azureSettings) {
      this(kubePort, armPort, operationDuration, operator, workDir, azureSettings, null);
    }

    public Options(int kubePort, int armPort, Duration operationDuration, OperatorConfig operator, Path workDir) {
      this(kubePort, armPort, operationDuration, operator, workDir, Map.of());
    }

    /** Further emulator settings (page size, throttling, operations' Retry-After), applied after the sandbox's. */
    public Options withEmulator(java.util.function.UnaryOperator<ArmEmulator.Builder> more) {
      java.util.function.UnaryOperator<ArmEmulator.Builder> before = emulator;
      return new Options(kubePort, armPort, operationDuration, operator, workDir, azureSettings,
          b -> more.apply(before.apply(b)));
    }

    public static Options forTesting() {
      try {
        return new Options(0, 0, Duration.ofMillis(300), OperatorConfig.forTesting(),
            Files.createTempDirectory("authip-env"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public Options withOperator(OperatorConfig config) {
      return new Options(kubePort, armPort, operationDuration, config, workDir, azureSettings, emulator);
    }

    public Options withOperationDuration(Duration d) {
      return new Options(kubePort, armPort, d, operator, workDir, azureSettings, emulator);
    }

    public Options withAzureSetting(String name, String value) {
      Map<String, String> settings = new HashMap<>(azureSettings);
      settings.put(name, value);
      return new Options(kubePort, armPort, operationDuration, operator, workDir, settings, emulator);
    }
  }

  private final Options options;
  private final ArmEmulator arm;
  private final EmbeddedKubernetes kube;
  private final Map<String, String> azureEnvironment;
  private AuthipOperator operator;
  private PrometheusMeterRegistry registry;

  private LocalEnvironment(Options options, ArmEmulator arm, EmbeddedKubernetes kube, Map<String, String> azureEnv) {
    this.options = options;
    this.arm = arm;
    this.kube = kube;
    this.azureEnvironment = azureEnv;
  }

  /** Starts the emulator and the Kubernetes API, not yet the operator. */
  public static LocalEnvironment start(Options options) {
    ArmEmulator arm = options.emulator().apply(ArmEmulator.builder().port(options.armPort())
        .operationDuration(options.operationDuration())).start();
    EmbeddedKubernetes kube = null;
    try {
      kube = EmbeddedKubernetes.start(options.kubePort());
      Path cert = options.workDir().resolve("arm-emulator.pem");
      arm.writeCertificatePem(cert);
      Map<String, String> env = new HashMap<>();
      env.put(AzureConfig.AZURE_CLOUD, "Custom");
      env.put(AzureConfig.ARM_ENDPOINT, arm.baseUrl());
      env.put(AzureConfig.AUTHORITY_HOST, arm.baseUrl());
      env.put(AzureConfig.ARM_CA_FILE, cert.toString());
      env.put(AzureConfig.TENANT_ID, arm.tenantId());
      env.put(AzureConfig.CLIENT_ID, "authip-sandbox");
      env.put(AzureConfig.CLIENT_SECRET, "sandbox-secret");
      env.put(AzureConfig.RETRY_DELAY, "50ms");
      env.putAll(options.azureSettings());
      return new LocalEnvironment(options, arm, kube, Map.copyOf(env));
    } catch (RuntimeException e) {
      arm.close();
      if (kube != null) {
        kube.close();
      }
      throw e;
    }
  }

  /** Starts an operator (a new gateway, new caches, new metrics), as a new process would. */
  public synchronized AuthipOperator startOperator() {
    if (operator != null) {
      throw new IllegalStateException("an operator is already running");
    }
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AuthipMetrics metrics = new AuthipMetrics(registry, options.operator().maxRanges());
    AzureConfig azure = AzureConfig.fromEnvironment(azureEnvironment);
    io.authip.azure.AzureCallListener calls = (op, code, duration, headers) -> metrics.azureCall(op, code, duration);
    AzureAksGateway gateway = AzureAksGateway.create(azure, calls);
    // The operator's own identity: every request it makes is authorized by the shipped RBAC (kube.rbac()), the
    // TokenRequests for grants' identities included. In-process: losing (or, on stop, releasing) the lease must not
    // exit this JVM.
    operator = new AuthipOperator(kube.operatorClient(), gateway,
        new FederatedGateways(azure, kube.operatorClient(), options.operator().tokenAudience(), calls, gateway.pacer()), options.operator(), registry, metrics,
        Clock.systemUTC(), false)
        // API servers are the emulator's endpoints, which judge connections by the caller address set on it.
        .apiServerResolver(fqdn -> arm.apiServer(fqdn).orElseThrow(() -> new java.net.UnknownHostException(fqdn)))
        .start("127.0.0.1");
    return operator;
  }

  /**
   * As a cluster administrator, grants every namespace every cluster of these subscriptions with any access (a
   * TargetGrant {@value #GRANT_ALL}, created or replaced): for tests that are not about tenancy, run in the default
   * {@code grants} mode.
   */
  public void grantAll(String... subscriptions) {
    grantAll(null, subscriptions);
  }

  /**
   * As {@link #grantAll(String...)}, acting as {@code identity} (null: the operator's own); see
   * {@link #tenantIdentity} for the identity's side in Kubernetes and Entra ID.
   */
  public void grantAll(io.authip.api.v1alpha1.GrantIdentity identity, String... subscriptions) {
    TargetGrant grant = new TargetGrant();
    grant.getMetadata().setName(GRANT_ALL);
    TargetGrantSpec spec = new TargetGrantSpec();
    spec.setAllNamespaces(true);
    java.util.List<GrantTarget> targets = new java.util.ArrayList<>();
    for (String s : subscriptions) {
      targets.add(new GrantTarget(s, null, null));
    }
    spec.setTargets(targets);
    spec.setAllowedAccess(java.util.List.of(Access.values()));
    spec.setIdentity(identity);
    grant.setSpec(spec);
    for (int attempt = 1; ; attempt++) {
      try {
        kube.client().resource(grant).createOr(existing -> existing.update());
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        // The operator writes the grant's status meanwhile: replace it again from the version now stored.
        if (e.getCode() != 409 || attempt >= 10) {
          throw e;
        }
      }
    }
  }

  /**
   * A tenant's identity as a platform team sets it up: in each namespace the ServiceAccount {@code authip-tenant},
   * and in Entra ID (the emulator) an identity {@code clientId} whose federated credentials trust exactly those
   * ServiceAccounts, as tokens this Kubernetes API signs. Returns the grant identity naming it.
   */
  public io.authip.api.v1alpha1.GrantIdentity tenantIdentity(String clientId, String... namespaces) {
    String issuer = kube.serviceAccountIssuer();
    arm.trustIssuer(issuer, kube.serviceAccountSigningKey());
    for (String ns : namespaces) {
      if (kube.client().namespaces().withName(ns).get() == null) {
        kube.client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
            .withName(ns).endMetadata().build()).create();
      }
      kube.client().serviceAccounts().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model
          .ServiceAccountBuilder().withNewMetadata().withName(TENANT_SERVICE_ACCOUNT).endMetadata().build())
          .createOr(r -> r.update());
      arm.federatedCredential(clientId, issuer, "system:serviceaccount:" + ns + ":" + TENANT_SERVICE_ACCOUNT,
          "api://AzureADTokenExchange");
    }
    return new io.authip.api.v1alpha1.GrantIdentity(clientId, arm.tenantId(), TENANT_SERVICE_ACCOUNT);
  }

  /** The ServiceAccount name the shipped RBAC lets the operator request tokens for. */
  public static final String TENANT_SERVICE_ACCOUNT = "authip-tenant";

  /** The name of the grant {@link #grantAll} writes. */
  public static final String GRANT_ALL = "all-namespaces";

  /** Stops the operator as a crash would leave things: status as last written, operations still running. */
  public synchronized void stopOperator() {
    if (operator != null) {
      operator.close();
      operator = null;
    }
  }

  public ArmEmulator arm() {
    return arm;
  }

  public EmbeddedKubernetes kube() {
    return kube;
  }

  public AuthipOperator operator() {
    return operator;
  }

  /**
   * @throws IllegalStateException listing every request of the operator that the shipped RBAC forbade so far
   */
  public void requireNoForbiddenRequests() {
    kube.rbac().requireNoneForbidden();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The variables that point authip's Azure side at the emulator. */
  public Map<String, String> azureEnvironment() {
    return azureEnvironment;
  }

  @Override
  public void close() {
    stopOperator();
    kube.close();
    arm.close();
  }
}
