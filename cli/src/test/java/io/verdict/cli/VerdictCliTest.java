package io.verdict.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Command-line parsing: global options anywhere, defaults, usage errors and help. */
class VerdictCliTest {

  private static VerdictCli parse(String... args) {
    CommandLine cli = VerdictCli.commandLine();
    cli.parseArgs(args);
    return cli.getCommand();
  }

  @Test
  void globalOptionsWorkBeforeAndAfterTheCommand() {
    VerdictCli before = parse("--target", "10.0.0.7:6000", "--json", "--timeout", "2.5", "models");
    VerdictCli after = parse("models", "--target", "10.0.0.7:6000", "--json", "--timeout", "2.5");

    for (VerdictCli cli : new VerdictCli[] {before, after}) {
      assertThat(cli.target()).isEqualTo(new Target("10.0.0.7", 6000));
      assertThat(cli.json()).isTrue();
      assertThat(cli.timeout()).isEqualTo(Duration.ofMillis(2500));
    }
  }

  @Test
  void defaultsAreLoopbackAndThirtySeconds() {
    VerdictCli cli = parse("models");
    if (System.getenv("VERDICT_TARGET") == null) {
      assertThat(cli.target()).isEqualTo(new Target("127.0.0.1", 50051));
    }
    assertThat(cli.json()).isFalse();
    assertThat(cli.timeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void targetParsing() {
    assertThat(Target.parse("[::1]:50051")).isEqualTo(new Target("::1", 50051));
    assertThat(Target.parse("node-1.cluster.local:443").toString()).isEqualTo("node-1.cluster.local:443");

    Run noPort = Run.of("--target", "localhost", "models");
    assertThat(noPort.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(noPort.err()).contains("expected host:port, got 'localhost'");

    Run badPort = Run.of("models", "--target", "localhost:99999");
    assertThat(badPort.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(badPort.err()).contains("port must be 1..65535");
  }

  @Test
  void badTimeoutIsAUsageError() {
    Run run = Run.of("--timeout", "0", "models");
    assertThat(run.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("a timeout must be more than 0");
  }

  @Test
  void missingRequiredOptionsAndUnknownCommandsAreUsageErrors() {
    Run infer = Run.of("infer", "mlp");
    assertThat(infer.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(infer.err()).contains("Missing required option: '--input=FILE|JSON'")
        .contains("Try 'verdict infer --help'");

    Run publish = Run.of("publish", "some/dir", "--name", "m");
    assertThat(publish.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(publish.err()).contains("--version=VERSION");

    Run unknown = Run.of("modles");
    assertThat(unknown.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("Unmatched argument at index 0: 'modles'")
        .contains("models");
  }

  @Test
  void helpListsEveryCommandIncludingUp() {
    Run help = Run.of("--help");
    assertThat(help.status()).isZero();
    for (String command : new String[] {"up", "models", "publish", "infer", "job", "receipt",
        "verify", "keygen"}) {
      assertThat(help.out()).containsPattern("(?m)^  " + command + " ");
    }
    assertThat(help.out()).contains("VERDICT_TARGET").contains("Exit status");

    for (String command : new String[] {"models", "publish", "infer", "job", "receipt", "verify",
        "keygen", "up"}) {
      Run sub = Run.of(command, "--help");
      assertThat(sub.status()).as(command).isZero();
      assertThat(sub.out()).as(command).startsWith("Usage: verdict " + command);
    }
  }

  @Test
  void modelsHasShowAndRetire() {
    for (String sub : new String[] {"show", "retire"}) {
      Run help = Run.of("models", sub, "--help");
      assertThat(help.status()).as(sub).isZero();
      assertThat(help.out()).as(sub).startsWith("Usage: verdict models " + sub);
    }
    assertThat(Run.of("models", "retire", "--help").out()).contains("--reason=TEXT");
    Run noRef = Run.of("models", "retire");
    assertThat(noRef.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(noRef.err()).contains("NAME@VERSION");
  }

  @Test
  void badPublishLimitsFailBeforeAnyCall(@TempDir Path model) {
    // The target is a closed port: the usage error must come first, without trying the network.
    String[][] cases = {
        {"--max-shape", "input", "NAME=DxD"},
        {"--max-shape", "input=8xfour", "'four' is not a dimension bound"},
        {"--max-shape", "input=8x0", "bounds are at least 1"},
        {"--max-batch", "70000", "--max-batch must be 0 (the default) or 1 to 65536"},
        {"--max-input-bytes", "12 parsecs", "--max-input-bytes"},
        {"--max-input-bytes", "9999999999g", "too large"}};
    for (String[] c : cases) {
      Run run = Run.of("publish", model.toString(), "--name", "m", "--version", "1", "--target", "127.0.0.1:1",
          c[0], c[1]);
      assertThat(run.status()).as(String.join(" ", c)).isEqualTo(ExitCodes.USAGE);
      assertThat(run.err()).as(String.join(" ", c)).contains(c[2]);
    }
  }

  @Test
  void sizesParseLikeTheNodesConfiguration() {
    assertThat(Sizes.parse("0")).isZero();
    assertThat(Sizes.parse("4096")).isEqualTo(4096);
    assertThat(Sizes.parse("64k")).isEqualTo(65_536);
    assertThat(Sizes.parse("64KiB")).isEqualTo(65_536);
    assertThat(Sizes.parse("16m")).isEqualTo(16L << 20);
    assertThat(Sizes.parse("1 GiB")).isEqualTo(1L << 30);
    assertThat(Sizes.parse("500kB")).isEqualTo(500_000);
    assertThat(Sizes.parse("2MB")).isEqualTo(2_000_000);
    for (String bad : new String[] {"", "-1", "1.5m", "12 parsecs", "k"}) {
      assertThatThrownBy(() -> Sizes.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void noCommandPrintsUsageAndFails() {
    Run run = Run.of();
    assertThat(run.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("Usage: verdict");
  }

  @Test
  void upOutsideTheScriptSaysWhereItLives() {
    Run run = Run.of("up", "--port", "0");
    assertThat(run.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("error: 'up' starts a node and is handled by the ./verdict script");
  }

  @Test
  void badInferInputFailsBeforeAnyCall() {
    // The target is a closed port: a usage error must come first, without trying the network.
    Run run = Run.of("infer", "mlp", "--target", "127.0.0.1:1", "--input",
        "{\"input\": {\"dtype\": \"FLOAT32\", \"shape\": [1, 4], \"data\": [1, 2, 3]}}");
    assertThat(run.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).isEqualTo(
        "error: input 'input': shape [1,4] needs 4 elements, data has 3" + System.lineSeparator());

    Run missingFile = Run.of("infer", "mlp", "--input", "no/such/input.json");
    assertThat(missingFile.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(missingFile.err()).contains("input file no/such/input.json does not exist");

    Run quorum = Run.of("infer", "mlp", "--r", "3", "--q", "1", "--input",
        "{\"x\": {\"dtype\": \"INT32\", \"shape\": [], \"data\": [1]}}");
    assertThat(quorum.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(quorum.err()).contains("--q 1 must satisfy r/2 < q <= r for --r 3");
  }
}
