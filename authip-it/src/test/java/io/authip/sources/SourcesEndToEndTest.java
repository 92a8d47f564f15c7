package io.authip.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.FeedFormat;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.IpRangeSetSpec;
import io.authip.api.v1alpha1.RangeSetRef;
import io.authip.api.v1alpha1.RangeSource;
import io.authip.api.v1alpha1.ServiceTagSource;
import io.authip.api.v1alpha1.SourceStatus;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.UrlSource;
import io.authip.emulator.ArmEmulator;
import io.authip.emulator.ClusterFixture;
import io.authip.emulator.Fault;
import io.authip.emulator.FaultTarget;
import io.authip.emulator.FeedServer;
import io.authip.emulator.RequestKind;
import io.authip.operator.OperatorConfig;
import io.authip.sandbox.LocalEnvironment;
import io.authip.testing.Edits;
import io.authip.testing.Policies;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * IpRangeSet sources end to end: service tags read from the ARM emulator's Service Tag Discovery API (with its RBAC
 * and request counting), HTTPS feeds from a local feed server on an allowlisted host, and the safety rails: the
 * last good content while a source fails, a shrink held until approved or confirmed, no request to a host not
 * allowlisted, and a policy that follows the set's content onto the cluster.
 */
class SourcesEndToEndTest {

  static final String SUB = "5d2e8f1a-3b4c-4d5e-9f60-718293a4b5c6";
  /** The subscription one test reads its service tag in, so that its requests can be counted alone. */
  static final String TAG_SUB = "6e3f9a2b-4c5d-4e6f-8a71-829304b5c6d7";
  static final String TAG_DETAILS = "/subscriptions/" + TAG_SUB + "/providers/Microsoft.Network/locations/westeurope/"
      + "serviceTagDetails";
  static final Duration WAIT = Duration.ofSeconds(45);
  static final AtomicInteger COUNTER = new AtomicInteger();
  static LocalEnvironment env;
  static FeedServer feeds;

  KubernetesClient k8s;
  ArmEmulator arm;
  String ns;
  String tag;

  @BeforeAll
  static void start() throws Exception {
    feeds = new FeedServer();
    Path ca = Files.createTempFile("feed-ca", ".pem");
    feeds.writeCertificate(ca);
    OperatorConfig base = OperatorConfig.forTesting();
    env = LocalEnvironment.start(LocalEnvironment.Options.forTesting().withOperator(base.withSources(
        new OperatorConfig.Sources(java.util.Set.of(feeds.hostEntry()), 64 * 1024, Duration.ofSeconds(5), ca,
            SUB))));
    env.grantAll(SUB);
    env.startOperator();
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
    if (feeds != null) {
      feeds.close();
    }
  }

  @BeforeEach
  void namespace() {
    ns = "sources" + COUNTER.incrementAndGet();
    tag = "AzureDevOps.Test" + COUNTER.get();
    k8s = env.kube().client();
    arm = env.arm();
    arm.clearFaults();
  }

  @AfterEach
  void noForbiddenRequests() {
    arm.clearFaults();
    env.requireNoForbiddenRequests();
  }

  @Test
  void aServiceTagFeedsAPolicyAndItsChangesReachTheCluster() {
    arm.serviceTag(tag, "", List.of("20.37.158.0/23", "20.42.5.0/24", "2603:1030:7::/48", "40.74.28.0/23"));
    ClusterFixture c = cluster("aks");
    RangeSource source = tagSource(tag);
    source.getAzureServiceTag().setSubscriptionId(TAG_SUB);
    create(set("devops", source));
    create(policyWithSet("p", c, "devops", "73.140.245.0/24"));
    await().atMost(WAIT).until(() -> ranges(c).contains("20.37.158.0/23"));
    assertThat(ranges(c)).contains("20.42.5.0/24", "40.74.28.0/23", "73.140.245.0/24").doesNotContain(
        "2603:1030:7::/48");
    // The content is recorded before the set's status is written: a policy may use it before that write lands.
    await().atMost(WAIT).until(() -> sourceStatus("devops") != null && "1".equals(sourceStatus("devops")
        .getChangeNumber()));
    SourceStatus s = sourceStatus("devops");
    assertThat(s.getSource()).isEqualTo("service tag " + tag);
    assertThat(s.getRangeCount()).isEqualTo(3);
    assertThat(s.getIpv6Skipped()).isEqualTo(1);
    assertThat(s.getChangeNumber()).isEqualTo("1");
    assertThat(s.getContentHash()).startsWith("sha256:");
    assertThat(condition("devops", "SourceStale").getReason()).isEqualTo("Fresh");
    assertThat(condition("devops", "ShrinkHeld").getReason()).isEqualTo("NotHeld");
    assertThat(events("SourceChanged")).anyMatch(m -> m.contains("first content, 3 blocks"));
    // The first read: the change number (no prefixes), then the prefixes.
    assertThat(arm.requestCount(TAG_DETAILS, "GET")).isEqualTo(2);

    // Unchanged: one request, the change number alone.
    refresh("devops");
    await().atMost(WAIT).until(() -> !s.getLastAttempt().equals(sourceStatus("devops").getLastAttempt()));
    assertThat(arm.requestCount(TAG_DETAILS, "GET")).isEqualTo(3);

    // A prefix added: two requests, and the cluster follows.
    arm.serviceTag(tag, "", List.of("20.37.158.0/23", "20.42.5.0/24", "40.74.28.0/23", "52.150.8.0/24"));
    refresh("devops");
    await().atMost(WAIT).until(() -> ranges(c).contains("52.150.8.0/24"));
    assertThat(arm.requestCount(TAG_DETAILS, "GET")).isEqualTo(5);
    await().atMost(WAIT).until(() -> "2".equals(sourceStatus("devops").getChangeNumber()));
    assertThat(events("SourceChanged")).anyMatch(m -> m.contains("+1 block (256 addresses), -0 blocks (0 addresses)"
        + ": added 52.150.8.0/24; changeNumber 2"));
  }

