package io.authip.emulator;

/** What a request was for, as counted by {@link ArmEmulator#requestCount(RequestKind)}. */
public enum RequestKind {
  /** {@code POST /{tenant}/oauth2/v2.0/token}. */
  TOKEN,
  /** Identity metadata (OpenID configuration, instance discovery). */
  METADATA,
  CLUSTER_GET,
  CLUSTER_PUT,
  CLUSTER_PATCH,
  PUBLIC_IP_GET,
  PUBLIC_IP_PREFIX_GET,
  /** {@code GET .../virtualNetworks/{v}/subnets/{s}}: a node subnet, its NAT gateway and route table. */
  SUBNET_GET,
  /** {@code GET .../natGateways/{n}}. */
  NAT_GATEWAY_GET,
  /** {@code GET .../routeTables/{n}}. */
  ROUTE_TABLE_GET,
  /** {@code GET .../azureFirewalls/{n}}. */
  AZURE_FIREWALL_GET,
  /** One page of {@code GET .../azureFirewalls} (a subscription's or a resource group's). */
  AZURE_FIREWALL_LIST,
  /** One page of {@code GET .../managedClusters} (a subscription's or a resource group's). */
  CLUSTER_LIST,
  /** One page of {@code GET .../publicIPAddresses} (a subscription's or a resource group's). */
  PUBLIC_IP_LIST,
  /** One page of {@code GET .../publicIPPrefixes} (a subscription's or a resource group's). */
  PUBLIC_IP_PREFIX_LIST,
  /** {@code GET .../providers/Microsoft.Network/locations/{location}/serviceTagDetails}. */
  SERVICE_TAG_DETAILS,
  /** The {@code Azure-AsyncOperation} or {@code Location} URL of a long-running operation. */
  OPERATION_GET,
  /** Anything the emulator does not serve; answered 404 or 405. */
  OTHER;

  /** Token and metadata requests come from the identity library, not from the caller's ARM code. */
  public boolean isIdentity() {
    return this == TOKEN || this == METADATA;
  }

  /** One page of a list. */
  public boolean isList() {
    return this == CLUSTER_LIST || this == PUBLIC_IP_LIST || this == PUBLIC_IP_PREFIX_LIST
        || this == AZURE_FIREWALL_LIST;
  }
}
