package io.authip.packaging;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Renders charts/authip with the real Helm engine (helm-java), as `helm template` would. */
final class HelmChart {

  static final String RELEASE = "authip";
  static final String NAMESPACE = "authip-system";
  /** Helm's offline default (v1.20) is older than the chart's kubeVersion constraint. */
  static final String KUBE_VERSION = "1.32.0";

  private HelmChart() {}

  /** The chart with its default values, released as "authip" in "authip-system" like the kustomize base. */
  static Manifests template() {
    return template("");
  }

  /** The chart with a values file holding {@code valuesYaml} on top of the defaults. */
  static Manifests template(String valuesYaml) {
    return Manifests.parse(render(valuesYaml));
  }

  /** The rendered text; throws IllegalStateException with Helm's message when rendering fails. */
  static String render(String valuesYaml) {
    TemplateCommand command = new Helm(Project.CHART).template()
        .withName(RELEASE)
        .withNamespace(NAMESPACE)
        .withKubeVersion(KUBE_VERSION);
    if (valuesYaml.isBlank()) {
      return command.call();
    }
    Path values = null;
    try {
      values = Files.createTempFile("authip-values", ".yaml");
      Files.writeString(values, valuesYaml);
      return command.withValuesFile(values).call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteQuietly(values);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a leftover file in the temp directory does not change any result
      }
    }
  }
}
