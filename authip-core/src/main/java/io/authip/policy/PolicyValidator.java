package io.authip.policy;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.Overflow;
import io.authip.api.v1alpha1.OverflowStrategy;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.Egress;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.api.v1alpha1.RangeSetRef;
import io.authip.api.v1alpha1.TargetSelector;
import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import io.authip.ranges.RangeParser;
import io.authip.ranges.RangeRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Validates whole resources offline: everything that can be known without Azure. Pure; returns every error found,
 * each with its field path, instead of stopping at the first.
 */
public final class PolicyValidator {

  public static final int MAX_TARGETS = 100;
  /** Far longer than any Azure service tag name (the longest are about 40), short enough to refuse junk. */
  static final int MAX_SERVICE_TAG = 80;
  private static final Pattern SUBSCRIPTION = Pattern.compile(ClusterTarget.SUBSCRIPTION_PATTERN);
  private static final Pattern RESOURCE_GROUP = Pattern.compile(ClusterTarget.RESOURCE_GROUP_PATTERN,
      Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern CLUSTER_NAME = Pattern.compile(ClusterTarget.CLUSTER_NAME_PATTERN);
  private static final Pattern SERVICE_TAG = Pattern.compile(AuthorizedIpPolicySpec.SERVICE_TAG_PATTERN);
  private static final Pattern PUBLIC_IP_ID = Pattern.compile(
      "^/subscriptions/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/resourceGroups/[^/]+"
          + "/providers/Microsoft\\.Network/(publicIPAddresses|publicIPPrefixes)/[^/]+$",
      Pattern.CASE_INSENSITIVE);

  /** Finds the IpRangeSet a policy refers to. */
  @FunctionalInterface
  public interface RangeSetLookup {
    Optional<IpRangeSet> find(String namespace, String name);

    /**
     * The content in use of a set's {@code spec.sources}, as the operator keeps it (never the set's status, which
     * any writer of the set may write). A lookup that keeps none knows no source content.
     */
    default SourceRanges sources(IpRangeSet set) {
      return set.getSpec() == null || set.getSpec().sourcesOrEmpty().isEmpty() ? SourceRanges.NONE
          : SourceRanges.missing("the content of its sources is not known here");
    }
  }

  /**
   * The blocks a set's sources contribute, or why they cannot be used yet (a source never read successfully): a set
   * with a source missing is not used, since a list without that source's ranges could lock its users out.
   */
  public record SourceRanges(CidrSet blocks, Optional<String> missing) {

    public static final SourceRanges NONE = new SourceRanges(CidrSet.empty(), Optional.empty());

    public static SourceRanges of(CidrSet blocks) {
      return new SourceRanges(blocks, Optional.empty());
    }

    public static SourceRanges missing(String why) {
      return new SourceRanges(CidrSet.empty(), Optional.of(why));
    }
  }

  /**
   * The result of checking a list of entries.
   *
   * @param ranges the canonical set of the valid entries
   * @param errors one per invalid entry
   */
  public record RangeCheck(CidrSet ranges, List<FieldError> errors) {
  }

  /**
   * The result of validating a policy.
   *
   * @param staticRanges literal and referenced ranges, canonical (egress is added per target at run time)
   * @param errors empty when the policy is valid
   */
  public record Result(CidrSet staticRanges, List<FieldError> errors) {
    public boolean valid() {
      return errors.isEmpty();
    }
  }

  private final int maxRanges;

  public PolicyValidator() {
    this(RangeRules.AKS_MAX_ENTRIES);
  }

  public PolicyValidator(int maxRanges) {
    if (maxRanges < 1) {
      throw new IllegalArgumentException("maxRanges must be at least 1, got " + maxRanges);
    }
    this.maxRanges = maxRanges;
  }

  public int maxRanges() {
    return maxRanges;
  }

  /** Checks every entry; the valid ones form the canonical set. */
  public RangeCheck checkRanges(String path, List<RangeEntry> entries) {
    List<FieldError> errors = new ArrayList<>();
    List<Cidr> valid = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      RangeEntry entry = entries.get(i);
      String field = path + "[" + i + "].cidr";
      if (entry == null) {
        errors.add(new FieldError(path + "[" + i + "]", "is null; expected an object with a cidr"));
        continue;
      }
      RangeRules.Checked checked = RangeRules.check(entry.getCidr());
      if (checked instanceof RangeRules.Checked.Valid v) {
        valid.add(v.cidr());
      } else {
        errors.add(new FieldError(field, ((RangeRules.Checked.Invalid) checked).message()));
      }
    }
    return new RangeCheck(CidrSet.of(valid), errors);
  }

