package io.authip.azure;

import io.authip.azure.Outcome.Failure;
import io.authip.policy.EgressChain;
import io.authip.policy.EgressPath;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Follows node subnets to their egress ({@link EgressChain} decides each step) with one shared, TTL-cached lookup per
 * distinct subnet, route table, NAT gateway and subscription's list of Azure Firewalls: a hub's route table, NAT
 * gateway or firewall serves many clusters, and is read once for all of them.
 */
final class EgressPathResolver {

  /** The reads, one request each (the firewall list one per page); must not throw. */
  interface Network {
    Outcome<EgressChain.Subnet> subnet(ArmNetworkId id);

    Outcome<List<EgressChain.Route>> routes(ArmNetworkId routeTable);

    Outcome<EgressChain.NatGateway> natGateway(ArmNetworkId id);

    /** The Azure Firewalls of a subscription. */
    Outcome<List<EgressChain.Firewall>> firewalls(String subscriptionId);
  }

  private static final Outcome<Object> NOT_CACHED = Outcome.failed(new Failure.Transient("not cached"));

  private final Network network;
  private final SharedLookups<EgressChain.Subnet> subnets;
  private final SharedLookups<List<EgressChain.Route>> routes;
  private final SharedLookups<EgressChain.NatGateway> natGateways;
  private final SharedLookups<List<EgressChain.Firewall>> firewalls;

  EgressPathResolver(Network network, Duration ttl, LongSupplier nanoClock) {
    this.network = network;
    this.subnets = new SharedLookups<>(ttl, nanoClock);
    this.routes = new SharedLookups<>(ttl, nanoClock);
    this.natGateways = new SharedLookups<>(ttl, nanoClock);
    this.firewalls = new SharedLookups<>(ttl, nanoClock);
  }

  /** The egress path of each subnet, keyed by its ID lower-cased; the first failure fails the whole call. */
  Outcome<Map<String, EgressPath>> resolve(Collection<String> subnetIds) {
    Map<String, EgressPath> out = new LinkedHashMap<>();
    for (String raw : subnetIds) {
      Optional<ArmNetworkId> id = ArmNetworkId.parse(raw, ArmNetworkId.Kind.SUBNET);
      if (id.isEmpty()) {
        // Fail closed: a node subnet authip cannot read could hide the cluster's egress.
        return Outcome.failed(new Failure.Rejected("UnsupportedResourceId", "'" + raw + "' (a node pool's "
            + "vnetSubnetID) is not the ID of a subnet"));
      }
      Outcome<EgressPath> path = path(id.get(), false);
      if (path instanceof Outcome.Failed<EgressPath> f) {
        return Outcome.failed(f.failure());
      }
      out.put(id.get().key(), ((Outcome.Ok<EgressPath>) path).value());
    }
    return Outcome.ok(Map.copyOf(out));
  }

  /** The same when every resource on every path is known without a request; empty otherwise. */
  Optional<Map<String, EgressPath>> cached(Collection<String> subnetIds) {
    Map<String, EgressPath> out = new LinkedHashMap<>();
    for (String raw : subnetIds) {
      Optional<ArmNetworkId> id = ArmNetworkId.parse(raw, ArmNetworkId.Kind.SUBNET);
      if (id.isEmpty() || !(path(id.get(), true) instanceof Outcome.Ok<EgressPath> ok)) {
        return Optional.empty();
      }
      out.put(id.get().key(), ok.value());
    }
    return Optional.of(Map.copyOf(out));
  }

