package io.authip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.profile.AzureProfile;
import com.azure.core.util.Context;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import com.azure.resourcemanager.containerservice.ContainerServiceManager;
import com.azure.resourcemanager.containerservice.fluent.models.ManagedClusterInner;
import com.azure.resourcemanager.network.NetworkManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Azure SDK (identity, bearer policy, management pipeline) accepts the emulator's TLS and tokens. */
class AzureSdkCompatibilityTest {

  private static final String SUB = ClusterFixture.DEFAULT_SUBSCRIPTION;
  private static ArmEmulator arm;
  private static HttpClient httpClient;
  private static AzureProfile profile;
  private static ClusterFixture fixture;

  @BeforeAll
  static void start() throws SSLException {
    arm = ArmEmulator.builder().operationDuration(Duration.ZERO).start();
    fixture = ClusterFixture.nodePublicIpPrefix(SUB, "rg-sdk", "aks-sdk").withAuthorizedIpRanges("20.30.40.0/24");
    arm.seed(fixture);
    var sslContext = SslContextBuilder.forClient().trustManager(arm.certificate()).build();
    httpClient = new NettyAsyncHttpClientBuilder(reactor.netty.http.client.HttpClient.create()
        .secure(spec -> spec.sslContext(sslContext))).build();
    Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
    endpoints.put("resourceManagerEndpointUrl", arm.baseUrl() + "/");
    endpoints.put("activeDirectoryEndpointUrl", arm.baseUrl() + "/");
    profile = new AzureProfile(arm.tenantId(), SUB, new AzureEnvironment(endpoints));
  }

  @AfterAll
  static void stop() {
    arm.close();
  }

  private static TokenCredential clientSecret() {
    return new ClientSecretCredentialBuilder().tenantId(arm.tenantId()).clientId("authip-test")
        .clientSecret("not-a-real-secret").authorityHost(arm.baseUrl()).disableInstanceDiscovery()
        .httpClient(httpClient).build();
  }

  @Test
  void clientSecretCredentialAndContainerServiceManagerReadACluster() {
    int tokensBefore = arm.requestCount(RequestKind.TOKEN);
    ContainerServiceManager manager = ContainerServiceManager.configure().withHttpClient(httpClient)
        .authenticate(clientSecret(), profile);

    ManagedClusterInner cluster = manager.serviceClient().getManagedClusters()
        .getByResourceGroup("rg-sdk", "aks-sdk");

    assertThat(cluster.id()).isEqualToIgnoringCase(fixture.clusterId());
    assertThat(cluster.apiServerAccessProfile().authorizedIpRanges()).containsExactly("20.30.40.0/24");
    assertThat(cluster.agentPoolProfiles()).anySatisfy(pool ->
        assertThat(pool.nodePublicIpPrefixId()).isEqualTo(fixture.publicIpPrefixes().keySet().iterator().next()));
    assertThat(arm.requestCount(RequestKind.TOKEN)).isGreaterThan(tokensBefore);
    assertThat(arm.requests()).filteredOn(r -> r.kind() == RequestKind.CLUSTER_GET)
        .allSatisfy(r -> assertThat(r.header("Authorization")).contains("Bearer ***"));
  }

