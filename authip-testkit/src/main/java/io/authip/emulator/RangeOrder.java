package io.authip.emulator;

/**
 * How the emulator orders {@code authorizedIPRanges} when it stores a PUT. Azure does not promise to keep the order
 * sent; the non-default orders let tests prove that a client compares ranges as sets.
 */
public enum RangeOrder {
  /** As sent (the default). */
  AS_SENT,
  /** By address, then prefix length. */
  SORTED,
  /** Reversed. */
  REVERSED
}
