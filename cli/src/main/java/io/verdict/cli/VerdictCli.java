package io.verdict.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code verdict} command line. {@link #run} is the whole program (tests call it with their
 * own writers); {@link #main} adds the process exit status.
 */
@Command(
    name = "verdict",
    mixinStandardHelpOptions = true,
    versionProvider = VerdictCli.Version.class,
    synopsisSubcommandLabel = "COMMAND",
    description = {
        "Verifiable AI inference: publish models, run jobs that a quorum of validators",
        "signs, fetch their receipts and verify them offline.",
        ""},
    subcommands = {
        UpCommand.class,
        ModelsCommand.class,
        PublishCommand.class,
        InferCommand.class,
        JobCommand.class,
        AuditCommand.class,
        ReceiptCommand.class,
        ValidatorsCommand.class,
        AnchorCommand.class,
        VerifyCommand.class,
        KeygenCommand.class,
        CommandLine.HelpCommand.class},
    footer = {
        "",
        "Exit status: 0 ok; 1 failed (receipt invalid, job DISPUTED or FAILED);",
        "2 usage or local input error; 3 the node answered with an error or could not",
        "be reached; 4 the job was not final when the wait ended.",
        "Run 'verdict COMMAND --help' for a command's options."})
public final class VerdictCli implements Callable<Integer> {
  /** Keeps grpc-java's java.util.logging quiet; referenced so the setting is not collected. */
  private static final Logger GRPC_LOG = Logger.getLogger("io.grpc");

  @Spec
  CommandSpec spec;

  @Option(names = "--target", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
      converter = Target.Converter.class,
      defaultValue = "${env:VERDICT_TARGET:-127.0.0.1:50051}",
      description = "Node to talk to (env VERDICT_TARGET; default: ${DEFAULT-VALUE}).")
  Target target;

  @Option(names = "--json", scope = ScopeType.INHERIT,
      description = "Print machine-readable JSON on stdout instead of text.")
  boolean json;

  private Duration timeout = Duration.ofSeconds(30);

  @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "SECONDS",
      defaultValue = "30",
      description = "gRPC deadline of every call, in seconds (default: ${DEFAULT-VALUE}).")
  void setTimeout(String seconds) {
    try {
      timeout = Durations.seconds(seconds);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  Target target() {
    return target;
  }

  boolean json() {
    return json;
  }

  Duration timeout() {
    return timeout;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int status = run(args, out, err);
    out.flush();
    err.flush();
    System.exit(status);
  }

  /** Runs one command line; returns its exit status (see {@link ExitCodes}). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    GRPC_LOG.setLevel(Level.SEVERE);
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new VerdictCli());
    cli.setUsageHelpWidth(100);
    cli.setExpandAtFiles(false); // "--input @file.json" is ours, not a picocli argument file
    cli.setExecutionExceptionHandler(VerdictCli::onFailure);
    cli.setParameterExceptionHandler(VerdictCli::onBadUsage);
    return cli;
  }

  private static int onFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    if (e instanceof CliException failure) {
      err.println("error: " + failure.getMessage());
      err.flush();
      return failure.exitCode();
    }
    err.println("error: unexpected " + e);
    if (System.getenv("VERDICT_DEBUG") != null) {
      e.printStackTrace(err);
    } else {
      err.println("(set VERDICT_DEBUG=1 to see the stack trace)");
    }
    err.flush();
    return ExitCodes.FAILED;
  }

  private static int onBadUsage(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("error: " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    return ExitCodes.USAGE;
  }

  /** The project version, from the jar manifest when there is one. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = VerdictCli.class.getPackage().getImplementationVersion();
      return new String[] {"verdict " + (v == null ? "(development build)" : v)};
    }
  }
}
