package io.authip.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The strict operation URL parser, on its own: what it accepts, what it rebuilds, and a hostile corpus. */
class OperationUrlTest {

  static final String SUB = "3f2b8c1d-5e6a-4b7c-8d9e-0a1b2c3d4e5f";
  static final String OTHER_SUB = "6f1e8b2c-3d4a-4e5f-9a0b-1c2d3e4f5a6b";
  static final String CLUSTER = "/subscriptions/" + SUB
      + "/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod";
  static final URI ARM = URI.create("https://127.0.0.1:18444/");
  static final String OP_PATH = "/subscriptions/" + SUB
      + "/providers/Microsoft.ContainerService/locations/westeurope/operations/0b9c7f0e-1d2a-4c3b-9e8f-7a6b5c4d3e2f";
  static final String SIGNED = "?api-version=2016-03-30&t=638981234567890123&c=MIIHhzCCBm-gAwIBAgITfAa_z"
      + "&s=Kr4Zq-8_x1Yw&h=c4mPq_9-Zk";
  static final String GOOD = "https://127.0.0.1:18444" + OP_PATH + SIGNED;

  @Test
  void acceptsAksOperationUrlsAndRebuildsThemOnTheConfiguredEndpoint() throws Exception {
    OperationUrl u = OperationUrl.parse(GOOD, ARM, CLUSTER);
    assertThat(u.kind()).isEqualTo(OperationUrl.Kind.OPERATION);
    assertThat(u.toUrl(ARM)).isEqualTo(GOOD);
    assertThat(u.path()).isEqualTo(OP_PATH);

    OperationUrl result = OperationUrl.parse(GOOD.replace("/operations/", "/operationresults/"), ARM, CLUSTER);
    assertThat(result.kind()).isEqualTo(OperationUrl.Kind.OPERATION_RESULT);

    OperationUrl unsigned = OperationUrl.parse("https://127.0.0.1:18444" + OP_PATH + "?api-version=2025-07-01", ARM,
        CLUSTER);
    assertThat(unsigned.toUrl(ARM)).endsWith("?api-version=2025-07-01");

    OperationUrl cluster = OperationUrl.parse("https://127.0.0.1:18444" + CLUSTER.toLowerCase()
        + "?api-version=2025-07-01", ARM, CLUSTER);
    assertThat(cluster.kind()).isEqualTo(OperationUrl.Kind.CLUSTER);
  }

  @Test
  void literalSegmentsHostAndSubscriptionCompareCaseInsensitivelyAndComeBackCanonical() throws Exception {
    URI arm = URI.create("https://management.azure.com/");
    String input = "https://Management.Azure.COM:443/SUBSCRIPTIONS/" + SUB.toUpperCase()
        + "/PROVIDERS/microsoft.containerservice/Locations/WestEurope/OPERATIONS/abc-123" + SIGNED;
    assertThat(OperationUrl.parse(input, arm, CLUSTER).toUrl(arm))
        .isEqualTo("https://management.azure.com/subscriptions/"
        + SUB.toUpperCase() + "/providers/Microsoft.ContainerService/locations/WestEurope/operations/abc-123" + SIGNED);
  }

  @Test
  void anEndpointWithAPathKeepsItsPath() throws Exception {
    URI arm = URI.create("https://arm.example.test:8443/stack/");
    String input = "https://arm.example.test:8443/stack" + OP_PATH + SIGNED;
    assertThat(OperationUrl.parse(input, arm, CLUSTER).toUrl(arm)).isEqualTo(input);
    assertThatThrownBy(() -> OperationUrl.parse("https://arm.example.test:8443" + OP_PATH + SIGNED, arm, CLUSTER))
        .hasMessageContaining("endpoint's path");
  }

  @Test
  void theParameterOrderIsArmsWhateverTheInputs() throws Exception {
    String shuffled = "https://127.0.0.1:18444" + OP_PATH + "?h=c4mPq_9-Zk&s=Kr4Zq-8_x1Yw&api-version=2016-03-30"
        + "&c=MIIHhzCCBm-gAwIBAgITfAa_z&t=638981234567890123";
    assertThat(OperationUrl.parse(shuffled, ARM, CLUSTER).toUrl(ARM)).isEqualTo(GOOD);
  }

