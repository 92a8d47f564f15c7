package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.DeletionPolicy;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.api.v1alpha1.TargetState;
import io.authip.emulator.ClusterFixture;
import io.authip.logging.Logging;
import io.authip.sandbox.LocalEnvironment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What a real reconcile writes to the log, rendered by the production set-up ({@link Logging}) in both formats at
 * once: the operator in-process against the embedded Kubernetes API and the ARM emulator.
 */
class ReconcileLogsTest {

  static final String SUB = "3c9a1f0e-2b4d-4e6f-8a1c-5d7e9f0a2b3c";
  static final String NS = "logs";
  static final Duration WAIT = Duration.ofSeconds(60);
  static final ObjectMapper JSON = new ObjectMapper();
  static final ByteArrayOutputStream JSON_OUT = new ByteArrayOutputStream();
  static final ByteArrayOutputStream TEXT_OUT = new ByteArrayOutputStream();
  static LocalEnvironment env;

  @BeforeAll
  static void start() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logging.configure(context, "info", Logging.Format.json, JSON_OUT);
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
        .addAppender(Logging.appender(context, Logging.Format.text, TEXT_OUT));
    context.getLogger("io.authip").setLevel(Level.DEBUG); // also the gateway's per-call lines
    env = LocalEnvironment.start(LocalEnvironment.Options.forTesting());
    env.grantAll(SUB);
    env.startOperator();
  }

  @AfterAll
  static void stop() {
    try {
      if (env != null) {
        env.close();
      }
    } finally {
      // Back to what logback starts with in this JVM.
      Logging.configure("info", Logging.Format.text);
    }
  }

  @Test
  void everyLineOfAReconcileNamesThePolicyAndLinesAboutAClusterNameIt() {
    KubernetesClient k8s = env.kube().client();
    ClusterFixture a = ClusterFixture.loadBalancerManagedOutbound(SUB, NS, "logsaks1");
    ClusterFixture b = ClusterFixture.loadBalancerManagedOutbound(SUB, NS, "logsaks2");
    env.arm().seed(a);
    env.arm().seed(b);
    AuthorizedIpPolicy p = new AuthorizedIpPolicy();
    p.getMetadata().setName("logged");
    p.getMetadata().setNamespace(NS);
    AuthorizedIpPolicySpec spec = new AuthorizedIpPolicySpec();
    spec.setTargets(List.of(target(a), target(b)));
    spec.setRanges(List.of(new RangeEntry("73.140.245.0/24", null)));
    spec.setDeletionPolicy(DeletionPolicy.Restore);
    p.setSpec(spec);
    k8s.resource(p).create();
    var policies = k8s.resources(AuthorizedIpPolicy.class).inNamespace(NS).withName("logged");
    await().atMost(WAIT).until(() -> {
      AuthorizedIpPolicy r = policies.get();
      return r != null && r.getStatus() != null && r.getStatus().getTargets().size() == 2
          && r.getStatus().getTargets().stream().allMatch(t -> t.getState() == TargetState.InSync);
    });
    policies.delete(); // Restore: the cleanup path changes both clusters back
    await().atMost(WAIT).until(() -> policies.get() == null);

    List<JsonNode> records = new ArrayList<>();
    for (String line : JSON_OUT.toString(StandardCharsets.UTF_8).lines().toList()) {
      records.add(parse(line)); // every line is one JSON object
    }
    // What authip logged on the threads that reconcile (not start-up, not the emulator's threads).
    List<JsonNode> reconcile = records.stream().filter(r -> r.path("logger").asText().startsWith("io.authip."))
        .filter(r -> r.path("thread").asText().startsWith("ReconcilerExecutor-"))
        .filter(r -> !r.path("logger").asText().contains("IpRangeSet"))
        .toList();
    assertThat(reconcile).as("lines logged during reconciles").hasSizeGreaterThanOrEqualTo(4);
    assertThat(reconcile).allSatisfy(r -> assertThat(r.path("policy").asText()).as(r.toString())
        .isEqualTo(NS + "/logged"));

    // Lines about one cluster (its ARM ID or its name in the message) carry that cluster; a summary of several
    // clusters carries the policy only.
    Pattern cluster = Pattern.compile("logsaks[12]");
    int aboutCluster = 0;
    for (JsonNode r : reconcile) {
      Matcher m = cluster.matcher(r.path("message").asText());
      Set<String> named = new TreeSet<>();
      while (m.find()) {
        named.add(m.group());
      }
      if (named.size() == 1) {
        aboutCluster++;
        assertThat(r.path("cluster").asText()).as(r.toString())
            .isEqualTo(SUB + "/" + NS + "/" + named.iterator().next());
      }
    }
    assertThat(aboutCluster).as("lines about a cluster").isGreaterThanOrEqualTo(4);
    assertThat(reconcile.stream().map(r -> r.path("message").asText()))
        .anyMatch(m -> m.startsWith("Updating:")).anyMatch(m -> m.contains("authorizedIPRanges"));

    // The text format renders the same MDC on the same lines.
    List<String> text = TEXT_OUT.toString(StandardCharsets.UTF_8).lines()
        .filter(l -> l.contains(" policy=" + NS + "/logged ")).toList();
    long jsonWithPolicy = records.stream().filter(r -> (NS + "/logged").equals(r.path("policy").asText())).count();
    assertThat((long) text.size()).isEqualTo(jsonWithPolicy);
    long jsonWithCluster = records.stream().filter(r -> r.has("cluster")).count();
    assertThat(TEXT_OUT.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(" cluster=" + SUB)).count())
        .isEqualTo(jsonWithCluster);
  }

  static ClusterTarget target(ClusterFixture c) {
    return new ClusterTarget(c.subscription(), c.resourceGroup(), c.name());
  }

  static JsonNode parse(String line) {
    try {
      JsonNode node = JSON.readTree(line);
      assertThat(node.isObject()).as(line).isTrue();
      assertThat(node.path("time").isTextual() && node.path("level").isTextual() && node.path("message").isTextual())
          .as(line).isTrue();
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException("not one JSON object: " + line, e);
    }
  }

}
