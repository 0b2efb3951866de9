package io.verdict.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verdict.verification.keys.KeystoreException;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.keys.ValidatorKeystore;
import java.io.Console;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A new validator key in an Ethereum JSON keystore (scrypt); prints only the address. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
    description = {"Create a validator key in an encrypted keystore file.",
        "The file is an Ethereum JSON keystore (scrypt).",
        "The password comes from --password-file, env VERDICT_KEYSTORE_PASSWORD, or a prompt.",
        "Only the address is printed; the key never is."})
final class KeygenCommand extends CommandBase {
  static final String PASSWORD_ENV = "VERDICT_KEYSTORE_PASSWORD";

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Keystore file to create.")
  Path outFile;

  @Option(names = "--password-file", paramLabel = "FILE",
      description = "Read the password from the first line of FILE.")
  Path passwordFile;

  @Option(names = "--light", description = "Cheap scrypt parameters (tests and development only).")
  boolean light;

  @Option(names = "--force", description = "Overwrite an existing file.")
  boolean force;

  @Override
  public Integer call() {
    if (Files.exists(outFile) && !force) {
      throw CliException.usage(outFile + " already exists (use --force to overwrite it)");
    }
    String password = password();
    ValidatorKey key = ValidatorKey.generate();
    try {
      ValidatorKeystore.save(key, password, outFile,
          light ? ValidatorKeystore.Strength.LIGHT : ValidatorKeystore.Strength.STANDARD);
    } catch (KeystoreException e) {
      throw new CliException(ExitCodes.FAILED, e.getMessage(), e);
    }
    if (json()) {
      ObjectNode n = Views.object();
      n.put("address", key.address().toString());
      n.put("file", outFile.toString());
      Views.printJson(out(), n);
    } else {
      out().println("validator " + key.address() + " saved to " + outFile);
      out().flush();
    }
    return ExitCodes.OK;
  }

  private String password() {
    if (passwordFile != null) {
      String text = readFile(passwordFile, "password file");
      String first = text.lines().findFirst().orElse("");
      return nonEmpty(first);
    }
    String env = System.getenv(PASSWORD_ENV);
    if (env != null) {
      return nonEmpty(env);
    }
    Console console = System.console();
    if (console == null) {
      throw CliException.usage("no password: use --password-file FILE or set " + PASSWORD_ENV);
    }
    char[] first = console.readPassword("keystore password: ");
    char[] again = console.readPassword("repeat password: ");
    try {
      if (first == null || again == null || !Arrays.equals(first, again)) {
        throw CliException.usage("the passwords differ");
      }
      return nonEmpty(new String(first));
    } finally {
      if (first != null) {
        Arrays.fill(first, '\0');
      }
      if (again != null) {
        Arrays.fill(again, '\0');
      }
    }
  }

  private static String nonEmpty(String password) {
    if (password.isEmpty()) {
      throw CliException.usage("the keystore password is empty");
    }
    return password;
  }
}
