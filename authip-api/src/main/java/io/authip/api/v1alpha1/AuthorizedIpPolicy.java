package io.authip.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** Declares the exact authorized IP ranges of the API servers of one or more AKS clusters. */
@Group(AuthorizedIpPolicy.GROUP)
@Version(AuthorizedIpPolicy.VERSION)
@ShortNames("aip")
@Plural("authorizedippolicies")
@Singular("authorizedippolicy")
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Reason", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(name = "Ranges", type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = ".status.rangeCount")
@AdditionalPrinterColumn(name = "Targets", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.targetsInSync")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
public class AuthorizedIpPolicy extends CustomResource<AuthorizedIpPolicySpec, AuthorizedIpPolicyStatus>
    implements Namespaced {

  public static final String GROUP = "authip.io";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String KIND = "AuthorizedIpPolicy";

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
