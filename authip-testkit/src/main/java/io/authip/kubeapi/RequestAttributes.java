package io.authip.kubeapi;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the Kubernetes API server authorizes a request as, derived from its method and URL exactly as
 * kube-apiserver's {@code RequestInfoFactory} does (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go).
 *
 * <p>{@code /api/v1/...} is the core group "" and {@code /apis/GROUP/VERSION/...} a named group; anything shorter or
 * under another prefix is a non-resource request whose verb is the lower-cased HTTP method. For resource requests:
 * POST create, GET/HEAD get (list without a name, watch with {@code ?watch=} anything but {@code 0}/{@code false}),
 * PUT update, PATCH patch, DELETE delete (deletecollection without a name); a {@code /watch/} prefix makes the verb
 * watch. {@code namespaces/NS} scopes the request, except for the namespace's own {@code status} and
 * {@code finalize}. A list or a plain watch with a {@code metadata.name=X} field selector is about the object X
 * (so that resourceNames can allow it), as on a real server.
 *
 * @param resourceRequest false for discovery, /version, /healthz, /openapi and other non-resource URLs
 * @param verb get, list, watch, create, update, patch, delete, deletecollection (resource requests), or the
 *     lower-cased HTTP method (non-resource requests)
 * @param apiGroup "" for the core group
 * @param namespace "" when cluster-scoped (or for all namespaces)
 * @param subresource "" when none
 * @param name "" when none
 * @param path the URL path without its query
 */
public record RequestAttributes(boolean resourceRequest, String verb, String apiGroup, String apiVersion,
    String namespace, String resource, String subresource, String name, String path) {

  private static final Set<String> SPECIAL_VERBS = Set.of("proxy", "watch");
  private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

  /** A resource request, as tests and reviews state one. */
  public static RequestAttributes resource(String verb, String apiGroup, String namespace, String resource,
      String subresource, String name) {
    return new RequestAttributes(true, verb, apiGroup, "", nz(namespace), resource, nz(subresource), nz(name), "");
  }

  /** A non-resource request. */
  public static RequestAttributes nonResource(String verb, String path) {
    return new RequestAttributes(false, verb, "", "", "", "", "", "", path);
  }

  /**
   * @param method the HTTP method
   * @param pathAndQuery the request target, e.g. {@code /api/v1/namespaces/a/events?watch=true}
   */
  public static RequestAttributes of(String method, String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
    String httpVerb = method.toLowerCase(Locale.ROOT);
    RequestAttributes nonResource = nonResource(httpVerb, path);
    List<String> parts = split(path);
    if (parts.size() < 3 || !(parts.get(0).equals("api") || parts.get(0).equals("apis"))) {
      return nonResource;
    }
    boolean grouped = parts.get(0).equals("apis");
    parts = parts.subList(1, parts.size());
    String group = "";
    if (grouped) {
      if (parts.size() < 3) {
        return nonResource;
      }
      group = parts.get(0);
      parts = parts.subList(1, parts.size());
    }
    String version = parts.get(0);
    parts = parts.subList(1, parts.size());
    String verb;
    if (SPECIAL_VERBS.contains(parts.get(0))) {
      if (parts.size() < 2) {
        // kube-apiserver answers this with an error; nothing is allowed for it
        return new RequestAttributes(true, "", group, version, "", "", "", "", path);
      }
      verb = parts.get(0);
      parts = parts.subList(1, parts.size());
    } else {
      verb = switch (method.toUpperCase(Locale.ROOT)) {
        case "POST" -> "create";
        case "GET", "HEAD" -> "get";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> "delete";
        default -> "";
      };
    }
    String namespace = "";
    if (parts.get(0).equals("namespaces")) {
      if (parts.size() > 1) {
        namespace = parts.get(1);
        if (parts.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(parts.get(2))) {
          parts = parts.subList(2, parts.size());
        }
      }
    }
    String resource = parts.get(0);
    String name = parts.size() >= 2 ? parts.get(1) : "";
    String subresource = parts.size() >= 3 && !verb.equals("proxy") ? parts.get(2) : "";
    if (name.isEmpty() && verb.equals("get")) {
      verb = watchRequested(query) ? "watch" : "list";
      String selected = exactName(param(query, "fieldSelector"));
      if (selected != null && validPathSegment(selected)) {
        name = selected;
      }
    }
    if (name.isEmpty() && verb.equals("delete")) {
      verb = "deletecollection";
    }
    return new RequestAttributes(true, verb, group, version, namespace, resource, subresource, name, path);
  }

  /** {@code resource/subresource}, or the resource alone. */
  public String combinedResource() {
    return subresource.isEmpty() ? resource : resource + "/" + subresource;
  }

  @Override
  public String toString() {
    if (!resourceRequest) {
      return verb + " " + path;
    }
    return verb + " " + (apiGroup.isEmpty() ? "" : apiGroup + "/") + combinedResource()
        + (name.isEmpty() ? "" : " " + name) + (namespace.isEmpty() ? "" : " in " + namespace);
  }

  private static boolean watchRequested(String query) {
    String watch = param(query, "watch");
    return watch != null && !(watch.equals("0") || watch.equalsIgnoreCase("false"));
  }

  /** The first value of a query parameter, decoded; null when absent. */
  static String param(String query, String key) {
    if (query == null || query.isEmpty()) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq));
      if (k.equals(key)) {
        return eq < 0 ? "" : decode(pair.substring(eq + 1));
      }
    }
    return null;
  }

  /**
   * The name a field selector requires exactly, as {@code fields.Selector.RequiresExactMatch("metadata.name")}: one
   * of its terms is {@code metadata.name=X} or {@code metadata.name==X}.
   */
  private static String exactName(String selector) {
    if (selector == null || selector.isBlank()) {
      return null;
    }
    for (String term : selector.split(",")) {
      String t = term.strip();
      for (String op : List.of("==", "=")) {
        int i = t.indexOf(op);
        if (i > 0 && !t.startsWith("!", i - 1) && t.substring(0, i).strip().equals("metadata.name")) {
          return t.substring(i + op.length()).strip();
        }
      }
    }
    return null;
  }

  /** {@code path.IsValidPathSegmentName}: not "." or "..", no "/" or "%". */
  private static boolean validPathSegment(String name) {
    return !name.isEmpty() && !name.equals(".") && !name.equals("..") && !name.contains("/") && !name.contains("%");
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  private static List<String> split(String path) {
    String trimmed = path;
    while (trimmed.startsWith("/")) {
      trimmed = trimmed.substring(1);
    }
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    List<String> out = new ArrayList<>();
    if (trimmed.isEmpty()) {
      return out;
    }
    for (String s : trimmed.split("/", -1)) {
      out.add(s);
    }
    return out;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
