package io.authip.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LIST pagination with kube-apiserver's semantics: {@code limit}, {@code continue}, {@code remainingItemCount}, every
 * page consistent with the first, 410 Expired for a token of a list no longer kept, 400 for one that is not valid;
 * and the clients that page: fabric8 lists and informers, kubectl's chunked tables.
 */
class ListPagingTest {

  @TempDir
  static Path dir;
  static EmbeddedKubernetes k8s;
  static KubernetesClient client;
  static HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    k8s = EmbeddedKubernetes.start(0);
    client = k8s.client();
  }

  @AfterAll
  static void stop() {
    k8s.close();
  }

  static void create(String ns, String... names) {
    for (String name : names) {
      client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName(name)
          .withNamespace(ns).withLabels(Map.of("even", String.valueOf(name.hashCode() % 2 == 0))).endMetadata()
          .withData(Map.of("v", "1")).build()).create();
    }
  }

  /** A GET on kubectl's port, as the administrator; the status code and the body. */
  static Response get(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(k8s.url() + pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), Json.parse(r.body()));
  }

  record Response(int code, JsonNode body) {
    List<String> names() {
      return StreamSupport.stream(body.path("items").spliterator(), false)
          .map(i -> i.path("metadata").path("namespace").asText() + "/" + i.path("metadata").path("name").asText())
          .toList();
    }

    String token() {
      return body.path("metadata").path("continue").asText(null);
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void pagesFollowTheFirstPagesVersionAndTheWatchFromThereHasTheRest() throws Exception {
    create("pa", "c", "a", "e", "g", "b");
    create("pb", "a", "d");
    String list = "/api/v1/namespaces/pa/configmaps";
    Response first = get(list + "?limit=2");
    assertThat(first.code()).isEqualTo(200);
    assertThat(first.names()).containsExactly("pa/a", "pa/b");
    assertThat(first.body().path("metadata").path("remainingItemCount").asLong()).isEqualTo(3);
    String rv = first.body().path("metadata").path("resourceVersion").asText();
    // kube-apiserver's token: unpadded base64url of {"v":"meta.k8s.io/v1","rv":RV,"start":"KEY\u0000"}
    JsonNode token = Json.parse(Base64.getUrlDecoder().decode(first.token()));
    assertThat(token.path("v").asText()).isEqualTo("meta.k8s.io/v1");
    assertThat(token.path("rv").asText()).isEqualTo(rv);
    assertThat(token.path("start").asText()).isEqualTo("b\u0000");

    // changes after the first page: not in the next pages, which show the list as it was at rv
    create("pa", "d");
    client.configMaps().inNamespace("pa").withName("e").delete();
    client.configMaps().inNamespace("pa").withName("g").edit(c -> new ConfigMapBuilder(c).addToData("v", "2")
        .build());
    Response second = get(list + "?limit=2&continue=" + enc(first.token()));
    assertThat(second.names()).containsExactly("pa/c", "pa/e");
    assertThat(second.body().path("metadata").path("resourceVersion").asText()).isEqualTo(rv);
    assertThat(second.body().path("metadata").path("remainingItemCount").asLong()).isEqualTo(1);
    Response last = get(list + "?limit=2&continue=" + enc(second.token()));
    assertThat(last.names()).containsExactly("pa/g");
    assertThat(last.body().path("items").get(0).path("data").path("v").asText()).isEqualTo("1");
    assertThat(last.token()).isNull();
    assertThat(last.body().path("metadata").has("remainingItemCount")).isFalse();

    // the watch from the list's resourceVersion delivers exactly those changes
    HttpResponse<String> watch = http.send(HttpRequest.newBuilder(URI.create(k8s.url() + list
        + "?watch=1&timeoutSeconds=1&resourceVersion=" + rv)).build(), HttpResponse.BodyHandlers.ofString());
    List<String> events = new ArrayList<>();
    for (String line : watch.body().split("\n")) {
      JsonNode e = Json.parse(line);
      if (!e.path("type").asText().equals("BOOKMARK")) {
        events.add(e.path("type").asText() + " " + e.path("object").path("metadata").path("name").asText());
      }
    }
    assertThat(events).containsExactly("ADDED d", "DELETED e", "MODIFIED g");

    // a new list sees them; without a limit, everything at once, no continue
    Response now = get(list);
    assertThat(now.names()).containsExactly("pa/a", "pa/b", "pa/c", "pa/d", "pa/g");
    assertThat(now.token()).isNull();
    // across namespaces, the key in the token is NAMESPACE/NAME
    Response across = get("/api/v1/configmaps?limit=6");
    assertThat(across.names()).hasSize(6);
    String start = Json.parse(Base64.getUrlDecoder().decode(across.token())).path("start").asText();
    assertThat(start).contains("/").endsWith("\u0000");
  }

  @Test
  void expiredTokensAreGoneAndGarbageIsABadRequest() throws Exception {
    create("ex", "a", "b", "c");
    String list = "/api/v1/namespaces/ex/configmaps";
    Response first = get(list + "?limit=1");
    String token = first.token();
    assertThat(get(list + "?limit=1&continue=" + enc(token)).names()).containsExactly("ex/b");

    k8s.expireListPages();
    Response expired = get(list + "?limit=1&continue=" + enc(token));
    assertThat(expired.code()).isEqualTo(410);
    assertThat(expired.body().path("reason").asText()).isEqualTo("Expired");
    assertThat(expired.body().path("message").asText()).contains("too old to display a consistent list result");

    // well formed, at a resourceVersion no list is kept for: expired too
    String unknown = Base64.getUrlEncoder().withoutPadding().encodeToString(
        "{\"v\":\"meta.k8s.io/v1\",\"rv\":1,\"start\":\"a\\u0000\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(get(list + "?limit=1&continue=" + unknown).code()).isEqualTo(410);

    for (String garbage : List.of("not-a-token!", "bm90IGpzb24", Base64.getUrlEncoder().encodeToString(
        "{\"v\":\"other/v9\",\"rv\":5,\"start\":\"a\\u0000\"}".getBytes(StandardCharsets.UTF_8)),
        Base64.getUrlEncoder().encodeToString("{\"v\":\"meta.k8s.io/v1\",\"rv\":5,\"start\":\"other/a\\u0000\"}"
            .getBytes(StandardCharsets.UTF_8)))) {
      Response bad = get(list + "?limit=1&continue=" + enc(garbage));
      assertThat(bad.code()).as(garbage).isEqualTo(400);
      assertThat(bad.body().path("reason").asText()).isEqualTo("BadRequest");
      assertThat(bad.body().path("message").asText()).startsWith("continue key is not valid");
    }
    assertThat(get(list + "?limit=many").code()).isEqualTo(400);
    // the fabric8 client sees the 410 as an exception with the code, as informers expect
    try {
      client.configMaps().inNamespace("ex").list(new ListOptionsBuilder().withLimit(1L).withContinue(token).build());
      throw new AssertionError("an expired token was accepted");
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      assertThat(e.getCode()).isEqualTo(410);
    }
  }

  @Test
  void selectorsPageTooWithoutARemainingCount() throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      names.add("s-" + i);
    }
    create("sel", names.toArray(String[]::new));
    long even = names.stream().filter(n -> n.hashCode() % 2 == 0).count();
    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      Response page = get("/api/v1/namespaces/sel/configmaps?labelSelector=" + enc("even=true") + "&limit=3"
          + (token == null ? "" : "&continue=" + enc(token)));
      assertThat(page.code()).isEqualTo(200);
      assertThat(page.body().path("metadata").has("remainingItemCount")).isFalse();
      assertThat(page.names().size()).isLessThanOrEqualTo(3);
      seen.addAll(page.names());
      token = page.token();
      pages++;
    } while (token != null);
    assertThat(seen).hasSize((int) even).doesNotHaveDuplicates();
    assertThat(pages).isGreaterThan(1);
  }

  @Test
  void fabric8ListsAndInformersPage() throws Exception {
    for (int i = 0; i < 25; i++) {
      create("inf-" + (i % 3), String.format("cm-%02d", i));
    }
    ConfigMapList page = client.configMaps().inNamespace("inf-0").list(new ListOptionsBuilder().withLimit(4L)
        .build());
    assertThat(page.getItems()).hasSize(4);
    assertThat(page.getMetadata().getContinue()).isNotEmpty();
    assertThat(page.getMetadata().getRemainingItemCount()).isEqualTo(5L);

    k8s.recordRequests();
    try (SharedIndexInformer<ConfigMap> informer = client.configMaps().inAnyNamespace().withLimit(4L).inform()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> informer.getStore().list().stream()
          .filter(c -> c.getMetadata().getNamespace().startsWith("inf-")).count() == 25);
      List<String> lists = k8s.recordedRequests().stream().filter(r -> r.startsWith("GET /api/v1/configmaps?")
          && !r.contains("watch=")).toList();
      assertThat(lists).isNotEmpty().allMatch(r -> r.contains("limit=4"));
      assertThat(lists.stream().filter(r -> r.contains("continue=")).count()).isGreaterThanOrEqualTo(6);
    }
  }

  @Test
  void kubectlGetsTablesInChunks() {
    for (int i = 0; i < 7; i++) {
      create("chunks", "k-" + i);
    }
    Kubectl kubectl;
    try {
      kubectl = new Kubectl(k8s.writeKubeconfig(dir.resolve("kube/config")), dir.resolve("cache"),
          Files.createDirectories(dir.resolve("scratch")));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    String out = kubectl.ok("get", "configmaps", "-n", "chunks", "--chunk-size=3", "-o", "name");
    assertThat(out.lines().toList()).containsExactly("configmap/k-0", "configmap/k-1", "configmap/k-2",
        "configmap/k-3", "configmap/k-4", "configmap/k-5", "configmap/k-6");
    String table = kubectl.ok("get", "configmaps", "-n", "chunks", "--chunk-size=2");
    assertThat(table.lines().filter(l -> l.startsWith("k-")).count()).isEqualTo(7);
    assertThat(table.lines().filter(l -> l.startsWith("NAME")).count()).isEqualTo(1);
  }
}
