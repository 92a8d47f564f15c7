package io.authip.kubeapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Kubernetes API request path split into its parts: {@code /api/v1[/namespaces/NS]/PLURAL[/NAME[/SUB]]} or
 * {@code /apis/GROUP/VERSION[/namespaces/NS]/PLURAL[/NAME[/SUB]]}. The core group is the empty string; absent
 * parts are null.
 */
record ResourcePath(String group, String version, String namespace, String plural, String name,
    String subresource) {

  /** Returns empty for paths that do not name a resource (discovery, /version, /openapi...). */
  static Optional<ResourcePath> parse(String path) {
    List<String> s = segments(path);
    String group;
    List<String> rest;
    if (s.size() >= 2 && s.get(0).equals("api")) {
      group = "";
      rest = s.subList(2, s.size());
    } else if (s.size() >= 3 && s.get(0).equals("apis")) {
      group = s.get(1);
      rest = s.subList(3, s.size());
    } else {
      return Optional.empty();
    }
    String version = group.isEmpty() ? s.get(1) : s.get(2);
    if (rest.isEmpty()) {
      return Optional.empty();
    }
    boolean namespaceSubresource = group.isEmpty() && rest.size() == 3 && rest.get(0).equals("namespaces")
        && (rest.get(2).equals("status") || rest.get(2).equals("finalize"));
    if (rest.size() >= 3 && rest.get(0).equals("namespaces") && !namespaceSubresource) {
      if (rest.size() > 5) {
        return Optional.empty();
      }
      return Optional.of(new ResourcePath(group, version, rest.get(1), rest.get(2), at(rest, 3), at(rest, 4)));
    }
    if (rest.size() > 3) {
      return Optional.empty();
    }
    return Optional.of(new ResourcePath(group, version, null, rest.get(0), at(rest, 1), at(rest, 2)));
  }

  static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String part : path.split("/")) {
      if (!part.isEmpty()) {
        out.add(part);
      }
    }
    return out;
  }

  private static String at(List<String> list, int i) {
    return i < list.size() ? list.get(i) : null;
  }

  boolean collection() {
    return name == null;
  }

  String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The path of the collection this path belongs to, in the same namespace (or all namespaces). */
  String collectionPath() {
    String base = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    return base + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural;
  }

  /** The path of the object itself, without subresource. */
  String objectPath() {
    return collectionPath() + "/" + name;
  }

  /** How the API server names the resource in messages: {@code authorizedippolicies.authip.io}. */
  String qualifiedResource() {
    return group.isEmpty() ? plural : plural + "." + group;
  }
}
