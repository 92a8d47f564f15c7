package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Whether a grant is valid, and which policies use it (as last seen by the leader). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TargetGrantStatus {

  /** At most this many policies are named; {@code policyCount} has them all. */
  public static final int MAX_POLICIES_SHOWN = 50;

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Standard conditions: Valid.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Namespaces with policies that change clusters through this grant, sorted; at most 50. "
      + "Written only by an install that reconciles every policy (no label selector, no watched namespaces).")
  private List<String> namespaces;

  @JsonPropertyDescription("Policies (namespace/name) that change clusters through this grant, sorted; at most 50.")
  private List<String> policies;

  @JsonPropertyDescription("Number of policies that change clusters through this grant (absent when sharded).")
  private Integer policyCount;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public List<String> getNamespaces() {
    return namespaces;
  }

  public void setNamespaces(List<String> namespaces) {
    this.namespaces = namespaces;
  }

  public List<String> getPolicies() {
    return policies;
  }

  public void setPolicies(List<String> policies) {
    this.policies = policies;
  }

  public Integer getPolicyCount() {
    return policyCount;
  }

  public void setPolicyCount(Integer policyCount) {
    this.policyCount = policyCount;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TargetGrantStatus s && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(conditions, s.conditions) && Objects.equals(namespaces, s.namespaces)
        && Objects.equals(policies, s.policies) && Objects.equals(policyCount, s.policyCount);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, conditions, namespaces, policies, policyCount);
  }
}
