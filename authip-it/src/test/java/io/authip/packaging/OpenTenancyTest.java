package io.authip.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import io.authip.emulator.ClusterFixture;
import io.authip.kubeapi.Rbac;
import io.authip.operator.OperatorConfig;
import io.authip.sandbox.LocalEnvironment;
import org.junit.jupiter.api.Test;

/**
 * {@code tenancy.mode: open}: 0.1's behaviour, under the RBAC the chart renders for it (no grants, no namespaces, no
 * tokens): a policy in any namespace reaches its cluster without a grant, and the operator asks for nothing the
 * open chart does not grant.
 */
class OpenTenancyTest {

  static final String SUB = "4d3c2b1a-0f9e-4d8c-9b7a-6f5e4d3c2b1a";

  @Test
  void openModeNeedsNoGrantAndNoTenancyRbac() {
    Rbac chart = Rbac.fromYaml(HelmChart.render("tenancy:\n  mode: open\n"));
    assertThat(chart.grantsOf(Rbac.User.operator())).extracting(Rbac.Grant::toString)
        .noneMatch(g -> g.contains("targetgrants") || g.contains("namespaces") || g.contains("token"));
    try (LocalEnvironment env = LocalEnvironment.start(LocalEnvironment.Options.forTesting()
        .withOperator(OperatorConfig.forTesting().withTenancy(OperatorConfig.Tenancy.open)))) {
      env.kube().rbac().rules(chart);
      env.startOperator();
      ClusterFixture c = LeastPrivilegeTest.seedAndCreate(env, "anyone", "p", null);
      LeastPrivilegeTest.awaitInSync(env.kube().client(), "anyone", "p", c);
      env.stopOperator();
      assertThat(env.kube().rbac().forbidden()).as("requests the open chart forbids").isEmpty();
      assertThat(env.kube().rbac().used().keySet()).extracting(Object::toString)
          .noneMatch(u -> u.contains("targetgrants") || u.contains("namespaces") || u.contains("token"));
    }
  }
}
