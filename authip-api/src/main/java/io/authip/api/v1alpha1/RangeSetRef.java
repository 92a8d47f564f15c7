package io.authip.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

public class RangeSetRef {

  @Required
  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Name of an IpRangeSet in the policy's namespace.")
  private String name;

  public RangeSetRef() {
  }

  /** Not a creator: Jackson would otherwise read {@code rangeSetRefs: [x]}, which the schema refuses. */
  @JsonCreator(mode = JsonCreator.Mode.DISABLED)
  public RangeSetRef(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
