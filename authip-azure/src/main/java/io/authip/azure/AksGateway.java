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
   * Starts changing only {@code apiServerAccessProfile.authorizedIPRanges} of the cluster read as {@code snapshot}:
   * take the raw body that read returned (or GET it again when the snapshot has none), replace that one field, PUT
   * it back with {@code If-Match: snapshot.eTag()}. Returns as soon as Azure accepted the request.
   */
  Outcome<OperationHandle> apply(ClusterSnapshot snapshot, ApiServerAccess desired);

  /** Polls a long-running operation started by {@link #apply}, possibly by another process. */
  Outcome<OperationStatus> poll(OperationHandle handle);
}
