package io.authip.sandbox;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.ConditionReason;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.TargetGrant;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.emulator.ClusterFixture;
import io.authip.operator.Conditions;
import io.authip.resources.ResourceReader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
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
  public static final List<String> BUNDLED_EXAMPLES = List.of("grant-platform.yaml", "grant-team-a.yaml",
      "grant-team-b.yaml", "iprangeset-ci-runners.yaml", "policy-production.yaml", "policy-staging-observe.yaml",
      "policy-loadbalancer-only.yaml", "policy-private-cluster.yaml", "policy-team-a.yaml", "policy-team-b.yaml",
      "policy-partners-supernet.yaml", "iprangeset-azure-devops.yaml", "policy-nat-egress.yaml",
      "policy-reachability.yaml");

  /**
   * Where the sandbox's operator connects to API servers from, as the emulated API servers see it: the office egress
   * (20.50.60.70), which policy-reachability.yaml lists. A list without it locks the operator out.
   */
  public static final String OPERATOR_EGRESS = "20.50.60.70";

  /**
   * The emulated cloud's service tags (deploy/emulator/seed.yaml has the same): an AzureDevOps tag in the shape the
   * Service Tag Discovery API lists it, IPv6 prefixes included, for iprangeset-azure-devops.yaml.
   */
  public static final Map<String, List<String>> SERVICE_TAGS = Map.of("AzureDevOps", List.of("20.37.158.0/23",
      "20.37.194.0/24", "20.39.13.0/26", "20.41.6.0/23", "20.41.194.0/24", "20.42.5.0/24", "20.42.134.0/23",
      "20.42.226.0/24", "20.45.196.64/26", "20.189.107.0/24", "20.195.68.0/24", "40.74.28.0/23", "40.80.187.0/24",
      "40.82.252.0/24", "40.119.10.0/24", "51.104.26.0/24", "52.150.138.0/24", "52.228.82.0/24", "191.235.226.0/24",
      "2603:1030:7::/48", "2603:1040:2::/48"));

  /**
   * The two tenants of the examples (grant-team-a.yaml, grant-team-b.yaml): namespace, the namespace's labels, the
   * client ID of the team's identity, and the resource group its role is assigned on.
   */
  public record Tenant(String namespace, Map<String, String> labels, String clientId, String resourceGroup,
      ClusterFixture cluster) {
  }

  /** The ServiceAccount the tenants' federated credentials trust (the chart's tenancy.serviceAccountName). */
  public static final String TENANT_SERVICE_ACCOUNT = "authip-tenant";

  public static final List<Tenant> TENANTS = List.of(
      new Tenant("team-a", Map.of("authip.io/tenant", "team-a"), "a0a0a0a0-1111-4aaa-8aaa-00000000000a",
          "rg-team-a-weu", ClusterFixture.loadBalancerManagedOutbound(SUBSCRIPTION, "rg-team-a-weu", "aks-team-a")),
      new Tenant("team-b", Map.of("authip.io/tenant", "team-b"), "b0b0b0b0-2222-4bbb-8bbb-00000000000b",
          "rg-team-b", ClusterFixture.loadBalancerManagedOutbound(SUBSCRIPTION, "rg-team-b", "aks-team-b")));

  /** One row of the live table. */
  public record Row(String policy, String target, String state, String reason, int ranges, boolean drifted) {
  }

  /**
   * Where the examples come from.
   *
   * @param folder the folder on disk, or null for the copy in the jar
   * @param description what the progress output says about it
   */
  public record Examples(Path folder, String description) {
  }

  private final LocalEnvironment env;
  private final Path kubeconfig;
  private final Examples examples;

  private Sandbox(LocalEnvironment env, Path kubeconfig, Examples examples) {
    this.env = env;
    this.kubeconfig = kubeconfig;
    this.examples = examples;
  }

  /**
   * The examples to apply: the given folder; else {@code deploy/examples} of the checkout that the working directory
   * or the jar is in (found by walking up to a folder holding {@code pom.xml} and {@code deploy/examples}), as it is
   * on disk, so that an edited example needs no rebuild; else the copy built into the jar.
   */
  public static Examples locateExamples(Path explicit, Path workingDirectory, Path codeLocation) {
    if (explicit != null) {
      return new Examples(explicit.toAbsolutePath().normalize(), explicit.toAbsolutePath().normalize()
          + " (--examples)");
    }
    for (Path start : new Path[] {workingDirectory, codeLocation}) {
      Path checkout = checkoutOf(start);
      if (checkout != null) {
        Path folder = checkout.resolve("deploy/examples");
        return new Examples(folder, folder + " (from the checkout, as on disk)");
      }
    }
    return new Examples(null, "the copy built into the jar (no checkout found)");
  }

  /** The repository root at or above {@code start}, or null. */
  static Path checkoutOf(Path start) {
    if (start == null) {
      return null;
    }
    for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("deploy/examples"))) {
        return p;
      }
    }
    return null;
  }

  /** Where this class was loaded from (the jar, or target/classes), or null. */
  public static Path codeLocation() {
    try {
      return Path.of(Sandbox.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException | RuntimeException e) {
      return null;
    }
  }

  /** The clusters the examples name, each showing one interesting case. */
  public static List<ClusterFixture> sampleClusters() {
    // Staging is watched in Observe mode; it starts with exactly what its policy wants (the office network and its
    // own egress), so it reads InSync until someone changes it.
    ClusterFixture staging = ClusterFixture.nodePublicIpPrefix(SUBSCRIPTION, "staging", "aks-staging");
    List<String> stagingRanges = new ArrayList<>(staging.egressCidrs());
    stagingRanges.add("73.140.245.0/24");
    List<ClusterFixture> all = new ArrayList<>(List.of(
        ClusterFixture.loadBalancerManagedOutbound(SUBSCRIPTION, "prod-weu", "aks-prod-weu"),
        ClusterFixture.managedNatGateway(SUBSCRIPTION, "prod-neu", "aks-prod-neu"),
        staging.withAuthorizedIpRanges(stagingRanges),
        ClusterFixture.loadBalancerCustomOutbound(SUBSCRIPTION, "batch", "aks-batch"),
        ClusterFixture.privateCluster(SUBSCRIPTION, "internal", "aks-internal"),
        // Its policy lists 230 partner ranges, over AKS's 200: covered with wider blocks (overflow: Supernet).
        ClusterFixture.loadBalancerManagedOutbound(SUBSCRIPTION, "partners", "aks-partners"),
        // Nodes leave through a NAT gateway on their own subnet (outboundType userAssignedNATGateway).
        ClusterFixture.userAssignedNatGateway(SUBSCRIPTION, "rg-spoke", "aks-spoke-natgw"),
        // Its policy checks that the API server still answers the operator, and puts a locking list back.
        ClusterFixture.loadBalancerManagedOutbound(SUBSCRIPTION, "guarded", "aks-guarded")));
    TENANTS.forEach(t -> all.add(t.cluster()));
    return List.copyOf(all);
  }

  /**
   * @param examples a folder of YAML files to apply, or null for the bundled examples
   */
  public static Sandbox start(LocalEnvironment.Options options, Path examples, PrintStream progress) {
    return start(options, new Examples(examples, examples == null ? "the copy built into the jar" : examples.toString()),
        true, progress);
  }

  /**
   * @param withOperator false for {@code --no-operator}: the emulator and the Kubernetes API only, for an
   *     {@code authip run} started elsewhere ({@link #runEnvironment(int)})
   */
  public static Sandbox start(LocalEnvironment.Options options, Examples examples, boolean withOperator,
      PrintStream progress) {
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
      env.arm().apiServerCaller(OPERATOR_EGRESS);
      progress.println("      API servers: the operator connects from " + OPERATOR_EGRESS);
      SERVICE_TAGS.forEach((name, prefixes) -> {
        env.arm().serviceTag(name, "", prefixes);
        progress.println("      service tag " + name + ": " + prefixes.size() + " prefixes");
      });
      tenants(env, progress);
      Path kubeconfig = options.workDir().resolve("kubeconfig");
      env.kube().writeKubeconfig(kubeconfig);
      if (withOperator) {
        progress.println("[3/4] starting the operator...");
        env.startOperator();
        progress.println("      /metrics: http://127.0.0.1:" + env.operator().httpPort() + "/metrics");
      } else {
        progress.println("[3/4] not starting the operator (--no-operator): start `authip run` with the lines below");
      }
      Sandbox sandbox = new Sandbox(env, kubeconfig, examples);
      progress.println("[4/4] applying the example policies from " + examples.description() + "...");
      for (HasMetadata r : sandbox.loadExamples(examples.folder())) {
        sandbox.apply(r);
        progress.println("      " + r.getKind() + " " + (r.getMetadata().getNamespace() == null ? ""
            : r.getMetadata().getNamespace() + "/") + r.getMetadata().getName());
      }
      return sandbox;
    } catch (RuntimeException e) {
      env.close();
      throw e;
    }
  }

  /**
   * The two tenants as a platform team sets them up (docs/installation.md, tenancy): a namespace each, labelled, with
   * the ServiceAccount {@value #TENANT_SERVICE_ACCOUNT}; in Entra ID (the emulator) an identity each whose federated
   * credential trusts exactly that ServiceAccount of that namespace, signed by this Kubernetes API's issuer; in Azure
   * RBAC a role on the team's resource group and its cluster's node resource group only.
   */
  static void tenants(LocalEnvironment env, PrintStream progress) {
    String issuer = env.kube().serviceAccountIssuer();
    env.arm().trustIssuer(issuer, env.kube().serviceAccountSigningKey());
    for (Tenant t : TENANTS) {
      env.kube().client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(t.namespace())
          .withLabels(t.labels()).endMetadata().build()).createOr(r -> r.update());
      env.kube().client().serviceAccounts().inNamespace(t.namespace()).resource(
          new io.fabric8.kubernetes.api.model.ServiceAccountBuilder().withNewMetadata()
              .withName(TENANT_SERVICE_ACCOUNT).endMetadata().build()).createOr(r -> r.update());
      env.arm().federatedCredential(t.clientId(), issuer, "system:serviceaccount:" + t.namespace() + ":"
          + TENANT_SERVICE_ACCOUNT, "api://AzureADTokenExchange");
      String nodeGroup = env.arm().cluster(t.cluster().clusterId()).orElseThrow().path("properties")
          .path("nodeResourceGroup").asText();
      env.arm().principalScopes(t.clientId(), List.of("/subscriptions/" + SUBSCRIPTION + "/resourceGroups/"
          + t.resourceGroup(), "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + nodeGroup));
      progress.println("      tenant " + t.namespace() + ": ServiceAccount " + TENANT_SERVICE_ACCOUNT + ", identity "
          + t.clientId() + " (federated credential, role on " + t.resourceGroup() + ")");
    }
  }

  List<HasMetadata> loadExamples(Path folder) {
    List<ResourceReader.ResourceFile> read = new ArrayList<>();
    try {
      if (folder == null) {
        for (String name : BUNDLED_EXAMPLES) {
          try (InputStream in = Sandbox.class.getClassLoader().getResourceAsStream("examples/" + name)) {
            if (in == null) {
              throw new IllegalStateException("examples/" + name + " is not in the jar; rebuild with ./mvnw package");
            }
            read.add(ResourceReader.read(name, in));
          }
        }
      } else {
        try (Stream<Path> files = Files.list(folder)) {
          for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted()
              .toList()) {
            read.add(ResourceReader.read(f));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<HasMetadata> out = new ArrayList<>();
    for (ResourceReader.ResourceFile f : read) {
      if (f.failure().isPresent()) {
        throw new IllegalStateException("cannot read the example " + f.file() + ": " + f.failure().get().message());
      }
      out.addAll(f.resources());
    }
    // Grants and sets first, so that no policy is ever reconciled before what it relies on exists.
    out.sort(Comparator.comparing(r -> r instanceof TargetGrant ? 0 : r instanceof IpRangeSet ? 1 : 2));
    return out;
  }

  private void apply(HasMetadata resource) {
    if (resource instanceof TargetGrant) {
      env.kube().client().resource(resource).createOr(r -> r.update()); // cluster-scoped
      return;
    }
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

  /**
   * What {@code authip run} needs to work against this sandbox from another process: the kubeconfig, the emulator as
   * a {@code Custom} cloud with its certificate and a client secret, no leader election, the sandbox's short timings.
   */
  public Map<String, String> runEnvironment(int httpPort) {
    Map<String, String> vars = new TreeMap<>(env.azureEnvironment());
    vars.put("KUBECONFIG", kubeconfig.toString());
    vars.put("AUTHIP_HTTP_PORT", String.valueOf(httpPort));
    vars.put("AUTHIP_LEADER_ELECTION", "false");
    vars.put("AUTHIP_POLL_INTERVAL", "1s");
    vars.put("AUTHIP_PROPAGATION_DELAY", "10s");
    vars.put("AUTHIP_BUSY_RETRY", "2s");
    vars.put("AUTHIP_RESYNC_CAP", "10s");
    return vars;
  }

  /** {@link #runEnvironment(int)} as shell lines ({@code export NAME='value'}). */
  public static List<String> exportLines(Map<String, String> vars) {
    List<String> lines = new ArrayList<>();
    vars.forEach((k, v) -> lines.add("export " + k + "='" + v.replace("'", "'\\''") + "'"));
    return lines;
  }

  public Examples examples() {
    return examples;
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
