package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The latest connection to a target's API server from the operator ({@code spec.reachability.check}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ApiServerCheck {

  @JsonPropertyDescription("Whether the TCP connection and the TLS handshake succeeded.")
  private Boolean reachable;

  @JsonPropertyDescription("How long they took, in milliseconds (when reachable).")
  private Long latencyMs;

  @JsonPropertyDescription("When the check was made (RFC 3339).")
  private String checkedAt;

  @JsonPropertyDescription("What failed, when not reachable.")
  private String message;

  public Boolean getReachable() {
    return reachable;
  }

  public void setReachable(Boolean reachable) {
    this.reachable = reachable;
  }

  public Long getLatencyMs() {
    return latencyMs;
  }

  public void setLatencyMs(Long latencyMs) {
    this.latencyMs = latencyMs;
  }

  public String getCheckedAt() {
    return checkedAt;
  }

  public void setCheckedAt(String checkedAt) {
    this.checkedAt = checkedAt;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ApiServerCheck c && Objects.equals(reachable, c.reachable)
        && Objects.equals(latencyMs, c.latencyMs) && Objects.equals(checkedAt, c.checkedAt)
        && Objects.equals(message, c.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(reachable, latencyMs, checkedAt, message);
  }
}
