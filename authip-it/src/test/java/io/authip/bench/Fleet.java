package io.authip.bench;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.emulator.ArmEmulator;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.RequestKind;
import io.authip.emulator.ResourceIds;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The clusters and policies of one scenario, and the fewest ARM calls that can bring them in sync.
 *
 * @param clusters every target cluster, seeded into the emulator
 * @param policies the policies, not yet created
 * @param targets how many of the clusters the policies target (the others must be left alone)
 */
record Fleet(List<ClusterFixture> clusters, List<AuthorizedIpPolicy> policies, int targets) {

  Fleet(List<ClusterFixture> clusters, List<AuthorizedIpPolicy> policies) {
    this(clusters, policies, clusters.size());
  }

  static final String SUBSCRIPTION = "5c8e1f2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b";
  static final String NAMESPACE = "bench";
  static final List<String> RANGES = List.of("73.140.245.0/24", "137.117.106.88/29");

  /** {@code policies} policies with one cluster each; egress shapes rotate so every lookup kind is exercised. */
  static Fleet onePerPolicy(int policies) {
    List<ClusterFixture> clusters = new ArrayList<>();
    List<AuthorizedIpPolicy> list = new ArrayList<>();
    for (int i = 0; i < policies; i++) {
      ClusterFixture.Kind kind = switch (i % 4) {
        case 0 -> ClusterFixture.Kind.LOAD_BALANCER_MANAGED_OUTBOUND;
        case 1 -> ClusterFixture.Kind.LOAD_BALANCER_CUSTOM_OUTBOUND;
        case 2 -> ClusterFixture.Kind.MANAGED_NAT_GATEWAY;
        default -> ClusterFixture.Kind.NODE_PUBLIC_IP_PREFIX;
      };
      ClusterFixture c = ClusterFixture.of(kind, SUBSCRIPTION, "rg-bench", String.format("aks-%04d", i));
      clusters.add(c);
      list.add(policy(String.format("p-%04d", i), List.of(c)));
    }
    return new Fleet(clusters, list);
  }

  /** The {@code i}-th of the benchmark's subscriptions (0 is {@link #SUBSCRIPTION}'s neighbour, not itself). */
  static String subscription(int i) {
    return String.format(Locale.ROOT, "5c8e1f2a-3b4d-4e6f-8a9b-%012d", i + 1);
  }

  /**
   * {@code clusters} clusters spread evenly over {@code subscriptions} subscriptions (one resource group each), one
   * policy per cluster; egress shapes rotate as in {@link #onePerPolicy}.
   */
  static Fleet spread(int clusters, int subscriptions) {
    List<ClusterFixture> all = new ArrayList<>();
    List<AuthorizedIpPolicy> list = new ArrayList<>();
    for (int i = 0; i < clusters; i++) {
      String sub = subscription(i % subscriptions);
      ClusterFixture c = ClusterFixture.of(kind(i), sub, "rg-fleet", String.format(Locale.ROOT, "aks-%05d", i));
      all.add(c);
      list.add(policy(String.format(Locale.ROOT, "p-%05d", i), List.of(c)));
    }
    return new Fleet(all, list);
  }

  /** The tag the selector scenario selects by. */
  static final Map<String, String> SELECTED = Map.of("authip-bench", "selected");

  /**
   * One policy whose one selector matches {@code matching} tagged clusters of one subscription, beside
   * {@code others} untagged ones it must leave alone.
   */
  static Fleet selected(int matching, int others) {
    List<ClusterFixture> all = new ArrayList<>();
    String sub = subscription(0);
    for (int i = 0; i < matching + others; i++) {
      ClusterFixture c = ClusterFixture.of(kind(i), sub, i < matching ? "rg-tagged" : "rg-other",
          String.format(Locale.ROOT, "aks-%05d", i));
      all.add(i < matching ? c.withTags(SELECTED) : c);
    }
    AuthorizedIpPolicy p = policy("selector", List.of());
    p.getSpec().setTargets(null);
    p.getSpec().setTargetSelectors(List.of(new io.authip.api.v1alpha1.TargetSelector(sub, null, SELECTED)));
    return new Fleet(all, List.of(p), matching);
  }

  private static ClusterFixture.Kind kind(int i) {
    return switch (i % 4) {
      case 0 -> ClusterFixture.Kind.LOAD_BALANCER_MANAGED_OUTBOUND;
      case 1 -> ClusterFixture.Kind.LOAD_BALANCER_CUSTOM_OUTBOUND;
      case 2 -> ClusterFixture.Kind.MANAGED_NAT_GATEWAY;
      default -> ClusterFixture.Kind.NODE_PUBLIC_IP_PREFIX;
    };
  }