  public List<FieldError> validateRangeSet(IpRangeSet set) {
    return checkRangeSet(set).errors();
  }

  /**
   * Validates a set once: its errors, and its canonical ranges (empty when there are errors), so that callers that
   * need both do not parse the entries twice.
   */
  public RangeCheck checkRangeSet(IpRangeSet set) {
    return checkRangeSet(set, SourceRanges.NONE);
  }

  /**
   * As {@link #checkRangeSet(IpRangeSet)}, with the content in use of the set's sources added to its ranges; an
   * error on {@code spec.sources} when that content is missing.
   */
  public RangeCheck checkRangeSet(IpRangeSet set, SourceRanges sources) {
    List<FieldError> errors = new ArrayList<>(metadataErrors(set.getMetadata() == null ? null
        : set.getMetadata().getName()));
    readProblems(set.getReadProblems(), errors);
    if (set.getSpec() == null) {
      if (set.getReadProblems().isEmpty()) {
        errors.add(new FieldError("spec", "is missing; an IpRangeSet needs spec.ranges or spec.sources"));
      }
      return new RangeCheck(CidrSet.empty(), errors);
    }
    RangeCheck check = checkRanges("spec.ranges", set.getSpec().rangesOrEmpty());
    errors.addAll(check.errors());
    RangeRules.limitProblem(check.ranges().size(), maxRanges)
        .ifPresent(m -> errors.add(new FieldError("spec.ranges", m)));
    errors.addAll(SourceChecks.errors(set.getSpec()));
    CidrSet ranges = check.ranges();
    if (!set.getSpec().sourcesOrEmpty().isEmpty() && errors.isEmpty()) {
      if (sources.missing().isPresent()) {
        errors.add(new FieldError("spec.sources", sources.missing().get()));
      } else {
        ranges = ranges.union(sources.blocks());
      }
    }
    List<FieldError> found = withoutEchoes(set.getReadProblems(), errors);
    return new RangeCheck(found.isEmpty() ? ranges : CidrSet.empty(), found);
  }


  /** The canonical ranges of a valid set, or empty when it has errors. */
  public Optional<CidrSet> rangesOf(IpRangeSet set) {
    RangeCheck check = checkRangeSet(set);
    return check.errors().isEmpty() ? Optional.of(check.ranges()) : Optional.empty();
  }


