package io.authip.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.AuthorizedIpPolicySpec;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.RangeEntry;
import io.authip.api.v1alpha1.TargetState;
import io.authip.api.v1alpha1.TargetStatus;
import io.authip.azure.AksGateway;
import io.authip.azure.OperationHandle;
import io.authip.azure.OperationStatus;
import io.authip.azure.Outcome;
import io.authip.emulator.SettableClock;
import io.authip.policy.ApiServerAccess;
import io.authip.policy.ClusterSnapshot;
import io.authip.ranges.Cidr;
import io.authip.ranges.CidrSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** PolicySyncer against a hand-written gateway that counts what it is asked: the ARM calls a pass costs. */
@EnableKubernetesMockClient(crud = true)
class PolicySyncerTest {

  static KubernetesClient client;

  static final String SUB = "0b3c5d7e-1a2b-4c3d-8e9f-a0b1c2d3e4f5";
  static final String LB_IP = "/subscriptions/" + SUB + "/resourceGroups/MC_rg/providers/Microsoft.Network/"
      + "publicIPAddresses/lb-ip";
  static final ClusterTarget TARGET = new ClusterTarget(SUB, "rg", "aks");

  /** One cluster; a PUT takes effect at once and its operation is reported Succeeded on the first poll. */
  static final class FakeGateway implements AksGateway {
    ApiServerAccess actual = ApiServerAccess.UNRESTRICTED;
    int eTag = 1;
    int reads;
    int applies;
    int polls;
    int pathLookups;
    ApiServerAccess lastApplied;
    /** The node pools' subnet (null: the AKS-managed network) and what following it answers. */
    String subnet;
    Outcome<Map<String, io.authip.policy.EgressPath>> paths;
    final Map<String, Cidr> addresses = new java.util.HashMap<>(Map.of(LB_IP.toLowerCase(), Cidr.parse("20.50.1.7")));

    @Override
    public Outcome<ClusterSnapshot> read(ClusterTarget target) {
      reads++;
      return Outcome.ok(new ClusterSnapshot(target, "/subscriptions/" + SUB + "/resourceGroups/rg/providers/"
          + "Microsoft.ContainerService/managedClusters/aks", "\"" + eTag + "\"", "Succeeded", false, "standard",
          "loadBalancer", actual, List.of(LB_IP), List.of(), List.of(), List.of(),
          List.of(new ClusterSnapshot.AgentPool("system", false, null, subnet))));
    }

    @Override
    public Outcome<Map<String, io.authip.policy.EgressPath>> egressPaths(Collection<String> subnetIds) {
      pathLookups++;
      return paths;
    }

    @Override
    public Outcome<Map<String, Cidr>> resolve(Collection<String> resourceIds) {
      Map<String, Cidr> out = new java.util.HashMap<>();
      for (String id : resourceIds) {
        if (!addresses.containsKey(id)) {
          return Outcome.failed(new Outcome.Failure.NotFound("public IP " + id));
        }
        out.put(id, addresses.get(id));
      }
      return Outcome.ok(out);
    }

    @Override
    public Outcome<OperationHandle> apply(ClusterSnapshot snapshot, ApiServerAccess desired) {
      applies++;
      lastApplied = desired;
      actual = desired;
      eTag++;
      return Outcome.ok(new OperationHandle("https://127.0.0.1/op/" + applies, snapshot.clusterId()));
    }

    @Override
    public Outcome<OperationStatus> poll(OperationHandle handle) {
      polls++;
      return Outcome.ok(new OperationStatus.Succeeded());
    }
  }

  final SettableClock clock = new SettableClock(Instant.parse("2026-03-01T10:00:00Z"));
  final FakeGateway azure = new FakeGateway();
  final CaptureStore captures = new CaptureStore(client, "authip-system");
  final PolicySyncer syncer = new PolicySyncer(azure, captures, OperatorConfig.forTesting().withTimings(
      Duration.ofMillis(200), Duration.ZERO, Duration.ofMillis(300), Duration.ofSeconds(1)), clock);
  /** The number of PUTs the gateway had seen each time the intent was written. */
  final List<Integer> intentsWrittenAfterPuts = new ArrayList<>();

