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
}
