package io.authip.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinitionBuilder;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SimpleJsonPathTest {

  private static final JsonNode POLICY = Json.parse(("{'metadata':{'name':'p','creationTimestamp':"
      + "'2025-01-01T00:00:00Z','labels':{'app.kubernetes.io/name':'x'}},'status':{'rangeCount':7,"
      + "'targetsInSync':'1/2','conditions':[{'type':'Drifted','status':'True','reason':'Drift'},"
      + "{'type':'Ready','status':'False','reason':'Blocked'}]}}").replace('\'', '"'));

  @Test
  void fieldsFiltersIndexesAndWildcards() {
    assertThat(text(".status.targetsInSync")).isEqualTo("1/2");
    assertThat(text(".status.conditions[?(@.type==\"Ready\")].reason")).isEqualTo("Blocked");
    assertThat(text("{.status.conditions[?(@.type=='Drifted')].status}")).isEqualTo("True");
    assertThat(text(".status.conditions[?(@.type!=\"Ready\")].type")).isEqualTo("Drifted");
    assertThat(text(".status.conditions[1].type")).isEqualTo("Ready");
    assertThat(text(".status.conditions[-1].type")).isEqualTo("Ready");
    assertThat(SimpleJsonPath.parse(".status.conditions[*].type").select(POLICY)).extracting(JsonNode::asText)
        .containsExactly("Drifted", "Ready");
    assertThat(text(".metadata.labels.app\\.kubernetes\\.io/name")).isEqualTo("x");
    assertThat(text(".metadata.labels['app.kubernetes.io/name']")).isEqualTo("x");
    assertThat(SimpleJsonPath.parse(".status.conditions[?(@.type==\"Valid\")].status").first(POLICY)).isNull();
    assertThat(SimpleJsonPath.parse(".spec.nothing").first(POLICY)).isNull();
  }

  @Test
  void unreadableExpressionsAreRefusedWithThePosition() {
    assertThatThrownBy(() -> SimpleJsonPath.parse(".status.conditions[?(type==1)]"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("position 18");
    assertThatThrownBy(() -> SimpleJsonPath.parse("status")).hasMessageContaining("\"status\"");
    assertThatThrownBy(() -> SimpleJsonPath.parse(".a[0")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void crdColumnsAreTypedLikeTheApiServerDoes() {
    Instant now = Instant.parse("2025-01-01T05:10:00Z");
    assertThat(column(".status.rangeCount", "integer").cell().value(POLICY, now)).isEqualTo(7L);
    assertThat(column(".status.targetsInSync", "integer").cell().value(POLICY, now)).isNull();
    assertThat(column(".metadata.creationTimestamp", "date").cell().value(POLICY, now)).isEqualTo("5h10m");
    assertThat(column(".status.conditions[?(@.type==\"Ready\")].status", "string").cell().value(POLICY, now))
        .isEqualTo("False");
    assertThat(column(".status.absent", "string").cell().value(POLICY, now)).isNull();
  }

  @Test
  void agesReadLikeKubectls() {
    assertThat(HumanDuration.format(Duration.ofSeconds(-5))).isEqualTo("<invalid>");
    assertThat(HumanDuration.format(Duration.ofMillis(-500))).isEqualTo("0s");
    assertThat(HumanDuration.format(Duration.ofSeconds(119))).isEqualTo("119s");
    assertThat(HumanDuration.format(Duration.ofSeconds(192))).isEqualTo("3m12s");
    assertThat(HumanDuration.format(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThat(HumanDuration.format(Duration.ofMinutes(179))).isEqualTo("179m");
    assertThat(HumanDuration.format(Duration.ofMinutes(310))).isEqualTo("5h10m");
    assertThat(HumanDuration.format(Duration.ofHours(30))).isEqualTo("30h");
    assertThat(HumanDuration.format(Duration.ofHours(75))).isEqualTo("3d3h");
    assertThat(HumanDuration.format(Duration.ofDays(100))).isEqualTo("100d");
    assertThat(HumanDuration.format(Duration.ofDays(800))).isEqualTo("2y70d");
    assertThat(HumanDuration.format(Duration.ofDays(3000))).isEqualTo("8y");
  }

  private static String text(String path) {
    return SimpleJsonPath.parse(path).first(POLICY).asText();
  }

  private static PrinterColumn column(String path, String type) {
    return PrinterColumn.fromCrd(new CustomResourceColumnDefinitionBuilder().withName("c").withType(type)
        .withJsonPath(path).build());
  }
}