  static AuthorizedIpPolicy policy(String... ranges) {
    AuthorizedIpPolicy p = new AuthorizedIpPolicy();
    p.getMetadata().setName("p");
    p.getMetadata().setNamespace("ns");
    p.getMetadata().setGeneration(1L);
    p.getMetadata().setUid(java.util.UUID.randomUUID().toString());
    AuthorizedIpPolicySpec spec = new AuthorizedIpPolicySpec();
    spec.setTargets(new ArrayList<>(List.of(TARGET)));
    List<RangeEntry> entries = new ArrayList<>();
    for (String r : ranges) {
      entries.add(RangeEntry.of(r));
    }
    spec.setRanges(entries);
    p.setSpec(spec);
    return p;
  }

  /** One pass, its result stored as the policy's status as the reconciler would. */
  TargetStatus pass(AuthorizedIpPolicy p) {
    List<String> ranges = p.getSpec().getRanges().stream().map(RangeEntry::getCidr).toList();
    PolicySyncer.Result r = syncer.sync(p, CidrSet.parse(ranges), t -> Optional.empty(),
        targets -> intentsWrittenAfterPuts.add(azure.applies), false);
    p.setStatus(PolicyStatusBuilder.of(p, r.targets(), clock.instant()));
    return r.targets().get(0);
  }

  @Test
  void aChangeCostsOneReadOnePutAndOnePoll() {
    AuthorizedIpPolicy p = policy("73.140.245.0/24");
    assertThat(pass(p).getState()).isEqualTo(TargetState.Updating);
    clock.advance(Duration.ofMillis(200));
    TargetStatus done = pass(p);

    assertThat(done.getState()).isEqualTo(TargetState.InSync);
    assertThat(done.getAppliedRanges()).containsExactly("20.50.1.7/32", "73.140.245.0/24");
    assertThat(done.getPendingOperation()).isNull();
    assertThat(done.getLastChangeTime()).isEqualTo(clock.instant().toString());
    assertThat(List.of(azure.reads, azure.applies, azure.polls)).containsExactly(1, 1, 1);
  }

  @Test
  void aNodeSubnetsNatGatewayIsAddedAndARefusedLookupSendsNothing() {
    String net = "/subscriptions/" + SUB + "/resourceGroups/net/providers/Microsoft.Network/";
    azure.subnet = net + "virtualNetworks/vnet/subnets/nodes";
    azure.paths = Outcome.failed(new Outcome.Failure.Forbidden("does not have authorization to perform action "
        + "'Microsoft.Network/virtualNetworks/subnets/read'"));
    AuthorizedIpPolicy p = policy("73.140.245.0/24");

    TargetStatus refused = pass(p);
    assertThat(refused.getState()).isEqualTo(TargetState.Error);
    assertThat(refused.getReason()).isEqualTo("Forbidden");
    assertThat(refused.getMessage()).contains("following the node subnets to their egress")
        .contains("Microsoft.Network/virtualNetworks/subnets/read");
    assertThat(azure.applies).isZero();

    String natIp = net + "publicIPAddresses/natgw-ip";
    azure.addresses.put(natIp.toLowerCase(), Cidr.parse("20.70.0.1"));
    azure.paths = Outcome.ok(Map.of(azure.subnet.toLowerCase(), new io.authip.policy.EgressPath.Addresses(
        io.authip.policy.EgressPath.Via.NAT_GATEWAY, net + "natGateways/natgw", List.of(natIp))));
    clock.advance(Duration.ofSeconds(30));
    pass(p);
    clock.advance(Duration.ofMillis(200));
    TargetStatus done = pass(p);
    assertThat(done.getState()).isEqualTo(TargetState.InSync);
    assertThat(done.getAppliedRanges()).containsExactly("20.50.1.7/32", "20.70.0.1/32", "73.140.245.0/24");
    assertThat(done.getRangesLimit()).isEqualTo(200);
    assertThat(azure.pathLookups).as("one lookup per read of the cluster, the last after the change succeeded")
        .isEqualTo(3);
  }

