/**
 * A local Azure Resource Manager over HTTPS ({@link io.authip.emulator.ArmEmulator}) for managed clusters, public
 * IP addresses and public IP prefixes, with a token endpoint, fault injection and request counters, so that the real
 * Azure SDK is exercised in tests, the sandbox and the benchmark without a cloud. See {@code docs/emulator.md}.
 */
package io.authip.emulator;
