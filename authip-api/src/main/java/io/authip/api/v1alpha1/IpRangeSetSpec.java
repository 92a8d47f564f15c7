package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

public class IpRangeSetSpec {

  @Size(max = 10000)
  @JsonPropertyDescription("IPv4 ranges: CIDRs or bare addresses (a bare address means /32). Public addresses "
      + "only, no host bits. Duplicates and overlaps are merged.")
  private List<RangeEntry> ranges = new ArrayList<>();

  @Size(max = 20)
  @JsonPropertyDescription("Where more ranges come from: Azure service tags and HTTPS feeds, refreshed every "
      + "refreshInterval. The last good content of a source is kept and used while it fails (condition SourceStale), "
      + "and a refresh that removes more than maxShrinkPercent of a source's addresses is held (condition "
      + "ShrinkHeld) until approved or confirmed by the next refresh.")
  private List<RangeSource> sources = new ArrayList<>();

  /** Days, hours and minutes, e.g. 6h, 1d12h or 45m. */
  public static final String REFRESH_PATTERN = "^([0-9]{1,4}d)?([0-9]{1,5}h)?([0-9]{1,6}m)?$";

  @Size(min = 2, max = 20)
  @Pattern(REFRESH_PATTERN)
  @JsonPropertyDescription("How often sources are read again: 15m to 7d (default 6h), written as days, hours and "
      + "minutes, e.g. 1h, 6h or 1d12h.")
  private String refreshInterval;

  @ValidationRule(value = "self >= 0 && self <= 100", message = "must be from 0 to 100 (percent)")
  @JsonPropertyDescription("A refresh that would remove more than this percentage of a source's addresses is held "
      + "until approved (annotation authip.io/approve-content with the held content's hash) or returned again by the "
      + "next refresh (default 10; 100 never holds).")
  private Integer maxShrinkPercent;

  public List<RangeSource> getSources() {
    return sources;
  }

  public void setSources(List<RangeSource> sources) {
    this.sources = sources;
  }

  public List<RangeSource> sourcesOrEmpty() {
    return sources == null ? List.of() : sources;
  }

  public String getRefreshInterval() {
    return refreshInterval;
  }

  public void setRefreshInterval(String refreshInterval) {
    this.refreshInterval = refreshInterval;
  }

  public Integer getMaxShrinkPercent() {
    return maxShrinkPercent;
  }

  public void setMaxShrinkPercent(Integer maxShrinkPercent) {
    this.maxShrinkPercent = maxShrinkPercent;
  }

  /** The default of {@link #maxShrinkPercent}. */
  public static final int DEFAULT_MAX_SHRINK_PERCENT = 10;

  public int effectiveMaxShrinkPercent() {
    return maxShrinkPercent == null ? DEFAULT_MAX_SHRINK_PERCENT : maxShrinkPercent;
  }

  public List<RangeEntry> getRanges() {
    return ranges;
  }

  public void setRanges(List<RangeEntry> ranges) {
    this.ranges = ranges;
  }

  public List<RangeEntry> rangesOrEmpty() {
    return ranges == null ? List.of() : ranges;
  }
}
