package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Locale;
import java.util.Objects;

/** One AKS managed cluster, addressed the way Azure Resource Manager addresses it. */
public class ClusterTarget {

  public static final String SUBSCRIPTION_PATTERN =
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
  /** Azure: 1-90 characters, letters, digits, underscores, parentheses, hyphens and periods; not ending in a period. */
  public static final String RESOURCE_GROUP_PATTERN = "^[-\\w._()]{0,89}[-\\w_()]$";
  /** AKS: 1-63 characters, letters, digits, hyphens and underscores; starting and ending with a letter or digit. */
  public static final String CLUSTER_NAME_PATTERN = "^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$";

  @Required
  @Pattern(SUBSCRIPTION_PATTERN)
  @JsonPropertyDescription("Azure subscription ID (a GUID).")
  private String subscriptionId;

  @Required
  @Pattern(RESOURCE_GROUP_PATTERN)
  @JsonPropertyDescription("Resource group of the managed cluster.")
  private String resourceGroup;

  @Required
  @Pattern(CLUSTER_NAME_PATTERN)
  @JsonPropertyDescription("Name of the managed cluster.")
  private String clusterName;

  public ClusterTarget() {
  }

  public ClusterTarget(String subscriptionId, String resourceGroup, String clusterName) {
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

  private static final java.util.regex.Pattern RESOURCE_ID = java.util.regex.Pattern.compile(
      "^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.ContainerService/managedClusters/([^/]+)$",
      java.util.regex.Pattern.CASE_INSENSITIVE);

  /** The cluster an ARM resource ID names, when it names a valid managed cluster. */
  public static java.util.Optional<ClusterTarget> fromResourceId(String id) {
    java.util.regex.Matcher m = id == null ? null : RESOURCE_ID.matcher(id);
    if (m == null || !m.matches() || !m.group(1).matches(SUBSCRIPTION_PATTERN)
        || !m.group(2).matches(RESOURCE_GROUP_PATTERN) || !m.group(3).matches(CLUSTER_NAME_PATTERN)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(new ClusterTarget(m.group(1), m.group(2), m.group(3)));
  }

  /** The ARM resource ID of the cluster, as written. */
  public String resourceId() {
    return "/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup
        + "/providers/Microsoft.ContainerService/managedClusters/" + clusterName;
  }

  /** ARM IDs are case-insensitive: this is the form to compare and to key maps by. */
  public String key() {
    return resourceId().toLowerCase(Locale.ROOT);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClusterTarget t && Objects.equals(key(), t.key());
  }

  @Override
  public int hashCode() {
    return key().hashCode();
  }

  @Override
  public String toString() {
    return resourceId();
  }
}
