package io.authip.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile cannot be built here (no Docker engine), so its contract with the manifests is checked as text:
 * official base images, the numeric user the pod runs as, and the command line the Deployment relies on.
 */
class DockerfileTest {

  static final String DOCKERFILE = Project.read(Project.DIR.resolve("Dockerfile"));

  @Test
  void multiStageFromOfficialMavenJdk17AndTemurin17Jre() {
    assertThat(arg("BUILD_IMAGE")).matches("maven:[0-9.]+-eclipse-temurin-17");
    assertThat(arg("RUNTIME_IMAGE")).matches("eclipse-temurin:17-jre");
    assertThat(instructions("FROM")).containsExactly("${BUILD_IMAGE} AS build", "${RUNTIME_IMAGE}");
    assertThat(instructions("RUN")).anyMatch(run -> run.contains("./mvnw -B -ntp -DskipTests -pl authip-operator -am package"));
    assertThat(instructions("COPY")).contains("--from=build --chown=0:0 --chmod=0444 /src/authip-operator/target/authip.jar "
        + "/app/authip.jar");
  }

  @Test
  void runsAsTheNumericNonRootUserOfThePod() {
    List<String> users = instructions("USER");
    assertThat(users).hasSize(1);
    assertThat(users.get(0)).matches("[1-9][0-9]*:[1-9][0-9]*");
    String[] uidGid = users.get(0).split(":");
    Deployment deployment = OperatorManifests.deployment(HelmChart.template());
    var pod = deployment.getSpec().getTemplate().getSpec().getSecurityContext();
    assertThat(pod.getRunAsUser()).isEqualTo(Long.parseLong(uidGid[0]));
    assertThat(pod.getRunAsGroup()).isEqualTo(Long.parseLong(uidGid[1]));
  }

  @Test
  void entrypointRunsTheShadedJarAndTheDeploymentOnlyPassesRun() throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<String> entrypoint = List.of(json.readValue(instructions("ENTRYPOINT").get(0), String[].class));
    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size())).containsExactly("-jar", "/app/authip.jar");
    assertThat(entrypoint).contains("-XX:-UsePerfData", "-Djava.io.tmpdir=/tmp");
    assertThat(List.of(json.readValue(instructions("CMD").get(0), String[].class))).containsExactly("run");
    assertThat(Project.read(Project.DIR.resolve("authip-operator/pom.xml")))
        .contains("<outputFile>${project.build.directory}/authip.jar</outputFile>")
        .contains("<mainClass>io.authip.cli.Main</mainClass>");
  }

  @Test
  void buildContextHoldsOnlyWhatTheBuildNeeds() {
    assertThat(Project.read(Project.DIR.resolve(".dockerignore")).lines()
        .filter(l -> !l.isBlank() && !l.startsWith("#")).toList())
        .containsExactly("*", "!pom.xml", "!mvnw", "!authip-*/pom.xml", "!authip-api/src/main/",
            "!authip-core/src/main/", "!authip-azure/src/main/", "!authip-testkit/src/main/",
            "!authip-operator/src/main/");
  }

  private static String arg(String name) {
    Matcher m = Pattern.compile("(?m)^ARG " + name + "=(\\S+)$").matcher(DOCKERFILE);
    assertThat(m.find()).as("ARG %s", name).isTrue();
    return m.group(1);
  }

  private static List<String> instructions(String keyword) {
    return DOCKERFILE.lines()
        .filter(l -> l.startsWith(keyword + " "))
        .map(l -> l.substring(keyword.length() + 1).trim())
        .toList();
  }
}
