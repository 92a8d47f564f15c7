package io.authip.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The RBAC front of the embedded API, on both endpoints, under the shipped deploy/base/rbac.yaml. */
class RbacFrontTest {

  static EmbeddedKubernetes kube;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final String LEASE = "/apis/coordination.k8s.io/v1/namespaces/authip-system/leases/authip-leader";

  @BeforeAll
  static void start() {
    kube = EmbeddedKubernetes.start(0);
  }

  @AfterAll
  static void stop() {
    kube.close();
  }

  @BeforeEach
  void reset() {
    kube.rbac().reset();
  }

  static HttpResponse<String> send(String base, String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", method.equals("PATCH") ? "application/merge-patch+json" : "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String mockUrl() {
    String url = kube.client().getMasterUrl().toString();
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  @Test
  void aForbiddenRequestGetsTheApiServersStatusAndNeverReachesTheStore() throws Exception {
    for (String base : new String[] {mockUrl(), kube.url()}) {
      HttpResponse<String> r = send(base, "POST", "/api/v1/namespaces/default/configmaps", Rbac.OPERATOR_TOKEN,
          "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"planted\"}}");
      assertThat(r.statusCode()).as(base).isEqualTo(403);
      JsonNode status = Json.parse(r.body().getBytes());
      assertThat(status.path("kind").asText()).isEqualTo("Status");
      assertThat(status.path("status").asText()).isEqualTo("Failure");
      assertThat(status.path("reason").asText()).isEqualTo("Forbidden");
      assertThat(status.path("code").asInt()).isEqualTo(403);
      assertThat(status.path("details").path("kind").asText()).isEqualTo("configmaps");
      assertThat(status.path("details").has("group")).isFalse();
      assertThat(status.path("message").asText()).isEqualTo("configmaps is forbidden: User "
          + "\"system:serviceaccount:authip-system:authip\" cannot create resource \"configmaps\" in API group \"\" in "
          + "the namespace \"default\"");
    }
    assertThat(kube.client().configMaps().inNamespace("default").withName("planted").get()).isNull();
    assertThat(kube.rbac().forbidden()).hasSize(2);
    assertThat(kube.rbac().authorizedCount()).isZero();
  }

  @Test
  void theLeaseMayBeCreatedReadAndPatchedByNameOnly() throws Exception {
    String body = "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"authip-leader\"},"
        + "\"spec\":{\"holderIdentity\":\"a\"}}";
    assertThat(send(mockUrl(), "POST", "/apis/coordination.k8s.io/v1/namespaces/authip-system/leases",
        Rbac.OPERATOR_TOKEN, body).statusCode()).isEqualTo(201);
    assertThat(send(mockUrl(), "GET", LEASE, Rbac.OPERATOR_TOKEN, null).statusCode()).isEqualTo(200);
    assertThat(send(mockUrl(), "PATCH", LEASE, Rbac.OPERATOR_TOKEN, "{\"spec\":{\"holderIdentity\":\"b\"}}")
        .statusCode()).isEqualTo(200);
    HttpResponse<String> other = send(mockUrl(), "PATCH",
        "/apis/coordination.k8s.io/v1/namespaces/authip-system/leases/someone-else", Rbac.OPERATOR_TOKEN, "{}");
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(Json.parse(other.body().getBytes()).path("details").path("name").asText()).isEqualTo("someone-else");
    assertThat(send(mockUrl(), "GET", "/apis/coordination.k8s.io/v1/namespaces/authip-system/leases",
        Rbac.OPERATOR_TOKEN, null).statusCode()).isEqualTo(403);
    assertThat(kube.rbac().used().keySet()).extracting(Object::toString).containsExactlyInAnyOrder(
        "create coordination.k8s.io/leases in authip-system",
        "get coordination.k8s.io/leases in authip-system",
        "patch coordination.k8s.io/leases in authip-system");
  }

  @Test
  void theAdministratorPassesAndUnknownTokensAreUnauthorized() throws Exception {
    assertThat(send(kube.url(), "GET", "/api/v1/secrets", null, null).statusCode()).isEqualTo(200);
    assertThat(kube.client().secrets().inAnyNamespace().list()).isNotNull();
    HttpResponse<String> unknown = send(kube.url(), "GET", "/api/v1/namespaces", "guessed", null);
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(Json.parse(unknown.body().getBytes()).path("reason").asText()).isEqualTo("Unauthorized");
    assertThat(kube.rbac().forbidden()).isEmpty();
  }

  @Test
  void selfSubjectReviewsAreAnsweredForTheOperator() {
    var client = kube.operatorClient();
    SelfSubjectRulesReview rules = client.resource(new SelfSubjectRulesReviewBuilder().withNewSpec()
        .withNamespace("authip-system").endSpec().build()).create();
    assertThat(rules.getStatus().getIncomplete()).isFalse();
    assertThat(rules.getStatus().getResourceRules()).anySatisfy(r -> {
      assertThat(r.getApiGroups()).containsExactly("coordination.k8s.io");
      assertThat(r.getResourceNames()).containsExactly("authip-leader");
      assertThat(r.getVerbs()).contains("get", "patch", "update");
    });
    assertThat(rules.getStatus().getNonResourceRules()).anySatisfy(r -> assertThat(r.getNonResourceURLs())
        .contains("/version"));
    SelfSubjectRulesReview elsewhere = client.resource(new SelfSubjectRulesReviewBuilder().withNewSpec()
        .withNamespace("default").endSpec().build()).create();
    assertThat(elsewhere.getStatus().getResourceRules()).noneSatisfy(r -> assertThat(r.getResources())
        .contains("leases"));

    assertThat(access("patch", "coordination.k8s.io", "leases", "authip-system", "authip-leader")).isTrue();
    assertThat(access("patch", "coordination.k8s.io", "leases", "default", "authip-leader")).isFalse();
    assertThat(access("list", "authip.io", "authorizedippolicies", "", "")).isTrue();
    assertThat(access("get", "", "secrets", "default", "x")).isFalse();
  }

  static boolean access(String verb, String group, String resource, String namespace, String name) {
    SelfSubjectAccessReview review = kube.operatorClient().resource(new SelfSubjectAccessReviewBuilder().withNewSpec()
        .withResourceAttributes(new ResourceAttributesBuilder().withVerb(verb).withGroup(group).withResource(resource)
            .withNamespace(namespace).withName(name).build()).endSpec().build()).create();
    return review.getStatus().getAllowed();
  }

  @Test
  void theOperatorsClientSeesTheRefusalAsAKubernetesClientException() {
    Executable create = () -> kube.operatorClient().configMaps().inNamespace("default")
        .resource(new ConfigMapBuilder().withNewMetadata().withName("x").endMetadata().build()).create();
    try {
      create.execute();
      throw new AssertionError("the create was allowed");
    } catch (KubernetesClientException e) {
      assertThat(e.getCode()).isEqualTo(403);
      assertThat(e.getStatus().getReason()).isEqualTo("Forbidden");
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }
}
