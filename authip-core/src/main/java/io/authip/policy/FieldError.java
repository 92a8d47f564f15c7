package io.authip.policy;

/**
 * One refusal, tied to the field it is about.
 *
 * @param field a path such as {@code spec.ranges[3].cidr}
 * @param message what was wrong and, where it can be known, what would be right
 */
public record FieldError(String field, String message) {

  @Override
  public String toString() {
    return field + ": " + message;
  }
}
