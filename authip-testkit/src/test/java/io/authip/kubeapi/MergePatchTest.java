package io.authip.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MergePatchTest {

  private static JsonNode json(String s) {
    return Json.parse(s.replace('\'', '"'));
  }

  /** The examples of RFC 7386, Appendix A. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "{'a':'b'}                 | {'a':'c'}                 | {'a':'c'}",
      "{'a':'b'}                 | {'b':'c'}                 | {'a':'b','b':'c'}",
      "{'a':'b'}                 | {'a':null}                | {}",
      "{'a':'b','b':'c'}         | {'a':null}                | {'b':'c'}",
      "{'a':['b']}               | {'a':'c'}                 | {'a':'c'}",
      "{'a':'c'}                 | {'a':['b']}               | {'a':['b']}",
      "{'a':{'b':'c'}}           | {'a':{'b':'d','c':null}}  | {'a':{'b':'d'}}",
      "{'a':[{'b':'c'}]}         | {'a':[1]}                 | {'a':[1]}",
      "['a','b']                 | ['c','d']                 | ['c','d']",
      "{'a':'b'}                 | ['c']                     | ['c']",
      "{'a':'foo'}               | null                      | null",
      "{'a':'foo'}               | 'bar'                     | 'bar'",
      "{'e':null}                | {'a':1}                   | {'e':null,'a':1}",
      "[1,2]                     | {'a':'b','c':null}        | {'a':'b'}",
      "{}                        | {'a':{'bb':{'ccc':null}}} | {'a':{'bb':{}}}"})
  void rfc7386Examples(String target, String patch, String result) {
    assertThat(MergePatch.apply(json(target), json(patch))).isEqualTo(json(result));
  }

  @Test
  void aShorterListReplacesTheOldOneAndTheInputsStayUntouched() {
    JsonNode current = json("{'spec':{'ranges':[{'cidr':'1.1.1.0/24'},{'cidr':'2.2.2.0/24'}],'mode':'Enforce'}}");
    JsonNode patch = json("{'spec':{'ranges':[{'cidr':'2.2.2.0/24'},{'cidr':'3.3.3.0/24'}]}}");
    JsonNode merged = MergePatch.apply(current, patch);
    assertThat(merged).isEqualTo(
        json("{'spec':{'ranges':[{'cidr':'2.2.2.0/24'},{'cidr':'3.3.3.0/24'}],'mode':'Enforce'}}"));
    assertThat(current.path("spec").path("ranges")).hasSize(2);
    assertThat(current.path("spec").path("ranges").get(0).path("cidr").asText()).isEqualTo("1.1.1.0/24");
  }

  @Test
  void strategicDirectivesAreDroppedAtEveryLevel() {
    JsonNode smp = json("{'$setElementOrder/data':[{'a':1}],'data':{'a':'1','$patch':'replace'},'$retainKeys':['x']}");
    assertThat(MergePatch.withoutStrategicDirectives(smp)).isEqualTo(json("{'data':{'a':'1'}}"));
  }
}
