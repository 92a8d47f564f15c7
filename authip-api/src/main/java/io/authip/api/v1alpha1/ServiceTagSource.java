package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceTagSource {

  /** A service tag name as the API lists it: letters, digits, dots, dashes and underscores. */
  public static final String NAME_PATTERN = "^[A-Za-z][A-Za-z0-9._-]{0,79}$";
  /** An Azure location name such as westeurope. */
  public static final String LOCATION_PATTERN = "^[a-z][a-z0-9]{1,39}$";

  @Required
  @Size(min = 1, max = 80)
  @Pattern(NAME_PATTERN)
  @JsonPropertyDescription("The tag's name as the Service Tag Discovery API lists it, e.g. AzureCloud.westeurope, "
      + "AzureDevOps, AzureActiveDirectory. IPv4 prefixes only; IPv6 ones are skipped and counted.")
  private String name;

  @Required
  @Size(min = 2, max = 40)
  @Pattern(LOCATION_PATTERN)
  @JsonPropertyDescription("A location of the subscription's cloud, e.g. westeurope: the API's reference for the "
      + "version of the data, not a filter (any location returns the whole cloud's tags).")
  private String location;

  @Pattern(ClusterTarget.SUBSCRIPTION_PATTERN)
  @JsonPropertyDescription("The subscription the request is made in; the operator's AUTHIP_DEFAULT_SUBSCRIPTION "
      + "when not set. The operator's identity needs Microsoft.Network/locations/serviceTagDetails/read there.")
  private String subscriptionId;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getLocation() {
    return location;
  }

  public void setLocation(String location) {
    this.location = location;
  }

  public String getSubscriptionId() {
    return subscriptionId;
  }

  public void setSubscriptionId(String subscriptionId) {
    this.subscriptionId = subscriptionId;
  }
}
