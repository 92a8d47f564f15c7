package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class AuthorizedIpPolicyStatus {

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Standard conditions: Ready (summary) and Drifted.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Number of entries in the largest desired list across targets.")
  private Integer rangeCount;

  @JsonPropertyDescription("Targets in sync out of all targets, e.g. 2/3.")
  private String targetsInSync;

  @JsonPropertyDescription("One entry per target cluster: those named in spec.targets, then those selected.")
  private List<TargetStatus> targets = new ArrayList<>();

  @JsonPropertyDescription("One entry per spec.targetSelectors entry: what it selected at the last list.")
  private List<SelectorStatus> selectors;

  public List<SelectorStatus> getSelectors() {
    return selectors;
  }

  public void setSelectors(List<SelectorStatus> selectors) {
    this.selectors = selectors;
  }

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

  public Integer getRangeCount() {
    return rangeCount;
  }

  public void setRangeCount(Integer rangeCount) {
    this.rangeCount = rangeCount;
  }

  public String getTargetsInSync() {
    return targetsInSync;
  }

  public void setTargetsInSync(String targetsInSync) {
    this.targetsInSync = targetsInSync;
  }

  public List<TargetStatus> getTargets() {
    return targets;
  }

  public void setTargets(List<TargetStatus> targets) {
    this.targets = targets;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AuthorizedIpPolicyStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(conditions, s.conditions)
        && Objects.equals(rangeCount, s.rangeCount)
        && Objects.equals(targetsInSync, s.targetsInSync)
        && Objects.equals(targets, s.targets) && Objects.equals(selectors, s.selectors);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, conditions, rangeCount, targetsInSync, targets, selectors);
  }
}
