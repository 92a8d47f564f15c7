package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** What authip last read from one of an IpRangeSet's sources. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SourceStatus {

  @JsonPropertyDescription("The source, e.g. service tag AzureCloud.westeurope or https://api.github.com/meta.")
  private String source;

  @JsonPropertyDescription("Blocks of the content in use, after merging.")
  private Integer rangeCount;

  @JsonPropertyDescription("IPv6 entries the source listed and authip skipped (AKS accepts IPv4 only).")
  private Integer ipv6Skipped;

  @JsonPropertyDescription("sha256 of the content in use (its canonical blocks), as approvals name it.")
  private String contentHash;

  @JsonPropertyDescription("The service tag's changeNumber of the content in use.")
  private String changeNumber;

  @JsonPropertyDescription("When the content in use was read (or last confirmed unchanged).")
  private String lastRefresh;

  @JsonPropertyDescription("When the source was last tried.")
  private String lastAttempt;

  @JsonPropertyDescription("Why the last attempt failed; the content in use is then the last good one.")
  private String lastError;

  @JsonPropertyDescription("sha256 of content held back because it removes too much (approve it with annotation "
      + "authip.io/approve-content: <hash>).")
  private String heldHash;

  @JsonPropertyDescription("What the held content would change, e.g. -12 blocks (4,096 addresses, 31.2 %).")
  private String heldChange;

  public String getSource() {
    return source;
  }

  public void setSource(String source) {
    this.source = source;
  }

  public Integer getRangeCount() {
    return rangeCount;
  }

  public void setRangeCount(Integer rangeCount) {
    this.rangeCount = rangeCount;
  }

  public Integer getIpv6Skipped() {
    return ipv6Skipped;
  }

  public void setIpv6Skipped(Integer ipv6Skipped) {
    this.ipv6Skipped = ipv6Skipped;
  }

  public String getContentHash() {
    return contentHash;
  }

  public void setContentHash(String contentHash) {
    this.contentHash = contentHash;
  }

  public String getChangeNumber() {
    return changeNumber;
  }

  public void setChangeNumber(String changeNumber) {
    this.changeNumber = changeNumber;
  }

  public String getLastRefresh() {
    return lastRefresh;
  }

  public void setLastRefresh(String lastRefresh) {
    this.lastRefresh = lastRefresh;
  }

  public String getLastAttempt() {
    return lastAttempt;
  }

  public void setLastAttempt(String lastAttempt) {
    this.lastAttempt = lastAttempt;
  }

  public String getLastError() {
    return lastError;
  }

  public void setLastError(String lastError) {
    this.lastError = lastError;
  }

  public String getHeldHash() {
    return heldHash;
  }

  public void setHeldHash(String heldHash) {
    this.heldHash = heldHash;
  }

  public String getHeldChange() {
    return heldChange;
  }

  public void setHeldChange(String heldChange) {
    this.heldChange = heldChange;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SourceStatus s && Objects.equals(source, s.source) && Objects.equals(rangeCount, s.rangeCount)
        && Objects.equals(ipv6Skipped, s.ipv6Skipped) && Objects.equals(contentHash, s.contentHash)
        && Objects.equals(changeNumber, s.changeNumber) && Objects.equals(lastRefresh, s.lastRefresh)
        && Objects.equals(lastAttempt, s.lastAttempt) && Objects.equals(lastError, s.lastError)
        && Objects.equals(heldHash, s.heldHash) && Objects.equals(heldChange, s.heldChange);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, rangeCount, contentHash, lastAttempt, heldHash);
  }
}
