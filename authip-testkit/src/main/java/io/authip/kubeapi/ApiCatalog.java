package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the embedded API serves: a few built-in kinds (what {@code kubectl describe}, events and leader election
 * need) and every installed CustomResourceDefinition, read from the store at each call so that a CRD applied
 * later shows up too. Builds the discovery documents kubectl reads before anything else.
 */
final class ApiCatalog {

  private static final Logger LOG = LoggerFactory.getLogger(ApiCatalog.class);

  private static final List<ResourceType> BUILT_IN = List.of(
      builtIn("", "Namespace", "namespaces", false, List.of("ns"), true, List.of(
          PrinterColumn.of("Status", "string", "The phase of the namespace.",
              (o, now) -> o.path("status").path("phase").asText(null)),
          PrinterColumn.AGE)),
      builtIn("", "Event", "events", true, List.of("ev"), false, List.of(
          PrinterColumn.of("Last Seen", "string", "When the event was last seen.", ApiCatalog::lastSeen),
          PrinterColumn.of("Type", "string", "Normal or Warning.", (o, now) -> o.path("type").asText(null)),
          PrinterColumn.of("Reason", "string", "Why the event happened.", (o, now) -> o.path("reason").asText(null)),
          PrinterColumn.of("Object", "string", "The object the event is about.", ApiCatalog::involvedObject),
          PrinterColumn.of("Message", "string", "What happened.", (o, now) -> o.path("message").asText(null)))),
      builtIn("", "ConfigMap", "configmaps", true, List.of("cm"), false, List.of(
          PrinterColumn.of("Data", "integer", "Number of keys.",
              (o, now) -> (long) PrinterColumn.count(o.path("data"), o.path("binaryData"))),
          PrinterColumn.AGE)),
      builtIn("", "Secret", "secrets", true, List.of(), false, List.of(
          PrinterColumn.of("Type", "string", "The secret type.", (o, now) -> o.path("type").asText(null)),
          PrinterColumn.of("Data", "integer", "Number of keys.",
              (o, now) -> (long) PrinterColumn.count(o.path("data"))),
          PrinterColumn.AGE)),
      builtIn("", "ServiceAccount", "serviceaccounts", true, List.of("sa"), false, List.of(PrinterColumn.AGE)),
      builtIn("apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions", false,
          List.of("crd", "crds"), true, List.of(PrinterColumn.of("Created At", "date", "When it was created.",
              (o, now) -> o.path("metadata").path("creationTimestamp").asText(null)))),
      builtIn("coordination.k8s.io", "Lease", "leases", true, List.of(), false, List.of(
          PrinterColumn.of("Holder", "string", "The current holder.",
              (o, now) -> o.path("spec").path("holderIdentity").asText(null)),
          PrinterColumn.AGE)));

  private final Supplier<JsonNode> crdList;
  private List<ResourceType> cached = List.of();
  private String cachedKey;

  /** @param crdList reads the store's CustomResourceDefinitionList */
  ApiCatalog(Supplier<JsonNode> crdList) {
    this.crdList = crdList;
  }

  private static ResourceType builtIn(String group, String kind, String plural, boolean namespaced,
      List<String> shortNames, boolean status, List<PrinterColumn> columns) {
    return new ResourceType(group, "v1", kind, plural, kind.toLowerCase(Locale.ROOT), namespaced, shortNames,
        status, false, columns, null);
  }

