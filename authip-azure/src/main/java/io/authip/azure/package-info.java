/**
 * Azure Resource Manager behind a small interface ({@link io.authip.azure.AksGateway}); the implementation runs
 * the real Azure SDK pipeline (credential, retry, long-running operations).
 *
 * <p>Pacing: {@link io.authip.azure.ArmPacer} keeps local copies of ARM's token buckets (reads and writes per
 * principal and subscription) and AKS's (PUTs per cluster, LISTs per subscription) and hands out reservations:
 * a call either may go now or gets its own slot later, and the caller reschedules instead of sleeping. Urgent work
 * may drain a bucket; routine resync leaves a reserve. {@code PacingPolicy}, one per identity's pipeline, corrects
 * the buckets from what ARM answers (remaining-request headers, 429 with {@code Retry-After}) and never waits.
 */
package io.authip.azure;
