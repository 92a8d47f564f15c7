package io.authip.sandbox;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.ConditionReason;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.cli.ResourceFiles;
import io.authip.emulator.ClusterFixture;
import io.authip.operator.Conditions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code authip sandbox}: the ARM emulator seeded with sample clusters, an embedded Kubernetes API that kubectl
 * can use, the operator, and the example policies applied.
 */
public final class Sandbox implements AutoCloseable {

  /** The subscription of the examples under deploy/examples. */
  public static final String SUBSCRIPTION = "6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b";

  /** The examples bundled in the jar (copied from deploy/examples by the build). */
  public static final List<String> BUNDLED_EXAMPLES = List.of("iprangeset-ci-runners.yaml",
      "policy-production.yaml", "policy-staging-observe.yaml", "policy-loadbalancer-only.yaml",
      "policy-private-cluster.yaml");

  /** One row of the live table. */
  public record Row(String policy, String target, String state, String reason, int ranges, boolean drifted) {
  }

  private final LocalEnvironment env;
  private final Path kubeconfig;

  private Sandbox(LocalEnvironment env, Path kubeconfig) {
    this.env = env;
    this.kubeconfig = kubeconfig;
  }

  /** The clusters the examples name, each showing one interesting case. */
  public static List<ClusterFixture> sampleClusters() {
    // Staging is watched in Observe mode; it starts with exactly what its policy wants (the office network and its
    // own egress), so it reads InSync until someone changes it.
    ClusterFixture staging = ClusterFixture.nodePublicIpPrefix(SUBSCRIPTION, "staging", "aks-staging");
    List<String> stagingRanges = new ArrayList<>(staging.egressCidrs());
    stagingRanges.add("73.140.245.0/24");
    return List.of(
        ClusterFixture.loadBalancerManagedOutbound(SUBSCRIPTION, "prod-weu", "aks-prod-weu"),
        ClusterFixture.managedNatGateway(SUBSCRIPTION, "prod-neu", "aks-prod-neu"),
        staging.withAuthorizedIpRanges(stagingRanges),
        ClusterFixture.loadBalancerCustomOutbound(SUBSCRIPTION, "batch", "aks-batch"),
        ClusterFixture.privateCluster(SUBSCRIPTION, "internal", "aks-internal"));
  }

  /**
   * @param examples a folder of YAML files to apply, or null for the bundled examples
   */
  public static Sandbox start(LocalEnvironment.Options options, Path examples, PrintStream progress) {
    progress.println("[1/4] starting the ARM emulator and the Kubernetes API...");
    LocalEnvironment env = LocalEnvironment.start(options);
    try {
      progress.println("      ARM emulator:   " + env.arm().baseUrl());
      progress.println("      Kubernetes API: " + env.kube().url());
      progress.println("[2/4] seeding " + sampleClusters().size() + " sample AKS clusters...");
      for (ClusterFixture c : sampleClusters()) {
        env.arm().seed(c);
        progress.println("      " + c.kind().name().toLowerCase().replace('_', ' ') + ": " + c.resourceGroup() + "/"
            + c.name());
      }
      Path kubeconfig = options.workDir().resolve("kubeconfig");
      env.kube().writeKubeconfig(kubeconfig);
      progress.println("[3/4] starting the operator...");
      env.startOperator();
      progress.println("      /metrics: http://127.0.0.1:" + env.operator().httpPort() + "/metrics");
      Sandbox sandbox = new Sandbox(env, kubeconfig);
      progress.println("[4/4] applying the example policies...");
      for (HasMetadata r : sandbox.loadExamples(examples)) {
        sandbox.apply(r);
        progress.println("      " + r.getKind() + " " + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName());
      }
      return sandbox;
    } catch (RuntimeException e) {
      env.close();
      throw e;
    }
  }

  List<HasMetadata> loadExamples(Path folder) {
    List<ResourceFiles.Document> docs = new ArrayList<>();
    try {
      if (folder == null) {
        for (String name : BUNDLED_EXAMPLES) {
          try (InputStream in = Sandbox.class.getClassLoader().getResourceAsStream("examples/" + name)) {
            if (in == null) {
              throw new IllegalStateException("examples/" + name + " is not in the jar; rebuild with ./mvnw package");
            }
            docs.addAll(ResourceFiles.read(name, new InputStreamReader(in, StandardCharsets.UTF_8)));
          }
        }
      } else {
        try (Stream<Path> files = Files.list(folder)) {
          for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted()
              .toList()) {
            docs.addAll(ResourceFiles.read(f));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<HasMetadata> out = new ArrayList<>();
    for (ResourceFiles.Document d : docs) {
      if (d instanceof ResourceFiles.Document.Authip a) {
        out.add((HasMetadata) a.resource());
      }
    }
    // Sets first, so that no policy is ever reconciled with a reference that does not exist yet.
    out.sort(Comparator.comparing(r -> r instanceof IpRangeSet ? 0 : 1));
    return out;
  }

  private void apply(HasMetadata resource) {
    String ns = resource.getMetadata().getNamespace() == null ? "default" : resource.getMetadata().getNamespace();
    resource.getMetadata().setNamespace(ns);
    if (env.kube().client().namespaces().withName(ns).get() == null) {
      env.kube().client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
          .build()).create();
    }
    env.kube().client().resource(resource).createOr(r -> r.update());
  }

  /** The state of every target of every policy, sorted. */
  public List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (AuthorizedIpPolicy p : env.kube().client().resources(AuthorizedIpPolicy.class).inAnyNamespace().list()
        .getItems()) {
      String name = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
      List<TargetStatus> targets = p.getStatus() == null ? List.of() : p.getStatus().getTargets();
      if (targets.isEmpty()) {
        String pending = ConditionReason.Pending.name();
        String reason = p.getStatus() == null ? pending : p.getStatus().getConditions().stream()
            .filter(c -> Conditions.READY.equals(c.getType())).map(c -> c.getReason()).findFirst().orElse(pending);
        rows.add(new Row(name, "-", TargetState.Pending.name(), reason, 0, false));
      }
      for (TargetStatus t : targets) {
        String id = t.getClusterId();
        String[] parts = id.split("/");
        String target = parts.length >= 9 ? parts[4] + "/" + parts[8] : id;
        rows.add(new Row(name, target, String.valueOf(t.getState()), t.getReason(),
            t.getRangeCount() == null ? 0 : t.getRangeCount(), t.getDriftDetectedAt() != null));
      }
    }
    rows.sort(Comparator.comparing(Row::policy).thenComparing(Row::target));
    return rows;
  }

  /** True when every example target is InSync, Drifted (Observe mode) or Blocked with its reason. */
  public boolean settled() {
    List<Row> rows = rows();
    Set<String> done = new LinkedHashSet<>(List.of(TargetState.InSync.name(), TargetState.Blocked.name(),
        TargetState.Drifted.name()));
    return !rows.isEmpty() && rows.stream().allMatch(r -> done.contains(r.state()));
  }

  public static String render(List<Row> rows) {
    String fmt = "%-22s %-26s %-12s %-26s %6s  %s%n";
    StringBuilder sb = new StringBuilder(String.format(fmt, "POLICY", "TARGET", "STATE", "REASON", "RANGES",
        "DRIFT"));
    for (Row r : rows) {
      sb.append(String.format(fmt, r.policy(), r.target(), r.state(), r.reason(), r.ranges(),
          r.drifted() ? "yes" : "no"));
    }
    return sb.toString();
  }

  public LocalEnvironment environment() {
    return env;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  @Override
  public void close() {
    env.close();
  }
}
