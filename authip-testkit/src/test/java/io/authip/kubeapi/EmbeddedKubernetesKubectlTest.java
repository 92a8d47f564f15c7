package io.authip.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicyStatus;
import io.authip.api.v1alpha1.IpRangeSet;
import io.authip.api.v1alpha1.Mode;
import io.authip.api.v1alpha1.RangeEntry;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl against {@link EmbeddedKubernetes}. One API for the class; each test works in a namespace of
 * its own, with the examples copied there when it needs them.
 */
class EmbeddedKubernetesKubectlTest {

  private static final Path EXAMPLES =
      Path.of(System.getProperty("authip.projectDir", ".")).resolve("deploy/examples");
  private static final String OFFICE = "73.140.245.0/24";
  private static final String VPN = "137.117.106.88/29";
  private static final String NEW_OFFICE = "52.160.10.0/24";

  @TempDir
  static Path dir;
  static int chosenPort;
  static EmbeddedKubernetes k8s;
  static KubernetesClient client;
  static Kubectl kubectl;

  @BeforeAll
  static void start() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      chosenPort = probe.getLocalPort();
    }
    k8s = EmbeddedKubernetes.start(chosenPort);
    client = k8s.client();
    Path scratch = Files.createDirectories(dir.resolve("scratch"));
    kubectl = new Kubectl(k8s.writeKubeconfig(dir.resolve("kube/config")), dir.resolve("cache"), scratch);
  }

  @AfterAll
  static void stop() {
    if (k8s != null) {
      k8s.close();
    }
  }

  @Test
  void theKubeconfigPointsAtTheChosenPortWithTheSandboxContextAndDefaultNamespace() {
    assertThat(k8s.port()).isEqualTo(chosenPort);
    assertThat(k8s.url()).isEqualTo("http://127.0.0.1:" + chosenPort);
    assertThat(kubectl.ok("config", "current-context").trim()).isEqualTo(EmbeddedKubernetes.CONTEXT);
    assertThat(kubectl.ok("config", "view", "--minify", "-o",
        "jsonpath={.clusters[0].cluster.server} {.contexts[0].context.namespace}")).isEqualTo(k8s.url() + " default");
    Kubectl.Result empty = kubectl.run("get", "aip");
    assertThat(empty.exit()).isZero();
    assertThat(empty.err()).contains("No resources found in default namespace.");
    assertThat(kubectl.ok("version")).contains("Server Version: " + EmbeddedKubernetes.VERSION);
    assertThat(kubectl.ok("api-resources", "--api-group=authip.io")).contains("authorizedippolicies", "aip",
        "AuthorizedIpPolicy", "iprangesets", "iprs", "IpRangeSet");
  }

  @Test
  void applyingTheExamplesCreatesThemAndGetPrintsTheCrdPrinterColumns() {
    assertThat(kubectl.ok("apply", "-f", EXAMPLES.toString())).contains(
        "iprangeset.authip.io/ci-runners created", "iprangeset.authip.io/azure-devops created",
        "authorizedippolicy.authip.io/batch created",
        "authorizedippolicy.authip.io/production created", "authorizedippolicy.authip.io/staging created");
    assertThat(client.resources(AuthorizedIpPolicy.class).inNamespace("platform").list().getItems())
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("batch", "guarded", "internal", "partners", "production", "spoke", "staging");
    assertThat(client.resources(IpRangeSet.class).inNamespace("platform").withName("ci-runners").get().getSpec()
        .getRanges()).hasSize(3);
    setStatus("platform", "production", "True", "InSync", 5, "2/2");

    List<Map<String, String>> policies = table(kubectl.ok("get", "aip", "-n", "platform"));
    assertThat(policies.get(0).keySet()).containsExactlyElementsOf(columnsOf(0));
    assertThat(policies).extracting(row -> row.get("NAME")).containsExactly("batch", "guarded", "internal",
        "partners", "production", "spoke", "staging");
    Map<String, String> production = policies.get(4);
    assertThat(production).containsEntry("READY", "True").containsEntry("REASON", "InSync")
        .containsEntry("RANGES", "5").containsEntry("TARGETS", "2/2");
    assertThat(production.get("AGE")).matches("\\d+s");
    assertThat(policies.get(0)).containsEntry("READY", "").containsEntry("RANGES", "");

    List<Map<String, String>> sets = table(kubectl.ok("get", "iprs", "-n", "platform"));
    assertThat(sets.get(0).keySet()).containsExactlyElementsOf(columnsOf(1));
    assertThat(sets).extracting(row -> row.get("NAME")).containsExactly("azure-devops", "ci-runners");

    List<Map<String, String>> everywhere = table(kubectl.ok("get", "authorizedippolicies", "--all-namespaces"));
    assertThat(everywhere).filteredOn(row -> row.get("NAMESPACE").equals("platform")).hasSize(7);
    assertThat(kubectl.ok("get", "ns")).contains("platform", "Active");
  }

  @Test
  void applyOfAnInvalidPolicyIsRefusedWithTheRulesMessageAndNothingIsStored() throws IOException {
    Path invalid = CrdRulesTest.PROJECT.resolve("authip-operator/src/test/resources/invalid/host-bits.yaml");
    Kubectl.Result refused = kubectl.run("apply", "-f", invalid.toString());
    assertThat(refused.exit()).as(refused.out()).isNotZero();
    assertThat(refused.err()).contains("The AuthorizedIpPolicy \"host-bits\" is invalid:",
        "spec.ranges[1].cidr: Invalid value: \"string\": 137.117.106.90/29 is not the first address of its range; "
            + "did you mean 137.117.106.88/29?",
        "spec.ranges[2].cidr: Invalid value: \"string\": 73.140.245.7/24 is not the first address of its range");
    assertThat(policy("platform", "host-bits").get()).isNull();

    Path examples = examplesIn("cel");
    kubectl.ok("apply", "-f", examples.toString());
    Path edited = Files.writeString(dir.resolve("scratch/unrestricted.yaml"),
        Files.readString(examples.resolve("policy-production.yaml"))
            .replace("  access: Restricted", "  access: Unrestricted"));
    Kubectl.Result update = kubectl.run("apply", "-f", edited.toString());
    assertThat(update.exit()).isNotZero();
    assertThat(update.err()).contains("spec.ranges: Invalid value: \"object\": must be empty with access: "
        + "Unrestricted, which sends no ranges to AKS; remove the ranges or use access: Restricted");
    assertThat(policy("cel", "production").get().getSpec().getAccess()).isEqualTo(Access.Restricted);
    Kubectl.Result patch = kubectl.run("patch", "iprs", "ci-runners", "-n", "cel", "--type", "json", "-p",
        "[{\"op\":\"add\",\"path\":\"/spec/ranges/-\",\"value\":{\"cidr\":\"0.0.0.0/32\"}}]");
    assertThat(patch.err()).contains("spec.ranges[3].cidr: Invalid value: \"string\": 0.0.0.0/32 is AKS's marker");
    assertThat(kubectl.run("apply", "--dry-run=server", "-f", invalid.toString()).err())
        .contains("137.117.106.90/29 is not the first address of its range");
  }

  @Test
  void getAsYamlPrintsTheStoredObject() throws IOException {
    kubectl.ok("apply", "-f", examplesIn("yaml").toString());
    AuthorizedIpPolicy printed = Serialization.unmarshal(
        kubectl.ok("get", "aip", "production", "-n", "yaml", "-o", "yaml"), AuthorizedIpPolicy.class);
    AuthorizedIpPolicy stored = policy("yaml", "production").get();
    assertThat(printed.getSpec().getRanges()).extracting(RangeEntry::getCidr).containsExactly(OFFICE, VPN);
    assertThat(Serialization.asJson(printed.getSpec())).isEqualTo(Serialization.asJson(stored.getSpec()));
    assertThat(printed.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(printed.getMetadata().getAnnotations()).containsKey("kubectl.kubernetes.io/last-applied-configuration");
    assertThat(kubectl.ok("get", "aip", "-n", "yaml", "-o", "yaml")).contains("kind: List", "name: batch",
        "name: production", "name: staging");
  }

  @Test
  void describeShowsThePolicyAndOnlyItsOwnEvents() throws IOException {
    kubectl.ok("apply", "-f", examplesIn("describe").toString());
    event("describe", policy("describe", "production").get(), "Applied", "ranges applied to aks-prod-weu");
    event("describe", policy("describe", "staging").get(), "DriftDetected", "staging drifted");

    String described = kubectl.ok("describe", "aip", "production", "-n", "describe");
    assertThat(described).contains("Name:         production", "Namespace:    describe",
        "Kind:         AuthorizedIpPolicy", "Events:", "Applied", "ranges applied to aks-prod-weu");
    assertThat(described).containsPattern("Cidr: +" + Pattern.quote(OFFICE));
    assertThat(described).doesNotContain("staging drifted");
    assertThat(kubectl.ok("get", "events", "-n", "describe")).contains("authorizedippolicy/production",
        "authorizedippolicy/staging");
  }

  @Test
  void applyingAnEditedRangeListReplacesTheList() throws IOException {
    Path production = examplesIn("edits").resolve("policy-production.yaml");
    kubectl.ok("apply", "-f", production.toString());
    Files.writeString(production, withOfficeReplaced(Files.readString(production)));

    assertThat(kubectl.ok("apply", "-f", production.toString()))
        .contains("authorizedippolicy.authip.io/production configured");
    AuthorizedIpPolicy edited = policy("edits", "production").get();
    assertThat(edited.getSpec().getRanges()).extracting(RangeEntry::getCidr, RangeEntry::getDescription)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(VPN, "VPN gateway pool"),
            org.assertj.core.groups.Tuple.tuple(NEW_OFFICE, "new office"));
    assertThat(edited.getMetadata().getGeneration()).isEqualTo(2L);

    assertThat(kubectl.ok("apply", "-f", production.toString()))
        .contains("authorizedippolicy.authip.io/production unchanged");
    assertThat(policy("edits", "production").get().getMetadata().getGeneration()).isEqualTo(2L);
  }

  @Test
  void mergePatchNullsDeleteKeysJsonPatchWorksAndStrategicMergeIsRefusedWithAHint() throws IOException {
    kubectl.ok("apply", "-f", examplesIn("patches").resolve("policy-production.yaml").toString());
    kubectl.ok("patch", "aip", "production", "-n", "patches", "--type", "merge", "-p",
        "{\"spec\":{\"resyncInterval\":null,\"egress\":{\"natGateway\":null},\"mode\":\"Observe\"}}");
    AuthorizedIpPolicy patched = policy("patches", "production").get();
    assertThat(patched.getSpec().getResyncInterval()).isNull();
    assertThat(patched.getSpec().getEgress().getNatGateway()).isNull();
    assertThat(patched.getSpec().getEgress().getLoadBalancer()).isTrue();
    assertThat(patched.getSpec().getMode()).isEqualTo(Mode.Observe);
    assertThat(patched.getSpec().getRanges()).extracting(RangeEntry::getCidr).containsExactly(OFFICE, VPN);
    assertThat(kubectl.ok("get", "aip", "production", "-n", "patches", "-o", "jsonpath={.spec}"))
        .contains("\"loadBalancer\":true").doesNotContain("resyncInterval", "natGateway");

    kubectl.ok("patch", "aip", "production", "-n", "patches", "--type", "json", "-p",
        "[{\"op\":\"remove\",\"path\":\"/spec/ranges/0\"}]");
    assertThat(policy("patches", "production").get().getSpec().getRanges()).extracting(RangeEntry::getCidr)
        .containsExactly(VPN);

    Kubectl.Result strategic = kubectl.run("patch", "aip", "production", "-n", "patches", "-p",
        "{\"spec\":{\"mode\":\"Enforce\"}}");
    assertThat(strategic.exit()).isNotZero();
    assertThat(strategic.err()).contains("--type merge");
    assertThat(policy("patches", "production").get().getSpec().getMode()).isEqualTo(Mode.Observe);
  }

  @Test
  void generationMovesWithSpecChangesOnlyAndStatusChangesOnlyThroughItsSubresource() throws IOException {
    kubectl.ok("apply", "-f", examplesIn("generation").resolve("policy-staging-observe.yaml").toString());
    kubectl.ok("label", "aip", "staging", "-n", "generation", "team=network");
    kubectl.ok("annotate", "aip", "staging", "-n", "generation", "note=metadata only");
    kubectl.ok("patch", "aip", "staging", "-n", "generation", "--type", "merge", "-p",
        "{\"metadata\":{\"finalizers\":[\"authip.io/restore\"]}}");
    assertThat(generation("staging")).isEqualTo(1L);

    setStatus("generation", "staging", "False", "Drifted", 1, "0/1");
    kubectl.ok("patch", "aip", "staging", "-n", "generation", "--subresource=status", "--type", "merge", "-p",
        "{\"status\":{\"rangeCount\":4},\"spec\":{\"mode\":\"Enforce\"}}");
    AuthorizedIpPolicy afterStatus = policy("generation", "staging").get();
    assertThat(afterStatus.getStatus().getRangeCount()).isEqualTo(4);
    assertThat(afterStatus.getStatus().getConditions()).extracting(Condition::getReason).containsExactly("Drifted");
    assertThat(afterStatus.getSpec().getMode()).isEqualTo(Mode.Observe);
    assertThat(afterStatus.getMetadata().getGeneration()).isEqualTo(1L);

    kubectl.ok("patch", "aip", "staging", "-n", "generation", "--type", "merge", "-p",
        "{\"status\":{\"rangeCount\":99}}");
    assertThat(policy("generation", "staging").get().getStatus().getRangeCount()).isEqualTo(4);
    assertThat(generation("staging")).isEqualTo(1L);

    kubectl.ok("patch", "aip", "staging", "-n", "generation", "--type", "merge", "-p",
        "{\"spec\":{\"mode\":\"Enforce\"}}");
    assertThat(generation("staging")).isEqualTo(2L);
    assertThat(policy("generation", "staging").get().getStatus().getRangeCount()).isEqualTo(4);
  }

  @Test
  void aCrdAppliedLaterIsServedToo() throws IOException {
    Path crd = dir.resolve("widgets.yaml");
    Files.writeString(crd, String.join("\n",
        "apiVersion: apiextensions.k8s.io/v1",
        "kind: CustomResourceDefinition",
        "metadata: {name: widgets.example.com}",
        "spec:",
        "  group: example.com",
        "  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wdg]}",
        "  scope: Namespaced",
        "  versions:",
        "  - name: v1",
        "    served: true",
        "    storage: true",
        "    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}",
        "    additionalPrinterColumns:",
        "    - {name: Color, type: string, jsonPath: .spec.color}",
        ""));
    kubectl.ok("apply", "-f", crd.toString());
    Path widget = dir.resolve("widget.yaml");
    Files.writeString(widget, String.join("\n",
        "apiVersion: example.com/v1",
        "kind: Widget",
        "metadata: {name: w1, namespace: widgets}",
        "spec: {color: blue}",
        ""));
    kubectl.ok("apply", "-f", widget.toString());
    assertThat(table(kubectl.ok("get", "wdg", "-n", "widgets"))).containsExactly(Map.of("NAME", "w1",
        "COLOR", "blue"));
  }

  @Test
  void editSelectorsAndOtherOutputFormatsWork() throws IOException {
    kubectl.ok("apply", "-f", examplesIn("formats").toString());
    kubectl.ok("label", "aip", "production", "staging", "-n", "formats", "tier=prod");
    kubectl.ok("label", "aip", "staging", "-n", "formats", "tier=staging", "--overwrite");
    assertThat(kubectl.ok("get", "aip", "-n", "formats", "-l", "tier in (prod,test)", "-o", "name"))
        .isEqualTo("authorizedippolicy.authip.io/production\n");
    assertThat(kubectl.ok("get", "aip", "-n", "formats", "-l", "!tier", "-o", "name"))
        .isEqualTo("authorizedippolicy.authip.io/batch\nauthorizedippolicy.authip.io/guarded\n"
            + "authorizedippolicy.authip.io/internal\nauthorizedippolicy.authip.io/partners\n"
            + "authorizedippolicy.authip.io/spoke\n");
    assertThat(kubectl.ok("get", "aip", "-n", "formats", "--field-selector", "metadata.name!=production",
        "-o", "name")).isEqualTo("authorizedippolicy.authip.io/batch\nauthorizedippolicy.authip.io/guarded\n"
            + "authorizedippolicy.authip.io/internal\nauthorizedippolicy.authip.io/partners\n"
            + "authorizedippolicy.authip.io/spoke\nauthorizedippolicy.authip.io/staging\n");
    assertThat(table(kubectl.ok("get", "aip", "-n", "formats", "-o", "wide"))).hasSize(7);

    Path editor = dir.resolve("editor.sh");
    Files.writeString(editor, "#!/bin/sh\nsed -i 's/^  mode: Observe$/  mode: Enforce/' \"$1\"\n");
    assertThat(editor.toFile().setExecutable(true)).isTrue();
    assertThat(kubectl.ok(Map.of("KUBE_EDITOR", editor.toString()), "edit", "aip", "staging", "-n", "formats"))
        .contains("authorizedippolicy.authip.io/staging edited");
    assertThat(policy("formats", "staging").get().getSpec().getMode()).isEqualTo(Mode.Enforce);
    assertThat(policy("formats", "staging").get().getMetadata().getGeneration()).isEqualTo(2L);
  }

  @Test
  void deleteFromTheFilesRemovesEverythingTheyCreated() throws IOException {
    Path examples = examplesIn("deletes");
    kubectl.ok("apply", "-f", examples.toString());
    assertThat(kubectl.ok("delete", "-f", examples.toString())).contains(
        "iprangeset.authip.io \"ci-runners\" deleted", "authorizedippolicy.authip.io \"batch\" deleted",
        "authorizedippolicy.authip.io \"production\" deleted", "authorizedippolicy.authip.io \"staging\" deleted");
    assertThat(client.resources(AuthorizedIpPolicy.class).inNamespace("deletes").list().getItems()).isEmpty();
    assertThat(client.resources(IpRangeSet.class).inNamespace("deletes").list().getItems()).isEmpty();
    assertThat(kubectl.run("get", "aip", "-n", "deletes").err()).contains("No resources found");
  }

  @Test
  void errorsReadLikeARealApiServers() throws IOException {
    Path staging = examplesIn("errors").resolve("policy-staging-observe.yaml");
    kubectl.ok("create", "-f", staging.toString());
    assertThat(kubectl.run("create", "-f", staging.toString()).err()).contains(
        "Error from server (AlreadyExists)", "authorizedippolicies.authip.io \"staging\" already exists");
    assertThat(kubectl.run("get", "aip", "nosuch", "-n", "errors").err())
        .contains("Error from server (NotFound): authorizedippolicies.authip.io \"nosuch\" not found");
    Path stale = dir.resolve("stale.yaml");
    Files.writeString(stale, Files.readString(staging).replace("  namespace: errors",
        "  namespace: errors\n  resourceVersion: \"1\""));
    assertThat(kubectl.run("replace", "-f", stale.toString()).err()).contains("Error from server (Conflict)",
        "the object has been modified");
  }

  @Test
  void aTokenRequestSentRawGetsASignedTokenAndCreateTokenAHint() throws IOException {
    client.serviceAccounts().inNamespace("tokens").resource(new ServiceAccountBuilder().withNewMetadata()
        .withName("tenant").withNamespace("tokens").endMetadata().build()).create();
    Path request = dir.resolve("tokenrequest.json");
    Files.writeString(request, "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\","
        + "\"spec\":{\"audiences\":[\"api://AzureADTokenExchange\"],\"expirationSeconds\":1200}}");
    String answer = kubectl.ok("create", "--raw", "/api/v1/namespaces/tokens/serviceaccounts/tenant/token",
        "-f", request.toString());
    String token = Json.parse(answer).path("status").path("token").asText();
    Map<String, Object> claims = ServiceAccountTokens.verify(token, k8s.serviceAccountSigningKey());
    assertThat(claims.get("sub")).isEqualTo("system:serviceaccount:tokens:tenant");
    assertThat(claims.get("aud")).isEqualTo(List.of("api://AzureADTokenExchange"));
    assertThat(kubectl.run("create", "--raw", "/api/v1/namespaces/tokens/serviceaccounts/nobody/token", "-f",
        request.toString()).err()).contains("Error from server (NotFound): serviceaccounts \"nobody\" not found");
    // kubectl create token sends protobuf
    assertThat(kubectl.run("create", "token", "tenant", "-n", "tokens").err())
        .contains("kubectl create --raw /api/v1/namespaces/NAMESPACE/serviceaccounts/NAME/token");
    assertThat(kubectl.ok("api-resources", "--api-group", "")).doesNotContain("serviceaccounts/token");
    assertThat(k8s.tokenRequests("tokens", "tenant")).isEqualTo(1);
  }

  @Test
  void diffServerDryRunAndExplainChangeNothing() throws IOException {
    Path production = examplesIn("dryrun").resolve("policy-production.yaml");
    kubectl.ok("apply", "-f", production.toString());
    Files.writeString(production, withOfficeReplaced(Files.readString(production)));

    Kubectl.Result diff = kubectl.run("diff", "-f", production.toString());
    assertThat(diff.exit()).as(diff.err()).isEqualTo(1);
    assertThat(diff.out()).contains("-  - cidr: " + OFFICE, "+  - cidr: " + NEW_OFFICE, "+  generation: 2");
    assertThat(kubectl.ok("apply", "-f", production.toString(), "--dry-run=server")).contains("(server dry run)");
    assertThat(kubectl.ok("create", "-f", examplesIn("dryrun-create").toString(), "--dry-run=server"))
        .contains("created (server dry run)");

    AuthorizedIpPolicy unchanged = policy("dryrun", "production").get();
    assertThat(unchanged.getSpec().getRanges()).extracting(RangeEntry::getCidr).containsExactly(OFFICE, VPN);
    assertThat(unchanged.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(client.resources(AuthorizedIpPolicy.class).inNamespace("dryrun-create").list().getItems()).isEmpty();

    assertThat(kubectl.ok("explain", "aip.spec.ranges")).contains("KIND:       AuthorizedIpPolicy",
        "cidr\t<string> -required-", "Why this range is allowed");
  }

  @Test
  void watchWaitAndDeleteThroughAFinalizerFollowTheChanges() throws Exception {
    kubectl.ok("apply", "-f", examplesIn("watch").resolve("policy-staging-observe.yaml").toString());
    Path watched = dir.resolve("watch.out");
    Path waited = dir.resolve("wait.out");
    Path deleted = dir.resolve("delete.out");
    Process watch = kubectl.start(watched, "get", "aip", "-n", "watch", "--watch");
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(watched).contains("staging"));
      Process wait = kubectl.start(waited, "wait", "--for=condition=Ready", "aip/staging", "-n", "watch",
          "--timeout=30s");
      setStatus("watch", "staging", "True", "InSync", 1, "1/1");
      assertThat(wait.waitFor(20, TimeUnit.SECONDS)).as("kubectl wait finished").isTrue();
      assertThat(wait.exitValue()).as(Files.readString(waited)).isZero();
      assertThat(Files.readString(waited)).contains("authorizedippolicy.authip.io/staging condition met");
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(watched).contains("InSync"));

      policy("watch", "staging").edit(p -> {
        p.getMetadata().setFinalizers(List.of("authip.io/restore"));
        return p;
      });
      Process delete = kubectl.start(deleted, "delete", "aip", "staging", "-n", "watch");
      await().atMost(Duration.ofSeconds(10))
          .until(() -> policy("watch", "staging").get().getMetadata().getDeletionTimestamp() != null);
      assertThat(Instant.parse(policy("watch", "staging").get().getMetadata().getDeletionTimestamp()))
          .isBefore(Instant.now().plusSeconds(1));
      assertThat(delete.waitFor(1, TimeUnit.SECONDS)).as("kubectl delete waits for the finalizer").isFalse();
      policy("watch", "staging").edit(p -> {
        p.getMetadata().setFinalizers(List.of());
        return p;
      });
      assertThat(delete.waitFor(15, TimeUnit.SECONDS)).as("kubectl delete finished").isTrue();
      assertThat(delete.exitValue()).as(Files.readString(deleted)).isZero();
      assertThat(policy("watch", "staging").get()).isNull();
    } finally {
      watch.destroy();
    }
    assertThat(Files.readString(watched)).doesNotContain("error", "Error");
  }

  @Test
  void anInformerOnTheFabric8ClientSeesWhatKubectlDoes() throws IOException {
    List<String> seen = new CopyOnWriteArrayList<>();
    SharedIndexInformer<AuthorizedIpPolicy> informer = client.resources(AuthorizedIpPolicy.class)
        .inNamespace("informer").inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(AuthorizedIpPolicy p) {
            seen.add("ADDED " + describe(p));
          }

          @Override
          public void onUpdate(AuthorizedIpPolicy before, AuthorizedIpPolicy after) {
            seen.add("UPDATED " + describe(after));
          }

          @Override
          public void onDelete(AuthorizedIpPolicy p, boolean unknownFinalState) {
            seen.add("DELETED " + p.getMetadata().getName());
          }
        }, 0);
    try {
      Path production = examplesIn("informer").resolve("policy-production.yaml");
      kubectl.ok("apply", "-f", production.toString());
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("ADDED production " + OFFICE + "," + VPN));

      Files.writeString(production, withOfficeReplaced(Files.readString(production)));
      kubectl.ok("apply", "-f", production.toString());
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("UPDATED production " + VPN + "," + NEW_OFFICE));
      assertThat(informer.getStore().getByKey("informer/production").getSpec().getRanges())
          .extracting(RangeEntry::getCidr).containsExactly(VPN, NEW_OFFICE);

      setStatus("informer", "production", "True", "InSync", 2, "2/2");
      await().atMost(Duration.ofSeconds(10)).until(() -> informer.getStore().getByKey("informer/production")
          .getStatus() != null);

      kubectl.ok("delete", "-f", production.toString());
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("DELETED production"));
    } finally {
      informer.close();
    }
  }

  @Test
  void aFabric8ClientOnTheKubectlEndpointWatchesOverHttp() throws IOException {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (KubernetesClient overHttp = new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory())
        .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(k8s.url()).build()).build();
        SharedIndexInformer<AuthorizedIpPolicy> informer = overHttp.resources(AuthorizedIpPolicy.class)
            .inNamespace("http-watch").inform(new ResourceEventHandler<>() {
              @Override
              public void onAdd(AuthorizedIpPolicy p) {
                seen.add("ADDED " + describe(p));
              }

              @Override
              public void onUpdate(AuthorizedIpPolicy before, AuthorizedIpPolicy after) {
                seen.add("UPDATED " + describe(after));
              }

              @Override
              public void onDelete(AuthorizedIpPolicy p, boolean unknownFinalState) {
                seen.add("DELETED " + p.getMetadata().getName());
              }
            }, 0)) {
      Path staging = examplesIn("http-watch").resolve("policy-staging-observe.yaml");
      kubectl.ok("apply", "-f", staging.toString());
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("ADDED staging " + OFFICE));
      kubectl.ok("patch", "aip", "staging", "-n", "http-watch", "--type", "merge", "-p",
          "{\"spec\":{\"ranges\":[{\"cidr\":\"" + NEW_OFFICE + "\"}]}}");
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("UPDATED staging " + NEW_OFFICE));
      kubectl.ok("delete", "-f", staging.toString());
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("DELETED staging"));
    }
  }

  private static String describe(AuthorizedIpPolicy p) {
    return p.getMetadata().getName() + " " + String.join(",",
        p.getSpec().rangesOrEmpty().stream().map(RangeEntry::getCidr).toList());
  }

  /**
   * The platform team's examples (the sets and policies of namespace platform), copied with their namespace replaced
   * so that each test has its own. The grants (cluster-scoped) and the tenants' policies are left out.
   */
  private static Path examplesIn(String namespace) throws IOException {
    Path target = Files.createDirectories(dir.resolve("examples-" + namespace));
    int copied = 0;
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        String yaml = Files.readString(file);
        if (!yaml.contains("  namespace: platform")) {
          assertThat(yaml).as(file.toString()).containsAnyOf("kind: TargetGrant", "  namespace: team-");
          continue;
        }
        Files.writeString(target.resolve(file.getFileName()), yaml.replace("  namespace: platform",
            "  namespace: " + namespace));
        copied++;
      }
    }
    assertThat(copied).isGreaterThanOrEqualTo(5);
    return target;
  }

  /** The production example with the office range removed and a new one added after the VPN range. */
  private static String withOfficeReplaced(String yaml) {
    String edited = yaml.replace("    - cidr: " + OFFICE + "\n      description: office network\n", "")
        .replace("      description: VPN gateway pool\n",
            "      description: VPN gateway pool\n    - cidr: " + NEW_OFFICE + "\n      description: new office\n");
    assertThat(edited).doesNotContain(OFFICE).contains(NEW_OFFICE);
    return edited;
  }

  private static Resource<AuthorizedIpPolicy> policy(String namespace, String name) {
    return client.resources(AuthorizedIpPolicy.class).inNamespace(namespace).withName(name);
  }

  private static long generation(String name) {
    return policy("generation", name).get().getMetadata().getGeneration();
  }

  /** As the operator does: a merge patch of the status subresource. */
  private static void setStatus(String namespace, String name, String ready, String reason, int ranges,
      String targets) {
    AuthorizedIpPolicy p = policy(namespace, name).get();
    AuthorizedIpPolicyStatus status = new AuthorizedIpPolicyStatus();
    status.setConditions(new ArrayList<>(List.of(new ConditionBuilder().withType("Ready").withStatus(ready)
        .withReason(reason).withMessage(reason).withLastTransitionTime(Instant.now().toString()).build())));
    status.setRangeCount(ranges);
    status.setTargetsInSync(targets);
    p.setStatus(status);
    client.resource(p).patchStatus();
  }

  private static void event(String namespace, HasMetadata about, String reason, String message) {
    client.v1().events().inNamespace(namespace).resource(new EventBuilder().withNewMetadata()
        .withName(about.getMetadata().getName() + "." + reason.toLowerCase(Locale.ROOT)).endMetadata()
        .withNewInvolvedObject().withApiVersion(about.getApiVersion()).withKind(about.getKind())
        .withName(about.getMetadata().getName()).withNamespace(namespace).withUid(about.getMetadata().getUid())
        .endInvolvedObject().withReason(reason).withMessage(message).withType("Normal")
        .withFirstTimestamp(Instant.now().toString()).withLastTimestamp(Instant.now().toString()).withCount(1)
        .withNewSource().withComponent("authip").endSource().build()).create();
  }

  /** The printer columns of an installed CRD, as kubectl's header names them. */
  private static List<String> columnsOf(int crd) {
    try (InputStream in = EmbeddedKubernetes.class.getClassLoader()
        .getResourceAsStream(EmbeddedKubernetes.CRD_RESOURCES.get(crd))) {
      CustomResourceDefinition definition = Serialization.unmarshal(in, CustomResourceDefinition.class);
      List<String> names = new ArrayList<>(List.of("NAME"));
      definition.getSpec().getVersions().get(0).getAdditionalPrinterColumns()
          .forEach(c -> names.add(c.getName().toUpperCase(Locale.ROOT)));
      return names;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** kubectl's table as rows of header → cell, cut at the header's column starts (cells may be blank). */
  private static List<Map<String, String>> table(String output) {
    List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as(output).isNotEmpty();
    Matcher m = Pattern.compile("\\S+(?: \\S+)*").matcher(lines.get(0));
    List<Integer> starts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    while (m.find()) {
      starts.add(m.start());
      names.add(m.group());
    }
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        int from = Math.min(starts.get(i), line.length());
        int to = i + 1 < starts.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
        row.put(names.get(i), line.substring(from, to).trim());
      }
      rows.add(row);
    }
    return rows;
  }
}
