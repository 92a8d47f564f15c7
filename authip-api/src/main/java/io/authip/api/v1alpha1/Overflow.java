package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/**
 * When a cluster's list does not fit: refuse (the default), or cover it with fewer, wider blocks within an explicit
 * budget of extra addresses. Widening never covers a non-public range or one of {@code neverCover}, and never widens
 * the cluster's own egress or a single address (/32) of the list.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.strategy) || self.strategy != 'Supernet' || has(self.maxExtraAddresses) "
    + "|| has(self.maxExtraPercent)", message = "strategy: Supernet needs a budget: set maxExtraAddresses, "
    + "maxExtraPercent or both (the most addresses beyond the list a cover may admit)")
public class Overflow {

  @Default("Refuse")
  @JsonPropertyDescription("Refuse (default): a list over the limit is not sent; the target is Blocked "
      + "(TooManyRanges). Supernet: send the cover of the list by at most the limit's number of CIDR blocks that "
      + "admits the fewest extra addresses, if it is within maxExtraAddresses and maxExtraPercent.")
  private OverflowStrategy strategy;

  @ValidationRule(value = "self >= 0", message = "must be 0 or more")
  @JsonPropertyDescription("Supernet: the most addresses beyond the list a cover may admit.")
  private Long maxExtraAddresses;

  @ValidationRule(value = "self >= 0.0 && self <= 10000.0", message = "must be from 0 to 10000 (percent)")
  @JsonPropertyDescription("Supernet: the most addresses beyond the list a cover may admit, as a percentage of "
      + "the list's own addresses (e.g. 5 or 0.5).")
  private Double maxExtraPercent;

  @Size(max = 1000)
  @JsonPropertyDescription("Supernet: ranges no block of the cover may overlap (a partner's network, a shared "
      + "NAT range), in addition to every non-public range.")
  private List<RangeEntry> neverCover = new ArrayList<>();

  public OverflowStrategy getStrategy() {
    return strategy;
  }

  public void setStrategy(OverflowStrategy strategy) {
    this.strategy = strategy;
  }

  public Long getMaxExtraAddresses() {
    return maxExtraAddresses;
  }

  public void setMaxExtraAddresses(Long maxExtraAddresses) {
    this.maxExtraAddresses = maxExtraAddresses;
  }

  public Double getMaxExtraPercent() {
    return maxExtraPercent;
  }

  public void setMaxExtraPercent(Double maxExtraPercent) {
    this.maxExtraPercent = maxExtraPercent;
  }

  public List<RangeEntry> getNeverCover() {
    return neverCover;
  }

  public void setNeverCover(List<RangeEntry> neverCover) {
    this.neverCover = neverCover;
  }

  /** The strategy, Refuse when absent. */
  public OverflowStrategy effectiveStrategy() {
    return strategy == null ? OverflowStrategy.Refuse : strategy;
  }

  public List<RangeEntry> neverCoverOrEmpty() {
    return neverCover == null ? List.of() : neverCover;
  }
}
