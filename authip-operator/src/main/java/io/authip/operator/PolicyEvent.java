package io.authip.operator;

/**
 * An event about a policy, optionally about one of its targets.
 *
 * @param reason what happened
 * @param message for humans
 * @param targetKey the lower-cased cluster ID, or null
 */
public record PolicyEvent(EventReason reason, String message, String targetKey) {
}
