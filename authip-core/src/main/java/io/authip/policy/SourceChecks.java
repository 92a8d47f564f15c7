package io.authip.policy;

import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.FeedFormat;
import io.authip.api.v1alpha1.IpRangeSetSpec;
import io.authip.api.v1alpha1.RangeSource;
import io.authip.api.v1alpha1.ServiceTagSource;
import io.authip.api.v1alpha1.UrlSource;
import io.authip.ranges.RangeParser;
import io.authip.sources.JsonPath;
import io.authip.sources.RefreshInterval;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What can be known about an IpRangeSet's {@code spec.sources}, {@code refreshInterval} and {@code maxShrinkPercent}
 * without reading a source. Which feed hosts are allowed is the operator's configuration, checked when a feed is read.
 */
final class SourceChecks {

  static final int MAX_SOURCES = 20;
  private static final Pattern TAG = Pattern.compile(ServiceTagSource.NAME_PATTERN);
  private static final Pattern LOCATION = Pattern.compile(ServiceTagSource.LOCATION_PATTERN);
  private static final Pattern SUBSCRIPTION = Pattern.compile(ClusterTarget.SUBSCRIPTION_PATTERN);

  private SourceChecks() {
  }

  static List<FieldError> errors(IpRangeSetSpec spec) {
    List<FieldError> errors = new ArrayList<>();
    List<RangeSource> sources = spec.sourcesOrEmpty();
    if (sources.size() > MAX_SOURCES) {
      errors.add(new FieldError("spec.sources", "has " + sources.size() + " entries; at most " + MAX_SOURCES
          + " are allowed (split them over several IpRangeSets)"));
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < sources.size(); i++) {
      String field = "spec.sources[" + i + "]";
      RangeSource s = sources.get(i);
      if (s == null || (s.getAzureServiceTag() == null) == (s.getUrl() == null)) {
        errors.add(new FieldError(field, "must set exactly one of azureServiceTag or url"));
        continue;
      }
      int before = errors.size();
      if (s.getAzureServiceTag() != null) {
        serviceTag(field + ".azureServiceTag", s.getAzureServiceTag(), errors);
      } else {
        url(field + ".url", s.getUrl(), errors);
      }
      if (errors.size() == before) {
        Integer earlier = seen.putIfAbsent(s.key(), i);
        if (earlier != null) {
          errors.add(new FieldError(field, "is the same source as spec.sources[" + earlier + "]; list it once"));
        }
      }
    }
    RefreshInterval.problem(spec.getRefreshInterval())
        .ifPresent(m -> errors.add(new FieldError("spec.refreshInterval", m)));
    Integer shrink = spec.getMaxShrinkPercent();
    if (shrink != null && (shrink < 0 || shrink > 100)) {
      errors.add(new FieldError("spec.maxShrinkPercent", shrink + " is not a percentage; write 0 to 100 (100 never "
          + "holds a refresh back)"));
    }
    return errors;
  }

  private static void serviceTag(String field, ServiceTagSource tag, List<FieldError> errors) {
    if (tag.getName() == null || !TAG.matcher(tag.getName()).matches()) {
      errors.add(new FieldError(field + ".name", (tag.getName() == null ? "is missing"
          : RangeParser.quote(tag.getName()) + " is not a service tag name") + "; write one such as "
          + "AzureCloud.westeurope, AzureDevOps or AzureActiveDirectory"));
    }
    if (tag.getLocation() == null || !LOCATION.matcher(tag.getLocation()).matches()) {
      errors.add(new FieldError(field + ".location", (tag.getLocation() == null ? "is missing"
          : RangeParser.quote(tag.getLocation()) + " is not a location name") + "; write a location of the "
          + "subscription's cloud in lower case, e.g. westeurope"));
    }
    if (tag.getSubscriptionId() != null && !SUBSCRIPTION.matcher(tag.getSubscriptionId()).matches()) {
      errors.add(new FieldError(field + ".subscriptionId", RangeParser.quote(tag.getSubscriptionId())
          + " is not a subscription ID; write a GUID such as 3c1d5e7f-2a4b-4c6d-8e0f-1a2b3c4d5e6f, or leave it out "
          + "to use the operator's default subscription"));
    }
  }

  private static void url(String field, UrlSource url, List<FieldError> errors) {
    String text = url.getUrl();
    if (text == null || text.isBlank()) {
      errors.add(new FieldError(field + ".url", "is missing; write an https:// URL"));
    } else {
      uriProblem(text).ifPresent(m -> errors.add(new FieldError(field + ".url", m)));
    }
    if (url.effectiveFormat() == FeedFormat.json) {
      if (url.getJsonPath() == null || url.getJsonPath().isBlank()) {
        errors.add(new FieldError(field + ".jsonPath", "is missing; format: json needs a path that selects the "
            + "ranges, e.g. $.hooks[*]"));
      } else {
        JsonPath.problem(url.getJsonPath()).ifPresent(m -> errors.add(new FieldError(field + ".jsonPath", m)));
      }
    } else if (url.getJsonPath() != null) {
      errors.add(new FieldError(field + ".jsonPath", "is set with format: text, which has one range per line; "
          + "remove it or use format: json"));
    }
  }

  /** Why the text is not an https URL authip may request (the host allowlist aside), or empty. */
  static java.util.Optional<String> uriProblem(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return java.util.Optional.of(RangeParser.quote(text) + " is not a URL (" + e.getReason() + ")");
    }
    if (!"https".equals(uri.getScheme())) {
      return java.util.Optional.of(RangeParser.quote(text) + " is not https; feeds are read over HTTPS only");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      return java.util.Optional.of(RangeParser.quote(text) + " needs a host and no user name or #fragment, e.g. "
          + "https://api.github.com/meta");
    }
    return java.util.Optional.empty();
  }
}
