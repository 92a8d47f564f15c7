package io.authip.policy;

import io.authip.api.v1alpha1.TargetReason;

/** What authip should do with one target cluster: drive it to {@link Desired}, or refuse to touch it. */
public sealed interface TargetPlan {

  /**
   * @param access the complete desired access
   * @param egressCount how many blocks came from the cluster's own egress (for messages)
   */
  record Desired(ApiServerAccess access, int egressCount, Widening widening) implements TargetPlan {

    public Desired(ApiServerAccess access, int egressCount) {
      this(access, egressCount, null);
    }
  }

  /**
   * A list over the limit covered by wider blocks ({@code spec.overflow.strategy: Supernet}).
   *
   * @param entries entries of the list before covering (ranges, egress, service tag)
   * @param cover the optimal cover sent instead
   * @param widest the blocks that admit addresses beyond the list, widest first
   */
  record Widening(int entries, io.authip.ranges.SupernetCover.Result cover, java.util.List<io.authip.ranges.Cidr> widest) {
  }

  /**
   * @param reason one CamelCase word
   * @param message what is wrong and what would make it right
   */
  record Blocked(TargetReason reason, String message) implements TargetPlan {
  }
}
