package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Selects managed clusters by their Azure tags, in one subscription (optionally one resource group of it): every
 * cluster that carries all the tags. Resolved from the subscription's list of clusters at each list.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TargetSelector {

  /** Azure: at most 50 tags per resource; a name has at most 512 characters, a value at most 256. */
  public static final int MAX_TAGS = 50;

  @Required
  @Pattern(ClusterTarget.SUBSCRIPTION_PATTERN)
  @JsonPropertyDescription("Azure subscription ID (a GUID) whose clusters are selected.")
  private String subscriptionId;

  @Pattern(ClusterTarget.RESOURCE_GROUP_PATTERN)
  @JsonPropertyDescription("Only clusters of this resource group (optional).")
  private String resourceGroup;

  @Required
  @Size(min = 1, max = MAX_TAGS)
  @JsonPropertyDescription("Azure tags a cluster must all carry to be selected (at least one). Tag names compare "
      + "case-insensitively, values exactly, as Azure compares them.")
  private Map<String, String> clusterTags = new LinkedHashMap<>();

  public TargetSelector() {
  }

  public TargetSelector(String subscriptionId, String resourceGroup, Map<String, String> clusterTags) {
    this.subscriptionId = subscriptionId;
    this.resourceGroup = resourceGroup;
    this.clusterTags = clusterTags == null ? null : new LinkedHashMap<>(clusterTags);
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

  public Map<String, String> getClusterTags() {
    return clusterTags;
  }

  public void setClusterTags(Map<String, String> clusterTags) {
    this.clusterTags = clusterTags;
  }

  public Map<String, String> clusterTagsOrEmpty() {
    return clusterTags == null ? Map.of() : clusterTags;
  }

  /**
   * Whether a cluster with these Azure tags is selected: it carries every tag of the selector, the name compared
   * case-insensitively and the value exactly.
   */
  public boolean matches(Map<String, String> tags) {
    if (clusterTags == null || clusterTags.isEmpty() || tags == null) {
      return false;
    }
    for (Map.Entry<String, String> wanted : clusterTags.entrySet()) {
      boolean found = false;
      for (Map.Entry<String, String> has : tags.entrySet()) {
        if (has.getKey() != null && has.getKey().equalsIgnoreCase(wanted.getKey())
            && Objects.equals(has.getValue(), wanted.getValue())) {
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TargetSelector s && Objects.equals(subscriptionId, s.subscriptionId)
        && Objects.equals(resourceGroup, s.resourceGroup) && Objects.equals(clusterTags, s.clusterTags);
  }

  @Override
  public int hashCode() {
    return Objects.hash(subscriptionId, resourceGroup, clusterTags);
  }

  @Override
  public String toString() {
    return "subscription " + subscriptionId + (resourceGroup == null ? "" : ", resource group " + resourceGroup)
        + ", tags " + clusterTags;
  }
}
