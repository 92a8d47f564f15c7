package io.authip.operator;

import io.authip.api.v1alpha1.Access;
import io.authip.api.v1alpha1.ClusterTarget;
import io.authip.api.v1alpha1.GrantIdentity;
import io.authip.api.v1alpha1.TargetGrant;
import io.authip.api.v1alpha1.TargetReason;
import io.authip.azure.AksGateway;
import io.authip.tenancy.Grant;
import io.authip.tenancy.GrantDecision;
import io.authip.tenancy.GrantValidator;
import io.authip.tenancy.Grants;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides, per policy and cluster, whether authip may reach it and as which identity: in {@code grants} mode from the
 * TargetGrants (an invalid grant grants nothing), in {@code open} mode always, as the operator's own identity.
 */
public final class Tenancy {

  private final OperatorConfig.Tenancy mode;
  private final String tenantServiceAccount;
  private final AksGateway own;
  private final IdentityGateways identities;
  /** Parsed grants by uid and resourceVersion: a grant is validated once per version, not once per reconcile. */
  private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

  private record Parsed(String version, Grant grant) {
  }

  /**
   * @param identities the gateways of grants' identities, or null when this process cannot use any (their targets
   *     are then refused with a message saying so)
   */
  public Tenancy(OperatorConfig config, AksGateway own, IdentityGateways identities) {
    this.mode = config.tenancy();
    this.tenantServiceAccount = config.tenantServiceAccount();
    this.own = own;
    this.identities = identities;
  }

  public boolean open() {
    return mode == OperatorConfig.Tenancy.open;
  }

  /** The valid grants among these. */
  public Grants grants(Collection<TargetGrant> all) {
    List<Grant> valid = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    boolean changed = false;
    for (TargetGrant g : all) {
      String uid = g.getMetadata().getUid() == null ? g.getMetadata().getName() : g.getMetadata().getUid();
      seen.add(uid);
      String version = String.valueOf(g.getMetadata().getResourceVersion());
      Parsed p = parsed.get(uid);
      if (p == null || !p.version().equals(version)) {
        p = new Parsed(version, GrantValidator.validate(g).isEmpty() ? Grant.of(g) : null);
        parsed.put(uid, p);
        changed = true;
      }
      if (p.grant() != null) {
        valid.add(p.grant());
      }
    }
    changed |= parsed.keySet().retainAll(seen);
    if (changed && identities != null) {
      // The gateways of identities no grant names any more (a grant deleted or changed) are dropped.
      identities.retain(valid.stream().map(Grant::identity).filter(java.util.Objects::nonNull)
          .collect(java.util.stream.Collectors.toSet()));
    }
    return new Grants(valid);
  }

  /**
   * @param namespace the policy's namespace
   * @param labels its labels, or null when the namespace is not known yet
   */
  public TargetRoute.Router router(Grants grants, String namespace, Map<String, String> labels) {
    return router(grants, namespace, labels, List.of());
  }

  /**
   * @param extraEgress the ARM IDs of public IPs and prefixes the policy names as extra egress: each must lie in a
   *     subscription and resource group of the grant that allows the target, or the target is refused (reading them
   *     would otherwise let a tenant read any address the identity can)
   */
  public TargetRoute.Router router(Grants grants, String namespace, Map<String, String> labels,
      List<String> extraEgress) {
    if (open()) {
      return (t, a) -> new TargetRoute.Allowed(own, null);
    }
    return (ClusterTarget t, Access a) -> route(grants, grants.decide(namespace, labels, t, a), namespace,
        extraEgress);
  }

  /**
   * Whether a policy of {@code namespace} may change the cluster with {@code access} (for ownership: a policy that
   * may not reach a cluster must not keep another, granted policy from it). Creates no gateway.
   */
  public boolean allows(Grants grants, String namespace, Map<String, String> labels, ClusterTarget target,
      Access access) {
    if (open()) {
      return true;
    }
    return grants.decide(namespace, labels, target, access) instanceof GrantDecision.Granted g
        && (g.identity() == null || identities != null
            && tenantServiceAccount.equals(g.identity().getServiceAccountName()));
  }

  /**
   * The gateways that may list the clusters of a subscription (or one resource group of it) for a policy of this
   * namespace, for its target selectors: the identity of each grant for the namespace that covers clusters there
   * (the operator's own for a grant without identity, or in open mode), each once. Every cluster a selector takes is
   * then routed like a named target, so a cluster no grant covers is refused all the same.
   */
  public List<AksGateway> listers(Grants grants, String namespace, Map<String, String> labels, String subscriptionId,
      String resourceGroup) {
    if (open()) {
      return List.of(own);
    }
    java.util.LinkedHashSet<AksGateway> out = new java.util.LinkedHashSet<>();
    for (Grant g : grants.all()) {
      if (!g.appliesTo(namespace, labels) || g.scopes().stream().noneMatch(s -> resourceGroup == null
          ? s.subscriptionId().equals(subscriptionId.toLowerCase(java.util.Locale.ROOT))
          : s.coversResourceGroup(subscriptionId, resourceGroup))) {
        continue;
      }
      GrantIdentity id = g.identity();
      if (id == null) {
        out.add(own);
      } else if (identities != null && tenantServiceAccount.equals(id.getServiceAccountName())) {
        out.add(identities.gateway(namespace, id));
      }
    }
    return List.copyOf(out);
  }

  private TargetRoute route(Grants grants, GrantDecision decision, String namespace, List<String> extraEgress) {
    if (decision instanceof GrantDecision.NotGranted n) {
      return new TargetRoute.Refused(TargetReason.NotGranted, n.message());
    }
    GrantDecision.Granted granted = (GrantDecision.Granted) decision;
    Grant grant = grants.named(granted.grant()).orElseThrow();
    for (int i = 0; i < extraEgress.size(); i++) {
      if (!grant.coversResource(extraEgress.get(i))) {
        return new TargetRoute.Refused(TargetReason.NotGranted, "spec.egress.publicIpResourceIds[" + i + "] ("
            + extraEgress.get(i) + ") is outside the subscriptions and resource groups of TargetGrant "
            + grant.name() + " " + grant.scopes() + ", which grants this cluster; name egress resources inside them, "
            + "or ask a cluster administrator to add their resource group to spec.targets of a grant");
      }
    }
    GrantIdentity id = granted.identity();
    if (id == null) {
      return new TargetRoute.Allowed(own, granted.grant());
    }
    if (!tenantServiceAccount.equals(id.getServiceAccountName())) {
      return new TargetRoute.Refused(TargetReason.IdentityUnavailable, "TargetGrant " + granted.grant()
          + " names ServiceAccount '" + id.getServiceAccountName() + "', but this installation may request tokens "
          + "only for '" + tenantServiceAccount + "' (AUTHIP_TENANT_SERVICE_ACCOUNT, chart value "
          + "tenancy.serviceAccountName); use that name in spec.identity.serviceAccountName");
    }
    if (identities == null) {
      return new TargetRoute.Refused(TargetReason.IdentityUnavailable, "TargetGrant " + granted.grant()
          + " names an Azure identity, but this operator was embedded without federated identities (authip run "
          + "always has them); run it with authip run, or use a grant without spec.identity");
    }
    return new TargetRoute.Allowed(identities.gateway(namespace, id), granted.grant());
  }
}
