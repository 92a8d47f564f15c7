package io.authip.api.v1alpha1;

public enum Mode {
  /** Drive every target to the policy. */
  Enforce,
  /** Report what Enforce would change; never write to Azure. */
  Observe
}
