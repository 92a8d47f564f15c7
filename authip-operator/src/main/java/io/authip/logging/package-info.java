/**
 * The logging backend's set-up (logback): a text format that puts the policy and cluster of the MDC on every line,
 * and a JSON-lines format for log pipelines.
 */
package io.authip.logging;
