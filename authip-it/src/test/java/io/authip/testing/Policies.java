package io.authip.testing;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.emulator.ClusterFixture;
import java.util.ArrayList;
import java.util.List;

/** Policies as the end-to-end tests write them: the named clusters as targets, literal ranges. */
public final class Policies {

  private Policies() {
  }

  public static List<RangeEntry> entries(String... cidrs) {
    List<RangeEntry> list = new ArrayList<>();
    for (String c : cidrs) {
      list.add(RangeEntry.of(c));
    }
    return list;
  }

  public static AuthorizedIpPolicy policy(String namespace, String name, List<ClusterFixture> clusters,
      String... ranges) {
    AuthorizedIpPolicy p = new AuthorizedIpPolicy();
    p.getMetadata().setName(name);
    p.getMetadata().setNamespace(namespace);
    AuthorizedIpPolicySpec spec = new AuthorizedIpPolicySpec();
    List<ClusterTarget> targets = new ArrayList<>();
    for (ClusterFixture c : clusters) {
      targets.add(new ClusterTarget(c.subscription(), c.resourceGroup(), c.name()));
    }
    spec.setTargets(targets);
    spec.setRanges(entries(ranges));
    p.setSpec(spec);
    return p;
  }
}