  public Result validatePolicy(AuthorizedIpPolicy policy, RangeSetLookup lookup) {
    List<FieldError> errors = new ArrayList<>(metadataErrors(policy.getMetadata() == null ? null
        : policy.getMetadata().getName()));
    readProblems(policy.getReadProblems(), errors);
    AuthorizedIpPolicySpec spec = policy.getSpec();
    if (spec == null) {
      if (policy.getReadProblems().isEmpty()) {
        errors.add(new FieldError("spec", "is missing; a policy needs at least spec.targets"));
      }
      return new Result(CidrSet.empty(), errors);
    }
    validateTargets(spec.getTargets(), spec.targetSelectorsOrEmpty().isEmpty(), errors);
    validateSelectors(spec.getTargetSelectors(), errors);

    RangeCheck literal = checkRanges("spec.ranges", spec.rangesOrEmpty());
    errors.addAll(literal.errors());
    CidrSet all = literal.ranges();

    String namespace = policy.getMetadata() == null ? null : policy.getMetadata().getNamespace();
    Map<String, Integer> seenRefs = new HashMap<>();
    List<RangeSetRef> refs = spec.rangeSetRefsOrEmpty();
    for (int i = 0; i < refs.size(); i++) {
      String field = "spec.rangeSetRefs[" + i + "].name";
      RangeSetRef ref = refs.get(i);
      if (ref == null || ref.getName() == null || ref.getName().isBlank()) {
        errors.add(new FieldError(field, "is missing; name an IpRangeSet in the same namespace"));
        continue;
      }
      Integer earlier = seenRefs.putIfAbsent(ref.getName(), i);
      if (earlier != null) {
        errors.add(new FieldError(field, "IpRangeSet " + RangeParser.quote(ref.getName()) + " is already referenced "
            + "at spec.rangeSetRefs[" + earlier + "]; reference it once"));
        continue;
      }
      Optional<IpRangeSet> found = lookup.find(namespace, ref.getName());
      if (found.isEmpty()) {
        errors.add(new FieldError(field, "IpRangeSet " + RangeParser.quote(ref.getName()) + " not found in "
            + "namespace '" + (namespace == null ? "default" : namespace) + "'"));
        continue;
      }
      RangeCheck setCheck = checkRangeSet(found.get(), lookup.sources(found.get()));
      List<FieldError> setErrors = setCheck.errors();
      if (!setErrors.isEmpty()) {
        errors.add(new FieldError(field, "IpRangeSet " + RangeParser.quote(ref.getName()) + " is invalid: "
            + setErrors.get(0) + (setErrors.size() > 1 ? " (and " + (setErrors.size() - 1) + " more)" : "")));
        continue;
      }
      all = all.union(setCheck.ranges());
    }

    Access access = spec.effectiveAccess();
    Egress egress = spec.effectiveEgress();
    List<String> extraIds = egress.publicIpResourceIdsOrEmpty();
    for (int i = 0; i < extraIds.size(); i++) {
      String id = extraIds.get(i);
      if (id == null || !PUBLIC_IP_ID.matcher(id).matches()) {
        errors.add(new FieldError("spec.egress.publicIpResourceIds[" + i + "]", (id == null ? "null"
            : RangeParser.quote(id)) + " is not the ARM ID of a public IP address or prefix; expected /subscriptions/<guid>/resourceGroups/<group>/providers/"
            + "Microsoft.Network/publicIPAddresses/<name> (or publicIPPrefixes/<name>)"));
      }
    }
    if (spec.getServiceTag() != null && spec.getServiceTag().length() > MAX_SERVICE_TAG) {
      errors.add(new FieldError("spec.serviceTag", RangeParser.quote(spec.getServiceTag()) + " is longer than "
          + MAX_SERVICE_TAG + " characters; Azure service tags are names such as AzureCloud.WestEurope"));
    } else if (spec.getServiceTag() != null && !SERVICE_TAG.matcher(spec.getServiceTag()).matches()) {
      errors.add(new FieldError("spec.serviceTag", RangeParser.quote(spec.getServiceTag()) + " is not a service tag; "
          + "write one tag such as AzureCloud or AzureCloud.WestEurope (at most one is allowed)"));
    }
    if (spec.getResyncInterval() != null) {
      ResyncInterval.problem(spec.getResyncInterval())
          .ifPresent(m -> errors.add(new FieldError("spec.resyncInterval", m)));
    }

    switch (access) {
      case Unrestricted, LoadBalancerOnly -> {
        String meaning = access == Access.Unrestricted ? "opens the API server to every address"
            : "allows only the load balancer's outbound IPs";
        if (!spec.rangesOrEmpty().isEmpty()) {
          errors.add(new FieldError("spec.ranges", "must be empty with access: " + access + ", which " + meaning
              + "; remove the ranges or use access: Restricted"));
        }
        if (!refs.isEmpty()) {
          errors.add(new FieldError("spec.rangeSetRefs", "must be empty with access: " + access + ", which "
              + meaning + "; remove the references or use access: Restricted"));
        }
        if (spec.getServiceTag() != null) {
          errors.add(new FieldError("spec.serviceTag", "cannot be combined with access: " + access
              + "; use access: Restricted"));
        }
        if (!extraIds.isEmpty()) {
          errors.add(new FieldError("spec.egress.publicIpResourceIds", "must be empty with access: " + access
              + "; use access: Restricted"));
        }
        if (egress.managementClusterEnabled()) {
          errors.add(new FieldError("spec.egress.managementCluster", "cannot be true with access: " + access
              + ", which lists no ranges; use access: Restricted"));
        }
      }
      case Restricted -> {
        int entries = all.size() + (spec.getServiceTag() != null ? 1 : 0);
        boolean supernet = spec.effectiveOverflow().effectiveStrategy() == OverflowStrategy.Supernet;
        if (!supernet) {
          RangeRules.limitProblem(entries, maxRanges).ifPresent(m -> errors.add(new FieldError("spec",
              m + " (literal and referenced ranges" + (spec.getServiceTag() != null ? " and the service tag" : "")
                  + ", before egress is added); or set spec.overflow.strategy: Supernet with a budget to cover "
                  + "them with wider blocks")));
        }
        checkOverflow(spec, all, errors);
        boolean anyEgress = egress.loadBalancerEnabled() || egress.natGatewayEnabled()
            || egress.nodePublicIpPrefixesEnabled() || !extraIds.isEmpty();
        if (spec.rangesOrEmpty().isEmpty() && refs.isEmpty() && spec.getServiceTag() == null && !anyEgress) {
          errors.add(new FieldError("spec", "access: Restricted with no ranges, no rangeSetRefs, no serviceTag and "
              + "all egress off would send an empty list, which AKS reads as unrestricted; add ranges, or say "
              + "access: Unrestricted if that is really meant"));
        }
      }
      default -> throw new IllegalStateException("unknown access " + access);
    }
    return new Result(all, withoutEchoes(policy.getReadProblems(), errors));
  }

