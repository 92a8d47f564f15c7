package io.authip.api.v1alpha1;

/** How a URL source's body is read. */
public enum FeedFormat {
  /** A JSON document; {@code jsonPath} selects the strings that are ranges. */
  json,
  /** Text, one range per line; blank lines and lines starting with {@code #} are skipped. */
  text
}
