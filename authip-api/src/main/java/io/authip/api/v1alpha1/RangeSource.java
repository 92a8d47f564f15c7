package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Where an IpRangeSet's ranges come from besides its literal {@code spec.ranges}: exactly one of an Azure service tag
 * (through ARM's Service Tag Discovery API) or an HTTPS feed on a host the operator's configuration allows.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.azureServiceTag) != has(self.url)",
    message = "set exactly one of azureServiceTag or url")
public class RangeSource {

  @JsonPropertyDescription("An Azure service tag's IPv4 prefixes, read through ARM (Service Tag Discovery API).")
  private ServiceTagSource azureServiceTag;

  @JsonPropertyDescription("An HTTPS feed of ranges (JSON with a JSONPath, or text with one entry per line) on a "
      + "host listed in the operator's AUTHIP_FEED_HOSTS.")
  private UrlSource url;

  public ServiceTagSource getAzureServiceTag() {
    return azureServiceTag;
  }

  public void setAzureServiceTag(ServiceTagSource azureServiceTag) {
    this.azureServiceTag = azureServiceTag;
  }

  public UrlSource getUrl() {
    return url;
  }

  public void setUrl(UrlSource url) {
    this.url = url;
  }

  /**
   * What identifies this source's content, e.g. {@code serviceTag:AzureCloud.westeurope@westeurope} or
   * {@code url:https://...|json|$.hooks[*]}: a source whose key changes starts again from no content.
   */
  public String key() {
    if (azureServiceTag != null) {
      return "serviceTag:" + azureServiceTag.getName() + "@" + azureServiceTag.getLocation()
          + (azureServiceTag.getSubscriptionId() == null ? "" : "/" + azureServiceTag.getSubscriptionId());
    }
    if (url != null) {
      return "url:" + url.getUrl() + "|" + url.effectiveFormat() + (url.getJsonPath() == null ? ""
          : "|" + url.getJsonPath());
    }
    return "none";
  }

  /** For messages: {@code service tag AzureCloud.westeurope} or {@code https://host/path}. */
  public String describe() {
    if (azureServiceTag != null) {
      return "service tag " + azureServiceTag.getName();
    }
    return url != null ? url.getUrl() : "(no source)";
  }
}
