package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LIST pagination as kube-apiserver does it: {@code limit} and {@code continue}, {@code metadata.continue} and
 * {@code metadata.remainingItemCount}, and every page of one list consistent with the resourceVersion of its first
 * page.
 *
 * <p>etcd serves later pages from its history at that resourceVersion; here the first page of a list that has more
 * keeps the list (its objects as they were then, in order) for {@link #KEPT} and the next pages are cut from it, so a
 * client sees what etcd would show: nothing created, changed or deleted after the first page. Changes after the
 * first page come from a watch started at the list's resourceVersion, as with a real API server. At most
 * {@link #MAX_KEPT} lists are kept; a token of a list no longer kept gets 410 Gone, reason {@code Expired}, as a
 * token older than etcd's compaction does (the client lists again from the start).
 *
 * <p>The token has kube-apiserver's format: unpadded base64url of {@code {"v":"meta.k8s.io/v1","rv":RV,
 * "start":KEY}}, KEY the last returned object's key within the listed collection ({@code NAME}, or
 * {@code NAMESPACE/NAME} when listing a namespaced kind across namespaces) followed by a NUL character. A token that
 * does not decode, or whose key is not in the listed collection, gets 400 Bad Request.
 *
 * <p>Objects are in the order lists have always had here: by namespace, then name.
 */
final class ListPages {

  /** How long a list's later pages can be asked for: kube-apiserver compacts etcd every five minutes. */
  static final Duration KEPT = Duration.ofMinutes(5);
  /** Lists kept at once, the least recently read dropped first. */
  static final int MAX_KEPT = 32;
  static final String TOKEN_VERSION = "meta.k8s.io/v1";
  static final String EXPIRED = "The provided continue parameter is too old to display a consistent list result. "
      + "You can start a new list without the continue parameter.";

  private static final Comparator<Store.Item> ORDER = Comparator.comparing(Store.Item::namespace)
      .thenComparing(Store.Item::name);

  /** One page: its objects, the list's resourceVersion, the token for the next page, and how many remain. */
  record Page(List<JsonNode> items, String resourceVersion, String continueToken, Long remainingItemCount) {
  }

  /** A continue token that cannot be used: {@code code} is 400 (not valid) or 410 (expired). */
  static final class Refused extends Exception {
    final int code;

