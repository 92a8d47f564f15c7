package io.authip.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesResponseComposer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.http.MockResponse;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mock server's CRUD store, which also tells the {@link WatchHub} about every change (the mock streams
 * watches only over WebSocket, kubectl watches over HTTP) and {@link #normalized stores objects} as a real API
 * server would.
 *
 * <p>Reads are indexed. The mock itself answers every read, and finds the object of every write, by testing each
 * stored object of every kind against the request; here the objects are also kept by type (API group, version,
 * plural), namespace and name, so that a GET, PUT, PATCH or DELETE of one object looks at that object only, and a
 * LIST at the objects of its type (and namespace) only, already in kube-apiserver's order (namespace, then name).
 * Label and field selectors then filter within that type or namespace. The mock's own map stays the source of
 * truth: the index holds its keys and follows every change made through {@link #processEvent}.
 */
final class Store extends KubernetesCrudDispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(Store.class);

  /** A stored object as a list read finds it: its namespace ("" when cluster-scoped), name and JSON. */
  record Item(String namespace, String name, String json) {
  }

  /** What a list read from the index holds: the stored objects, in order, and the version they were read at. */
  record Snapshot(List<Item> items, long resourceVersion) {
  }

  /** One type's objects: namespace ("" when cluster-scoped) to name to the mock's key. */
  private record Type(String group, String version, String plural) {
  }

  private final WatchHub hub;
  /**
   * Guards {@link #index} and {@link #indexed}. Writes take it inside the mock's own write lock (in
   * {@link #processEvent}); reads take only this one.
   */
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<Type, TreeMap<String, TreeMap<String, AttributeSet>>> index = new HashMap<>();
  /** The resourceVersion of the latest change in the index: what a list read now is consistent with. */
  private long indexed;
  /** How many stored objects reads have looked at (tested, or taken from the index), for tests of the index. */
  private final LongAdder examined = new LongAdder();

  Store(WatchHub hub) {
    this.hub = hub;
  }

  /** The number of stored objects reads have looked at since start. */
  long examined() {
    return examined.sum();
  }

  /** The number of stored objects, of every type. */
  int size() {
    return getMap().size();
  }

  @Override
  public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
      GenericKubernetesResource resource, String newState) {
    String after = normalized(newState);
    lock.writeLock().lock();
    try {
      String before = oldAttributes == null ? null : getMap().get(oldAttributes);
      super.processEvent(path, pathAttributes, oldAttributes, resource, after);
      if (oldAttributes != null && before != null) {
        unindex(oldAttributes);
      }
      if (after != null) {
        index(storedKey(pathAttributes, resource, after));
      }
      if (!Objects.equals(before, after)) {
        publish(path, before, after);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * The key the mock has just stored {@code state} under, worked out as the mock does; should that ever differ,
   * found by looking at every entry (and logged, as the index then costs a scan per write).
   */
  private AttributeSet storedKey(AttributeSet pathAttributes, GenericKubernetesResource resource, String state) {
    KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) getAttributeExtractor();
    AttributeSet key = resource != null ? extractor.extract(resource) : extractor.fromResource(state);
    if (!key.containsKey(KubernetesAttributesExtractor.PLURAL)) {
      key = AttributeSet.merge(pathAttributes, key);
    }
    if (getMap().containsKey(key)) {
      return key;
    }
    LOG.warn("the index did not find the key of a stored object; looking at every stored object");
    synchronized (getMap()) {
      for (Map.Entry<AttributeSet, String> e : getMap().entrySet()) {
        if (e.getValue() == state) {
          return e.getKey();
        }
      }
    }
    throw new IllegalStateException("a stored object is not in the store");
  }

  private void index(AttributeSet key) {
    Type type = typeOf(key);
    index.computeIfAbsent(type, t -> new TreeMap<>())
        .computeIfAbsent(value(key, KubernetesAttributesExtractor.NAMESPACE, ""), ns -> new TreeMap<>())
        .put(value(key, KubernetesAttributesExtractor.NAME, ""), key);
  }

  private void unindex(AttributeSet key) {
    TreeMap<String, TreeMap<String, AttributeSet>> byNamespace = index.get(typeOf(key));
    if (byNamespace == null) {
      return;
    }
    String ns = value(key, KubernetesAttributesExtractor.NAMESPACE, "");
    TreeMap<String, AttributeSet> names = byNamespace.get(ns);
    if (names == null) {
      return;
    }
    names.remove(value(key, KubernetesAttributesExtractor.NAME, ""), key);
    if (names.isEmpty()) {
      byNamespace.remove(ns);
    }
  }

  private static Type typeOf(AttributeSet key) {
    return new Type(value(key, KubernetesAttributesExtractor.API, ""), value(key, KubernetesAttributesExtractor.VERSION,
        ""), value(key, KubernetesAttributesExtractor.PLURAL, ""));
  }

  /** The single value of an attribute the mock keys objects by (it keeps one value per key), or {@code absent}. */
  private static String value(AttributeSet set, String name, String absent) {
    Attribute a = set.getAttribute(name);
    if (a == null || a.getValues().isEmpty()) {
      return absent;
    }
    return a.getValues().get(0).toString();
  }

  /** A query attribute that the index can look up: present, plain equality, one value. */
  private static Optional<String> exact(AttributeSet query, String name) {
    Attribute a = query.getAttribute(name);
    if (a == null || a.getType() != AttributeType.WITH || a.getValues().size() != 1) {
      return Optional.empty();
    }
    return Optional.of(a.getValues().get(0).toString());
  }

  /**
   * The mock's entries matching {@code query} (which must name a plural), in namespace and name order, exactly as
   * the mock's scan selects them ({@link AttributeSet#matches}), looking only at the objects of the query's type,
   * namespace and name. Called with {@link #lock} held.
   */
  private List<Map.Entry<AttributeSet, String>> lookup(AttributeSet query) {
    String plural = exact(query, KubernetesAttributesExtractor.PLURAL).orElseThrow();
    Optional<String> group = exact(query, KubernetesAttributesExtractor.API);
    Optional<String> version = exact(query, KubernetesAttributesExtractor.VERSION);
    Optional<String> namespace = exact(query, KubernetesAttributesExtractor.NAMESPACE);
    Optional<String> name = exact(query, KubernetesAttributesExtractor.NAME);
    List<Type> types = new ArrayList<>();
    for (Type t : index.keySet()) {
      // a core path (/api/v1/...) names no group, and the mock then matches objects of any group
      if (t.plural().equals(plural) && group.map(t.group()::equals).orElse(true)
          && version.map(t.version()::equals).orElse(true)) {
        types.add(t);
      }
    }
    // the exact type first: its group is the query's (or the core group), then any other by group
    types.sort((a, b) -> a.group().equals(group.orElse("")) != b.group().equals(group.orElse(""))
        ? (a.group().equals(group.orElse("")) ? -1 : 1) : (a.group() + "/" + a.version()).compareTo(
        b.group() + "/" + b.version()));
    List<Map.Entry<AttributeSet, String>> out = new ArrayList<>();
    for (Type t : types) {
      NavigableMap<String, TreeMap<String, AttributeSet>> byNamespace = index.get(t);
      if (namespace.isPresent()) {
        TreeMap<String, AttributeSet> names = byNamespace.get(namespace.get());
        byNamespace = names == null ? new TreeMap<>() : new TreeMap<>(Map.of(namespace.get(), names));
      }
      for (TreeMap<String, AttributeSet> names : byNamespace.values()) {
        if (name.isPresent()) {
          AttributeSet key = names.get(name.get());
          if (key != null) {
            add(out, key, query);
          }
        } else {
          for (AttributeSet key : names.values()) {
            add(out, key, query);
          }
        }
      }
    }
    return out;
  }

  private void add(List<Map.Entry<AttributeSet, String>> out, AttributeSet key, AttributeSet query) {
    examined.increment();
    if (key.matches(query)) {
      String value = getMap().get(key);
      if (value != null) {
        out.add(new AbstractMap.SimpleImmutableEntry<>(key, value));
      }
    }
  }

  /** Whether the index can answer reads of this path: one that names a resource type (and is no watch). */
  private Optional<AttributeSet> indexable(String path) {
    if (path.contains("watch=")) {
      return Optional.empty();
    }
    AttributeSet query = getKey(path);
    return exact(query, KubernetesAttributesExtractor.PLURAL).isPresent() && ResourcePath.parse(Query.pathOf(path))
        .isPresent() ? Optional.of(query) : Optional.empty();
  }

  /**
   * The objects of a collection path ({@code /apis/G/V[/namespaces/NS]/PLURAL}), by namespace and name, and the
   * resourceVersion they are consistent with.
   */
  Snapshot list(String collectionPath) {
    AttributeSet query = indexable(collectionPath).orElseThrow(
        () -> new IllegalArgumentException("not a collection: " + collectionPath));
    lock.readLock().lock();
    try {
      List<Item> items = new ArrayList<>();
      for (Map.Entry<AttributeSet, String> e : lookup(query)) {
        items.add(new Item(value(e.getKey(), KubernetesAttributesExtractor.NAMESPACE, ""),
            value(e.getKey(), KubernetesAttributesExtractor.NAME, ""), e.getValue()));
      }
      return new Snapshot(List.copyOf(items), indexed);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public MockResponse handleGet(String path) {
    Optional<AttributeSet> indexable = indexable(path);
    if (indexable.isEmpty()) {
      return super.handleGet(path);
    }
    AttributeSet query = indexable.get();
    List<String> items = new ArrayList<>();
    long version;
    lock.readLock().lock();
    try {
      version = indexed;
      for (Map.Entry<AttributeSet, String> e : lookup(query)) {
        items.add(e.getValue());
      }
    } finally {
      lock.readLock().unlock();
    }
    MockResponse response = new MockResponse();
    if (query.containsKey(KubernetesAttributesExtractor.NAME)) {
      return items.isEmpty() ? response.setResponseCode(HttpURLConnection.HTTP_NOT_FOUND)
          : response.setResponseCode(HttpURLConnection.HTTP_OK).setBody(items.get(0));
    }
    return response.setResponseCode(HttpURLConnection.HTTP_OK).setBody(
        ((KubernetesResponseComposer) getResponseComposer()).compose(items, String.valueOf(version)));
  }

  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
    if (exact(attributes, KubernetesAttributesExtractor.PLURAL).isEmpty()) {
      return super.findResource(attributes);
    }
    lock.readLock().lock();
    try {
      List<Map.Entry<AttributeSet, String>> found = lookup(attributes);
      return found.isEmpty() ? null : found.get(0);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * As the mock deletes (finalizers keep an object, with a deletion timestamp, until they are removed), finding
   * the objects through the index.
   */
  @Override
  public MockResponse handleDelete(String path) {
    Optional<AttributeSet> indexable = indexable(path);
    if (indexable.isEmpty()) {
      return super.handleDelete(path);
    }
    AttributeSet query = indexable.get();
    AttributeSet pathAttributes = getKey(path);
    lock.writeLock().lock();
    try {
      List<Map.Entry<AttributeSet, String>> found = lookup(query);
      List<String> items = new ArrayList<>();
      for (Map.Entry<AttributeSet, String> e : found) {
        items.add(e.getValue());
        delete(path, pathAttributes, e.getKey(), e.getValue());
      }
      MockResponse response = new MockResponse();
      if (query.containsKey(KubernetesAttributesExtractor.NAME)) {
        return items.isEmpty() ? response.setResponseCode(HttpURLConnection.HTTP_NOT_FOUND)
            : response.setResponseCode(HttpURLConnection.HTTP_OK).setBody(items.get(0));
      }
      return response.setResponseCode(HttpURLConnection.HTTP_OK).setBody(
          ((KubernetesResponseComposer) getResponseComposer()).compose(items, String.valueOf(indexed)));
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void delete(String path, AttributeSet pathAttributes, AttributeSet key, String state) {
    GenericKubernetesResource resource = Serialization.unmarshal(state, GenericKubernetesResource.class);
    if (resource.getFinalizers().isEmpty()) {
      processEvent(path, pathAttributes, key, null, null);
    } else if (!resource.isMarkedForDeletion()) {
      resource.getMetadata().setDeletionTimestamp(ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
          .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
      resource.getMetadata().setResourceVersion(String.valueOf(requestResourceVersion()));
      processEvent(path, pathAttributes, key, resource, Serialization.asJson(resource));
    }
    // else already being deleted, waiting for its finalizers: nothing changes
  }

  @Override
  public void reset() {
    lock.writeLock().lock();
    try {
      super.reset();
      index.clear();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void publish(String path, String before, String after) {
    Optional<ResourcePath> target = ResourcePath.parse(Query.pathOf(path));
    JsonNode old = before == null ? null : Json.parse(before);
    JsonNode now = after == null ? null : Json.parse(after);
    long version;
    if (now == null) {
      // a deletion is a change of its own, later than anything a client has listed so far
      version = requestResourceVersion();
      ((ObjectNode) old.path("metadata")).put("resourceVersion", String.valueOf(version));
    } else {
      version = parseVersion(now.path("metadata").path("resourceVersion").asText());
    }
    indexed = Math.max(indexed, version);
    if (target.isEmpty()) {
      return;
    }
    ResourcePath p = target.get();
    hub.publish(new WatchHub.Change(version, p.group(), p.version(), p.plural(), old, now));
  }

  private static long parseVersion(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Repairs what the mock writes differently from a real API server: a deletion timestamp in local time without
   * a zone (kubectl cannot read it) and {@code "status": null} after updating an object that has no status yet.
   */
  static String normalized(String state) {
    if (state == null || !(state.contains("\"deletionTimestamp\"") || state.contains("\"status\":null"))) {
      return state;
    }
    JsonNode node = Json.parse(state);
    if (!(node instanceof ObjectNode object) || !(node.path("metadata") instanceof ObjectNode meta)) {
      return state;
    }
    if (object.has("status") && object.get("status").isNull()) {
      object.remove("status");
    }
    String ts = meta.path("deletionTimestamp").asText("");
    if (!ts.isEmpty() && !isRfc3339(ts)) {
      try {
        Instant instant = LocalDateTime.parse(ts).atZone(ZoneId.systemDefault()).toInstant()
            .truncatedTo(ChronoUnit.SECONDS);
        meta.put("deletionTimestamp", instant.toString());
        if (!meta.has("deletionGracePeriodSeconds")) {
          meta.put("deletionGracePeriodSeconds", 0);
        }
      } catch (DateTimeParseException unreadable) {
        // left as it is: nothing better to write
      }
    }
    return Serialization.asJson(node);
  }

  private static boolean isRfc3339(String ts) {
    try {
      Instant.parse(ts);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
