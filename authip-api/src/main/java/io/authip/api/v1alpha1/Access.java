package io.authip.api.v1alpha1;

/** What the API server accepts. AKS encodes these as a list; the API names them so that none happens by accident. */
public enum Access {
  /** Only the listed ranges, egress and service tag. */
  Restricted,
  /** Only the cluster's load balancer outbound IPs: AKS's {@code 0.0.0.0/32}. */
  LoadBalancerOnly,
  /** No restriction at all: AKS's empty list. */
  Unrestricted
}
