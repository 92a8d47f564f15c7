package io.authip.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Which namespaces' policies may change which AKS clusters, with which access, and as which Azure identity. Cluster
 * scoped and written by cluster administrators: a tenant who can write policies in a namespace cannot widen what
 * that namespace is granted.
 */
@Group(AuthorizedIpPolicy.GROUP)
@Version(AuthorizedIpPolicy.VERSION)
@ShortNames("tgrant")
@Plural("targetgrants")
@Singular("targetgrant")
@AdditionalPrinterColumn(name = "Valid", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Valid\")].status")
@AdditionalPrinterColumn(name = "Identity", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".spec.identity.clientId")
@AdditionalPrinterColumn(name = "Policies", type = AdditionalPrinterColumn.Type.INTEGER,
    jsonPath = ".status.policyCount")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE,
    jsonPath = ".metadata.creationTimestamp")
public class TargetGrant extends CustomResource<TargetGrantSpec, TargetGrantStatus> {

  public static final String KIND = "TargetGrant";

  /**
   * Fields that could not be read (wrong type, invalid value), as "path: problem". A grant with any grants nothing;
   * never serialized.
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
