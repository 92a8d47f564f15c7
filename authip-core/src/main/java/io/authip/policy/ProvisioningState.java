package io.authip.policy;

import java.util.Locale;
import java.util.Optional;

/**
 * The terminal provisioning states of an ARM resource or long-running operation, the one definition used by the
 * gateway (operation status, the cluster's {@code provisioningState}), the cluster snapshot (busy or not) and the
 * syncer (re-send after a failure). Every other state (Updating, Creating, InProgress, Accepted, ...) is not
 * terminal. ARM spells Canceled with one l; the British spelling is read too. The ARM emulator keeps its own
 * spelling of these three words on purpose: it stands in for Azure and depends on nothing of authip.
 */
public enum ProvisioningState {
  Succeeded,
  Failed,
  Canceled;

  /** The terminal state {@code text} names (case-insensitive), or empty when it is not terminal or absent. */
  public static Optional<ProvisioningState> terminal(String text) {
    if (text == null) {
      return Optional.empty();
    }
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "succeeded" -> Optional.of(Succeeded);
      case "failed" -> Optional.of(Failed);
      case "canceled", "cancelled" -> Optional.of(Canceled);
      default -> Optional.empty();
    };
  }

  /** Whether {@code text} is a terminal state: nothing runs on the resource. */
  public static boolean isTerminal(String text) {
    return terminal(text).isPresent();
  }

  /** Whether {@code text} is Failed or Canceled. */
  public static boolean isFailure(String text) {
    return terminal(text).filter(s -> s != Succeeded).isPresent();
  }
}
