package io.authip.cli;

import io.authip.azure.AzureAksGateway;
import io.authip.azure.AzureConfig;
import io.authip.logging.Logging;
import io.authip.metrics.AuthipMetrics;
import io.authip.operator.AuthipOperator;
import io.authip.operator.OperatorConfig;
import io.authip.resources.ResourceSerialization;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Runs the operator: watches AuthorizedIpPolicy and IpRangeSet resources and drives the AKS "
        + "clusters they name.",
        "Configured by environment variables (README, \"authip run\"). Serves /metrics, /healthz and /readyz on "
        + "AUTHIP_HTTP_PORT (default 8080).",
        "The Kubernetes API is found as kubectl finds it: --kubeconfig, else KUBECONFIG, else ~/.kube/config, else "
        + "the in-cluster ServiceAccount. When it cannot be reached, authip exits (status 3) with one line naming "
        + "what it tried."})
final class RunCommand implements Callable<Integer> {

  /** Exit code when the Kubernetes API cannot be reached at start-up. */
  static final int UNREACHABLE = 3;

  @Spec
  CommandSpec spec;

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "The kubeconfig to use (default: KUBECONFIG, else ~/.kube/config, else in-cluster).")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME",
      description = "The kubeconfig context to use (default: its current context).")
  String context;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> env = System.getenv();
    OperatorConfig config;
    AzureConfig azure;
    Logging.Format logFormat;
    try {
      config = OperatorConfig.fromEnvironment(env);
      azure = AzureConfig.fromEnvironment(env);
      logFormat = Logging.format(env);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("authip run: " + e.getMessage());
      return 2;
    }
    if (kubeconfig != null && !Files.isRegularFile(kubeconfig)) {
      spec.commandLine().getErr().println("authip run: --kubeconfig " + kubeconfig + ": no such file; pass the path of"
          + " a kubeconfig, or leave --kubeconfig out to use KUBECONFIG, ~/.kube/config or the in-cluster account.");
      return 2;
    }
    Logging.configure(config.logLevel(), logFormat);
    Config kube = kubernetesConfig();
    String unreachable = KubernetesReachability.check(kube, env);
    if (unreachable != null) {
      spec.commandLine().getErr().println("authip run: " + unreachable);
      return UNREACHABLE;
    }
    org.slf4j.LoggerFactory.getLogger(RunCommand.class).info("Azure: {}", azure.describe());
    KubernetesClient client = new KubernetesClientBuilder().withConfig(kube)
        .withHttpClientFactory(new JdkHttpClientFactory())
        .withKubernetesSerialization(ResourceSerialization.create()).build();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AuthipMetrics metrics = new AuthipMetrics(registry, config.maxRanges());
    io.authip.azure.AzureCallListener calls = (operation, code, duration, headers) ->
        metrics.azureCall(operation, code, duration);
    AzureAksGateway gateway = AzureAksGateway.create(azure, calls);
    AuthipOperator operator = new AuthipOperator(client, gateway,
        new io.authip.operator.FederatedGateways(azure, client, config.tokenAudience(), calls, gateway.pacer()), config, registry, metrics, Clock.systemUTC(),
        true);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      operator.close();
      client.close();
      stopped.countDown();
    }, "authip-shutdown"));
    operator.start("0.0.0.0");
    stopped.await();
    return 0;
  }

  /** fabric8's discovery, as kubectl's: --kubeconfig, KUBECONFIG, ~/.kube/config, then in-cluster. */
  private Config kubernetesConfig() {
    if (kubeconfig != null) {
      return Config.fromKubeconfig(context, kubeconfig.toAbsolutePath().toFile());
    }
    return new ConfigBuilder(Config.autoConfigure(context)).build();
  }
}