  /** Built-in kinds first, then the CRDs'; rebuilt only when a CRD changed. */
  synchronized List<ResourceType> types() {
    JsonNode items = crdList.get().path("items");
    StringBuilder key = new StringBuilder();
    for (JsonNode item : items) {
      key.append(item.path("metadata").path("uid").asText()).append(':')
          .append(item.path("metadata").path("resourceVersion").asText()).append(';');
    }
    if (!key.toString().equals(cachedKey)) {
      List<ResourceType> out = new ArrayList<>(BUILT_IN);
      for (JsonNode item : items) {
        CustomResourceDefinition crd = Serialization.jsonMapper().convertValue(item, CustomResourceDefinition.class);
        for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
          if (Boolean.TRUE.equals(v.getServed())) {
            out.add(fromCrd(crd, v));
          }
        }
      }
      cached = List.copyOf(out);
      cachedKey = key.toString();
    }
    return cached;
  }

  private static ResourceType fromCrd(CustomResourceDefinition crd, CustomResourceDefinitionVersion v) {
    var names = crd.getSpec().getNames();
    List<PrinterColumn> columns = new ArrayList<>();
    if (v.getAdditionalPrinterColumns() == null || v.getAdditionalPrinterColumns().isEmpty()) {
      columns.add(PrinterColumn.AGE);
    } else {
      for (var c : v.getAdditionalPrinterColumns()) {
        try {
          columns.add(PrinterColumn.fromCrd(c));
        } catch (IllegalArgumentException e) {
          LOG.warn("CRD {}: printer column {} left out: {}", crd.getMetadata().getName(), c.getName(),
              e.getMessage());
        }
      }
    }
    JsonNode schema = v.getSchema() == null || v.getSchema().getOpenAPIV3Schema() == null ? null
        : Serialization.jsonMapper().valueToTree(v.getSchema().getOpenAPIV3Schema());
    String singular = names.getSingular() == null || names.getSingular().isEmpty()
        ? names.getKind().toLowerCase(Locale.ROOT) : names.getSingular();
    return new ResourceType(crd.getSpec().getGroup(), v.getName(), names.getKind(), names.getPlural(), singular,
        "Namespaced".equals(crd.getSpec().getScope()),
        names.getShortNames() == null ? List.of() : names.getShortNames(),
        v.getSubresources() != null && v.getSubresources().getStatus() != null, true, columns, schema);
  }

  Optional<ResourceType> find(String group, String version, String plural) {
    return types().stream().filter(t -> t.matches(group, version, plural)).findFirst();
  }

  /** {@code /api}. */
  String coreVersions() {
    return Serialization.asJson(new APIVersionsBuilder().withVersions("v1").build());
  }

  /** {@code /apis}: every group but the core one. */
  String groupList() {
    return Serialization.asJson(new APIGroupListBuilder().withGroups(new ArrayList<>(groups().values())).build());
  }

  /** {@code /apis/GROUP}. */
  Optional<String> group(String name) {
    return Optional.ofNullable(groups().get(name)).map(Serialization::asJson);
  }

  private Map<String, APIGroup> groups() {
    Map<String, List<String>> versions = new LinkedHashMap<>();
    for (ResourceType t : types()) {
      if (!t.group().isEmpty()) {
        List<String> vs = versions.computeIfAbsent(t.group(), g -> new ArrayList<>());
        if (!vs.contains(t.version())) {
          vs.add(t.version());
        }
      }
    }
    Map<String, APIGroup> out = new LinkedHashMap<>();
    versions.forEach((group, vs) -> {
      List<GroupVersionForDiscovery> gvs = vs.stream()
          .map(v -> new GroupVersionForDiscovery(group + "/" + v, v)).toList();
      out.put(group, new APIGroupBuilder().withName(group).withVersions(gvs).withPreferredVersion(gvs.get(0))
          .build());
    });
    return out;
  }

  /** {@code /api/v1} or {@code /apis/GROUP/VERSION}; empty when nothing is served there. */
  Optional<String> resourceList(String group, String version) {
    List<ResourceType> types = types().stream()
        .filter(t -> t.group().equals(group) && t.version().equals(version)).toList();
    if (types.isEmpty()) {
      return Optional.empty();
    }
    APIResourceListBuilder list = new APIResourceListBuilder()
        .withGroupVersion(group.isEmpty() ? version : group + "/" + version);
    for (ResourceType t : types) {
      list.addToResources(new APIResourceBuilder().withName(t.plural()).withSingularName(t.singular())
          .withNamespaced(t.namespaced()).withKind(t.kind()).withVerbs(ResourceType.VERBS)
          .withShortNames(t.shortNames().isEmpty() ? null : t.shortNames()).build());
      if (t.statusSubresource()) {
        list.addToResources(new APIResourceBuilder().withName(t.plural() + "/status").withSingularName("")
            .withNamespaced(t.namespaced()).withKind(t.kind()).withVerbs(ResourceType.STATUS_VERBS).build());
      }
      if (t.group().isEmpty() && t.plural().equals("serviceaccounts")) {
        // served by TokenRequests; a real /api/v1 lists it so, with the kind of another group
        list.addToResources(new APIResourceBuilder().withName("serviceaccounts/token").withSingularName("")
            .withNamespaced(true).withGroup("authentication.k8s.io").withVersion("v1").withKind(TokenRequests.KIND)
            .withVerbs("create").build());
      }
    }
    return Optional.of(Serialization.asJson(list.build()));
  }

  private static Object lastSeen(JsonNode event, Instant now) {
    for (String field : List.of("lastTimestamp", "eventTime", "firstTimestamp")) {
      JsonNode t = event.path(field);
      if (t.isTextual() && !t.asText().isEmpty()) {
        try {
          return HumanDuration.format(Duration.between(Instant.parse(t.asText()), now));
        } catch (DateTimeParseException e) {
          return "<invalid>";
        }
      }
    }
    return null;
  }

  private static Object involvedObject(JsonNode event, Instant now) {
    JsonNode ref = event.path("involvedObject");
    return ref.path("kind").asText("").toLowerCase(Locale.ROOT) + "/" + ref.path("name").asText("");
  }
}