  @Test
  void aRefreshThatRemovesTooMuchIsHeldUntilApproved() {
    arm.serviceTag(tag, "", List.of("20.1.0.0/24", "20.1.2.0/24", "20.1.4.0/24", "20.1.6.0/24"));
    ClusterFixture c = cluster("aks");
    create(set("tagged", tagSource(tag)));
    create(policyWithSet("p", c, "tagged", "73.140.245.0/24"));
    await().atMost(WAIT).until(() -> ranges(c).contains("20.1.6.0/24"));

    arm.serviceTag(tag, "", List.of("20.1.0.0/24"));
    refresh("tagged");
    await().atMost(WAIT).until(() -> "Held".equals(condition("tagged", "ShrinkHeld").getReason()));
    SourceStatus held = sourceStatus("tagged");
    assertThat(held.getHeldHash()).startsWith("sha256:").isNotEqualTo(held.getContentHash());
    assertThat(held.getHeldChange()).isEqualTo("+0 blocks (0 addresses), -3 blocks (768 addresses, 75.0 %): removed "
        + "20.1.2.0/24, 20.1.4.0/24, 20.1.6.0/24");
    assertThat(condition("tagged", "ShrinkHeld").getMessage()).contains("authip.io/approve-content="
        + held.getHeldHash());
    assertThat(events("ShrinkHeld")).anyMatch(m -> m.contains("removing more than maxShrinkPercent=10 %"));
    assertThat(ranges(c)).as("the content in use stays on the cluster").contains("20.1.6.0/24");

    annotate("tagged", "authip.io/approve-content", held.getHeldHash());
    await().atMost(WAIT).until(() -> !ranges(c).contains("20.1.6.0/24"));
    assertThat(ranges(c)).contains("20.1.0.0/24", "73.140.245.0/24");
    await().atMost(WAIT).until(() -> "NotHeld".equals(condition("tagged", "ShrinkHeld").getReason()));
    assertThat(events("ShrinkApproved")).anyMatch(m -> m.contains("approved by annotation"));
  }

  @Test
  void aHeldShrinkIsAppliedWhenTheNextRefreshReturnsItAgain() {
    arm.serviceTag(tag, "", List.of("20.2.0.0/24", "20.2.2.0/24"));
    create(set("tagged", tagSource(tag)));
    await().atMost(WAIT).until(() -> sourceStatus("tagged") != null && sourceStatus("tagged").getRangeCount() != null);
    arm.serviceTag(tag, "", List.of("20.2.0.0/24"));
    refresh("tagged");
    await().atMost(WAIT).until(() -> sourceStatus("tagged").getHeldHash() != null);
    refresh("tagged");
    await().atMost(WAIT).until(() -> sourceStatus("tagged").getRangeCount() == 1
        && sourceStatus("tagged").getHeldHash() == null);
    assertThat(events("ShrinkApproved")).anyMatch(m -> m.contains("returned again by this refresh"));
  }

