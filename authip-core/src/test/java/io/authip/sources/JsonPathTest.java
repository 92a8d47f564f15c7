package io.authip.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonPathTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  @Test
  void selectsTheShapesOfRealFeeds() throws Exception {
    // GitHub meta: arrays of strings per service
    JsonNode github = json("{'hooks': ['192.30.252.0/22', '2620:112:3000::/44'], 'web': ['140.82.112.0/20']}");
    assertThat(JsonPath.compile("$.hooks[*]").strings(github, "g")).containsExactly("192.30.252.0/22",
        "2620:112:3000::/44");
    assertThat(JsonPath.compile("$['web'][0]").strings(github, "g")).containsExactly("140.82.112.0/20");
    assertThat(JsonPath.compile("$.*[*]").strings(github, "g")).hasSize(3);
    // AWS ip-ranges: objects filtered by a field
    JsonNode aws = json("{'prefixes': [{'ip_prefix': '3.5.140.0/22', 'service': 'AMAZON'},"
        + " {'ip_prefix': '13.32.0.0/15', 'service': 'CLOUDFRONT'}, {'ip_prefix': '52.46.0.0/18', 'service': "
        + "'CLOUDFRONT', 'region': {'name': 'GLOBAL'}}]}");
    assertThat(JsonPath.compile("$.prefixes[?(@.service=='CLOUDFRONT')].ip_prefix").strings(aws, "a"))
        .containsExactly("13.32.0.0/15", "52.46.0.0/18");
    assertThat(JsonPath.compile("$.prefixes[?(@.service != 'CLOUDFRONT')].ip_prefix").strings(aws, "a"))
        .containsExactly("3.5.140.0/22");
    assertThat(JsonPath.compile("$.prefixes[?(@.region.name=='GLOBAL')].ip_prefix").strings(aws, "a"))
        .containsExactly("52.46.0.0/18");
    assertThat(JsonPath.compile("$.missing[*]").strings(aws, "a")).isEmpty();
  }

  @Test
  void selectingSomethingOtherThanStringsIsRefusedWithAHint() throws Exception {
    JsonNode github = json("{'hooks': ['192.30.252.0/22'], 'n': 3}");
    assertThatThrownBy(() -> JsonPath.compile("$.hooks").strings(github, "https://x/meta"))
        .isInstanceOf(FeedException.class)
        .hasMessage("https://x/meta: jsonPath $.hooks selects an array, not strings; add [*] to select its elements");
    assertThatThrownBy(() -> JsonPath.compile("$.n").strings(github, "f")).hasMessageContaining("selects a number");
  }

  @Test
  void onlyTheDocumentedStepsAreAccepted() {
    assertThat(JsonPath.problem("hooks[*]")).hasValueSatisfying(m -> assertThat(m).contains("does not start with $"));
    assertThat(JsonPath.problem("$..hooks")).hasValueSatisfying(m -> assertThat(m).contains("recursive descent"));
    assertThat(JsonPath.problem("$.hooks[?(@.a > 1)]")).hasValueSatisfying(m -> assertThat(m)
        .contains("the filter"));
    assertThat(JsonPath.problem("$.hooks[")).hasValueSatisfying(m -> assertThat(m).contains("without its ']'"));
    assertThat(JsonPath.problem("$.hooks[length()]")).isPresent();
    assertThat(JsonPath.problem("$.a.b['c d'][*][2].*")).isEmpty();
  }
}
