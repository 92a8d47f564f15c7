/**
 * Azure Resource Manager behind a small interface ({@link io.authip.azure.AksGateway}); the implementation runs
 * the real Azure SDK pipeline (credential, retry, long-running operations).
 */
package io.authip.azure;
