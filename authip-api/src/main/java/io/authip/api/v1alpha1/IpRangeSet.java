package io.authip.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A named, reusable list of IPv4 ranges that policies in the same namespace reference. */
@Group(AuthorizedIpPolicy.GROUP)
@Version(AuthorizedIpPolicy.VERSION)
@ShortNames("iprs")
@Plural("iprangesets")
@Singular("iprangeset")
@AdditionalPrinterColumn(name = "Valid", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Valid\")].status")
@AdditionalPrinterColumn(name = "Ranges", type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = ".status.rangeCount")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
public class IpRangeSet extends CustomResource<IpRangeSetSpec, IpRangeSetStatus> implements Namespaced {

  public static final String KIND = "IpRangeSet";

  /**
   * Fields that could not be read (wrong type, invalid value), as "path: problem". Filled by a tolerant
   * deserializer so that one malformed resource becomes a status message instead of a stopped informer; never
   * serialized.
   */
  @com.fasterxml.jackson.annotation.JsonIgnore
  private java.util.List<String> readProblems = java.util.List.of();

  @com.fasterxml.jackson.annotation.JsonIgnore
  public java.util.List<String> getReadProblems() {
    return readProblems;
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  public void setReadProblems(java.util.List<String> readProblems) {
    this.readProblems = java.util.List.copyOf(readProblems);
  }
}
