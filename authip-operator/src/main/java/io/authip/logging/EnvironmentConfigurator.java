package io.authip.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Locale;
import java.util.Map;

/**
 * logback's start-up configuration (found through {@code META-INF/services}): {@link Logging#configure} with
 * {@code AUTHIP_LOG_LEVEL} and {@code AUTHIP_LOG_FORMAT}, so that every entry point, test and library logs in the
 * project's format from the first line on. Invalid values fall back to info and text here; {@code authip run}
 * refuses them with a message. An explicit {@code -Dlogback.configurationFile} still wins.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class EnvironmentConfigurator extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    Map<String, String> env = System.getenv();
    String level = env.getOrDefault(Logging.LEVEL_VARIABLE, "info").strip().toLowerCase(Locale.ROOT);
    Logging.Format format;
    try {
      format = Logging.format(env);
    } catch (IllegalArgumentException e) {
      format = Logging.Format.text;
    }
    Logging.configure(context, level, format, Logging.STANDARD_ERROR);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
