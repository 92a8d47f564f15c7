package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * A list authip put on the cluster and then took back because the API server stopped answering the operator
 * ({@code spec.reachability.revertOnLockout}). Read only to hold that list back: never to choose what to send.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LockoutStatus {

  @JsonPropertyDescription("rangesDigest of the list held back; it is sent again only when the policy's list differs.")
  private String heldDigest;

  @JsonPropertyDescription("When the lockout was found (RFC 3339).")
  private String detectedAt;

  public String getHeldDigest() {
    return heldDigest;
  }

  public void setHeldDigest(String heldDigest) {
    this.heldDigest = heldDigest;
  }

  public String getDetectedAt() {
    return detectedAt;
  }

  public void setDetectedAt(String detectedAt) {
    this.detectedAt = detectedAt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LockoutStatus l && Objects.equals(heldDigest, l.heldDigest)
        && Objects.equals(detectedAt, l.detectedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(heldDigest, detectedAt);
  }
}
