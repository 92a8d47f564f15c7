package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One resource the embedded API serves, as discovery, OpenAPI and tables describe it.
 *
 * @param custom whether it comes from a CustomResourceDefinition (no strategic merge patch, like a real server)
 * @param columns the table columns after Name
 * @param schema the OpenAPI v3 schema, or null when only a permissive one is published
 */
record ResourceType(String group, String version, String kind, String plural, String singular, boolean namespaced,
    List<String> shortNames, boolean statusSubresource, boolean custom, List<PrinterColumn> columns,
    JsonNode schema) {

  static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
  static final List<String> STATUS_VERBS = List.of("get", "patch", "update");

  ResourceType {
    shortNames = List.copyOf(shortNames);
    columns = List.copyOf(columns);
  }

  String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The OpenAPI definition name, e.g. {@code io.authip.v1alpha1.AuthorizedIpPolicy}. */
  String definitionName() {
    if (group.isEmpty()) {
      return "io.k8s.api.core." + version + "." + kind;
    }
    List<String> parts = new java.util.ArrayList<>(List.of(group.split("\\.")));
    java.util.Collections.reverse(parts);
    return String.join(".", parts) + "." + version + "." + kind;
  }

  boolean matches(String group, String version, String plural) {
    return this.group.equals(group) && this.version.equals(version) && this.plural.equals(plural);
  }
}
