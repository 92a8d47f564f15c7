package io.authip.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine;

@Command(name = "authip", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Owns the API server authorized IP ranges of AKS clusters.",
    subcommands = {RunCommand.class, ValidateCommand.class, RangesCommand.class, CommandLine.HelpCommand.class})
public final class Main {

  /** The JDK's name for the size of the common ForkJoinPool. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private final InputStream stdin;

  private Main(InputStream stdin) {
    this.stdin = stdin;
  }

  public static void main(String[] args) {
    widenCommonPool();
    System.exit(execute(args));
  }

  /**
   * With fewer than 3 CPUs (a pod limited to 1 or 2) the JVM sizes the common ForkJoinPool to 1, and then every
   * {@code CompletableFuture} async stage given no executor runs on a thread of its own: the JDK HTTP client under
   * fabric8 completes each response that way, so the operator started and ended a thread per Kubernetes request
   * (11,686 in four minutes of the 1,000-policy benchmark). Two common-pool threads avoid it. Only effective before
   * anything uses the common pool, hence here; an explicit -D setting wins.
   */
  public static void widenCommonPool() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null && Runtime.getRuntime().availableProcessors() < 3) {
      System.setProperty(COMMON_POOL_PARALLELISM, "2");
    }
  }

  /** Runs a command line on the process's standard streams and returns its exit code. */
  public static int execute(String... args) {
    return run(commandLine(System.in), args);
  }

  /**
   * The command line with the operator's commands; the sandbox's jar adds {@code sandbox} and {@code emulator} to it.
   */
  public static CommandLine commandLine(InputStream in) {
    return new CommandLine(new Main(in));
  }

  /** Runs a command line (this one, or one with more subcommands) and returns its exit code. */
  public static int execute(CommandLine cli, PrintWriter out, PrintWriter err, String... args) {
    cli.setOut(out);
    cli.setErr(err);
    try {
      return run(cli, args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** Runs a command line on the given streams (tests, embedding) and returns its exit code. */
  public static int execute(InputStream in, PrintWriter out, PrintWriter err, String... args) {
    return execute(commandLine(in), out, err, args);
  }

  /** Runs a command line on the process's standard streams and returns its exit code. */
  public static int run(CommandLine cli, String... args) {
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("authip: " + e.getMessage());
      return 2;
    });
    return cli.execute(args);
  }

  /** What {@code -} (or no file) reads. */
  InputStream stdin() {
    return stdin;
  }

  /** The version the build wrote into {@code version.properties}, else the jar manifest's, else "unknown". */
  static String version() {
    try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        java.util.Properties p = new java.util.Properties();
        p.load(in);
        String v = p.getProperty("version", "");
        if (!v.isBlank() && !v.startsWith("${")) {
          return v;
        }
      }
    } catch (java.io.IOException e) {
      // fall through to the manifest
    }
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "unknown (not built by Maven)" : v;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"authip " + version()};
    }
  }
}