  @Test
  void aFailingSourceKeepsItsLastGoodContentAndSaysSo() throws Exception {
    arm.serviceTag(tag, "", List.of("20.3.0.0/24"));
    ClusterFixture c = cluster("aks");
    create(set("tagged", tagSource(tag)));
    create(policyWithSet("p", c, "tagged", "73.140.245.0/24"));
    await().atMost(WAIT).until(() -> ranges(c).contains("20.3.0.0/24"));
    int puts = arm.requestCount(c.clusterId(), "PUT");

    arm.injectFault(FaultTarget.kind(RequestKind.SERVICE_TAG_DETAILS), Fault.status(503, "ServiceUnavailable",
        "try later"), 1000);
    refresh("tagged");
    await().atMost(WAIT).until(() -> "Stale".equals(condition("tagged", "SourceStale").getReason()));
    assertThat(condition("tagged", "SourceStale").getMessage()).contains("the last read failed").contains("stays in "
        + "use");
    assertThat(condition("tagged", "Valid").getStatus()).isEqualTo("True");
    assertThat(events("SourceFailed")).isNotEmpty();
    assertThat(ranges(c)).contains("20.3.0.0/24");
    assertThat(arm.requestCount(c.clusterId(), "PUT")).as("nothing sent while the source fails").isEqualTo(puts);
    assertThat(metric("authip_source_stale", "iprangeset=\"tagged\"")).isEqualTo(1.0);

    arm.clearFaults();
    refresh("tagged");
    await().atMost(WAIT).until(() -> "Fresh".equals(condition("tagged", "SourceStale").getReason()));
    assertThat(metric("authip_source_stale", "iprangeset=\"tagged\"")).isEqualTo(0.0);
  }

  @Test
  void aSourceNeverReadKeepsItsPoliciesFromChangingAnything() {
    ClusterFixture c = cluster("aks");
    create(set("unknown", tagSource("NoSuchTag.Anywhere")));
    create(policyWithSet("p", c, "unknown", "73.140.245.0/24"));
    awaitUnavailable("unknown", "is not listed");
    assertThat(condition("unknown", "Valid").getMessage()).contains("spec.sources[0] (service tag NoSuchTag.Anywhere) "
        + "has no content yet").contains("is not listed");
    await().atMost(WAIT).until(() -> {
      AuthorizedIpPolicy p = k8s.resources(AuthorizedIpPolicy.class).inNamespace(ns).withName("p").get();
      return p.getStatus() != null && p.getStatus().getConditions().stream().anyMatch(x -> x.getType().equals("Ready")
          && "InvalidSpec".equals(x.getReason()) && x.getMessage().contains("has no content yet"));
    });
    assertThat(arm.requestCount(c.clusterId(), "PUT")).isZero();
  }

  @Test
  void aUrlFeedOnAnAllowedHostIsReadAndNoOtherHostIsAsked() {
    String path = "/" + ns + "/meta";
    feeds.serve(path, "{\"hooks\": [\"192.30.252.0/22\", \"185.199.108.0/22\", \"2a0a:a440::/29\"],"
        + " \"web\": [\"140.82.112.0/20\"]}");
    create(set("github", urlSource(feeds.url(path), FeedFormat.json, "$.hooks[*]")));
    await().atMost(WAIT).until(() -> sourceStatus("github") != null && sourceStatus("github").getRangeCount() != null);
    assertThat(sourceStatus("github").getRangeCount()).isEqualTo(2);
    assertThat(sourceStatus("github").getIpv6Skipped()).isEqualTo(1);
    assertThat(raw("github").path("status").path("rangeCount").asInt()).isEqualTo(2);

    String other = "https://localhost:" + feeds.port() + path;
    int before = feeds.totalRequests();
    create(set("elsewhere", urlSource(other, FeedFormat.json, "$.hooks[*]")));
    awaitUnavailable("elsewhere", "AUTHIP_FEED_HOSTS");
    assertThat(condition("elsewhere", "Valid").getMessage()).contains("host localhost:" + feeds.port()
        + " is not in the operator's AUTHIP_FEED_HOSTS").contains("nothing was requested");
    assertThat(feeds.requestsForHost("localhost:" + feeds.port())).isZero();
    assertThat(feeds.totalRequests()).isEqualTo(before);

    // A redirect is not followed, even to an allowed host.
    String moved = "/" + ns + "/moved";
    feeds.redirect(moved, feeds.url(path));
    int served = feeds.requests(path);
    create(set("moved", urlSource(feeds.url(moved), FeedFormat.text, null)));
    awaitUnavailable("moved", "redirect");
    assertThat(condition("moved", "Valid").getMessage()).contains("redirects are not followed");
    assertThat(feeds.requests(path)).isEqualTo(served);
  }

