package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class IpRangeSetStatus {

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Standard conditions: Valid, Ready; with sources also SourceStale and ShrinkHeld.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Number of CIDR blocks of spec.ranges and the sources' content in use, after merging "
      + "duplicates, overlaps and adjacent ranges.")
  private Integer rangeCount;

  @JsonPropertyDescription("Per entry of spec.sources, in order: what was read from it.")
  private List<SourceStatus> sources;

  public List<SourceStatus> getSources() {
    return sources;
  }

  public void setSources(List<SourceStatus> sources) {
    this.sources = sources;
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

  @Override
  public boolean equals(Object o) {
    return o instanceof IpRangeSetStatus s && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(conditions, s.conditions) && Objects.equals(rangeCount, s.rangeCount)
        && Objects.equals(sources, s.sources);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, conditions, rangeCount);
  }
}
