package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class RangeEntry {

  /*
   * Admission rules (x-kubernetes-validations, Kubernetes 1.31+): what CEL can see in one entry. Each rule holds for
   * an entry the operator accepts (the operator additionally refuses non-public ranges, which CEL cannot list
   * without a cost the 10,000-entry lists cannot afford). Guarded so that no rule errors on a value another rule
   * refuses.
   */
  static final String RULE_IPV4 =
      "isIP(self) ? ip(self).family() == 4 : isCIDR(self) && cidr(self).ip().family() == 4";
  static final String RULE_FIRST_ADDRESS = "!isCIDR(self) || cidr(self) == cidr(self).masked()";
  static final String MESSAGE_FIRST_ADDRESS = "self + ' is not the first address of its range; did you mean ' "
      + "+ string(cidr(self).masked()) + '?'";
  static final String RULE_NOT_MARKER = "self != '0.0.0.0/32' && self != '0.0.0.0'";
  static final String RULE_NOT_EVERYTHING = "!isCIDR(self) || cidr(self).prefixLength() != 0";

  @Required
  @Size(min = 1, max = 64)
  @ValidationRule(value = RULE_IPV4,
      message = "must be an IPv4 address such as 20.50.1.7 or an IPv4 CIDR such as 73.140.245.0/24: four numbers "
          + "from 0 to 255 without leading zeros or spaces, optionally /0 to /32 (AKS accepts IPv4 only)")
  @ValidationRule(value = RULE_FIRST_ADDRESS, messageExpression = MESSAGE_FIRST_ADDRESS)
  @ValidationRule(value = RULE_NOT_MARKER, message = "0.0.0.0/32 is AKS's marker for \"load balancer outbound IPs "
      + "only\" and cannot be combined with other ranges; set access: LoadBalancerOnly instead of listing it")
  @ValidationRule(value = RULE_NOT_EVERYTHING,
      message = "0.0.0.0/0 would authorize every address; set access: Unrestricted if that is really meant")
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