  @Test
  void aTextFeedWithAnEntryThatCannotBeAuthorizedIsNotUsed() {
    String path = "/" + ns + "/ranges.txt";
    feeds.serve(path, "# partner ranges\n20.4.0.0/24\n\n10.0.0.0/8\n");
    create(set("partner", urlSource(feeds.url(path), FeedFormat.text, null)));
    awaitUnavailable("partner", "cannot be authorized");
    assertThat(condition("partner", "Valid").getMessage()).contains("returned 1 entry that cannot be authorized, "
        + "the first '10.0.0.0/8'");
    feeds.serve(path, "# partner ranges\n20.4.0.0/24\n20.4.1.0/24\n");
    refresh("partner");
    await().atMost(WAIT).until(() -> "Valid".equals(condition("partner", "Valid").getReason()));
    assertThat(sourceStatus("partner").getRangeCount()).isEqualTo(1);
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  /** Waits until the set is Valid=False SourceUnavailable for the reason {@code fragment} names. */
  void awaitUnavailable(String set, String fragment) {
    await().atMost(WAIT).until(() -> "SourceUnavailable".equals(condition(set, "Valid").getReason())
        && condition(set, "Valid").getMessage().contains(fragment));
  }

  ClusterFixture cluster(String name) {
    ClusterFixture c = ClusterFixture.loadBalancerManagedOutbound(SUB, ns, name);
    arm.seed(c);
    return c;
  }

  static RangeSource tagSource(String name) {
    ServiceTagSource t = new ServiceTagSource();
    t.setName(name);
    t.setLocation("westeurope");
    RangeSource s = new RangeSource();
    s.setAzureServiceTag(t);
    return s;
  }

  static RangeSource urlSource(String url, FeedFormat format, String jsonPath) {
    UrlSource u = new UrlSource();
    u.setUrl(url);
    u.setFormat(format);
    u.setJsonPath(jsonPath);
    RangeSource s = new RangeSource();
    s.setUrl(u);
    return s;
  }

  IpRangeSet set(String name, RangeSource... sources) {
    IpRangeSet set = new IpRangeSet();
    set.getMetadata().setName(name);
    set.getMetadata().setNamespace(ns);
    set.setSpec(new IpRangeSetSpec());
    set.getSpec().setSources(new ArrayList<>(List.of(sources)));
    return set;
  }

  AuthorizedIpPolicy policyWithSet(String name, ClusterFixture c, String setName, String... ranges) {
    AuthorizedIpPolicy p = Policies.policy(ns, name, List.of(c), ranges);
    RangeSetRef ref = new RangeSetRef();
    ref.setName(setName);
    p.getSpec().setRangeSetRefs(new ArrayList<>(List.of(ref)));
    return p;
  }

  <T extends io.fabric8.kubernetes.api.model.HasMetadata> void create(T resource) {
    k8s.resource(resource).create();
  }

  void refresh(String set) {
    annotate(set, "authip.io/refresh", Long.toString(System.nanoTime()));
  }

  void annotate(String set, String key, String value) {
    Edits.edit(k8s.resources(IpRangeSet.class).inNamespace(ns).withName(set), s -> {
      s.getMetadata().getAnnotations().put(key, value);
      return s;
    });
  }

  SourceStatus sourceStatus(String set) {
    IpRangeSet s = k8s.resources(IpRangeSet.class).inNamespace(ns).withName(set).get();
    return s == null || s.getStatus() == null || s.getStatus().getSources() == null
        || s.getStatus().getSources().isEmpty() ? null : s.getStatus().getSources().get(0);
  }

  Condition condition(String set, String type) {
    IpRangeSet s = k8s.resources(IpRangeSet.class).inNamespace(ns).withName(set).get();
    Optional<Condition> c = s == null || s.getStatus() == null ? Optional.empty()
        : s.getStatus().getConditions().stream().filter(x -> type.equals(x.getType())).findFirst();
    return c.orElse(new Condition());
  }

  JsonNode raw(String set) {
    return new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(k8s.genericKubernetesResources(
        "authip.io/v1alpha1", "IpRangeSet").inNamespace(ns).withName(set).get());
  }

  List<String> events(String reason) {
    return k8s.v1().events().inNamespace(ns).list().getItems().stream().filter(e -> reason.equals(e.getReason()))
        .map(Event::getMessage).toList();
  }

  List<String> ranges(ClusterFixture c) {
    return io.authip.testing.Clusters.ranges(arm, c);
  }


  double metric(String name, String labelFragment) throws Exception {
    String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + env.operator().httpPort() + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    return body.lines().filter(l -> l.startsWith(name + "{") && l.contains(labelFragment))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
  }
}