  private Outcome<EgressPath> path(ArmNetworkId subnetId, boolean onlyCached) {
    Outcome<EgressChain.Subnet> read = look(subnets, subnetId.key(), subnetId.describe(),
        () -> network.subnet(subnetId), onlyCached);
    if (read instanceof Outcome.Failed<EgressChain.Subnet> f) {
      return Outcome.failed(f.failure());
    }
    EgressChain.Subnet subnet = ((Outcome.Ok<EgressChain.Subnet>) read).value();
    List<EgressChain.Route> table = List.of();
    ArmNetworkId tableId = null;
    if (subnet.routeTableId() != null && !subnet.routeTableId().isBlank()) {
      Optional<ArmNetworkId> parsed = ArmNetworkId.parse(subnet.routeTableId(), ArmNetworkId.Kind.ROUTE_TABLE);
      if (parsed.isEmpty()) {
        return Outcome.failed(new Failure.Rejected("UnsupportedResourceId", subnetId.describe() + " names the route "
            + "table '" + subnet.routeTableId() + "', which is not a route table ID"));
      }
      tableId = parsed.get();
      ArmNetworkId t = tableId;
      Outcome<List<EgressChain.Route>> r = look(routes, t.key(), t.describe(), () -> network.routes(t), onlyCached);
      if (r instanceof Outcome.Failed<List<EgressChain.Route>> f) {
        return Outcome.failed(f.failure());
      }
      table = ((Outcome.Ok<List<EgressChain.Route>>) r).value();
    }
    EgressChain.Hop hop = EgressChain.hop(subnet, table);
    if (hop instanceof EgressChain.Hop.Unresolvable u) {
      return Outcome.ok(new EgressPath.Unknown(u.why()));
    }
    if (hop instanceof EgressChain.Hop.Appliance a) {
      // Azure Firewalls are found by the private address routes name: the route table's subscription's list.
      String sub = tableId.subscriptionId();
      Outcome<List<EgressChain.Firewall>> list = look(firewalls, "azurefirewalls|" + sub.toLowerCase(Locale.ROOT),
          "the Azure Firewalls of subscription " + sub, () -> network.firewalls(sub), onlyCached);
      if (list instanceof Outcome.Failed<List<EgressChain.Firewall>> f) {
        return Outcome.failed(f.failure());
      }
      List<EgressChain.Firewall> all = ((Outcome.Ok<List<EgressChain.Firewall>>) list).value();
      EgressPath viaFirewall = EgressChain.firewall(a, all);
      if (!(viaFirewall instanceof EgressPath.Addresses)) {
        return Outcome.ok(viaFirewall);
      }
      // A NAT gateway on the firewall's own subnet takes over its outbound traffic.
      List<EgressChain.NatGateway> nats = new java.util.ArrayList<>();
      for (String raw : EgressChain.firewallSubnets(a, all)) {
        Optional<ArmNetworkId> id = ArmNetworkId.parse(raw, ArmNetworkId.Kind.SUBNET);
        if (id.isEmpty()) {
          return Outcome.failed(new Failure.Rejected("UnsupportedResourceId", "the Azure Firewall's subnet '" + raw
              + "' is not a subnet ID"));
        }
        Outcome<EgressChain.NatGateway> nat = subnetNat(id.get(), onlyCached);
        if (nat instanceof Outcome.Failed<EgressChain.NatGateway> f) {
          return Outcome.failed(f.failure());
        }
        EgressChain.NatGateway found = ((Outcome.Ok<EgressChain.NatGateway>) nat).value();
        if (found != null) {
          nats.add(found);
        }
      }
      return Outcome.ok(EgressChain.withFirewallNat(viaFirewall, nats));
    }
    EgressChain.Hop.Internet internet = (EgressChain.Hop.Internet) hop;
    if (subnet.natGatewayId() == null || subnet.natGatewayId().isBlank()) {
      return Outcome.ok(new EgressPath.Default(internet.why() + " and no NAT gateway"));
    }
    Optional<ArmNetworkId> natId = ArmNetworkId.parse(subnet.natGatewayId(), ArmNetworkId.Kind.NAT_GATEWAY);
    if (natId.isEmpty()) {
      return Outcome.failed(new Failure.Rejected("UnsupportedResourceId", subnetId.describe() + " names the NAT "
          + "gateway '" + subnet.natGatewayId() + "', which is not a NAT gateway ID"));
    }
    ArmNetworkId n = natId.get();
    Outcome<EgressChain.NatGateway> nat = look(natGateways, n.key(), n.describe(), () -> network.natGateway(n),
        onlyCached);
    if (nat instanceof Outcome.Failed<EgressChain.NatGateway> f) {
      return Outcome.failed(f.failure());
    }
    return Outcome.ok(EgressChain.natGateway(((Outcome.Ok<EgressChain.NatGateway>) nat).value()));
  }

  /** The NAT gateway of a subnet (a firewall's), or ok(null) when it has none. */
  private Outcome<EgressChain.NatGateway> subnetNat(ArmNetworkId subnetId, boolean onlyCached) {
    Outcome<EgressChain.Subnet> read = look(subnets, subnetId.key(), subnetId.describe(),
        () -> network.subnet(subnetId), onlyCached);
    if (read instanceof Outcome.Failed<EgressChain.Subnet> f) {
      return Outcome.failed(f.failure());
    }
    EgressChain.Subnet subnet = ((Outcome.Ok<EgressChain.Subnet>) read).value();
    if (subnet.natGatewayId() == null || subnet.natGatewayId().isBlank()) {
      return Outcome.ok(null);
    }
    Optional<ArmNetworkId> natId = ArmNetworkId.parse(subnet.natGatewayId(), ArmNetworkId.Kind.NAT_GATEWAY);
    if (natId.isEmpty()) {
      return Outcome.failed(new Failure.Rejected("UnsupportedResourceId", subnetId.describe() + " names the NAT "
          + "gateway '" + subnet.natGatewayId() + "', which is not a NAT gateway ID"));
    }
    ArmNetworkId n = natId.get();
    return look(natGateways, n.key(), n.describe(), () -> network.natGateway(n), onlyCached);
  }

  @SuppressWarnings("unchecked")
  private static <V> Outcome<V> look(SharedLookups<V> cache, String key, String what, Supplier<Outcome<V>> lookup,
      boolean onlyCached) {
    if (onlyCached) {
      Optional<V> known = cache.cached(key);
      return known.isPresent() ? Outcome.ok(known.get()) : (Outcome<V>) NOT_CACHED;
    }
    return cache.get(key, what, lookup);
  }
}