  static Stream<Arguments> hostile() {
    String host = "https://127.0.0.1:18444";
    String other = "127.0.0.1:19999";
    String unicodeHost = "https://127\u30020\u30020\u30021:18444";
    return Stream.of(
        Arguments.of("the #@ case of issue 9", host + "#@" + other + "/p3", "fragment"),
        Arguments.of("#@ before a valid path", host + "#@" + other + OP_PATH + SIGNED, "fragment"),
        Arguments.of("fragment at the end", GOOD + "#x", "fragment"),
        Arguments.of("userinfo that names the ARM host", "https://127.0.0.1:18444@" + other + OP_PATH + SIGNED,
            "user information"),
        Arguments.of("userinfo before the ARM host", "https://user:pw@127.0.0.1:18444" + OP_PATH + SIGNED,
            "user information"),
        Arguments.of("backslash authority trick", host + "\\@" + other + OP_PATH + SIGNED, "backslash"),
        Arguments.of("backslash in the path", host + OP_PATH.replace("/operations/", "\\operations\\") + SIGNED,
            "backslash"),
        Arguments.of("percent-encoded dots", host + OP_PATH + "/%2e%2e/%2e%2e" + SIGNED, "percent-encoded"),
        Arguments.of("percent-encoded slash", host + OP_PATH.replace("/operations/", "/operations%2f") + SIGNED,
            "percent-encoded"),
        Arguments.of("percent-encoded at sign", "https://x%40127.0.0.1:18444" + OP_PATH + SIGNED, "percent-encoded"),
        Arguments.of("percent-encoded hash", host + OP_PATH + "%23" + SIGNED, "percent-encoded"),
        Arguments.of("percent-encoded question mark", host + OP_PATH + "%3f" + SIGNED, "percent-encoded"),
        Arguments.of("percent-encoded host", "https://%31%32%37.0.0.1:18444" + OP_PATH + SIGNED, "percent-encoded"),
        Arguments.of("dot-dot segments", host + OP_PATH + "/../../../x" + SIGNED, "'..' segment"),
        Arguments.of("dot segment", host + "/." + OP_PATH + SIGNED, "'.' segment"),
        Arguments.of("double slash", host + "/" + OP_PATH + SIGNED, "empty segment"),
        Arguments.of("double slash inside", host + OP_PATH.replace("/operations/", "/operations//") + SIGNED,
            "empty segment"),
        Arguments.of("IPv6 literal", "https://[::1]:18444" + OP_PATH + SIGNED, "IPv6"),
        Arguments.of("IPv4-mapped IPv6 literal", "https://[::ffff:127.0.0.1]:18444" + OP_PATH + SIGNED, "IPv6"),
        Arguments.of("other port", "https://" + other + OP_PATH + SIGNED, "not on the Resource Manager endpoint"),
        Arguments.of("default port", "https://127.0.0.1" + OP_PATH + SIGNED, "not on the Resource Manager endpoint"),
        Arguments.of("port with a leading zero", "https://127.0.0.1:018444" + OP_PATH + SIGNED, "not a port"),
        Arguments.of("port out of range", "https://127.0.0.1:118444" + OP_PATH + SIGNED, "not a port"),
        Arguments.of("port with junk", "https://127.0.0.1:18444;" + other + OP_PATH + SIGNED, "not a port"),
        Arguments.of("empty port", "https://127.0.0.1:" + OP_PATH + SIGNED, "not a port"),
        Arguments.of("other host", "https://127.0.0.2:18444" + OP_PATH + SIGNED, "not on the Resource Manager"),
        Arguments.of("host with a trailing dot", "https://127.0.0.1.:18444" + OP_PATH + SIGNED,
            "not on the Resource Manager"),
        Arguments.of("attacker host", "https://attacker.invalid/collect", "not on the Resource Manager"),
        Arguments.of("host with an underscore", "https://127_0.0.1:18444" + OP_PATH + SIGNED, "not a host name"),
        Arguments.of("upper-case scheme", "HTTPS://127.0.0.1:18444" + OP_PATH + SIGNED, "lower case"),
        Arguments.of("mixed-case scheme", "hTTps://127.0.0.1:18444" + OP_PATH + SIGNED, "lower case"),
        Arguments.of("plain http", "http://127.0.0.1:18444" + OP_PATH + SIGNED, "not an https:// URL"),
        Arguments.of("one slash", "https:/127.0.0.1:18444" + OP_PATH + SIGNED, "not an https:// URL"),
        Arguments.of("scheme-relative", "//" + other + OP_PATH + SIGNED, "not an https:// URL"),
        Arguments.of("a bare path", OP_PATH + SIGNED, "not an https:// URL"),
        Arguments.of("another scheme", "file:///etc/passwd", "not an https:// URL"),
        Arguments.of("javascript", "javascript:alert(1)", "not an https:// URL"),
        Arguments.of("query before the path", "https://127.0.0.1:18444?@" + other + OP_PATH, "no path"),
        Arguments.of("no path", "https://127.0.0.1:18444", "no path"),
        Arguments.of("ideographic full stops in the host", unicodeHost + OP_PATH + SIGNED, "non-ASCII"),
        Arguments.of("one dot leader in the path", host + OP_PATH + "/\u2024\u2024" + SIGNED, "non-ASCII"),
        Arguments.of("full-width solidus", host + OP_PATH.replace("/operations/", "\uFF0Foperations\uFF0F") + SIGNED,
            "non-ASCII"),
        Arguments.of("full-width at sign", host + "\uFF20" + other + OP_PATH + SIGNED, "non-ASCII"),
        Arguments.of("Cyrillic letter in the host", "https://l\u043Ecalhost:18444" + OP_PATH + SIGNED, "non-ASCII"),
        Arguments.of("zero-width space", host + "\u200B" + OP_PATH + SIGNED, "non-ASCII"),
        Arguments.of("space", host + " " + OP_PATH + SIGNED, "a space"),
        Arguments.of("tab", host + "\t" + OP_PATH + SIGNED, "control character U+0009"),
        Arguments.of("CR LF header injection", GOOD + "\r\nHost: evil", "control character U+000D"),
        Arguments.of("NUL", host + "\u0000@" + other + OP_PATH + SIGNED, "control character U+0000"),
        Arguments.of("DEL", host + "\u007f" + OP_PATH + SIGNED, "control character U+007F"),
        Arguments.of("other subscription", host + OP_PATH.replace(SUB, OTHER_SUB) + SIGNED, "not in the cluster's"),
        Arguments.of("subscription that is not a GUID", host + OP_PATH.replace(SUB, "sub") + SIGNED, "not a GUID"),
        Arguments.of("another provider", host + OP_PATH.replace("Microsoft.ContainerService", "Microsoft.Network")
            + SIGNED, "not an AKS operation"),
        Arguments.of("extra segment", host + OP_PATH + "/cancel" + SIGNED, "not an AKS operation"),
        Arguments.of("a resource URL of another type", host + "/subscriptions/" + SUB
            + "/resourceGroups/rg-prod/providers/Microsoft.KeyVault/vaults/kv?api-version=2023-07-01",
            "not an AKS operation"),
        Arguments.of("another cluster", host + CLUSTER.replace("aks-prod", "aks-other") + "?api-version=2025-07-01",
            "names the managed cluster"),
        Arguments.of("location with a hyphen", host + OP_PATH.replace("westeurope", "west-europe") + SIGNED,
            "not an Azure region"),
        Arguments.of("segment with a semicolon", host + OP_PATH + ";jsessionid=1" + SIGNED, "has characters"),
        Arguments.of("segment with a colon", host + OP_PATH.replace("westeurope", "west:europe") + SIGNED,
            "has characters"),
        Arguments.of("unknown query parameter", GOOD + "&redirect=https://evil", "parameter 'redirect'"),
        Arguments.of("repeated api-version", GOOD + "&api-version=2016-03-30", "twice"),
        Arguments.of("no api-version", host + OP_PATH + "?t=1", "no api-version"),
        Arguments.of("no query", host + OP_PATH, "no api-version"),
        Arguments.of("empty query", host + OP_PATH + "?", "no api-version"),
        Arguments.of("trailing ampersand", GOOD + "&", "without a name"),
        Arguments.of("parameter without a value", host + OP_PATH + "?api-version", "without a name"),
        Arguments.of("signature with a slash", host + OP_PATH + "?api-version=2016-03-30&s=ab/cd", "unexpected value"),
        Arguments.of("signature with an at sign", host + OP_PATH + "?api-version=2016-03-30&s=a@b", "unexpected value"),
        Arguments.of("a query that is a URL", host + OP_PATH + "?api-version=https://evil/", "unexpected value"),
        Arguments.of("timestamp with letters", host + OP_PATH + "?api-version=2016-03-30&t=12ab", "unexpected value"),
        Arguments.of("over-long URL", GOOD + "&c=" + "A".repeat(OperationUrl.MAX_LENGTH), "characters long"),
        Arguments.of("empty", "", "empty"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void refusesHostileUrlsNamingWhatIsWrong(String name, String url, String problem) {
    assertThatThrownBy(() -> OperationUrl.parse(url, ARM, CLUSTER))
        .isInstanceOf(OperationUrl.Refused.class)
        .hasMessageContaining(problem);
  }

  @Test
  void aHandleWhoseClusterIsNoClusterIsRefused() {
    assertThatThrownBy(() -> OperationUrl.parse(GOOD, ARM, "x")).hasMessageContaining("not a managed cluster ID");
    assertThatThrownBy(() -> OperationUrl.parse(GOOD, ARM, CLUSTER + "/../x")).hasMessageContaining(
        "not a managed cluster ID");
    assertThat(OperationUrl.cluster(CLUSTER)).isPresent();
    assertThat(OperationUrl.cluster(null)).isEmpty();
  }

  /** Why java.net.URI was not enough: it approves what the old check approved, host and port as configured. */
  @Test
  void javaNetUriApprovesTheFragmentTrickWhichThisParserRefuses() throws Exception {
    URI u = new URI("https://127.0.0.1:18444#@127.0.0.1:19999/p3");
    assertThat(u.getHost()).isEqualTo("127.0.0.1");
    assertThat(u.getPort()).isEqualTo(18444);
    assertThat(u.getUserInfo()).isNull();
    assertThatThrownBy(() -> OperationUrl.parse(u.toString(), ARM, CLUSTER)).hasMessageContaining("fragment");
  }

  /** The corpus stays large and has no case twice. */
  @Test
  void theCorpusIsLargeAndEveryCaseDiffers() {
    List<String> urls = hostile().map(a -> (String) a.get()[1]).toList();
    assertThat(urls).hasSizeGreaterThan(60).doesNotHaveDuplicates();
  }
}
