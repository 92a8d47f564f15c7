package io.authip.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "authip", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Owns the API server authorized IP ranges of AKS clusters.",
    subcommands = {RunCommand.class, SandboxCommand.class, ValidateCommand.class, RangesCommand.class, EmulatorCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {

  private final InputStream stdin;

  private Main(InputStream stdin) {
    this.stdin = stdin;
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line on the process's standard streams and returns its exit code. */
  public static int execute(String... args) {
    return run(new CommandLine(new Main(System.in)), args);
  }

  /** Runs a command line on the given streams (tests, embedding) and returns its exit code. */
  public static int execute(InputStream in, PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main(in));
    cli.setOut(out);
    cli.setErr(err);
    try {
      return run(cli, args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  private static int run(CommandLine cli, String... args) {
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

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"authip " + (v == null ? "development build" : v)};
    }
  }
}
