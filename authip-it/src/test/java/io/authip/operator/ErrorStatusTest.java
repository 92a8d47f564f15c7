package io.authip.operator;

import io.authip.api.v1alpha1.ConditionReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.IpRangeSetSpec;
import io.authip.api.v1alpha1.IpRangeSetStatus;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.api.v1alpha1.TargetState;
import io.authip.azure.AksGateway;
import io.authip.azure.AzureAksGateway;
import io.authip.azure.AzureConfig;
import io.authip.azure.OperationHandle;
import io.authip.azure.OperationStatus;
import io.authip.azure.Outcome;
import io.authip.emulator.ClusterFixture;
import io.authip.metrics.AuthipMetrics;
import io.authip.policy.ApiServerAccess;
import io.authip.policy.ClusterSnapshot;
import io.authip.policy.PolicyValidator;
import io.authip.ranges.Cidr;
import io.authip.sandbox.LocalEnvironment;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.OperatorException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An exception thrown by a collaborator mid-reconcile: the operator in-process against the embedded Kubernetes API
 * and the ARM emulator, with a gateway that throws on demand in front of the real one.
 */
class ErrorStatusTest {

  static final String SUB = "5e0c2b4a-7d1f-4e3a-9b8c-1f2e3d4c5b6a";
  static final Duration WAIT = Duration.ofSeconds(30);
  static final AtomicInteger COUNTER = new AtomicInteger();
  static LocalEnvironment env;
  static AuthipOperator operator;
  static FailingGateway gateway;
  static PrometheusMeterRegistry registry;

  String ns;
  KubernetesClient k8s;

  /** The real gateway, or a thrown exception while {@link #failWith} is set; counts the reads that threw. */
  static final class FailingGateway implements AksGateway {
    final AksGateway real;
    volatile Supplier<RuntimeException> failWith;
    final AtomicInteger thrown = new AtomicInteger();

    FailingGateway(AksGateway real) {
      this.real = real;
    }

    @Override
    public Outcome<ClusterSnapshot> read(ClusterTarget target) {
      Supplier<RuntimeException> f = failWith;
      if (f != null) {
        thrown.incrementAndGet();
        throw f.get();
      }
      return real.read(target);
    }

    @Override
    public Outcome<Map<String, Cidr>> resolve(Collection<String> resourceIds) {
      return real.resolve(resourceIds);
    }

    @Override
    public Outcome<OperationHandle> apply(ClusterSnapshot snapshot, ApiServerAccess desired) {
      return real.apply(snapshot, desired);
    }

    @Override
    public Outcome<OperationStatus> poll(OperationHandle handle) {
      return real.poll(handle);
    }
  }

  @BeforeAll
  static void start() {
    env = LocalEnvironment.start(LocalEnvironment.Options.forTesting());
    env.grantAll(SUB);
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AuthipMetrics metrics = new AuthipMetrics(registry);
    gateway = new FailingGateway(AzureAksGateway.create(AzureConfig.fromEnvironment(env.azureEnvironment()),
        (op, code, duration, headers) -> metrics.azureCall(op, code, duration)));
    operator = new AuthipOperator(env.kube().client(), gateway, OperatorConfig.forTesting(), registry, metrics,
        Clock.systemUTC()).start("127.0.0.1");
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (env != null) {
      env.close();
    }
  }

  @BeforeEach
  void namespace() {
    ns = "e" + COUNTER.incrementAndGet();
    k8s = env.kube().client();
    gateway.failWith = null;
  }

  @Test
  void anUnexpectedExceptionMakesTheInSyncPolicyNotReadyWithABoundedOneLineMessage() {
    AuthorizedIpPolicy p = inSyncPolicy();
    long generation = get(p).getMetadata().getGeneration();
    String longTail = "x".repeat(2_000);
    gateway.failWith = () -> new IllegalStateException("injected\nsecond line " + longTail,
        new ArithmeticException("the cause"));

    await().atMost(WAIT).until(() -> ready(get(p)).map(c -> "InternalError".equals(c.getReason())).orElse(false));
    Condition ready = ready(get(p)).orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getObservedGeneration()).isEqualTo(generation);
    assertThat(ready.getMessage()).startsWith("reconcile failed: java.lang.IllegalStateException: injected second line")
        .contains("...; caused by java.lang.ArithmeticException: the cause")
        .doesNotContain("\n").doesNotContain("\tat ").hasSizeLessThanOrEqualTo(ErrorStatus.MAX_MESSAGE);
    // The targets keep what was last observed (and what was captured); the policy no longer claims to be Ready.
    assertThat(get(p).getStatus().getTargets()).allMatch(t -> t.getState() == TargetState.InSync)
        .allMatch(t -> t.getPrevious() != null);
    assertThat(scrape()).contains("authip_policy_ready{namespace=\"" + ns + "\",policy=\"p\"} 0.0");
    await().atMost(WAIT).until(() -> warnings(p, "InternalError") > 0);

