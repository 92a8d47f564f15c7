package io.authip.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class SelectorsTest {

  private static final JsonNode EVENT = Json.parse(("{'metadata':{'name':'e1','namespace':'platform',"
      + "'labels':{'team':'net','tier':'prod'}},'type':'Warning','involvedObject':{'kind':'AuthorizedIpPolicy',"
      + "'name':'production','uid':'u-1'}}").replace('\'', '"'));

  @Test
  void fieldSelectorsReadAnyDottedFieldLikeKubectlDescribeSendsThem() {
    assertThat(FieldSelector.parse("involvedObject.name=production,involvedObject.namespace=,"
        + "involvedObject.kind=AuthorizedIpPolicy,involvedObject.uid=u-1").matches(EVENT)).isTrue();
    assertThat(FieldSelector.parse("involvedObject.name==staging").matches(EVENT)).isFalse();
    assertThat(FieldSelector.parse("type!=Normal,metadata.name=e1").matches(EVENT)).isTrue();
    assertThat(FieldSelector.parse("type!=Warning").matches(EVENT)).isFalse();
    assertThat(FieldSelector.parse("").matches(EVENT)).isTrue();
  }

  @Test
  void fieldSelectorValuesMayEscapeCommasAndEquals() {
    JsonNode odd = Json.parse("{\"message\":\"a,b=c\"}");
    assertThat(FieldSelector.parse("message=a\\,b\\=c").matches(odd)).isTrue();
    assertThatThrownBy(() -> FieldSelector.parse("justafield")).hasMessageContaining("\"justafield\"");
  }

  @Test
  void labelSelectorsCoverEqualitySetsAndExistence() {
    assertThat(LabelSelector.parse("team=net").matches(EVENT)).isTrue();
    assertThat(LabelSelector.parse("team==net,tier!=dev").matches(EVENT)).isTrue();
    assertThat(LabelSelector.parse("team in (net, ops),tier notin (dev)").matches(EVENT)).isTrue();
    assertThat(LabelSelector.parse("team notin (net)").matches(EVENT)).isFalse();
    assertThat(LabelSelector.parse("team,!owner").matches(EVENT)).isTrue();
    assertThat(LabelSelector.parse("owner").matches(EVENT)).isFalse();
    assertThat(LabelSelector.parse("owner!=x").matches(EVENT)).isTrue();
    assertThatThrownBy(() -> LabelSelector.parse("a=b=c")).hasMessageContaining("\"a=b=c\"");
  }
}
