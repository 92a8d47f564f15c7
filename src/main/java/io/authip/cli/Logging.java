package io.authip.cli;

/** slf4j-simple reads its level from system properties, once, when the first logger is created. */
final class Logging {

  private Logging() {
  }

  static void setLevel(String level) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
    // Chatty libraries stay at warn unless debugging.
    if (!level.equals("debug") && !level.equals("trace")) {
      for (String noisy : new String[] {"io.javaoperatorsdk", "io.fabric8", "com.azure", "reactor", "io.netty"}) {
        System.setProperty("org.slf4j.simpleLogger.log." + noisy, "warn");
      }
    }
  }
}
