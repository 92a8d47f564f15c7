package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Stored in status so that a restarted operator resumes polling instead of writing again. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PendingOperation {

  @JsonPropertyDescription("The Azure-AsyncOperation (or Location) URL to poll.")
  private String pollUrl;

  @JsonPropertyDescription("When the PUT was accepted (RFC 3339).")
  private String startedAt;

  @JsonPropertyDescription("The access the operation applies.")
  private Access access;

  @JsonPropertyDescription("The ranges the operation applies; empty for the targets of a policy with more than 100 "
      + "targets, whose rangesDigest alone says which list it is.")
  private List<String> ranges = new ArrayList<>();

  @JsonPropertyDescription("SHA-256 of the access and the canonical list the operation applies, lower-case hex.")
  private String rangesDigest;

  public PendingOperation() {
  }

  public PendingOperation(String pollUrl, String startedAt, Access access, List<String> ranges) {
    this.pollUrl = pollUrl;
    this.startedAt = startedAt;
    this.access = access;
    this.ranges = new ArrayList<>(ranges);
  }

  public String getPollUrl() {
    return pollUrl;
  }

  public void setPollUrl(String pollUrl) {
    this.pollUrl = pollUrl;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
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

  public String getRangesDigest() {
    return rangesDigest;
  }

  public void setRangesDigest(String rangesDigest) {
    this.rangesDigest = rangesDigest;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PendingOperation p && Objects.equals(pollUrl, p.pollUrl)
        && Objects.equals(startedAt, p.startedAt) && access == p.access && Objects.equals(ranges, p.ranges)
        && Objects.equals(rangesDigest, p.rangesDigest);
  }

  @Override
  public int hashCode() {
    return Objects.hash(pollUrl, startedAt, access, ranges, rangesDigest);
  }
}
