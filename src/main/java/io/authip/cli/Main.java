package io.authip.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "authip", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Owns the API server authorized IP ranges of AKS clusters.",
    subcommands = {ValidateCommand.class, RangesCommand.class, EmulatorCommand.class, CommandLine.HelpCommand.class})
public final class Main {

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code; the entry point for tests. */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("authip: " + e.getMessage());
      return 2;
    });
    return cli.execute(args);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"authip " + (v == null ? "development build" : v)};
    }
  }
}
