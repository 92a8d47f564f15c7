package io.authip.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped ArgoCD health checks outside a cluster: the argocd-cm patch carries exactly the scripts of
 * deploy/argocd/health, and a status that anyone who may write the resource has filled with nonsense never makes a
 * script fail (ArgoCD would show an error instead of a health).
 */
class ArgoCdHealthScriptsTest {

  static final Path ARGOCD = GitOpsHealthTest.PROJECT.resolve("deploy/argocd");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theArgoCdConfigMapPatchCarriesTheScriptsAsTheyAre() throws Exception {
    JsonNode cm = YAML.readTree(Files.readString(ARGOCD.resolve("argocd-cm-health.yaml")));
    assertThat(cm.path("kind").asText()).isEqualTo("ConfigMap");
    assertThat(cm.path("metadata").path("name").asText()).isEqualTo("argocd-cm");
    for (String kind : List.of("AuthorizedIpPolicy", "IpRangeSet")) {
      String file = "authip.io_" + kind + ".lua";
      assertThat(cm.path("data").path("resource.customizations.health.authip.io_" + kind).asText())
          .as("argocd-cm-health.yaml's script for %s (copy health/%s into it)", kind, file)
          .isEqualTo(Files.readString(ARGOCD.resolve("health").resolve(file)));
    }
    assertThat(cm.path("data").size()).isEqualTo(2);
  }

  @Test
  void nonsenseInStatusGivesAHealthNotAnError() throws Exception {
    List<String> statuses = List.of("\"a string\"", "42", "{}", "{\"conditions\": \"Ready\"}",
        "{\"observedGeneration\": \"1\"}", "{\"observedGeneration\": 1, \"conditions\": [1, \"x\", null, {}]}",
        "{\"observedGeneration\": 1, \"conditions\": [{\"type\": \"Ready\", \"status\": \"False\", \"reason\": "
            + "{\"a\": 1}, \"message\": [1]}], \"targets\": \"all\"}",
        "{\"observedGeneration\": 1, \"conditions\": [{\"type\": \"Ready\", \"status\": \"False\", \"reason\": "
            + "\"Blocked\", \"message\": 7}], \"targets\": [1, {\"clusterId\": 5, \"state\": {}}]}",
        "{\"observedGeneration\": 1, \"conditions\": [{\"type\": \"Ready\", \"status\": \"True\", \"reason\": "
            + "\"InSync\"}, {\"type\": \"Valid\", \"status\": true}], \"targets\": [{\"state\": \"InSync\"}]}");
    for (String status : statuses) {
      for (String kind : List.of("AuthorizedIpPolicy", "IpRangeSet")) {
        JsonNode object = JSON.readTree("{\"apiVersion\": \"authip.io/v1alpha1\", \"kind\": \"" + kind
            + "\", \"metadata\": {\"name\": \"x\", \"generation\": 1}, \"spec\": {\"mode\": 3}, \"status\": "
            + status + "}");
        ArgoHealth script = kind.equals("IpRangeSet") ? GitOpsHealthTest.SET_HEALTH : GitOpsHealthTest.POLICY_HEALTH;
        ArgoHealth.Verdict verdict = script.evaluate(object);
        assertThat(verdict.message()).as("%s with status %s", kind, status).isNotBlank();
      }
    }
    // The last one is, for a policy, a healthy status after all.
    JsonNode healthy = JSON.readTree("{\"metadata\": {\"generation\": 1}, \"status\": " + statuses.get(8) + "}");
    assertThat(GitOpsHealthTest.POLICY_HEALTH.evaluate(healthy).status()).isEqualTo("Healthy");
  }

  @Test
  void aSetsSourcesShowInItsHealth() throws Exception {
    String valid = "{\"type\": \"Valid\", \"status\": \"True\", \"reason\": \"Valid\", \"message\": \"19 ranges\"}";
    ArgoHealth.Verdict held = set("[" + valid + ", {\"type\": \"ShrinkHeld\", \"status\": \"True\", \"reason\": "
        + "\"Held\", \"message\": \"spec.sources[0]: a refresh would change -3 blocks\"}]");
    assertThat(held.status()).isEqualTo("Degraded");
    assertThat(held.message()).isEqualTo("ShrinkHeld: spec.sources[0]: a refresh would change -3 blocks");
    ArgoHealth.Verdict stale = set("[" + valid + ", {\"type\": \"SourceStale\", \"status\": \"True\", \"reason\": "
        + "\"Stale\", \"message\": \"the last read failed\"}, {\"type\": \"ShrinkHeld\", \"status\": \"False\"}]");
    assertThat(stale.status()).isEqualTo("Healthy");
    assertThat(stale.message()).isEqualTo("19 ranges; SourceStale: the last read failed");
    ArgoHealth.Verdict reading = set("[{\"type\": \"Valid\", \"status\": \"False\", \"reason\": "
        + "\"SourceUnavailable\", \"message\": \"spec.sources[0] (service tag X) has no content yet: being read\"}]");
    assertThat(reading.status()).isEqualTo("Progressing");
    ArgoHealth.Verdict never = set("[{\"type\": \"Valid\", \"status\": \"False\", \"reason\": "
        + "\"SourceUnavailable\", \"message\": \"spec.sources[0] (service tag X) has no content yet: not listed\"}]");
    assertThat(never.status()).isEqualTo("Degraded");
  }

  static ArgoHealth.Verdict set(String conditions) throws Exception {
    return GitOpsHealthTest.SET_HEALTH.evaluate(JSON.readTree("{\"metadata\": {\"generation\": 1}, \"status\": "
        + "{\"observedGeneration\": 1, \"conditions\": " + conditions + "}}"));
  }
}