    // Failing again and again writes the status once: the same condition is not rewritten.
    String version = get(p).getMetadata().getResourceVersion();
    int before = gateway.thrown.get();
    await().atMost(WAIT).until(() -> gateway.thrown.get() >= before + 3);
    assertThat(get(p).getMetadata().getResourceVersion()).isEqualTo(version);

    gateway.failWith = null;
    await().atMost(WAIT).until(() -> ready(get(p)).map(c -> "True".equals(c.getStatus())).orElse(false));
    assertThat(ready(get(p)).orElseThrow().getReason()).isEqualTo("InSync");
  }

  @Test
  void aConflictFromTheKubernetesApiIsRetriedWithoutAnyStatusWrite() {
    AuthorizedIpPolicy p = inSyncPolicy();
    int before = gateway.thrown.get();
    // As the write-ahead status write throws it when the policy changed since it was read; JOSDK may wrap it.
    gateway.failWith = () -> new OperatorException("status write failed",
        new KubernetesClientException("the object has been modified", 409, null));
    // Once one reconcile has failed, none that read Azure before the switch can still be writing.
    await().atMost(WAIT).until(() -> gateway.thrown.get() > before);
    String version = get(p).getMetadata().getResourceVersion();

    int failed = gateway.thrown.get();
    await().atMost(WAIT).until(() -> gateway.thrown.get() >= failed + 3);
    AuthorizedIpPolicy read = get(p);
    assertThat(read.getMetadata().getResourceVersion()).isEqualTo(version);
    assertThat(ready(read).orElseThrow().getReason()).isEqualTo("InSync");
    assertThat(warnings(p, "InternalError")).isZero();
    gateway.failWith = null;
  }

  @Test
  void anIpRangeSetThatCouldNotBeCheckedIsNeitherValidNorInvalid() {
    IpRangeSet set = new IpRangeSet();
    set.getMetadata().setName("s");
    set.getMetadata().setNamespace("n");
    set.getMetadata().setGeneration(4L);
    IpRangeSetSpec spec = new IpRangeSetSpec();
    spec.setRanges(List.of(new RangeEntry("20.42.0.0/24", null)));
    set.setSpec(spec);
    IpRangeSetStatus status = new IpRangeSetStatus();
    status.setRangeCount(1);
    status.setConditions(Conditions.set(null, Conditions.VALID, true, ConditionReason.Valid, "1 ranges after merging", 3L,
        java.time.Instant.EPOCH));
    set.setStatus(status);
    IpRangeSetReconciler reconciler = new IpRangeSetReconciler(new PolicyValidator(200),
        new EventRecorder(k8s, Clock.systemUTC()), Clock.systemUTC());

    var control = reconciler.updateErrorStatus(set, null, new IllegalStateException("injected"));
    Condition valid = Conditions.find(control.getResource().orElseThrow().getStatus().getConditions(),
        Conditions.VALID).orElseThrow();
    assertThat(valid.getStatus()).isEqualTo("Unknown");
    assertThat(valid.getReason()).isEqualTo("InternalError");
    assertThat(valid.getObservedGeneration()).isEqualTo(4L);
    assertThat(control.getResource().orElseThrow().getStatus().getRangeCount()).isEqualTo(1);

    var conflict = reconciler.updateErrorStatus(set, null, new KubernetesClientException("modified", 409, null));
    assertThat(conflict.getResource()).isEmpty();
    assertThat(conflict.isDefaultErrorProcessing()).isFalse();
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  AuthorizedIpPolicy inSyncPolicy() {
    ClusterFixture c = ClusterFixture.loadBalancerManagedOutbound(SUB, ns, "aks1");
    env.arm().seed(c);
    AuthorizedIpPolicy p = new AuthorizedIpPolicy();
    p.getMetadata().setName("p");
    p.getMetadata().setNamespace(ns);
    AuthorizedIpPolicySpec spec = new AuthorizedIpPolicySpec();
    spec.setTargets(List.of(new ClusterTarget(c.subscription(), c.resourceGroup(), c.name())));
    spec.setRanges(List.of(new RangeEntry("73.140.245.0/24", null)));
    p.setSpec(spec);
    k8s.resource(p).create();
    await().atMost(WAIT).until(() -> ready(get(p)).map(r -> "InSync".equals(r.getReason())).orElse(false));
    return p;
  }

  AuthorizedIpPolicy get(AuthorizedIpPolicy p) {
    return k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName(p.getMetadata().getName()).get();
  }

  static java.util.Optional<Condition> ready(AuthorizedIpPolicy p) {
    return p == null || p.getStatus() == null ? java.util.Optional.empty()
        : Conditions.find(p.getStatus().getConditions(), Conditions.READY);
  }

  long warnings(AuthorizedIpPolicy p, String reason) {
    return k8s.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()) && "Warning".equals(e.getType()))
        .map(Event::getInvolvedObject).filter(o -> p.getMetadata().getName().equals(o.getName())).count();
  }

  static String scrape() {
    return registry.scrape();
  }
}
