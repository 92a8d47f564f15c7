package io.authip.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Request attributes as kube-apiserver's RequestInfoFactory derives them (cases from its own requestinfo_test.go). */
class RequestAttributesTest {

  @ParameterizedTest(name = "{0} {1} -> {2} {3} {4} ns={5} name={6} sub={7}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      GET | /api/v1/namespaces | list | '' | namespaces | '' | '' | ''
      GET | /api/v1/namespaces/other | get | '' | namespaces | other | other | ''
      GET | /api/v1/namespaces/other/status | get | '' | namespaces | other | other | status
      PUT | /api/v1/namespaces/other/finalize | update | '' | namespaces | other | other | finalize
      GET | /api/v1/namespaces/other/pods | list | '' | pods | other | '' | ''
      GET | /api/v1/namespaces/other/pods/foo | get | '' | pods | other | foo | ''
      HEAD | /api/v1/namespaces/other/pods/foo | get | '' | pods | other | foo | ''
      GET | /api/v1/pods | list | '' | pods | '' | '' | ''
      GET | /api/v1/namespaces/other/pods?watch=true | watch | '' | pods | other | '' | ''
      GET | /api/v1/namespaces/other/pods?watch=1 | watch | '' | pods | other | '' | ''
      GET | /api/v1/namespaces/other/pods?watch= | watch | '' | pods | other | '' | ''
      GET | /api/v1/namespaces/other/pods?watch=false | list | '' | pods | other | '' | ''
      GET | /api/v1/namespaces/other/pods?watch=0 | list | '' | pods | other | '' | ''
      GET | /api/v1/watch/namespaces/other/pods | watch | '' | pods | other | '' | ''
      GET | /api/v1/watch/namespaces/other/pods/foo | watch | '' | pods | other | foo | ''
      GET | /api/v1/watch/pods | watch | '' | pods | '' | '' | ''
      GET | /api/v1/namespaces/other/pods?fieldSelector=metadata.name%3Dfoo | list | '' | pods | other | foo | ''
      GET | /api/v1/namespaces/other/pods?watch=true&fieldSelector=metadata.name=foo | watch | '' | pods | other | foo | ''
      GET | /api/v1/namespaces/other/pods?fieldSelector=metadata.name!=foo | list | '' | pods | other | '' | ''
      GET | /api/v1/namespaces/other/pods?fieldSelector=spec.nodeName=n,metadata.name==foo | list | '' | pods | other | foo | ''
      GET | /api/v1/namespaces/other/pods?fieldSelector=metadata.name=a%2Fb | list | '' | pods | other | '' | ''
      POST | /api/v1/namespaces/other/pods | create | '' | pods | other | '' | ''
      POST | /api/v1/namespaces/other/pods/foo/eviction | create | '' | pods | other | foo | eviction
      POST | /api/v1/namespaces/tenant-a/serviceaccounts/authip-tenant/token | create | '' | serviceaccounts | tenant-a | authip-tenant | token
      POST | /api/v1/namespaces/tenant-a/serviceaccounts/authip-tenant/token?dryRun=All | create | '' | serviceaccounts | tenant-a | authip-tenant | token
      POST | /api/v1/serviceaccounts/authip-tenant/token | create | '' | serviceaccounts | '' | authip-tenant | token
      PUT | /api/v1/namespaces/other/pods/foo | update | '' | pods | other | foo | ''
      PATCH | /api/v1/namespaces/other/pods/foo | patch | '' | pods | other | foo | ''
      DELETE | /api/v1/namespaces/other/pods/foo | delete | '' | pods | other | foo | ''
      DELETE | /api/v1/namespaces/other/pods | deletecollection | '' | pods | other | '' | ''
      GET | /api/v1/namespaces/other/pods/foo/log | get | '' | pods | other | foo | log
      GET | /api/v1/namespaces/other/pods/foo/proxy/a/b | get | '' | pods | other | foo | proxy
      GET | /api/v1/proxy/namespaces/other/pods/foo/a | proxy | '' | pods | other | foo | ''
      GET | /apis/authip.io/v1alpha1/namespaces/p/authorizedippolicies/x/status | get | authip.io | authorizedippolicies | p | x | status
      PATCH | /apis/authip.io/v1alpha1/namespaces/p/authorizedippolicies/x/status?fieldManager=m | patch | authip.io | authorizedippolicies | p | x | status
      GET | /apis/authip.io/v1alpha1/authorizedippolicies?watch=true&resourceVersion=3 | watch | authip.io | authorizedippolicies | '' | '' | ''
      PATCH | /apis/coordination.k8s.io/v1/namespaces/authip-system/leases/authip-leader | patch | coordination.k8s.io | leases | authip-system | authip-leader | ''
      POST | /apis/authorization.k8s.io/v1/selfsubjectrulesreviews | create | authorization.k8s.io | selfsubjectrulesreviews | '' | '' | ''
      GET | /apis/apiextensions.k8s.io/v1/customresourcedefinitions/a.b | get | apiextensions.k8s.io | customresourcedefinitions | '' | a.b | ''
      OPTIONS | /api/v1/namespaces/other/pods | '' | '' | pods | other | '' | ''
      """)
  void resourceRequests(String method, String path, String verb, String group, String resource, String namespace,
      String name, String subresource) {
    RequestAttributes a = RequestAttributes.of(method, path);
    assertThat(a.resourceRequest()).isTrue();
    assertThat(a.verb()).isEqualTo(verb);
    assertThat(a.apiGroup()).isEqualTo(group);
    assertThat(a.resource()).isEqualTo(resource);
    assertThat(a.namespace()).isEqualTo(namespace);
    assertThat(a.name()).isEqualTo(name);
    assertThat(a.subresource()).isEqualTo(subresource);
  }

  @ParameterizedTest(name = "{0} {1} -> non-resource {2} {3}")
  @CsvSource(delimiter = '|', textBlock = """
      GET | / | get | /
      GET | /api | get | /api
      GET | /api/v1 | get | /api/v1
      GET | /apis | get | /apis
      GET | /apis/authip.io | get | /apis/authip.io
      GET | /apis/authip.io/v1alpha1 | get | /apis/authip.io/v1alpha1
      GET | /version?timeout=32s | get | /version
      GET | /healthz | get | /healthz
      GET | /openapi/v3/apis/authip.io/v1alpha1 | get | /openapi/v3/apis/authip.io/v1alpha1
      POST | /logs/x | post | /logs/x
      PUT | /foo/bar/baz | put | /foo/bar/baz
      """)
  void nonResourceRequests(String method, String path, String verb, String bare) {
    RequestAttributes a = RequestAttributes.of(method, path);
    assertThat(a.resourceRequest()).isFalse();
    assertThat(a.verb()).isEqualTo(verb);
    assertThat(a.path()).isEqualTo(bare);
  }
}
