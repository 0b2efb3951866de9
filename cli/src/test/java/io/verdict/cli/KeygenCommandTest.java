package io.verdict.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdict.verification.keys.ValidatorKeystore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeygenCommandTest {
  @TempDir
  Path dir;

  @Test
  void writesAKeystoreThatOpensWithThePasswordAndPrintsOnlyTheAddress() throws Exception {
    Path password = Files.writeString(dir.resolve("pw.txt"), "correct horse\n");
    Path keystore = dir.resolve("keys/validator.json");

    Run run = Run.of("keygen", "--out", keystore.toString(), "--password-file", password.toString(),
        "--light");

    assertThat(run.status()).as(run.toString()).isZero();
    String address = ValidatorKeystore.load(keystore, "correct horse").address().toString();
    assertThat(run.out().strip()).isEqualTo("validator " + address + " saved to " + keystore);

    Run again = Run.of("keygen", "--out", keystore.toString(), "--password-file", password.toString());
    assertThat(again.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(again.err()).contains("already exists (use --force to overwrite it)");
  }
}
