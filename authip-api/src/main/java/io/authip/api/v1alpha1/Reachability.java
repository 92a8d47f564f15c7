package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/**
 * Whether authip checks, from where it runs, that each target's API server still answers after a change, and puts
 * the previous list back when a change locked it out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Reachability {

  @Default("false")
  @JsonPropertyDescription("Connect (TCP and TLS) to each cluster's API server (properties.fqdn, port 443) from "
      + "the operator, before a change and through the propagation window after it; the result is "
      + "status.targets[].apiServer and the policy's ApiServerReachable condition (default false).")
  private Boolean check;

  @Default("false")
  @JsonPropertyDescription("With check: when the API server answered before a change and, after the change's "
      + "propagation window, failed two checks in a row without answering once, put back the list the cluster had "
      + "when the change was sent and hold the new one (reason LockoutPrevented) until the policy's list changes "
      + "(default false).")
  private Boolean revertOnLockout;

  public Boolean getCheck() {
    return check;
  }

  public void setCheck(Boolean check) {
    this.check = check;
  }

  public Boolean getRevertOnLockout() {
    return revertOnLockout;
  }

  public void setRevertOnLockout(Boolean revertOnLockout) {
    this.revertOnLockout = revertOnLockout;
  }

  public boolean checking() {
    return check != null && check;
  }

  public boolean reverting() {
    return checking() && revertOnLockout != null && revertOnLockout;
  }
}
