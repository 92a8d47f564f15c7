package io.authip.kubeapi;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The decoded query parameters of a request (the first value of each). */
final class Query {

  private final Map<String, String> params;

  private Query(Map<String, String> params) {
    this.params = params;
  }

  static Query parse(String rawQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String key = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        params.putIfAbsent(key, value);
      }
    }
    return new Query(params);
  }

  /** Splits {@code /path?query} into the path and its query. */
  static String pathOf(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
  }

  static Query of(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return parse(q < 0 ? "" : pathAndQuery.substring(q + 1));
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  String get(String key) {
    return params.get(key);
  }

  boolean isTrue(String key) {
    String v = params.get(key);
    return "true".equals(v) || "1".equals(v);
  }

  boolean watch() {
    return isTrue("watch");
  }

  /** This query without the given parameters, re-encoded, with a leading {@code ?} unless empty. */
  String without(Set<String> keys) {
    StringBuilder sb = new StringBuilder();
    params.forEach((k, v) -> {
      if (!keys.contains(k)) {
        sb.append(sb.length() == 0 ? '?' : '&').append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    });
    return sb.toString();
  }
}
