package io.authip.azure;

import io.authip.policy.ClusterSnapshot;
import java.util.List;
import java.util.Map;

/**
 * Every managed cluster of one subscription or resource group, as {@code ManagedClusters_List} returned them, every
 * page followed. Each item is what a GET of that cluster returns, without its raw body: a list is for observing, and
 * a change reads the cluster alone first (see {@link AksGateway#apply}).
 *
 * @param clusters the clusters, each once
 * @param pages how many page requests the list took
 */
public record ClusterListing(List<Listed> clusters, int pages) {

  public ClusterListing {
    clusters = List.copyOf(clusters);
  }

  /**
   * @param snapshot the cluster as listed (no raw body)
   * @param tags its Azure tags, as listed (empty when it has none)
   */
  public record Listed(ClusterSnapshot snapshot, Map<String, String> tags) {
    public Listed {
      tags = Map.copyOf(tags);
    }
  }
}
