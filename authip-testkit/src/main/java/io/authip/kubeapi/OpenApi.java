package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * OpenAPI v3 documents for {@code /openapi/v3}. kubectl reads them before {@code apply}, {@code create},
 * {@code patch} and {@code explain}: a PATCH operation tagged with the kind's
 * {@code x-kubernetes-group-version-kind} and a {@code fieldValidation} parameter tells it the server validates
 * (so no {@code --validate=false} is needed); its request body without strategic merge patch makes
 * {@code kubectl apply} send a JSON merge patch for custom resources, as it does against a real cluster.
 */
final class OpenApi {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
  private static final List<String> PATCH_TYPES =
      List.of("application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml");

  private OpenApi() {
  }

  /** {@code /openapi/v3}: where each group-version's document is. */
  static String root(List<ResourceType> types) {
    ObjectNode root = JSON.objectNode();
    ObjectNode paths = root.putObject("paths");
    byGroupVersion(types).forEach((gv, list) -> {
      String doc = Serialization.asJson(document(list));
      paths.putObject(key(list.get(0))).put("serverRelativeURL", "/openapi/v3/" + key(list.get(0)) + "?hash="
          + sha512(doc));
    });
    return Serialization.asJson(root);
  }

  /** {@code /openapi/v3/api/v1} or {@code /openapi/v3/apis/GROUP/VERSION}. */
  static Optional<String> groupVersion(List<ResourceType> types, String group, String version) {
    List<ResourceType> list = types.stream().filter(t -> t.group().equals(group) && t.version().equals(version))
        .toList();
    return list.isEmpty() ? Optional.empty() : Optional.of(Serialization.asJson(document(list)));
  }

  private static String key(ResourceType t) {
    return t.group().isEmpty() ? "api/" + t.version() : "apis/" + t.group() + "/" + t.version();
  }

  private static Map<String, List<ResourceType>> byGroupVersion(List<ResourceType> types) {
    Map<String, List<ResourceType>> out = new LinkedHashMap<>();
    for (ResourceType t : types) {
      out.computeIfAbsent(t.groupVersion(), k -> new java.util.ArrayList<>()).add(t);
    }
    return out;
  }

  private static ObjectNode document(List<ResourceType> types) {
    ObjectNode doc = JSON.objectNode();
    doc.put("openapi", "3.0.0");
    doc.putObject("info").put("title", "Kubernetes (authip sandbox)").put("version", EmbeddedKubernetes.VERSION);
    ObjectNode paths = doc.putObject("paths");
    ObjectNode schemas = doc.putObject("components").putObject("schemas");
    for (ResourceType t : types) {
      String base = "/" + key(t) + (t.namespaced() ? "/namespaces/{namespace}" : "") + "/" + t.plural();
      ObjectNode collection = paths.putObject(base);
      parameters(collection, t, false);
      collection.set("get", operation(t, "list", "list" + t.kind()));
      collection.set("post", operation(t, "post", "create" + t.kind()));
      collection.set("delete", operation(t, "deletecollection", "deleteCollection" + t.kind()));
      ObjectNode item = paths.putObject(base + "/{name}");
      parameters(item, t, true);
      item.set("get", operation(t, "get", "read" + t.kind()));
      item.set("put", operation(t, "put", "replace" + t.kind()));
      item.set("patch", patch(t, "patch" + t.kind()));
      item.set("delete", operation(t, "delete", "delete" + t.kind()));
      if (t.statusSubresource()) {
        ObjectNode status = paths.putObject(base + "/{name}/status");
        parameters(status, t, true);
        status.set("get", operation(t, "get", "read" + t.kind() + "Status"));
        status.set("put", operation(t, "put", "replace" + t.kind() + "Status"));
        status.set("patch", patch(t, "patch" + t.kind() + "Status"));
      }
      schemas.set(t.definitionName(), schema(t));
    }
    schemas.set(META + "ObjectMeta", objectMeta());
    schemas.putObject(META + "Patch").put("type", "object")
        .put("description", "The body of a PATCH request, in the format its Content-Type names.");
    return doc;
  }

  /** Path parameters on the path; query parameters on each operation, where kubectl looks for them. */
  private static void parameters(ObjectNode path, ResourceType t, boolean item) {
    ArrayNode params = path.putArray("parameters");
    if (item) {
      params.add(param("name", "path", "name of the " + t.kind()));
    }
    if (t.namespaced()) {
      params.add(param("namespace", "path", "object name and auth scope, such as for teams and projects"));
    }
  }

