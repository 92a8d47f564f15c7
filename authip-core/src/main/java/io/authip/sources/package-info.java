/**
 * Ranges that come from outside the spec (Azure service tags, HTTPS feeds): parsing what a source returned into
 * canonical blocks, the content hash approvals name, the refresh interval, and the shrink guard that holds back a
 * refresh removing too much. Pure: no I/O.
 */
package io.authip.sources;
