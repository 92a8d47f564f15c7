package io.authip.api.v1alpha1;

/** What a policy does with a cluster whose list would exceed the entries AKS accepts. */
public enum OverflowStrategy {
  /** Refuse the whole update (the target is Blocked, TooManyRanges); the cluster keeps its list. */
  Refuse,
  /**
   * Send the cover by at most the limit's number of CIDR blocks that admits the fewest extra addresses, within the
   * policy's budget; over the budget, refuse as {@link #Refuse} does and say what the best cover would admit.
   */
  Supernet
}