  /**
   * A field that could not be read is null afterwards; "is missing" or "is null" on it (or on a field inside it)
   * would only repeat the read problem in other words. The read problem itself always stays.
   */
  private static List<FieldError> withoutEchoes(List<String> readProblems, List<FieldError> errors) {
    if (readProblems == null || readProblems.isEmpty()) {
      return List.copyOf(errors);
    }
    List<FieldError> read = new ArrayList<>();
    readProblems(readProblems, read);
    List<FieldError> out = new ArrayList<>();
    for (FieldError e : errors) {
      boolean echo = !read.contains(e) && read.stream().anyMatch(r -> !r.field().isEmpty()
          && (e.field().equals(r.field()) || e.field().startsWith(r.field() + ".")
          || e.field().startsWith(r.field() + "[")));
      if (!echo) {
        out.add(e);
      }
    }
    return List.copyOf(out);
  }

  private static void validateTargets(List<ClusterTarget> targets, boolean noSelectors, List<FieldError> errors) {
    if (targets == null || targets.isEmpty()) {
      if (noSelectors) {
        errors.add(new FieldError("spec.targets", "is empty; name at least one AKS cluster (subscriptionId, "
            + "resourceGroup, clusterName), or select clusters by their Azure tags with spec.targetSelectors"));
      }
      return;
    }
    if (targets.size() > MAX_TARGETS) {
      errors.add(new FieldError("spec.targets", targets.size() + " targets; at most " + MAX_TARGETS
          + " are allowed per policy, split it into several policies"));
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < targets.size(); i++) {
      String path = "spec.targets[" + i + "]";
      ClusterTarget t = targets.get(i);
      if (t == null) {
        errors.add(new FieldError(path, "is null"));
        continue;
      }
      int before = errors.size();
      require(path + ".subscriptionId", t.getSubscriptionId(), SUBSCRIPTION,
          "is not a subscription ID; expected a GUID such as 6f1e2a3b-0000-4c5d-8e9f-0123456789ab", errors);
      require(path + ".resourceGroup", t.getResourceGroup(), RESOURCE_GROUP,
          "is not a resource group name; 1 to 90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'",
          errors);
      require(path + ".clusterName", t.getClusterName(), CLUSTER_NAME,
          "is not an AKS cluster name; 1 to 63 letters, digits, '-' or '_', starting and ending with a letter or "
              + "digit", errors);
      if (errors.size() == before) {
        Integer earlier = seen.putIfAbsent(t.key(), i);
        if (earlier != null) {
          errors.add(new FieldError(path, "duplicates spec.targets[" + earlier + "] (" + t.getClusterName()
              + "); ARM IDs are case-insensitive, list each cluster once"));
        }
      }
    }
  }

  /**
   * spec.overflow: a budget with Supernet (widening without one would be unbounded: fail closed), budgets not
   * negative, neverCover entries that are CIDRs and keep out of the policy's own ranges.
   */
  private static void checkOverflow(AuthorizedIpPolicySpec spec, CidrSet ranges, List<FieldError> errors) {
    Overflow overflow = spec.getOverflow();
    if (overflow == null) {
      return;
    }
    if (overflow.effectiveStrategy() == OverflowStrategy.Supernet && overflow.getMaxExtraAddresses() == null
        && overflow.getMaxExtraPercent() == null) {
      errors.add(new FieldError("spec.overflow", "strategy: Supernet needs a budget: set maxExtraAddresses, "
          + "maxExtraPercent or both (the most addresses beyond the list a cover may admit)"));
    }
    if (overflow.getMaxExtraAddresses() != null && overflow.getMaxExtraAddresses() < 0) {
      errors.add(new FieldError("spec.overflow.maxExtraAddresses", "must be 0 or more, not "
          + overflow.getMaxExtraAddresses()));
    }
    Double percent = overflow.getMaxExtraPercent();
    if (percent != null && (percent.isNaN() || percent < 0 || percent > 10000)) {
      errors.add(new FieldError("spec.overflow.maxExtraPercent", "must be from 0 to 10000, not " + percent));
    }
    List<RangeEntry> never = overflow.neverCoverOrEmpty();
    for (int i = 0; i < never.size(); i++) {
      String at = "spec.overflow.neverCover[" + i + "].cidr";
      String text = never.get(i) == null ? null : never.get(i).getCidr();
      if (text == null || text.isBlank()) {
        errors.add(new FieldError(at, "is required: a CIDR such as 198.51.100.0/24 the cover must keep out"));
        continue;
      }
      Cidr block;
      try {
        block = Cidr.parse(text.strip().contains("/") ? text.strip() : text.strip() + "/32");
      } catch (IllegalArgumentException e) {
        errors.add(new FieldError(at, e.getMessage()));
        continue;
      }
      Cidr clash = ranges.firstOverlap(block).orElse(null);
      if (clash != null) {
        errors.add(new FieldError(at, block + " overlaps " + clash + " of the policy's own ranges; a range in the "
            + "list cannot be kept out of its cover: remove one of the two"));
      }
    }
  }