  /** One policy naming {@code count} clusters whose load balancers share the same two outbound public IPs. */
  static Fleet sharedEgress(int count) {
    Map<String, String> shared = new LinkedHashMap<>();
    shared.put(ResourceIds.publicIpId(SUBSCRIPTION, "rg-egress", "shared-egress-1"), "20.70.0.1");
    shared.put(ResourceIds.publicIpId(SUBSCRIPTION, "rg-egress", "shared-egress-2"), "20.70.0.2");
    List<ClusterFixture> clusters = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      clusters.add(ClusterFixture.loadBalancerManagedOutbound(SUBSCRIPTION, "rg-shared", String.format("aks-%03d", i))
          .withEffectiveOutboundIps(shared));
    }
    return new Fleet(clusters, List.of(policy("shared", clusters)));
  }

  static AuthorizedIpPolicy policy(String name, List<ClusterFixture> clusters) {
    AuthorizedIpPolicy p = new AuthorizedIpPolicy();
    p.getMetadata().setName(name);
    p.getMetadata().setNamespace(NAMESPACE);
    AuthorizedIpPolicySpec spec = new AuthorizedIpPolicySpec();
    List<ClusterTarget> targets = new ArrayList<>();
    for (ClusterFixture c : clusters) {
      targets.add(new ClusterTarget(c.subscription(), c.resourceGroup(), c.name()));
    }
    spec.setTargets(targets);
    spec.setRanges(entries(RANGES));
    p.setSpec(spec);
    return p;
  }

  static List<RangeEntry> entries(List<String> cidrs) {
    List<RangeEntry> out = new ArrayList<>();
    cidrs.forEach(c -> out.add(RangeEntry.of(c)));
    return out;
  }

  void seed(ArmEmulator arm) {
    arm.seedAll(clusters);
  }

  int targetCount() {
    return targets;
  }

  /** The clusters the policies target: all, or the tagged ones of the selector scenario. */
  List<ClusterFixture> targeted() {
    return targets == clusters.size() ? clusters : clusters.stream().filter(c -> SELECTED.equals(c.tags())).toList();
  }

  /** The distinct subscriptions of the clusters. */
  Set<String> subscriptions() {
    Set<String> out = new TreeSet<>();
    clusters.forEach(c -> out.add(c.subscription().toLowerCase(Locale.ROOT)));
    return out;
  }

  /**
   * The fewest requests that take every targeted cluster (all open at the start) to InSync when observing by list:
   * per subscription one list of its clusters and of its public IPs and prefixes (pages of 100, the emulator's),
   * then per cluster the GET a change starts from, its PUT and one poll of its operation (the emulator's answers carry
   * Retry-After, which is honoured, and its operations take no time); no address looked up alone; one token.
   */
  Map<RequestKind, Integer> minimumByList(int pageSize) {
    Map<RequestKind, Integer> min = new EnumMap<>(RequestKind.class);
    int n = targeted().size();
    min.put(RequestKind.CLUSTER_GET, n);
    min.put(RequestKind.CLUSTER_PUT, n);
    min.put(RequestKind.OPERATION_GET, n);
    min.put(RequestKind.PUBLIC_IP_GET, 0);
    min.put(RequestKind.PUBLIC_IP_PREFIX_GET, 0);
    int clusterPages = 0;
    int ipPages = 0;
    int prefixPages = 0;
    for (String sub : subscriptions()) {
      List<ClusterFixture> inSub = clusters.stream().filter(c -> c.subscription().equalsIgnoreCase(sub)).toList();
      clusterPages += pages(inSub.size(), pageSize);
      ipPages += pages(distinct(inSub.stream().flatMap(c -> c.publicIps().keySet().stream()).toList()).size(),
          pageSize);
      prefixPages += pages(distinct(inSub.stream().flatMap(c -> c.publicIpPrefixes().keySet().stream()).toList())
          .size(), pageSize);
    }
    min.put(RequestKind.CLUSTER_LIST, clusterPages);
    min.put(RequestKind.PUBLIC_IP_LIST, ipPages);
    min.put(RequestKind.PUBLIC_IP_PREFIX_LIST, prefixPages);
    min.put(RequestKind.TOKEN, 1);
    min.put(RequestKind.METADATA, 0);
    min.put(RequestKind.CLUSTER_PATCH, 0);
    min.put(RequestKind.OTHER, 0);
    return min;
  }

  /** An empty list is still one page. */
  private static int pages(int items, int pageSize) {
    return Math.max(1, (items + pageSize - 1) / pageSize);
  }

  private static Set<String> distinct(List<String> ids) {
    Set<String> out = new TreeSet<>();
    ids.forEach(id -> out.add(id.toLowerCase(Locale.ROOT)));
    return out;
  }
}
