package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.format) || self.format != 'json' || has(self.jsonPath)",
    message = "format: json needs a jsonPath that selects the ranges, e.g. $.hooks[*]")
public class UrlSource {

  @Required
  @Size(min = 9, max = 2048)
  @Pattern("^https://[^\\s]+$")
  @JsonPropertyDescription("An https:// URL whose host is listed in the operator's AUTHIP_FEED_HOSTS (no request "
      + "goes to any other host; redirects are not followed).")
  private String url;

  @Default("json")
  @JsonPropertyDescription("json (default): jsonPath selects the strings that are ranges. text: one range per line, "
      + "blank lines and lines starting with # skipped.")
  private FeedFormat format;

  @Size(max = 256)
  @JsonPropertyDescription("format: json: which strings are ranges, e.g. $.hooks[*] or "
      + "$.prefixes[?(@.service=='CLOUDFRONT')].ip_prefix. Supported: $, .name, ['name'], [*], .*, [N], "
      + "[?(@.field=='value')].")
  private String jsonPath;

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public FeedFormat getFormat() {
    return format;
  }

  public void setFormat(FeedFormat format) {
    this.format = format;
  }

  public FeedFormat effectiveFormat() {
    return format == null ? FeedFormat.json : format;
  }

  public String getJsonPath() {
    return jsonPath;
  }

  public void setJsonPath(String jsonPath) {
    this.jsonPath = jsonPath;
  }
}
