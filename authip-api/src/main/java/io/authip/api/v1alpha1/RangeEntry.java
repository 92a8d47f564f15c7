package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class RangeEntry {

  @Required
  @Size(min = 1, max = 64)
  @JsonPropertyDescription("An IPv4 CIDR such as 73.140.245.0/24, or a bare IPv4 address (= /32). Public ranges "
      + "only; the address must be the first of its range.")
  private String cidr;

  @Size(max = 256)
  @JsonPropertyDescription("Why this range is allowed (free text, not sent to Azure).")
  private String description;

  public RangeEntry() {
  }

  public RangeEntry(String cidr, String description) {
    this.cidr = cidr;
    this.description = description;
  }

  public static RangeEntry of(String cidr) {
    return new RangeEntry(cidr, null);
  }

  public String getCidr() {
    return cidr;
  }

  public void setCidr(String cidr) {
    this.cidr = cidr;
  }

  public String getDescription() {
    return description;
  }

  public void setDescription(String description) {
    this.description = description;
  }
}
