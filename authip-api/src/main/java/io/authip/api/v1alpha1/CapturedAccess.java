package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class CapturedAccess {

  @JsonPropertyDescription("Restricted, LoadBalancerOnly or Unrestricted.")
  private Access access;

  @JsonPropertyDescription("The ranges (with access Restricted).")
  private List<String> ranges = new ArrayList<>();

  @JsonPropertyDescription("When it was captured (RFC 3339).")
  private String capturedAt;

  public CapturedAccess() {
  }

  public CapturedAccess(Access access, List<String> ranges, String capturedAt) {
    this.access = access;
    this.ranges = new ArrayList<>(ranges);
    this.capturedAt = capturedAt;
  }

  public Access getAccess() {
    return access;
  }

  public void setAccess(Access access) {
    this.access = access;
  }

  public List<String> getRanges() {
    return ranges;
  }

  public void setRanges(List<String> ranges) {
    this.ranges = ranges;
  }

  public String getCapturedAt() {
    return capturedAt;
  }

  public void setCapturedAt(String capturedAt) {
    this.capturedAt = capturedAt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CapturedAccess c && access == c.access && Objects.equals(ranges, c.ranges)
        && Objects.equals(capturedAt, c.capturedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(access, ranges, capturedAt);
  }
}
