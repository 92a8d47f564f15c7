package io.authip.azure;

import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.policy.ApiServerAccess;
import io.authip.policy.ClusterSnapshot;
import io.authip.ranges.Cidr;
import java.util.Collection;
import java.util.Map;

/**
 * Everything authip asks of Azure. Every call returns an {@link Outcome}: no exception escapes to the caller, and
 * no call blocks on a long-running operation.
 */
public interface AksGateway {

  /** GETs the managed cluster and extracts what authip needs. */
  Outcome<ClusterSnapshot> read(ClusterTarget target);

  /**
   * Resolves Public IP address and Public IP prefix ARM IDs to blocks (an address is a /32). Keys of the result are
   * the IDs lower-cased. Looked up once per distinct ID, cached for a while, shared by all clusters.
   */
  Outcome<Map<String, Cidr>> resolve(Collection<String> resourceIds);

  /**
   * The blocks of these IDs when every one is known without a request (cached, not expired, looked up or listed
   * successfully); empty otherwise. Keys as in {@link #resolve}.
   */
  default java.util.Optional<Map<String, Cidr>> resolveCached(Collection<String> resourceIds) {
    return java.util.Optional.empty();
  }

  /**
   * Where each node subnet leaves to the internet ({@code agentPoolProfiles[].vnetSubnetID}): its route table's
   * default route (an Azure Firewall's public IPs, or unknown), else its NAT gateway's public IPs and prefixes, else
   * the cluster's default path. Keys of the result are the subnet IDs lower-cased. Each distinct subnet, route table,
   * NAT gateway and subscription's firewall list is looked up once, cached for a while, shared by all clusters. A
   * gateway that cannot follow subnets answers {@code Rejected} for any subnet (never a guess).
   */
  default Outcome<Map<String, io.authip.policy.EgressPath>> egressPaths(Collection<String> subnetIds) {
    if (subnetIds.isEmpty()) {
      return Outcome.ok(Map.of());
    }
    return Outcome.failed(new Outcome.Failure.Rejected("EgressPathsUnsupported", "this gateway cannot follow node "
        + "subnets to their egress"));
  }

  /** The paths of these subnets when every resource on them is known without a request; empty otherwise. */
  default java.util.Optional<Map<String, io.authip.policy.EgressPath>> egressPathsCached(
      Collection<String> subnetIds) {
    return subnetIds.isEmpty() ? java.util.Optional.of(Map.of()) : java.util.Optional.empty();
  }

  /**
   * Starts changing only {@code apiServerAccessProfile.authorizedIPRanges} of the cluster read as {@code snapshot}:
   * take the raw body that read returned (or GET it again when the snapshot has none), replace that one field, PUT
   * it back with {@code If-Match: snapshot.eTag()}. Returns as soon as Azure accepted the request.
   */
  Outcome<OperationHandle> apply(ClusterSnapshot snapshot, ApiServerAccess desired);

  /** Polls a long-running operation started by {@link #apply}, possibly by another process. */
  Outcome<OperationStatus> poll(OperationHandle handle);

  /**
   * Lists every managed cluster of a subscription ({@code resourceGroup} null) or of one resource group, following
   * {@code nextLink} to the last page. A gateway that cannot list answers {@code Rejected} with code
   * {@link #LIST_UNSUPPORTED}, and its clusters are then read one by one.
   */
  default Outcome<ClusterListing> listClusters(String subscriptionId, String resourceGroup) {
    return Outcome.failed(new Outcome.Failure.Rejected(LIST_UNSUPPORTED, "this gateway reads clusters one by one"));
  }

  /**
   * Lists the public IP addresses and prefixes of a subscription, and keeps what it found for {@link #resolve}, which
   * then needs no request for them until they expire from its cache.
   */
  default Outcome<AddressListing> listAddresses(String subscriptionId) {
    return Outcome.failed(new Outcome.Failure.Rejected(LIST_UNSUPPORTED, "this gateway resolves addresses one by one"));
  }

  /**
   * Reads one service tag through ARM's Service Tag Discovery API ({@code serviceTagDetails}, api-version
   * 2024-07-01) in {@code subscriptionId}, {@code location} being the reference for the data's version: first without
   * the prefixes ({@code noAddressPrefixes=true}, to learn its change number cheaply), then, unless that number is
   * {@code knownChangeNumber}, with them. Runs on the caller's thread and may wait there for the request budget: not
   * for reconcile threads.
   */
  default Outcome<ServiceTag> serviceTag(String subscriptionId, String location, String name,
      String knownChangeNumber) {
    return Outcome.failed(new Outcome.Failure.Rejected(LIST_UNSUPPORTED, "this gateway cannot read service tags"));
  }

  /**
   * Reserves what a change of the cluster needs from the identity's request budget (the PUT, and the GET it starts
   * from when {@code withRead}) and says how long until it may be made: zero means now, and the next {@link #read}
   * and {@link #apply} of the cluster use these reservations. A gateway that does not pace answers zero.
   */
  default java.time.Duration pace(ClusterTarget target, boolean withRead) {
    return java.time.Duration.ZERO;
  }

  /**
   * How long until the change of this cluster that {@link #pace} reserved may be made; zero when none is waiting. A
   * cluster waiting for its turn is not read again meanwhile.
   */
  default java.time.Duration queued(ClusterTarget target) {
    return java.time.Duration.ZERO;
  }

  /** Whose request budget this gateway spends (the identity), for logs and pacing. */
  default String principal() {
    return "authip";
  }

  /** The code of a refusal to list by a gateway that cannot. */
  String LIST_UNSUPPORTED = "ListUnsupported";
}