  @Test
  void rawPipelineRoundTripKeepsEveryFieldAndStaleETagIsAManagementException() throws Exception {
    ContainerServiceManager manager = ContainerServiceManager.configure().withHttpClient(httpClient)
        .authenticate(clientSecret(), profile);
    ClusterFixture own = ClusterFixture.managedNatGateway(SUB, "rg-sdk", "aks-raw");
    arm.seed(own);
    String url = arm.baseUrl() + own.clusterId() + "?api-version=2025-07-01";

    JsonNode read;
    try (HttpResponse get = manager.httpPipeline().sendSync(new HttpRequest(HttpMethod.GET, url), Context.NONE)) {
      assertThat(get.getStatusCode()).isEqualTo(200);
      read = ArmTestClient.JSON.readTree(get.getBodyAsString().block());
    }
    ObjectNode edited = read.deepCopy();
    ((ObjectNode) edited.at("/properties/apiServerAccessProfile")).putArray("authorizedIPRanges")
        .add("20.30.40.0/24").add("20.30.41.0/24");
    HttpRequest put = new HttpRequest(HttpMethod.PUT, url)
        .setHeader(HttpHeaderName.IF_MATCH, read.get("eTag").asText())
        .setHeader(HttpHeaderName.CONTENT_TYPE, "application/json").setBody(edited.toString());
    try (HttpResponse response = manager.httpPipeline().sendSync(put, Context.NONE)) {
      assertThat(response.getStatusCode()).isEqualTo(200);
      assertThat(response.getHeaderValue(HttpHeaderName.fromString("Azure-AsyncOperation"))).contains("/operations/");
    }
    assertThat(arm.lastPutBody(own.clusterId())).contains(edited);

    ManagedClusterInner typed = manager.serviceClient().getManagedClusters().getByResourceGroup("rg-sdk", "aks-raw");
    assertThatThrownBy(() -> manager.serviceClient().getManagedClusters()
        .createOrUpdateWithResponseAsync("rg-sdk", "aks-raw", typed, read.get("eTag").asText(), null).block())
        .isInstanceOfSatisfying(ManagementException.class, e -> {
          assertThat(e.getResponse().getStatusCode()).isEqualTo(412);
          assertThat(e.getValue().getCode()).isEqualTo("PreconditionFailed");
        });
  }

  @Test
  void theSdksOwnLongRunningOperationPollerFinishes() {
    ClusterFixture own = ClusterFixture.loadBalancerManagedOutbound(SUB, "rg-sdk", "aks-lro");
    arm.seed(own);
    ContainerServiceManager manager = ContainerServiceManager.configure().withHttpClient(httpClient)
        .authenticate(clientSecret(), profile);
    ManagedClusterInner typed = manager.serviceClient().getManagedClusters().getByResourceGroup("rg-sdk", "aks-lro");
    typed.withTags(Map.of("via", "sdk-poller"));

    ManagedClusterInner done = manager.serviceClient().getManagedClusters()
        .beginCreateOrUpdate("rg-sdk", "aks-lro", typed).getFinalResult();

    assertThat(done.provisioningState()).isEqualTo("Succeeded");
    assertThat(done.tags()).containsEntry("via", "sdk-poller");
    assertThat(arm.requestCount(RequestKind.OPERATION_GET)).isPositive();
  }

  @Test
  void workloadIdentityCredentialWithAClientAssertionFile(@TempDir Path dir) throws Exception {
    Path tokenFile = dir.resolve("azure-identity-token");
    Files.writeString(tokenFile, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YXV0aGlwIn0.c2ln");
    TokenCredential credential = new WorkloadIdentityCredentialBuilder().tenantId(arm.tenantId())
        .clientId("authip-workload").tokenFilePath(tokenFile.toString()).authorityHost(arm.baseUrl())
        .disableInstanceDiscovery().httpClient(httpClient).build();

    NetworkManager network = NetworkManager.configure().withHttpClient(httpClient).authenticate(credential, profile);
    String prefixId = fixture.publicIpPrefixes().keySet().iterator().next();

    assertThat(network.publicIpPrefixes().getById(prefixId).ipPrefix())
        .isEqualTo(fixture.publicIpPrefixes().get(prefixId));
    String ipId = fixture.publicIps().keySet().iterator().next();
    assertThat(network.publicIpAddresses().getById(ipId).ipAddress()).isEqualTo(fixture.publicIps().get(ipId));
    assertThat(arm.requests()).filteredOn(r -> r.kind() == RequestKind.TOKEN)
        .anySatisfy(r -> assertThat(r.body()).contains("client_assertion=***"));
  }
}
