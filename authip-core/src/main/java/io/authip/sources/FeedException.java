package io.authip.sources;

/** A source's answer that cannot be used; the message says what was wrong and, where it can, what would be right. */
public final class FeedException extends Exception {

  public FeedException(String message) {
    super(message);
  }
}
