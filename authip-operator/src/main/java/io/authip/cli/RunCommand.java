package io.authip.cli;

import io.authip.azure.AzureAksGateway;
import io.authip.azure.AzureConfig;
import io.authip.logging.Logging;
import io.authip.metrics.AuthipMetrics;
import io.authip.operator.AuthipOperator;
import io.authip.operator.OperatorConfig;
import io.authip.resources.ResourceSerialization;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Runs the operator: watches AuthorizedIpPolicy and IpRangeSet resources and drives the AKS",
        "clusters they name. Configured by environment variables (see README: Configuration).",
        "Serves /metrics, /healthz and /readyz on AUTHIP_HTTP_PORT (default 8080)."})
final class RunCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

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
    Logging.configure(config.logLevel(), logFormat);
    org.slf4j.LoggerFactory.getLogger(RunCommand.class).info("Azure: {}", azure.describe());
    KubernetesClient client = new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory())
        .withKubernetesSerialization(ResourceSerialization.create()).build();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AuthipMetrics metrics = new AuthipMetrics(registry);
    AzureAksGateway gateway = AzureAksGateway.create(azure,
        (operation, code, duration, headers) -> metrics.azureCall(operation, code, duration));
    AuthipOperator operator = new AuthipOperator(client, gateway, config, registry, metrics, Clock.systemUTC());
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
}
