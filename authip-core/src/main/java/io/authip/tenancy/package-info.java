/**
 * Tenancy: which namespaces' policies may change which clusters, with which access and as which Azure identity,
 * decided from cluster-scoped, admin-owned {@code TargetGrant}s. Pure: no Kubernetes client, no Azure.
 */
package io.authip.tenancy;
