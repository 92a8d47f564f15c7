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
 */
record Fleet(List<ClusterFixture> clusters, List<AuthorizedIpPolicy> policies) {

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
    clusters.forEach(arm::seed);
  }

  int targetCount() {
    return clusters.size();
  }

  /**
   * The fewest requests that can take every cluster (all open at the start, so all need a change) to InSync: one
   * cluster GET (state and eTag), one PUT, one poll of its operation (which the emulator, with operation delay 0,
   * has finished by then); one GET per distinct public IP and per distinct prefix; one token.
   */
  Map<RequestKind, Integer> minimumToConverge() {
    Map<RequestKind, Integer> min = new EnumMap<>(RequestKind.class);
    min.put(RequestKind.CLUSTER_GET, clusters.size());
    min.put(RequestKind.CLUSTER_PUT, clusters.size());
    min.put(RequestKind.OPERATION_GET, clusters.size());
    min.put(RequestKind.PUBLIC_IP_GET, distinct(clusters.stream().flatMap(c -> c.publicIps().keySet().stream())
        .toList()).size());
    min.put(RequestKind.PUBLIC_IP_PREFIX_GET, distinct(clusters.stream()
        .flatMap(c -> c.publicIpPrefixes().keySet().stream()).toList()).size());
    min.put(RequestKind.TOKEN, 1);
    min.put(RequestKind.METADATA, 0);
    min.put(RequestKind.CLUSTER_PATCH, 0);
    min.put(RequestKind.OTHER, 0);
    return min;
  }

  private static Set<String> distinct(List<String> ids) {
    Set<String> out = new TreeSet<>();
    ids.forEach(id -> out.add(id.toLowerCase(Locale.ROOT)));
    return out;
  }
}
