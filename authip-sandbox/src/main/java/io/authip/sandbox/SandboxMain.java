package io.authip.sandbox;

import io.authip.cli.Main;
import java.io.InputStream;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The sandbox's jar: the operator's command line ({@code run}, {@code validate}, {@code ranges}) plus {@code sandbox}
 * and {@code emulator}, which need the test kit and so are not in the operator's jar.
 */
public final class SandboxMain {

  private SandboxMain() {
  }

  public static void main(String[] args) {
    Main.widenCommonPool();
    System.exit(Main.run(commandLine(System.in), args));
  }

  /** The operator's command line with {@code sandbox} and {@code emulator} added. */
  public static CommandLine commandLine(InputStream in) {
    CommandLine cli = Main.commandLine(in);
    cli.addSubcommand(new SandboxCommand());
    cli.addSubcommand(new EmulatorCommand());
    return cli;
  }

  /** Runs a command line on the given streams (tests) and returns its exit code. */
  public static int execute(InputStream in, PrintWriter out, PrintWriter err, String... args) {
    return Main.execute(commandLine(in), out, err, args);
  }
}