  @Test
  void anUnknownEgressBlocksWithoutAPutUntilAllowed() {
    azure.subnet = "/subscriptions/" + SUB + "/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/"
        + "subnets/nodes";
    azure.paths = Outcome.ok(Map.of(azure.subnet.toLowerCase(), new io.authip.policy.EgressPath.Unknown(
        "route 'default' (0.0.0.0/0) of route table rt goes to a virtual network gateway")));
    AuthorizedIpPolicy p = policy("73.140.245.0/24");

    TargetStatus blocked = pass(p);
    assertThat(blocked.getState()).isEqualTo(TargetState.Blocked);
    assertThat(blocked.getReason()).isEqualTo("EgressUnknown");
    assertThat(blocked.getMessage()).contains("goes to a virtual network gateway")
        .contains("spec.egress.publicIpResourceIds");
    assertThat(azure.applies).isZero();

    io.authip.api.v1alpha1.Egress egress = new io.authip.api.v1alpha1.Egress();
    egress.setAllowUnknown(true);
    p.getSpec().setEgress(egress);
    p.getMetadata().setGeneration(2L);
    assertThat(pass(p).getState()).isEqualTo(TargetState.Updating);
    assertThat(azure.lastApplied.toAks()).containsExactly("20.50.1.7/32", "73.140.245.0/24");
  }

  @Test
  void aSpecEditedWhileAzureWorkedIsReadAgainAndApplied() {
    AuthorizedIpPolicy p = policy("73.140.245.0/24");
    pass(p);
    p.getSpec().setRanges(new ArrayList<>(List.of(RangeEntry.of("73.140.245.0/24"), RangeEntry.of("20.42.0.0/24"))));
    clock.advance(Duration.ofMillis(200));
    TargetStatus second = pass(p);

    assertThat(second.getState()).isEqualTo(TargetState.Updating);
    assertThat(azure.lastApplied.toAks()).contains("20.42.0.0/24");
    assertThat(List.of(azure.reads, azure.applies, azure.polls)).containsExactly(2, 2, 1);
  }

  @Test
  void aResyncThatFindsNothingNewKeepsTheStatusUntilLastSyncTimeIsAnHourOld() {
    AuthorizedIpPolicy p = policy("73.140.245.0/24");
    pass(p);
    clock.advance(Duration.ofMillis(200));
    TargetStatus inSync = pass(p);
    String synced = inSync.getLastSyncTime();

    clock.advance(Duration.ofMinutes(5));
    assertThat(pass(p)).isEqualTo(inSync);
    clock.advance(PolicySyncer.SYNC_TIME_REFRESH.minusMinutes(5).minusMillis(1));
    assertThat(pass(p)).isEqualTo(inSync);
    clock.advance(Duration.ofMillis(1));
    TargetStatus refreshed = pass(p);

    assertThat(azure.reads).as("the change, then three resyncs").isEqualTo(4);
    assertThat(refreshed.getLastSyncTime()).isNotEqualTo(synced).isEqualTo(clock.instant().toString());
    refreshed.setLastSyncTime(synced);
    assertThat(refreshed).isEqualTo(inSync);
  }

  @Test
  void aResyncThatFindsDriftWritesTheFreshSyncTimeWithIt() {
    AuthorizedIpPolicy p = policy("73.140.245.0/24");
    pass(p);
    clock.advance(Duration.ofMillis(200));
    TargetStatus inSync = pass(p);
    azure.actual = ApiServerAccess.fromAks(List.of("8.8.8.0/24"));
    azure.eTag++;

    clock.advance(Duration.ofMinutes(1));
    TargetStatus correcting = pass(p);

    assertThat(correcting.getState()).isEqualTo(TargetState.Updating);
    assertThat(correcting.getLastSyncTime()).isNotEqualTo(inSync.getLastSyncTime())
        .isEqualTo(clock.instant().toString());
  }