  /** Azure's limits on a tag: name 1 to 512 characters, value up to 256. */
  private static final int MAX_TAG_NAME = 512;
  private static final int MAX_TAG_VALUE = 256;

  private static void validateSelectors(List<TargetSelector> selectors, List<FieldError> errors) {
    if (selectors == null) {
      return;
    }
    if (selectors.size() > AuthorizedIpPolicySpec.MAX_SELECTORS) {
      errors.add(new FieldError("spec.targetSelectors", selectors.size() + " selectors; at most "
          + AuthorizedIpPolicySpec.MAX_SELECTORS + " are allowed per policy"));
    }
    Map<TargetSelector, Integer> seen = new HashMap<>();
    for (int i = 0; i < selectors.size(); i++) {
      String path = "spec.targetSelectors[" + i + "]";
      TargetSelector sel = selectors.get(i);
      if (sel == null) {
        errors.add(new FieldError(path, "is null"));
        continue;
      }
      require(path + ".subscriptionId", sel.getSubscriptionId(), SUBSCRIPTION,
          "is not a subscription ID; expected a GUID such as 6f1e2a3b-0000-4c5d-8e9f-0123456789ab", errors);
      if (sel.getResourceGroup() != null) {
        require(path + ".resourceGroup", sel.getResourceGroup(), RESOURCE_GROUP,
            "is not a resource group name; 1 to 90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'",
            errors);
      }
      Map<String, String> tags = sel.getClusterTags();
      if (tags == null || tags.isEmpty()) {
        errors.add(new FieldError(path + ".clusterTags", "is empty; give at least one Azure tag (name: value) the "
            + "clusters must carry: a selector without tags would take every cluster of the "
            + (sel.getResourceGroup() == null ? "subscription" : "resource group")));
      } else {
        if (tags.size() > TargetSelector.MAX_TAGS) {
          errors.add(new FieldError(path + ".clusterTags", tags.size() + " tags; Azure resources carry at most "
              + TargetSelector.MAX_TAGS + ", so no cluster could match"));
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Map.Entry<String, String> tag : tags.entrySet()) {
          String name = tag.getKey();
          String field = path + ".clusterTags[" + RangeParser.quote(String.valueOf(name)) + "]";
          if (name == null || name.isEmpty() || name.length() > MAX_TAG_NAME) {
            errors.add(new FieldError(field, "is not an Azure tag name; 1 to " + MAX_TAG_NAME + " characters"));
          } else if (!names.add(name.toLowerCase(java.util.Locale.ROOT))) {
            errors.add(new FieldError(field, "names a tag already given in another case; Azure tag names are "
                + "case-insensitive, give it once"));
          }
          if (tag.getValue() == null || tag.getValue().length() > MAX_TAG_VALUE) {
            errors.add(new FieldError(field, "is not an Azure tag value; a string of at most " + MAX_TAG_VALUE
                + " characters (\"\" for an empty value)"));
          }
        }
      }
      Integer earlier = seen.putIfAbsent(sel, i);
      if (earlier != null) {
        errors.add(new FieldError(path, "duplicates spec.targetSelectors[" + earlier + "]; give each selector once"));
      }
    }
  }

  private static void require(String field, String value, Pattern pattern, String problem, List<FieldError> errors) {
    if (value == null || value.isEmpty()) {
      errors.add(new FieldError(field, "is required"));
    } else if (!pattern.matcher(value).matches()) {
      errors.add(new FieldError(field, RangeParser.quote(value) + " " + problem));
    }
  }

  /** Problems found while reading the resource ("path: message"), e.g. a list where a string belongs. */
  private static void readProblems(List<String> problems, List<FieldError> errors) {
    for (String p : problems == null ? List.<String>of() : problems) {
      int colon = p.indexOf(": ");
      errors.add(colon > 0 ? new FieldError(p.substring(0, colon), p.substring(colon + 2)) : new FieldError("", p));
    }
  }

  private static List<FieldError> metadataErrors(String name) {
    if (name == null || name.isBlank()) {
      return List.of(new FieldError("metadata.name", "is required"));
    }
    return List.of();
  }
}
