/**
 * IPv4 CIDR values, canonical sets with lossless aggregation, and the rules an AKS authorized IP range must
 * satisfy. Pure: no I/O, no Kubernetes, no Azure.
 */
package io.authip.ranges;
