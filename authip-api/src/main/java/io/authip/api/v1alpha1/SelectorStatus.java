package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** What one of {@code spec.targetSelectors} selected at the last list. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SelectorStatus {

  @JsonPropertyDescription("Which selector, e.g. targetSelectors[0].")
  private String selector;

  @JsonPropertyDescription("Clusters it selected (those also named in targets, or taken by an earlier selector, "
      + "are counted where they are).")
  private Integer matched;

  @JsonPropertyDescription("True when the selection is current; false when the clusters could not be listed or "
      + "the selector is refused (message says why; the clusters it took before are kept as they were).")
  private Boolean resolved;

  @JsonPropertyDescription("Human-readable detail.")
  private String message;

  public SelectorStatus() {
  }

  public SelectorStatus(String selector, Integer matched, Boolean resolved, String message) {
    this.selector = selector;
    this.matched = matched;
    this.resolved = resolved;
    this.message = message;
  }

  public String getSelector() {
    return selector;
  }

  public void setSelector(String selector) {
    this.selector = selector;
  }

  public Integer getMatched() {
    return matched;
  }

  public void setMatched(Integer matched) {
    this.matched = matched;
  }

  public Boolean getResolved() {
    return resolved;
  }

  public void setResolved(Boolean resolved) {
    this.resolved = resolved;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SelectorStatus s && Objects.equals(selector, s.selector) && Objects.equals(matched, s.matched)
        && Objects.equals(resolved, s.resolved) && Objects.equals(message, s.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(selector, matched, resolved, message);
  }
}
