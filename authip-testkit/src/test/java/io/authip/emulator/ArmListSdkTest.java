package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.resourcemanager.containerservice.ContainerServiceManager;
import com.azure.resourcemanager.containerservice.fluent.models.ManagedClusterInner;
import com.azure.resourcemanager.network.NetworkManager;
import io.netty.handler.ssl.SslContextBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Azure SDK's paged lists follow the emulator's nextLink to the end. */
class ArmListSdkTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;

  @Test
  void sdkListsEveryClusterPublicIpAndPrefixPageByPage() throws Exception {
    try (ArmEmulator arm = ArmEmulator.builder().listPageSize(3).start()) {
      List<ClusterFixture> fleet = ClusterFixture.fleet(ClusterFixture.Kind.LOAD_BALANCER_CUSTOM_OUTBOUND,
          List.of(SUB), List.of("rg-a", "rg-b"), 4, "aks-{i}", Map.of("fleet", "sdk"));
      arm.seedAll(fleet);
      var ssl = SslContextBuilder.forClient().trustManager(arm.certificate()).build();
      HttpClient http = new NettyAsyncHttpClientBuilder(reactor.netty.http.client.HttpClient.create()
          .secure(spec -> spec.sslContext(ssl))).build();
      Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
      endpoints.put("resourceManagerEndpointUrl", arm.baseUrl() + "/");
      endpoints.put("activeDirectoryEndpointUrl", arm.baseUrl() + "/");
      AzureProfile profile = new AzureProfile(arm.tenantId(), SUB, new AzureEnvironment(endpoints));
      var credential = new ClientSecretCredentialBuilder().tenantId(arm.tenantId()).clientId("authip-test")
          .clientSecret("not-a-real-secret").authorityHost(arm.baseUrl()).disableInstanceDiscovery()
          .httpClient(http).build();
      ContainerServiceManager aks = ContainerServiceManager.configure().withHttpClient(http)
          .authenticate(credential, profile);
      NetworkManager network = NetworkManager.configure().withHttpClient(http).authenticate(credential, profile);

      List<ManagedClusterInner> clusters = aks.serviceClient().getManagedClusters().list().stream().toList();
      List<ManagedClusterInner> inGroup = aks.serviceClient().getManagedClusters().listByResourceGroup("rg-b")
          .stream().toList();
      long ips = network.serviceClient().getPublicIpAddresses().list().stream().count();
      long prefixes = network.serviceClient().getPublicIpPrefixes().listByResourceGroup("rg-a").stream().count();

      assertThat(clusters).hasSize(8).allSatisfy(c -> {
        assertThat(c.etag()).isEqualTo(arm.eTag(c.id()));
        assertThat(c.tags()).containsEntry("fleet", "sdk");
      });
      assertThat(inGroup).hasSize(4);
      assertThat(ips).isEqualTo(16);
      assertThat(prefixes).isEqualTo(4);
      assertThat(arm.requestCount(RequestKind.CLUSTER_LIST)).isEqualTo(3 + 2);
      assertThat(arm.requestCount(RequestKind.PUBLIC_IP_LIST)).isEqualTo(6);
      assertThat(arm.requestCount(RequestKind.PUBLIC_IP_PREFIX_LIST)).isEqualTo(2);
    }
  }
}