  private static void queryParameters(ObjectNode operation) {
    ArrayNode params = operation.putArray("parameters");
    params.add(param("dryRun", "query", "accepted and ignored: the sandbox has no dry run"));
    params.add(param("fieldManager", "query", "a name associated with the actor making the change"));
    params.add(param("fieldValidation", "query",
        "Ignore, Warn or Strict: what to do with unknown or duplicate fields (the sandbox ignores them)"));
    params.add(param("pretty", "query", "pretty-print the output"));
  }

  private static ObjectNode param(String name, String in, String description) {
    ObjectNode p = JSON.objectNode().put("name", name).put("in", in).put("description", description);
    if (in.equals("path")) {
      p.put("required", true);
    } else {
      p.put("uniqueItems", true);
    }
    p.putObject("schema").put("type", "string");
    return p;
  }

  private static ObjectNode operation(ResourceType t, String action, String operationId) {
    ObjectNode op = JSON.objectNode();
    op.put("operationId", operationId + version(t));
    queryParameters(op);
    ObjectNode ok = op.putObject("responses").putObject("200");
    ok.put("description", "OK");
    ok.putObject("content").putObject("application/json").putObject("schema")
        .put("$ref", "#/components/schemas/" + t.definitionName());
    op.put("x-kubernetes-action", action);
    op.set("x-kubernetes-group-version-kind", gvk(t));
    return op;
  }

  private static ObjectNode patch(ResourceType t, String operationId) {
    ObjectNode op = operation(t, "patch", operationId);
    ObjectNode content = op.putObject("requestBody").put("required", true).putObject("content");
    for (String type : PATCH_TYPES) {
      content.putObject(type).putObject("schema").put("$ref", "#/components/schemas/" + META + "Patch");
    }
    return op;
  }

  private static String version(ResourceType t) {
    return Character.toUpperCase(t.version().charAt(0)) + t.version().substring(1);
  }

  private static ObjectNode gvk(ResourceType t) {
    return JSON.objectNode().put("group", t.group()).put("kind", t.kind()).put("version", t.version());
  }

  private static ObjectNode schema(ResourceType t) {
    ObjectNode s = t.schema() != null && t.schema().isObject() ? (ObjectNode) t.schema().deepCopy()
        : JSON.objectNode().put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
    s.put("type", "object");
    if (!s.has("description")) {
      s.put("description", t.kind() + " (" + t.groupVersion() + ")");
    }
    ObjectNode props = s.has("properties") ? (ObjectNode) s.get("properties") : s.putObject("properties");
    ObjectNode withMeta = JSON.objectNode();
    withMeta.putObject("apiVersion").put("type", "string").put("description",
        "APIVersion defines the versioned schema of this representation of an object.");
    withMeta.putObject("kind").put("type", "string").put("description",
        "Kind is a string value representing the REST resource this object represents.");
    ObjectNode metadata = withMeta.putObject("metadata");
    metadata.put("description", "Standard object's metadata.");
    metadata.putArray("allOf").addObject().put("$ref", "#/components/schemas/" + META + "ObjectMeta");
    props.fields().forEachRemaining(e -> withMeta.set(e.getKey(), e.getValue()));
    s.set("properties", withMeta);
    s.putArray("x-kubernetes-group-version-kind").add(gvk(t));
    return s;
  }

  private static ObjectNode objectMeta() {
    ObjectNode s = JSON.objectNode().put("type", "object").put("description",
        "ObjectMeta is metadata that all persisted resources must have.");
    ObjectNode p = s.putObject("properties");
    for (String f : List.of("name", "namespace", "uid", "resourceVersion", "generateName")) {
      p.putObject(f).put("type", "string");
    }
    p.putObject("generation").put("type", "integer").put("format", "int64");
    p.putObject("creationTimestamp").put("type", "string").put("format", "date-time");
    p.putObject("deletionTimestamp").put("type", "string").put("format", "date-time");
    for (String f : List.of("labels", "annotations")) {
      p.putObject(f).put("type", "object").putObject("additionalProperties").put("type", "string");
    }
    p.putObject("finalizers").put("type", "array").putObject("items").put("type", "string");
    p.putObject("ownerReferences").put("type", "array").putObject("items").put("type", "object")
        .put("x-kubernetes-preserve-unknown-fields", true);
    return s;
  }

  private static String sha512(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-512").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().withUpperCase().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-512 is missing from this JDK", e);
    }
  }
}
