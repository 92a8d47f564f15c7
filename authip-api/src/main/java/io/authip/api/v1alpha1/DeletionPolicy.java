package io.authip.api.v1alpha1;

public enum DeletionPolicy {
  /** Leave the clusters as they are when the policy is deleted. */
  Retain,
  /** Put back the access captured when the policy first took each cluster over. */
  Restore
}
