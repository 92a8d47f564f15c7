package io.authip.emulator;

/** An error answer in ARM's shape. */
record ArmError(int status, String code, String message) {

  static ArmError badRequest(String code, String message) {
    return new ArmError(400, code, message);
  }
}
