package io.authip.azure;

import java.time.Duration;
import java.util.Map;

/**
 * Told about every HTTP attempt authip makes to Azure Resource Manager, retries included (each is a request that
 * counts against ARM's limits). The metrics layer implements it; implementations must be quick and thread-safe.
 */
@FunctionalInterface
public interface AzureCallListener {

  /** GET of a managed cluster (read, and the raw GET before a PUT). */
  String CLUSTER_GET = "cluster.get";
  /** PUT of a managed cluster. */
  String CLUSTER_PUT = "cluster.put";
  /** GET of a long-running operation's status. */
  String OPERATION_GET = "operation.get";
  /** GET of a public IP address. */
  String PUBLIC_IP_GET = "publicip.get";
  /** GET of a public IP prefix. */
  String PREFIX_GET = "prefix.get";
  /** GET of a subnet (a node pool's vnetSubnetID): its NAT gateway and route table. */
  String SUBNET_GET = "subnet.get";
  /** GET of a route table: the subnet's default route. */
  String ROUTE_TABLE_GET = "routetable.get";
  /** GET of a NAT gateway: its public IPs and prefixes. */
  String NAT_GATEWAY_GET = "natgateway.get";
  /** One page of AzureFirewalls_ListAll: the firewall a default route names by its private address. */
  String FIREWALL_LIST = "firewall.list";
  /** One page of ManagedClusters_List (or ListByResourceGroup). */
  String CLUSTER_LIST = "cluster.list";
  /** One page of PublicIPAddresses_ListAll. */
  String PUBLIC_IP_LIST = "publicip.list";
  /** One page of PublicIPPrefixes_ListAll. */
  String PREFIX_LIST = "prefix.list";
  /** One page of {@code GET .../locations/{location}/serviceTagDetails} (Service Tag Discovery API). */
  String SERVICE_TAG_DETAILS = "servicetag.details";

  /** A listener that ignores everything. */
  AzureCallListener NONE = (operation, statusCode, duration, rateLimitHeaders) -> {
  };

  /**
   * @param operation one of the constants of this interface
   * @param statusCode the HTTP status, or 0 when no response came (timeout, connection reset, TLS failure)
   * @param duration from sending the request to receiving the response headers
   * @param rateLimitHeaders the {@code x-ms-ratelimit-remaining-*} headers of the response, names lower-cased
   */
  void onCall(String operation, int statusCode, Duration duration, Map<String, String> rateLimitHeaders);
}
