package io.verdict.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every subcommand shares: the global options, its writers, the node client. */
abstract class CommandBase implements Callable<Integer> {
  @ParentCommand
  VerdictCli root;

  @Spec
  CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  boolean json() {
    return root.json();
  }

  NodeClient connect() {
    return NodeClient.connect(root.target(), root.timeout());
  }

  static String readFile(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw CliException.usage(what + " " + file + " does not exist");
    } catch (IOException e) {
      throw CliException.usage("cannot read " + what + " " + file + ": " + e.getMessage());
    }
  }

  static void writeFile(Path file, String content, String what) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException(ExitCodes.FAILED, "cannot write " + what + " " + file + ": "
          + e.getMessage(), e);
    }
  }
}
