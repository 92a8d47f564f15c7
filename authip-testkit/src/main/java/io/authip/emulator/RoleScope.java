package io.authip.emulator;

/** Where the caller's role is assigned, which decides what ARM lets it read. */
public enum RoleScope {
  /** On the subscription: everything the emulator serves is allowed (the default). */
  SUBSCRIPTION,
  /**
   * On the resource groups only: clusters and public IPs can be read and written, but AKS operations, which live at
   * subscription scope ({@code /subscriptions/{s}/providers/Microsoft.ContainerService/locations/{l}/operations/...}),
   * answer 403 {@code AuthorizationFailed}.
   */
  RESOURCE_GROUP
}
