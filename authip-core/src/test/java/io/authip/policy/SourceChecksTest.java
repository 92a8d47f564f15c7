package io.authip.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.FeedFormat;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.RangeSetRef;
import io.authip.api.v1alpha1.RangeSource;
import io.authip.api.v1alpha1.ServiceTagSource;
import io.authip.api.v1alpha1.UrlSource;
import io.authip.ranges.CidrSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An IpRangeSet's spec.sources as the validator sees them, and a policy referencing a set with sources. */
class SourceChecksTest {

  final PolicyValidator validator = new PolicyValidator();

  static RangeSource tag(String name, String location, String subscription) {
    ServiceTagSource t = new ServiceTagSource();
    t.setName(name);
    t.setLocation(location);
    t.setSubscriptionId(subscription);
    RangeSource s = new RangeSource();
    s.setAzureServiceTag(t);
    return s;
  }

  static RangeSource url(String url, FeedFormat format, String path) {
    UrlSource u = new UrlSource();
    u.setUrl(url);
    u.setFormat(format);
    u.setJsonPath(path);
    RangeSource s = new RangeSource();
    s.setUrl(u);
    return s;
  }

  static IpRangeSet set(RangeSource... sources) {
    IpRangeSet s = PolicyValidatorTest.set("team", "feeds");
    s.getSpec().setSources(new ArrayList<>(List.of(sources)));
    return s;
  }

  @Test
  void validSourcesAreAccepted() {
    IpRangeSet s = set(tag("AzureCloud.westeurope", "westeurope", null),
        url("https://api.github.com/meta", null, "$.hooks[*]"),
        url("https://example.com/ranges.txt", FeedFormat.text, null));
    s.getSpec().setRefreshInterval("1d");
    s.getSpec().setMaxShrinkPercent(25);
    assertThat(validator.checkRangeSet(s).errors()).isEmpty();
  }

  @Test
  void everyProblemNamesItsFieldAndTheFix() {
    RangeSource both = tag("AzureCloud", "westeurope", null);
    both.setUrl(url("https://x.example.com/", FeedFormat.text, null).getUrl());
    IpRangeSet s = set(both, tag("Azure Cloud", "West Europe", "not-a-guid"),
        url("http://api.github.com/meta", null, "$.hooks[*]"), url("https://api.github.com/meta", null, null),
        url("https://api.github.com/meta", FeedFormat.json, "$..hooks"),
        url("https://example.com/r.txt", FeedFormat.text, "$.x"),
        tag("AzureDevOps", "westeurope", null), tag("AzureDevOps", "westeurope", null));
    s.getSpec().setRefreshInterval("5m");
    s.getSpec().setMaxShrinkPercent(150);
    List<String> errors = validator.checkRangeSet(s).errors().stream().map(FieldError::toString).toList();
    assertThat(errors).containsExactly(
        "spec.sources[0]: must set exactly one of azureServiceTag or url",
        "spec.sources[1].azureServiceTag.name: 'Azure Cloud' is not a service tag name; write one such as "
            + "AzureCloud.westeurope, AzureDevOps or AzureActiveDirectory",
        "spec.sources[1].azureServiceTag.location: 'West Europe' is not a location name; write a location of the "
            + "subscription's cloud in lower case, e.g. westeurope",
        "spec.sources[1].azureServiceTag.subscriptionId: 'not-a-guid' is not a subscription ID; write a GUID such as "
            + "3c1d5e7f-2a4b-4c6d-8e0f-1a2b3c4d5e6f, or leave it out to use the operator's default subscription",
        "spec.sources[2].url.url: 'http://api.github.com/meta' is not https; feeds are read over HTTPS only",
        "spec.sources[3].url.jsonPath: is missing; format: json needs a path that selects the ranges, e.g. $.hooks[*]",
        "spec.sources[4].url.jsonPath: '$..hooks' has recursive descent (..) at position 1, which is not supported; "
            + "use $, .name, ['name'], [*], .*, [N] and [?(@.field=='value')]",
        "spec.sources[5].url.jsonPath: is set with format: text, which has one range per line; remove it or use "
            + "format: json",
        "spec.sources[7]: is the same source as spec.sources[6]; list it once",
        "spec.refreshInterval: '5m' is out of range; sources are refreshed every 15m to 7d",
        "spec.maxShrinkPercent: 150 is not a percentage; write 0 to 100 (100 never holds a refresh back)");
  }

  @Test
  void aPolicyUsesASetsSourceContentOnlyWhenEverySourceHasSome() {
    IpRangeSet s = set(tag("AzureDevOps", "westeurope", null));
    s.getSpec().setRanges(PolicyValidatorTest.ranges("20.42.0.0/24"));
    AuthorizedIpPolicy p = new AuthorizedIpPolicy();
    p.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("p").withNamespace("team")
        .build());
    AuthorizedIpPolicySpec spec = new AuthorizedIpPolicySpec();
    spec.setTargets(new ArrayList<>(List.of(new ClusterTarget("3c1d5e7f-2a4b-4c6d-8e0f-1a2b3c4d5e6f", "rg",
        "aks"))));
    RangeSetRef ref = new RangeSetRef();
    ref.setName("feeds");
    spec.setRangeSetRefs(new ArrayList<>(List.of(ref)));
    p.setSpec(spec);

    // A lookup that keeps no source content (the default): the set cannot be used.
    PolicyValidator.Result none = validator.validatePolicy(p, (ns, name) -> Optional.of(s));
    assertThat(none.errors()).extracting(FieldError::toString).containsExactly("spec.rangeSetRefs[0].name: IpRangeSet "
        + "'feeds' is invalid: spec.sources: the content of its sources is not known here");

    PolicyValidator.Result missing = validator.validatePolicy(p, lookup(s,
        PolicyValidator.SourceRanges.missing("spec.sources[0] (service tag AzureDevOps) has no content yet")));
    assertThat(missing.valid()).isFalse();
    assertThat(missing.errors().get(0).toString()).endsWith("has no content yet");

    PolicyValidator.Result ok = validator.validatePolicy(p, lookup(s,
        PolicyValidator.SourceRanges.of(CidrSet.parse(List.of("20.37.158.0/23", "20.42.1.0/24")))));
    assertThat(ok.errors()).isEmpty();
    assertThat(ok.staticRanges().toStrings()).containsExactly("20.37.158.0/23", "20.42.0.0/23");
  }

  static PolicyValidator.RangeSetLookup lookup(IpRangeSet s, PolicyValidator.SourceRanges content) {
    return new PolicyValidator.RangeSetLookup() {
      @Override
      public Optional<IpRangeSet> find(String namespace, String name) {
        return Optional.of(s);
      }

      @Override
      public PolicyValidator.SourceRanges sources(IpRangeSet set) {
        return content;
      }
    };
  }
}