  @Test
  void theIntentIsWrittenBeforeEveryPutAndAFailedWriteStopsThePut() {
    AuthorizedIpPolicy p = policy("73.140.245.0/24");
    pass(p);
    assertThat(intentsWrittenAfterPuts).as("written once, while no PUT had been sent").containsExactly(0);

    AuthorizedIpPolicy q = policy("73.140.244.0/24");
    List<String> ranges = List.of("73.140.244.0/24");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> syncer.sync(q, CidrSet.parse(ranges),
        t -> Optional.empty(), targets -> {
          throw new IllegalStateException("refused");
        }, false)).hasMessage("refused");
    assertThat(azure.applies).as("no PUT without its intent").isEqualTo(1);
  }

  @Test
  void theCaptureIsTheStateBeforeTheFirstChangeAndIsKeptOutOfStatusReach() {
    AuthorizedIpPolicy p = policy("73.140.245.0/24");
    TargetStatus first = pass(p);
    assertThat(first.getPrevious().getAccess()).isEqualTo(io.authip.api.v1alpha1.Access.Unrestricted);
    // a tenant plants another "previous" in status: it is replaced by authip's own record
    first.setPrevious(new io.authip.api.v1alpha1.CapturedAccess(io.authip.api.v1alpha1.Access.Restricted,
        List.of(), "2020-01-01T00:00:00Z"));
    clock.advance(Duration.ofMillis(200));
    List<String> ranges = List.of("73.140.245.0/24");
    PolicySyncer.Result r = syncer.sync(p, CidrSet.parse(ranges), t -> Optional.empty(), t -> { }, false);
    assertThat(r.targets().get(0).getPrevious().getAccess()).isEqualTo(io.authip.api.v1alpha1.Access.Unrestricted);
    assertThat(r.events()).anyMatch(e -> e.reason() == EventReason.CaptureMismatch);
    CaptureStore.Entry record = new CaptureStore(client, "authip-system").entries(p).get(TARGET.key());
    assertThat(record.captured().getAccess()).isEqualTo(io.authip.api.v1alpha1.Access.Unrestricted);
    assertThat(record.sent()).containsExactly(List.of("20.50.1.7/32", "73.140.245.0/24"));
  }

  @Test
  void aPassRecordsTheIntentsOfAllItsChangesInOneWriteBeforeTheirPuts() {
    AuthorizedIpPolicy p = policy("73.140.245.0/24");
    p.getSpec().getTargets().add(new ClusterTarget(SUB, "rg", "aks2"));
    List<List<TargetStatus>> recorded = new ArrayList<>();
    List<Integer> putsWhenRecorded = new ArrayList<>();
    PolicySyncer.Result r = syncer.sync(p, CidrSet.parse(List.of("73.140.245.0/24")), t -> Optional.empty(),
        targets -> {
          recorded.add(targets.stream().map(TargetStatus::copy).toList());
          putsWhenRecorded.add(azure.applies);
        }, false);

    // Both targets need a change: one status write with both intents (no poll URL yet), before either PUT; the poll
    // URLs go to status with the pass's own status write, from its result.
    assertThat(putsWhenRecorded).containsExactly(0);
    assertThat(recorded.get(0)).hasSize(2).allSatisfy(t -> {
      assertThat(t.getPendingOperation()).isNotNull();
      assertThat(t.getPendingOperation().getPollUrl()).isNull();
    });
    assertThat(azure.applies).isEqualTo(2);
    assertThat(r.targets()).extracting(t -> t.getPendingOperation().getPollUrl())
        .containsExactly("https://127.0.0.1/op/1", "https://127.0.0.1/op/2");
  }

}
