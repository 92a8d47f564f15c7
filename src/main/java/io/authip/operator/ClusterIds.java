package io.authip.operator;

import io.authip.api.v1alpha1.ClusterTarget;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Managed cluster ARM IDs back to targets. */
final class ClusterIds {

  private static final Pattern ID = Pattern.compile(
      "^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.ContainerService/managedClusters/([^/]+)$",
      Pattern.CASE_INSENSITIVE);

  private ClusterIds() {
  }

  static Optional<ClusterTarget> parse(String id) {
    Matcher m = ID.matcher(id);
    return m.matches() ? Optional.of(new ClusterTarget(m.group(1), m.group(2), m.group(3))) : Optional.empty();
  }
}
