/** The authip.io/v1alpha1 API: {@link io.authip.api.v1alpha1.AuthorizedIpPolicy} and {@link io.authip.api.v1alpha1.IpRangeSet}. */
package io.authip.api.v1alpha1;
