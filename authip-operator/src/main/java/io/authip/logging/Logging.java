package io.authip.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Configures logback from code: one appender on standard error, {@code text} or {@code json}, the level from
 * {@code AUTHIP_LOG_LEVEL}, and chatty libraries at warn unless debugging. Reconfiguring replaces the previous set-up,
 * so the CLI can apply the validated settings after logback's start-up default ({@link EnvironmentConfigurator}).
 */
public final class Logging {

  public static final String LEVEL_VARIABLE = "AUTHIP_LOG_LEVEL";
  public static final String FORMAT_VARIABLE = "AUTHIP_LOG_FORMAT";
  /** MDC key of the policy being reconciled: {@code namespace/name}. */
  public static final String POLICY = "policy";
  /** MDC key of the IpRangeSet being reconciled: {@code namespace/name}. */
  public static final String RANGE_SET = "rangeset";
  /** MDC key of the cluster being worked on: {@code subscription/resourcegroup/name}, lower-cased. */
  public static final String CLUSTER = "cluster";

  /** Libraries that log per request or per watch event at info; kept at warn unless the level is debug or trace. */
  static final List<String> CHATTY = List.of("io.javaoperatorsdk", "io.fabric8", "com.azure", "reactor", "io.netty",
      "com.microsoft.aad.msal4j");

  static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX, UTC} %-5level %logger{36} %authipMdc- %msg%n";

  /** The log line formats. */
  public enum Format {
    /** One human-readable line per event; the MDC's policy and cluster as {@code key=value}. */
    text,
    /** One JSON object per line: time, level, logger, thread, message, exception and every MDC entry. */
    json
  }

  private Logging() {
  }

  /**
   * @throws IllegalArgumentException naming the variable, its value and the choices
   */
  public static Format format(Map<String, String> env) {
    String v = env.get(FORMAT_VARIABLE);
    if (v == null || v.isBlank()) {
      return Format.text;
    }
    try {
      return Format.valueOf(v.strip().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(FORMAT_VARIABLE + "='" + v + "' must be text or json", e);
    }
  }

  /** Logs to standard error at {@code level} (error, warn, info, debug or trace) in {@code format}. */
  public static void configure(String level, Format format) {
    configure((LoggerContext) LoggerFactory.getILoggerFactory(), level, format, STANDARD_ERROR);
  }

  /** Replaces the configuration of {@code context}: one appender writing to {@code out}. */
  public static void configure(LoggerContext context, String level, Format format, OutputStream out) {
    Level root = Level.toLevel(level, Level.INFO);
    context.reset();
    Map<String, String> converters = new HashMap<>();
    converters.put("authipMdc", MdcConverter.class.getName());
    context.putObject(CoreConstants.PATTERN_RULE_REGISTRY, converters);
    OutputStreamAppender<ILoggingEvent> appender = appender(context, format, out);
    Logger rootLogger = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    rootLogger.setLevel(root);
    rootLogger.addAppender(appender);
    if (root.isGreaterOrEqual(Level.INFO)) {
      for (String chatty : CHATTY) {
        context.getLogger(chatty).setLevel(root.isGreaterOrEqual(Level.WARN) ? root : Level.WARN);
      }
    }
  }

  /** A started appender of {@code context} that writes {@code format} to {@code out} (not attached to a logger). */
  public static OutputStreamAppender<ILoggingEvent> appender(LoggerContext context, Format format, OutputStream out) {
    Encoder<ILoggingEvent> encoder;
    if (format == Format.json) {
      encoder = new JsonLineEncoder();
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(TEXT_PATTERN);
      encoder = text;
    }
    encoder.setContext(context);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setName(format.name());
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setImmediateFlush(true);
    appender.setOutputStream(new KeepOpen(out));
    appender.start();
    return appender;
  }

  /** Whatever {@code System.err} is at the time of each write (tests and tools replace it with System.setErr). */
  static final OutputStream STANDARD_ERROR = new OutputStream() {
    @Override
    public void write(int b) {
      System.err.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      System.err.write(b, off, len);
    }

    @Override
    public void flush() {
      System.err.flush();
    }
  };

  /** Stopping an appender closes its stream; reconfiguring must not close standard error. */
  private static final class KeepOpen extends OutputStream {
    private final OutputStream out;

    KeepOpen(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
