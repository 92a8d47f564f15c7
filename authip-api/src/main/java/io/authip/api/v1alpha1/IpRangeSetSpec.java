package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

public class IpRangeSetSpec {

  @Size(max = 10000)
  @JsonPropertyDescription("IPv4 ranges: CIDRs or bare addresses (a bare address means /32). Public addresses "
      + "only, no host bits. Duplicates and overlaps are merged.")
  private List<RangeEntry> ranges = new ArrayList<>();

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