    Refused(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  private record Key(String collection, String fieldSelector, String labelSelector, long resourceVersion) {
  }

  private record Kept(Store.Snapshot snapshot, Instant until) {
  }

  private final Clock clock;
  private final Map<Key, Kept> kept = new LinkedHashMap<>(16, 0.75f, true);

  ListPages(Clock clock) {
    this.clock = clock;
  }

  /**
   * A page of a list.
   *
   * @param rp the listed collection
   * @param limit at most this many objects; 0 or less for all of them
   * @param token the request's {@code continue}, or null or empty for the first page
   * @param read reads the collection now (only called for a first page)
   * @throws Refused for a token that is not valid here (400) or of a list no longer kept (410)
   */
  Page page(ResourcePath rp, FieldSelector fields, LabelSelector labels, String fieldText, String labelText,
      long limit, String token, java.util.function.Supplier<Store.Snapshot> read) throws Refused {
    String collection = rp.collectionPath();
    boolean selectors = !(fieldText == null || fieldText.isBlank()) || !(labelText == null || labelText.isBlank());
    Store.Snapshot snapshot;
    int from;
    if (token == null || token.isEmpty()) {
      snapshot = read.get();
      from = 0;
    } else {
      Token t = Token.decode(token);
      Store.Item start = t.start(rp);
      Key key = new Key(collection, norm(fieldText), norm(labelText), t.resourceVersion());
      Kept k;
      synchronized (this) {
        expire();
        k = kept.get(key);
      }
      if (k == null) {
        throw new Refused(410, EXPIRED);
      }
      snapshot = k.snapshot();
      from = after(snapshot.items(), start);
    }
    List<JsonNode> items = new ArrayList<>();
    List<Store.Item> all = snapshot.items();
    int next = from;
    while (next < all.size() && (limit <= 0 || items.size() < limit)) {
      JsonNode object = Json.parse(all.get(next).json());
      next++;
      if (fields.matches(object) && labels.matches(object)) {
        items.add(object);
      }
    }
    String rv = String.valueOf(snapshot.resourceVersion());
    if (next >= all.size()) {
      return new Page(items, rv, null, null);
    }
    synchronized (this) {
      expire();
      kept.putIfAbsent(new Key(collection, norm(fieldText), norm(labelText), snapshot.resourceVersion()),
          new Kept(snapshot, clock.instant().plus(KEPT)));
      while (kept.size() > MAX_KEPT) {
        Iterator<Key> eldest = kept.keySet().iterator();
        eldest.next();
        eldest.remove();
      }
    }
    String continueToken = new Token(snapshot.resourceVersion(), key(rp, all.get(next - 1))).encode();
    return new Page(items, rv, continueToken, selectors ? null : (long) (all.size() - next));
  }

  /** Forgets every kept list: their tokens get 410 Gone from now on, as after a compaction. */
  synchronized void expireAll() {
    kept.clear();
  }

  private void expire() {
    Instant now = clock.instant();
    kept.values().removeIf(k -> now.isAfter(k.until()));
  }

  private static String norm(String selector) {
    return selector == null ? "" : selector.strip();
  }

  /** The position of the first object after {@code start}. */
  private static int after(List<Store.Item> items, Store.Item start) {
    int low = 0;
    int high = items.size();
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (ORDER.compare(items.get(mid), start) <= 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /** An object's key within the listed collection, as in etcd below the collection's prefix. */
  private static String key(ResourcePath rp, Store.Item item) {
    return rp.namespace() == null && !item.namespace().isEmpty() ? item.namespace() + "/" + item.name()
        : item.name();
  }

  /** The decoded {@code continue} parameter. */
  record Token(long resourceVersion, String start) {

    String encode() {
      ObjectNode json = JsonNodeFactory.instance.objectNode();
      json.put("v", TOKEN_VERSION).put("rv", resourceVersion).put("start", start + "\u0000");
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          Serialization.asJson(json).getBytes(StandardCharsets.UTF_8));
    }

    static Token decode(String token) throws Refused {
      JsonNode json;
      try {
        // kube-apiserver writes unpadded base64url, and also reads the padded form
        json = Json.parse(Base64.getUrlDecoder().decode(token.strip()));
      } catch (RuntimeException e) {
        throw new Refused(400, "continue key is not valid: " + e.getMessage());
      }
      if (!json.isObject() || !TOKEN_VERSION.equals(json.path("v").asText())) {
        throw new Refused(400, "continue key is not valid: server does not recognize this encoded key");
      }
      String start = json.path("start").asText("");
      if (!json.path("rv").canConvertToLong() || json.path("rv").asLong() <= 0 || start.isEmpty()) {
        throw new Refused(400, "continue key is not valid: incorrect encoded start resourceVersion (version "
            + TOKEN_VERSION + ")");
      }
      return new Token(json.path("rv").asLong(), start.endsWith("\u0000") ? start.substring(0, start.length() - 1)
          : start);
    }

    /** The object the token continues after, checked against the listed collection. */
    Store.Item start(ResourcePath rp) throws Refused {
      if (start.isEmpty() || start.startsWith("/") || start.contains("..")) {
        throw new Refused(400, "continue key is not valid: " + start);
      }
      int slash = start.indexOf('/');
      if (slash < 0) {
        return new Store.Item(rp.namespace() == null ? "" : rp.namespace(), start, null);
      }
      if (rp.namespace() != null || start.indexOf('/', slash + 1) >= 0) {
        throw new Refused(400, "continue key is not valid: " + start + " is not in " + rp.collectionPath());
      }
      return new Store.Item(start.substring(0, slash), start.substring(slash + 1), null);
    }
  }
}
