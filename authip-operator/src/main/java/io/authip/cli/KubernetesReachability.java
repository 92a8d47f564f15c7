package io.authip.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.util.Map;

/**
 * The start-up check of {@code authip run}: one request to {@code /version} (allowed to every account by the
 * {@code system:public-info-viewer} role) before the operator starts. Without it an unreachable API server surfaced
 * as hundreds of lines of informer stack traces that named neither the kubeconfig nor the URL.
 */
final class KubernetesReachability {

  private KubernetesReachability() {
  }

  /**
   * @return null when the API server answered (any HTTP status: a 401 or 403 is reported later, by the operator),
   *     else one line naming the kubeconfig, context and URL tried and how to choose others
   */
  static String check(Config config, Map<String, String> env) {
    // No retries and short timeouts: this only tells "nobody answers" apart from "somebody answers".
    Config probe = new ConfigBuilder(config).withRequestRetryBackoffLimit(0).withConnectionTimeout(5_000)
        .withRequestTimeout(10_000).build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(probe)
        .withHttpClientFactory(new JdkHttpClientFactory()).build()) {
      client.getKubernetesVersion();
      return null;
    } catch (KubernetesClientException e) {
      if (e.getCode() > 0) {
        return null;
      }
      return describe(config.getMasterUrl(), config.getFile(),
          config.getCurrentContext() == null ? null : config.getCurrentContext().getName(), env, rootMessage(e));
    }
  }

  static String describe(String url, java.io.File file, String context, Map<String, String> env, String problem) {
    String source;
    if (file != null) {
      source = "kubeconfig " + file.getAbsolutePath();
    } else if (env.get("KUBERNETES_SERVICE_HOST") != null) {
      source = "in-cluster configuration (KUBERNETES_SERVICE_HOST=" + env.get("KUBERNETES_SERVICE_HOST") + ")";
    } else {
      source = "no kubeconfig (KUBECONFIG unset, no ~/.kube/config) and not in a cluster";
    }
    return "cannot reach the Kubernetes API at " + url + " (" + source + ", context " + (context == null ? "none"
        : context)
        + "): " + problem + ". Point authip at a reachable API server with KUBECONFIG=FILE or --kubeconfig FILE"
        + " (and --context NAME), or run it in a pod, where it uses the in-cluster ServiceAccount.";
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
          || t instanceof javax.net.ssl.SSLException || t instanceof java.net.http.HttpTimeoutException) {
        break;
      }
    }
    if (t instanceof java.net.ConnectException && (t.getMessage() == null || t.getMessage().isBlank())) {
      return "connection refused";
    }
    if (t instanceof java.nio.channels.ClosedChannelException) {
      return "no connection (refused or closed)";
    }
    String m = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName()
        : t.getClass().getSimpleName() + ": " + t.getMessage();
    return m.replaceAll("\\s+", " ").replaceAll("\\.$", "");
  }
}
