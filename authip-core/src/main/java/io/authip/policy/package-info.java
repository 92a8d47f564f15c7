/** From a policy spec and what was resolved in Azure to the desired access of one cluster, and its diff. Pure. */
package io.authip.policy;
