package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Clusters a grant covers: one subscription, with optional globs for the resource group and the cluster name. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GrantTarget {

  /** A glob over resource group names: their characters plus {@code *} and {@code ?}. */
  public static final String RESOURCE_GROUP_GLOB = "^[-\\w._()*?]{1,90}$";
  /** A glob over cluster names: their characters plus {@code *} and {@code ?}. */
  public static final String CLUSTER_NAME_GLOB = "^[-\\w*?]{1,63}$";

  @Required
  @Pattern(ClusterTarget.SUBSCRIPTION_PATTERN)
  @JsonPropertyDescription("Azure subscription ID (a GUID); no glob.")
  private String subscriptionId;

  @Pattern(RESOURCE_GROUP_GLOB)
  @JsonPropertyDescription("Resource group, or a glob of them (* any run of characters, ? one), compared "
      + "case-insensitively as ARM compares IDs. Absent: any resource group.")
  private String resourceGroup;

  @Pattern(CLUSTER_NAME_GLOB)
  @JsonPropertyDescription("Cluster name, or a glob of them (* and ?), compared case-insensitively. Absent: any.")
  private String clusterName;

  public GrantTarget() {
  }

  public GrantTarget(String subscriptionId, String resourceGroup, String clusterName) {
    this.subscriptionId = subscriptionId;
    this.resourceGroup = resourceGroup;
    this.clusterName = clusterName;
  }

  public String getSubscriptionId() {
    return subscriptionId;
  }

  public void setSubscriptionId(String subscriptionId) {
    this.subscriptionId = subscriptionId;
  }

  public String getResourceGroup() {
    return resourceGroup;
  }

  public void setResourceGroup(String resourceGroup) {
    this.resourceGroup = resourceGroup;
  }

  public String getClusterName() {
    return clusterName;
  }

  public void setClusterName(String clusterName) {
    this.clusterName = clusterName;
  }

  @Override
  public String toString() {
    return "subscription " + subscriptionId + ", resource group " + (resourceGroup == null ? "*" : resourceGroup)
        + ", cluster " + (clusterName == null ? "*" : clusterName);
  }
}
