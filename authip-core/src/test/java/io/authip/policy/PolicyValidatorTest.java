package io.authip.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.Egress;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.IpRangeSetSpec;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.api.v1alpha1.RangeSetRef;
import io.authip.api.v1alpha1.TargetSelector;
import io.authip.ranges.Cidr;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import io.authip.ranges.RangeRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyValidatorTest {

  static final String SUB = "6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b";
  static final String NS = "platform";
  static final String PIP = "/subscriptions/" + SUB + "/resourceGroups/hub/providers/Microsoft.Network/"
      + "publicIPAddresses/firewall-pip";

  final PolicyValidator validator = new PolicyValidator();
  final Map<String, IpRangeSet> sets = new HashMap<>();
  final PolicyValidator.RangeSetLookup lookup = (ns, name) -> Optional.ofNullable(sets.get(ns + "/" + name));

  // ---- whole policies that are valid ----

  @Test
  void theSeedsRangesAreValidAndCanonical() {
    PolicyValidator.Result result = validate(s -> s.setRanges(ranges("73.140.245.0/24", "137.117.106.88/29",
        "73.140.245.7")));
    assertThat(result.errors()).isEmpty();
    assertThat(result.valid()).isTrue();
    assertThat(result.staticRanges()).hasToString("73.140.245.0/24,137.117.106.88/29");
  }

  @Test
  void onlyTargetsIsValidBecauseEgressDefaultsToOn() {
    assertThat(validate(s -> { }).errors()).isEmpty();
  }

  @Test
  void referencedRangesAreAddedAndMergedWithTheLiteralOnes() {
    addSet(NS, "ci-runners", "20.42.1.0/24", "52.160.96.17");
    PolicyValidator.Result result = validate(s -> {
      s.setRanges(ranges("20.42.0.0/24"));
      s.setRangeSetRefs(refs("ci-runners"));
    });
    assertThat(result.errors()).isEmpty();
    assertThat(result.staticRanges()).hasToString("20.42.0.0/23,52.160.96.17/32");
  }

  @Test
  void r7AServiceTagMayBeCombinedWithAddresses() {
    assertThat(validate(s -> {
      s.setServiceTag("AzureCloud");
      s.setRanges(ranges("20.20.20.20"));
    }).errors()).isEmpty();
    assertThat(validate(s -> s.setServiceTag("AzureCloud.WestEurope")).errors()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Access.class, names = {"Unrestricted", "LoadBalancerOnly"})
  void unrestrictedAndLoadBalancerOnlyAloneAreValid(Access access) {
    PolicyValidator.Result result = validate(s -> s.setAccess(access));
    assertThat(result.errors()).isEmpty();
    assertThat(result.staticRanges().isEmpty()).isTrue();
  }

  @Test
  void extraPublicIpIdsAloneAreEnoughForRestricted() {
    assertThat(validate(s -> s.setEgress(egress(false, false, false, PIP,
        "/subscriptions/" + SUB + "/resourcegroups/Hub/providers/microsoft.network/publicIPPrefixes/nat-prefix")))
        .errors()).isEmpty();
  }

  // ---- metadata and spec ----

  @Test
  void aNameIsRequired() {
    AuthorizedIpPolicy policy = policy(s -> { });
    policy.getMetadata().setName(null);
    assertThat(validator.validatePolicy(policy, lookup).errors())
        .containsExactly(new FieldError("metadata.name", "is required"));
  }

  @Test
  void aSpecIsRequired() {
    AuthorizedIpPolicy policy = policy(s -> { });
    policy.setSpec(null);
    assertThat(validator.validatePolicy(policy, lookup).errors())
        .containsExactly(new FieldError("spec", "is missing; a policy needs at least spec.targets"));
  }

  // ---- targets ----

  @Test
  void targetsAreRequired() {
    String message = "is empty; name at least one AKS cluster (subscriptionId, resourceGroup, clusterName), or "
        + "select clusters by their Azure tags with spec.targetSelectors";
    assertThat(errors(s -> s.setTargets(null))).containsExactly("spec.targets: " + message);
    assertThat(errors(s -> s.setTargets(List.of()))).containsExactly("spec.targets: " + message);
  }

  // ---- targetSelectors ----

  @Test
  void selectorsAloneAreEnough() {
    assertThat(errors(s -> {
      s.setTargets(null);
      s.setTargetSelectors(List.of(new TargetSelector(SUB, null, java.util.Map.of("env", "prod"))));
    })).isEmpty();
  }

  @Test
  void aSelectorNeedsAValidSubscriptionAndResourceGroupAndAtLeastOneTag() {
    assertThat(errors(s -> s.setTargetSelectors(List.of(
        new TargetSelector("not-a-guid", "bad/rg", java.util.Map.of("env", "prod")),
        new TargetSelector(SUB, null, java.util.Map.of())))))
        .containsExactly(
            "spec.targetSelectors[0].subscriptionId: 'not-a-guid' is not a subscription ID; expected a GUID such as "
                + "6f1e2a3b-0000-4c5d-8e9f-0123456789ab",
            "spec.targetSelectors[0].resourceGroup: 'bad/rg' is not a resource group name; 1 to 90 letters, digits, "
                + "'_', '-', '.', '(' or ')', not ending in '.'",
            "spec.targetSelectors[1].clusterTags: is empty; give at least one Azure tag (name: value) the clusters "
                + "must carry: a selector without tags would take every cluster of the subscription");
  }

  @Test
  void tagNamesAreCaseInsensitiveAndSelectorsUnique() {
    java.util.Map<String, String> tags = new java.util.LinkedHashMap<>();
    tags.put("Env", "prod");
    tags.put("env", "prod");
    TargetSelector one = new TargetSelector(SUB, "rg", java.util.Map.of("team", "a"));
    assertThat(errors(s -> s.setTargetSelectors(List.of(new TargetSelector(SUB, null, tags), one,
        new TargetSelector(SUB, "rg", java.util.Map.of("team", "a"))))))
        .containsExactly("spec.targetSelectors[0].clusterTags['env']: names a tag already given in another case; "
            + "Azure tag names are case-insensitive, give it once",
            "spec.targetSelectors[2]: duplicates spec.targetSelectors[1]; give each selector once");
  }

  @Test
  void atMostTenSelectors() {
    List<TargetSelector> many = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      many.add(new TargetSelector(SUB, null, java.util.Map.of("n", Integer.toString(i))));
    }
    assertThat(errors(s -> s.setTargetSelectors(many)))
        .containsExactly("spec.targetSelectors: 11 selectors; at most 10 are allowed per policy");
  }

  @Test
  void selectorsMatchEveryTagNameIgnoringCaseValueExactly() {
    TargetSelector sel = new TargetSelector(SUB, null, java.util.Map.of("Env", "prod", "team", "a"));
    assertThat(sel.matches(java.util.Map.of("env", "prod", "TEAM", "a", "other", "x"))).isTrue();
    assertThat(sel.matches(java.util.Map.of("env", "Prod", "team", "a"))).isFalse();
    assertThat(sel.matches(java.util.Map.of("env", "prod"))).isFalse();
    assertThat(new TargetSelector(SUB, null, java.util.Map.of()).matches(java.util.Map.of("env", "prod"))).isFalse();
  }

  @Test
  void atMost100Targets() {
    List<ClusterTarget> targets = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      targets.add(new ClusterTarget(SUB, "rg", "aks-" + i));
    }
    assertThat(errors(s -> s.setTargets(targets))).containsExactly("spec.targets: 101 targets; at most 100 are "
        + "allowed per policy, split it into several policies");
    assertThat(errors(s -> s.setTargets(targets.subList(0, 100)))).isEmpty();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"not-a-guid", "6f1e8b2c3d4a4e5f9a0b1c2d3e4f5a6b", "{6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b}",
      "6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6", "6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6g", " 6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b",
      "/subscriptions/6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b"})
  void subscriptionIdMustBeAGuid(String id) {
    assertThat(errors(s -> s.setTargets(List.of(new ClusterTarget(id, "rg", "aks")))))
        .containsExactly("spec.targets[0].subscriptionId: '" + id + "' is not a subscription ID; expected a GUID such "
            + "as 6f1e2a3b-0000-4c5d-8e9f-0123456789ab");
  }

  @Test
  void upperCaseGuidIsAccepted() {
    assertThat(errors(s -> s.setTargets(List.of(new ClusterTarget(SUB.toUpperCase(), "rg", "aks"))))).isEmpty();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"rg.", "rg/x", "rg x", "rg#1", "a23456789012345678901234567890123456789012345678901234567890"
      + "1234567890123456789012345678901"})
  void resourceGroupMustBeAnAzureName(String group) {
    assertThat(errors(s -> s.setTargets(List.of(new ClusterTarget(SUB, group, "aks")))))
        .containsExactly("spec.targets[0].resourceGroup: '" + group + "' is not a resource group name; 1 to 90 "
            + "letters, digits, '_', '-', '.', '(' or ')', not ending in '.'");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"r", "prod-weu", "My_RG.(1)", "Ressourcengruppe-Größe", "a2345678901234567890123456789012"
      + "3456789012345678901234567890123456789012345678901234567890"})
  void resourceGroupNamesAzureAccepts(String group) {
    assertThat(group.length()).isLessThanOrEqualTo(90);
    assertThat(errors(s -> s.setTargets(List.of(new ClusterTarget(SUB, group, "aks"))))).isEmpty();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"-aks", "aks-", "_aks", "aks.prod", "aks prod", "äks",
      "a234567890123456789012345678901234567890123456789012345678901234"})
  void clusterNameMustBeAnAksName(String name) {
    assertThat(errors(s -> s.setTargets(List.of(new ClusterTarget(SUB, "rg", name)))))
        .containsExactly("spec.targets[0].clusterName: '" + name + "' is not an AKS cluster name; 1 to 63 letters, "
            + "digits, '-' or '_', starting and ending with a letter or digit");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"a", "7", "aks-prod_weu-1", "a23456789012345678901234567890123456789012345678901234567890123"})
  void clusterNamesAksAccepts(String name) {
    assertThat(errors(s -> s.setTargets(List.of(new ClusterTarget(SUB, "rg", name))))).isEmpty();
  }

  @Test
  void everyTargetFieldIsRequired() {
    assertThat(errors(s -> s.setTargets(List.of(new ClusterTarget(null, "", null))))).containsExactly(
        "spec.targets[0].subscriptionId: is required",
        "spec.targets[0].resourceGroup: is required",
        "spec.targets[0].clusterName: is required");
    assertThat(errors(s -> s.setTargets(Arrays.asList(new ClusterTarget(SUB, "rg", "aks"), null))))
        .containsExactly("spec.targets[1]: is null");
  }

  @Test
  void duplicateTargetsAreFoundCaseInsensitively() {
    assertThat(errors(s -> s.setTargets(List.of(
        new ClusterTarget(SUB, "prod-weu", "aks-prod"),
        new ClusterTarget(SUB, "prod-neu", "aks-prod"),
        new ClusterTarget(SUB.toUpperCase(), "PROD-WEU", "AKS-Prod")))))
        .containsExactly("spec.targets[2]: duplicates spec.targets[0] (AKS-Prod); ARM IDs are case-insensitive, "
            + "list each cluster once");
  }

  // ---- literal ranges ----

  @Test
  void everyInvalidEntryIsReportedWithItsIndex() {
    assertThat(errors(s -> s.setRanges(ranges("73.140.245.0/24", "10.0.0.0/8", "73.140.245.0/24",
        "137.117.106.90/29")))).containsExactly(
        "spec.ranges[1].cidr: 10.0.0.0/8 is not a public range: it lies in 10.0.0.0/8 (private-use, RFC 1918); "
            + "only globally reachable addresses can reach a public API server",
        "spec.ranges[3].cidr: 137.117.106.90/29 is not the first address of its range; did you mean "
            + "137.117.106.88/29?");
  }

  @Test
  void theLoadBalancerMarkerInRangesNamesTheAccessField() {
    assertThat(errors(s -> s.setRanges(ranges("73.140.245.0/24", "0.0.0.0/32")))).singleElement()
        .asString().startsWith("spec.ranges[1].cidr: 0.0.0.0/32 is AKS's marker").contains("access: LoadBalancerOnly");
  }

  @Test
  void missingEntriesAndCidrsAreReported() {
    assertThat(errors(s -> s.setRanges(Arrays.asList(null, new RangeEntry(null, "office"))))).containsExactly(
        "spec.ranges[0]: is null; expected an object with a cidr",
        "spec.ranges[1].cidr: is missing; expected an IPv4 address or CIDR such as 73.140.245.0/24");
  }

  @Test
  void duplicatesAndOverlapsAreNotErrors() {
    PolicyValidator.Result result = validate(s -> s.setRanges(ranges("73.140.245.7", "73.140.245.7/32",
        "73.140.245.0/24", "73.140.244.0/24")));
    assertThat(result.errors()).isEmpty();
    assertThat(result.staticRanges()).hasToString("73.140.244.0/23");
  }

  // ---- rangeSetRefs ----

  @Test
  void unknownRangeSetIsReportedWithTheNamespace() {
    addSet("other", "ci-runners", "20.42.0.0/24");
    assertThat(errors(s -> s.setRangeSetRefs(refs("ci-runners")))).containsExactly(
        "spec.rangeSetRefs[0].name: IpRangeSet 'ci-runners' not found in namespace 'platform'");
  }

  @Test
  void duplicateReferencesAreReported() {
    addSet(NS, "ci-runners", "20.42.0.0/24");
    addSet(NS, "office", "73.140.245.0/24");
    assertThat(errors(s -> s.setRangeSetRefs(refs("ci-runners", "office", "ci-runners")))).containsExactly(
        "spec.rangeSetRefs[2].name: IpRangeSet 'ci-runners' is already referenced at spec.rangeSetRefs[0]; "
            + "reference it once");
  }

  @Test
  void referencesNeedAName() {
    assertThat(errors(s -> s.setRangeSetRefs(Arrays.asList(new RangeSetRef(" "), null, new RangeSetRef(null)))))
        .containsExactly(
            "spec.rangeSetRefs[0].name: is missing; name an IpRangeSet in the same namespace",
            "spec.rangeSetRefs[1].name: is missing; name an IpRangeSet in the same namespace",
            "spec.rangeSetRefs[2].name: is missing; name an IpRangeSet in the same namespace");
  }

  @Test
  void anInvalidReferencedSetMakesThePolicyInvalid() {
    addSet(NS, "bad", "20.42.0.0/24", "192.168.1.0/24", "2001:db8::/32");
    assertThat(errors(s -> s.setRangeSetRefs(refs("bad")))).containsExactly(
        "spec.rangeSetRefs[0].name: IpRangeSet 'bad' is invalid: spec.ranges[1].cidr: 192.168.1.0/24 is not a public "
            + "range: it lies in 192.168.0.0/16 (private-use, RFC 1918); only globally reachable addresses can reach "
            + "a public API server (and 1 more)");
  }

  // ---- service tag, resync interval ----

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @ValueSource(strings = {"AzureCloud,20.20.20.20", "AzureCloud AzureFrontDoor", "Azure Cloud", "", "1Azure",
      "AzureCloud.", "AzureCloud.West.Europe", "AzureCloud-WestEurope", "20.20.20.20"})
  void serviceTagSyntax(String tag) {
    assertThat(errors(s -> s.setServiceTag(tag))).containsExactly("spec.serviceTag: '" + tag + "' is not a service "
        + "tag; write one tag such as AzureCloud or AzureCloud.WestEurope (at most one is allowed)");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      30s|'30s' is out of range; the interval must be between 1m and 24h
      25h|'25h' is out of range; the interval must be between 1m and 24h
      5 minutes|'5 minutes' is not a duration; write it like 30m, 2h or 1h30m
      PT5M|'PT5M' is not a duration; write it like 30m, 2h or 1h30m
      """)
  void resyncIntervalFormatAndBounds(String interval, String message) {
    assertThat(errors(s -> s.setResyncInterval(interval))).containsExactly("spec.resyncInterval: " + message);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"1m", "5m", "1h30m", "24h"})
  void resyncIntervalWithinBounds(String interval) {
    assertThat(errors(s -> s.setResyncInterval(interval))).isEmpty();
  }

  // ---- access ----

  @ParameterizedTest
  @EnumSource(value = Access.class, names = {"Unrestricted", "LoadBalancerOnly"})
  void unrestrictedAndLoadBalancerOnlyTakeNoRangesRefsTagOrExtraIds(Access access) {
    addSet(NS, "ci-runners", "20.42.0.0/24");
    String meaning = access == Access.Unrestricted ? "opens the API server to every address"
        : "allows only the load balancer's outbound IPs";
    assertThat(errors(s -> {
      s.setAccess(access);
      s.setRanges(ranges("73.140.245.0/24"));
      s.setRangeSetRefs(refs("ci-runners"));
      s.setServiceTag("AzureCloud");
      s.setEgress(egress(true, true, true, PIP));
    })).containsExactly(
        "spec.ranges: must be empty with access: " + access + ", which " + meaning + "; remove the ranges or use "
            + "access: Restricted",
        "spec.rangeSetRefs: must be empty with access: " + access + ", which " + meaning + "; remove the references "
            + "or use access: Restricted",
        "spec.serviceTag: cannot be combined with access: " + access + "; use access: Restricted",
        "spec.egress.publicIpResourceIds: must be empty with access: " + access + "; use access: Restricted");
  }

  @ParameterizedTest
  @EnumSource(value = Access.class, names = {"Unrestricted", "LoadBalancerOnly"})
  void theManagementClustersEgressNeedsRestricted(Access access) {
    assertThat(errors(s -> {
      s.setAccess(access);
      s.setRanges(ranges());
      io.authip.api.v1alpha1.Egress e = new io.authip.api.v1alpha1.Egress();
      e.setManagementCluster(true);
      s.setEgress(e);
    })).containsExactly("spec.egress.managementCluster: cannot be true with access: " + access + ", which lists no "
        + "ranges; use access: Restricted");
  }

  @Test
  void r6RestrictedWithNothingIsRefusedNotSentAsAnEmptyList() {
    String message = "spec: access: Restricted with no ranges, no rangeSetRefs, no serviceTag and all egress off "
        + "would send an empty list, which AKS reads as unrestricted; add ranges, or say access: Unrestricted if "
        + "that is really meant";
    assertThat(errors(s -> s.setEgress(egress(false, false, false)))).containsExactly(message);
    assertThat(errors(s -> {
      s.setAccess(Access.Restricted);
      s.setRanges(null);
      s.setRangeSetRefs(null);
      s.setEgress(egress(false, false, false));
    })).containsExactly(message);
    assertThat(errors(s -> s.setEgress(egress(false, true, false)))).isEmpty();
  }

  // ---- the 200 limit (R4) ----

  @Test
  void r4TheTotalCountsLiteralReferencedAndTheServiceTag() {
    addSet(NS, "fifty", hosts(150, 50));
    PolicyValidator.Result atLimit = validate(s -> {
      s.setRanges(ranges(hosts(0, 150)));
      s.setRangeSetRefs(refs("fifty"));
    });
    assertThat(atLimit.errors()).isEmpty();
    assertThat(atLimit.staticRanges().size()).isEqualTo(200);

    assertThat(errors(s -> {
      s.setRanges(ranges(hosts(0, 150)));
      s.setRangeSetRefs(refs("fifty"));
      s.setServiceTag("AzureCloud");
    })).containsExactly("spec: 201 ranges after merging duplicates, overlaps and adjacent ranges; 1 over the limit of "
        + "200 (literal and referenced ranges and the service tag, before egress is added)"
        + "; or set spec.overflow.strategy: Supernet with a budget to cover them with wider blocks");

    assertThat(errors(s -> {
      s.setRanges(ranges(hosts(200, 160)));
      s.setRangeSetRefs(refs("fifty"));
    })).containsExactly("spec: 210 ranges after merging duplicates, overlaps and adjacent ranges; 10 over the limit "
        + "of 200 (literal and referenced ranges, before egress is added)"
        + "; or set spec.overflow.strategy: Supernet with a budget to cover them with wider blocks");
  }

  @Test
  void r4CountsAfterMergingSoOverlapsBetweenLiteralAndReferencedDoNotCountTwice() {
    addSet(NS, "same", hosts(0, 200));
    assertThat(errors(s -> {
      s.setRanges(ranges(hosts(0, 200)));
      s.setRangeSetRefs(refs("same"));
    })).isEmpty();
  }

  @Test
  void supernetLetsAListOverTheLimitThroughWithABudgetAndCheckedNeverCover() {
    java.util.function.Consumer<AuthorizedIpPolicySpec> over = s -> s.setRanges(ranges(hosts(0, 250)));
    assertThat(errors(over.andThen(s -> s.setOverflow(overflow("Supernet", null, 5.0))))).isEmpty();
    assertThat(errors(over.andThen(s -> s.setOverflow(overflow("Supernet", null, null))))).containsExactly(
        "spec.overflow: strategy: Supernet needs a budget: set maxExtraAddresses, maxExtraPercent or both (the most "
            + "addresses beyond the list a cover may admit)");
    assertThat(errors(over.andThen(s -> s.setOverflow(overflow("Refuse", null, 5.0))))).singleElement().asString()
        .startsWith("spec: 250 ranges after merging");
    assertThat(errors(s -> {
      s.setRanges(ranges("73.140.245.0/24"));
      s.setOverflow(overflow("Supernet", -1L, Double.NaN, "73.140.245.128/25", "198.51.100.0/33", ""));
    })).containsExactly(
        "spec.overflow.maxExtraAddresses: must be 0 or more, not -1",
        "spec.overflow.maxExtraPercent: must be from 0 to 10000, not NaN",
        "spec.overflow.neverCover[0].cidr: 73.140.245.128/25 overlaps 73.140.245.0/24 of the policy's own ranges; a "
            + "range in the list cannot be kept out of its cover: remove one of the two",
        "spec.overflow.neverCover[1].cidr: " + invalidCidrMessage("198.51.100.0/33"),
        "spec.overflow.neverCover[2].cidr: is required: a CIDR such as 198.51.100.0/24 the cover must keep out");
  }

  static String invalidCidrMessage(String text) {
    try {
      io.authip.ranges.Cidr.parse(text);
      throw new AssertionError(text + " parsed");
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  static io.authip.api.v1alpha1.Overflow overflow(String strategy, Long addresses, Double percent,
      String... never) {
    io.authip.api.v1alpha1.Overflow o = new io.authip.api.v1alpha1.Overflow();
    o.setStrategy(io.authip.api.v1alpha1.OverflowStrategy.valueOf(strategy));
    o.setMaxExtraAddresses(addresses);
    o.setMaxExtraPercent(percent);
    for (String n : never) {
      RangeEntry e = new RangeEntry();
      e.setCidr(n);
      o.getNeverCover().add(e);
    }
    return o;
  }

  @Test
  void theLimitIsConfigurable() {
    PolicyValidator wide = new PolicyValidator(1000);
    assertThat(wide.maxRanges()).isEqualTo(1000);
    assertThat(wide.validatePolicy(policy(s -> s.setRanges(ranges(hosts(0, 500)))), lookup).errors()).isEmpty();
    assertThat(new PolicyValidator(1).validatePolicy(policy(s -> s.setRanges(ranges(hosts(0, 2)))), lookup)
        .errors()).extracting(FieldError::message).singleElement().asString().contains("1 over the limit of 1");
    assertThatThrownBy(() -> new PolicyValidator(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRanges must be at least 1, got 0");
  }

  @Test
  void aListLongerThan200IsLeftToEachTargetWhenSomeClusterMayAcceptIt() {
    // The operator validates at the largest per-cluster limit (API Server VNet Integration: 2,000); the targets
    // without it are refused one by one (TargetPlanner), not the whole policy.
    PolicyValidator vnet = new PolicyValidator(RangeRules.AKS_VNET_INTEGRATION_MAX_ENTRIES);
    assertThat(vnet.validatePolicy(policy(s -> s.setRanges(ranges(hosts(0, 201)))), lookup).errors()).isEmpty();
    assertThat(vnet.validatePolicy(policy(s -> s.setRanges(ranges(hosts(0, 2000)))), lookup).errors()).isEmpty();
    assertThat(vnet.validatePolicy(policy(s -> s.setRanges(ranges(hosts(0, 2001)))), lookup).errors())
        .extracting(FieldError::message).singleElement().asString()
        .contains("2001 ranges after merging duplicates, overlaps and adjacent ranges; 1 over the limit of 2000");
  }

  // ---- extra public IP IDs ----

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"firewall-pip", "/subscriptions/not-a-guid/resourceGroups/hub/providers/Microsoft.Network/"
      + "publicIPAddresses/pip", "/subscriptions/" + SUB + "/resourceGroups/hub/providers/Microsoft.Network/"
      + "networkInterfaces/nic", "/subscriptions/" + SUB + "/resourceGroups/hub/providers/Microsoft.Network/"
      + "publicIPAddresses/", "/subscriptions/" + SUB + "/resourceGroups/hub/providers/Microsoft.Network/"
      + "publicIPAddresses/pip/extra", " /subscriptions/" + SUB + "/resourceGroups/hub/providers/Microsoft.Network/"
      + "publicIPAddresses/pip"})
  void publicIpResourceIdsMustBePublicIpOrPrefixIds(String id) {
    assertThat(errors(s -> s.setEgress(egress(true, true, true, PIP, id)))).containsExactly(
        "spec.egress.publicIpResourceIds[1]: '" + id + "' is not the ARM ID of a public IP address or prefix; "
            + "expected /subscriptions/<guid>/resourceGroups/<group>/providers/Microsoft.Network/"
            + "publicIPAddresses/<name> (or publicIPPrefixes/<name>)");
  }

  // ---- many errors at once ----

  @Test
  void reportsEveryProblemAtOnce() {
    List<String> errors = errors(s -> {
      s.setTargets(List.of(new ClusterTarget("x", "rg", "aks")));
      s.setRanges(ranges("10.0.0.0/8"));
      s.setRangeSetRefs(refs("missing"));
      s.setServiceTag("a,b");
      s.setResyncInterval("1s");
      s.setEgress(egress(true, true, true, "pip"));
    });
    assertThat(errors).extracting(e -> e.substring(0, e.indexOf(':'))).containsExactly(
        "spec.targets[0].subscriptionId", "spec.ranges[0].cidr", "spec.rangeSetRefs[0].name",
        "spec.egress.publicIpResourceIds[0]", "spec.serviceTag", "spec.resyncInterval");
  }

  // ---- IpRangeSet ----

  @Test
  void rangeSets() {
    assertThat(validator.validateRangeSet(set(NS, "ok", "20.42.0.0/24", "20.42.1.0/24"))).isEmpty();
    assertThat(validator.rangesOf(set(NS, "ok", "20.42.0.0/24", "20.42.1.0/24"))).map(Object::toString)
        .contains("20.42.0.0/23");
    assertThat(validator.validateRangeSet(set(NS, "bad", "20.42.0.0/24", "20.42.0.1/24")))
        .containsExactly(new FieldError("spec.ranges[1].cidr", "20.42.0.1/24 is not the first address of its range; "
            + "did you mean 20.42.0.0/24?"));
    assertThat(validator.rangesOf(set(NS, "bad", "20.42.0.1/24"))).isEmpty();
    assertThat(validator.validateRangeSet(set(NS, "big", hosts(0, 201)))).containsExactly(new FieldError(
        "spec.ranges", "201 ranges after merging duplicates, overlaps and adjacent ranges; 1 over the limit of 200"));
    IpRangeSet noName = set(NS, null, "20.42.0.0/24");
    assertThat(validator.validateRangeSet(noName)).containsExactly(new FieldError("metadata.name", "is required"));
    IpRangeSet noSpec = set(NS, "empty");
    noSpec.setSpec(null);
    assertThat(validator.validateRangeSet(noSpec))
        .containsExactly(new FieldError("spec", "is missing; an IpRangeSet needs spec.ranges or spec.sources"));
    assertThat(validator.rangesOf(noSpec)).isEmpty();
  }

  @Test
  void checkRangesReturnsTheCanonicalSetOfTheValidEntries() {
    PolicyValidator.RangeCheck check = validator.checkRanges("x", ranges("20.42.0.0/24", "bogus", "20.42.1.0/24"));
    assertThat(check.ranges()).hasToString("20.42.0.0/23");
    assertThat(check.errors()).extracting(FieldError::field).containsExactly("x[1].cidr");
  }

  // ---- helpers ----

  PolicyValidator.Result validate(Consumer<AuthorizedIpPolicySpec> customize) {
    return validator.validatePolicy(policy(customize), lookup);
  }

  List<String> errors(Consumer<AuthorizedIpPolicySpec> customize) {
    return validate(customize).errors().stream().map(FieldError::toString).collect(Collectors.toList());
  }

  static AuthorizedIpPolicy policy(Consumer<AuthorizedIpPolicySpec> customize) {
    AuthorizedIpPolicy p = new AuthorizedIpPolicy();
    p.setMetadata(new ObjectMetaBuilder().withName("production").withNamespace(NS).build());
    AuthorizedIpPolicySpec spec = new AuthorizedIpPolicySpec();
    spec.setTargets(List.of(new ClusterTarget(SUB, "prod-weu", "aks-prod-weu")));
    customize.accept(spec);
    p.setSpec(spec);
    return p;
  }

  void addSet(String namespace, String name, String... cidrs) {
    sets.put(namespace + "/" + name, set(namespace, name, cidrs));
  }

  static IpRangeSet set(String namespace, String name, String... cidrs) {
    IpRangeSet s = new IpRangeSet();
    s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    IpRangeSetSpec spec = new IpRangeSetSpec();
    spec.setRanges(ranges(cidrs));
    s.setSpec(spec);
    return s;
  }

  static List<RangeEntry> ranges(String... cidrs) {
    return Arrays.stream(cidrs).map(RangeEntry::of).collect(Collectors.toCollection(ArrayList::new));
  }

  static List<RangeSetRef> refs(String... names) {
    return Arrays.stream(names).map(RangeSetRef::new).collect(Collectors.toList());
  }

  static Egress egress(boolean loadBalancer, boolean natGateway, boolean nodePrefixes, String... ids) {
    Egress e = new Egress();
    e.setLoadBalancer(loadBalancer);
    e.setNatGateway(natGateway);
    e.setNodePublicIpPrefixes(nodePrefixes);
    e.setPublicIpResourceIds(new ArrayList<>(Arrays.asList(ids)));
    return e;
  }

  /** {@code count} public /32s that never merge (every other address of 20.50.0.0/16), starting at the n-th. */
  static String[] hosts(int from, int count) {
    String[] out = new String[count];
    long base = Cidr.parse("20.50.0.0/16").start();
    for (int i = 0; i < count; i++) {
      out[i] = Cidr.formatAddress(base + 2L * (from + i));
    }
    return out;
  }
}
