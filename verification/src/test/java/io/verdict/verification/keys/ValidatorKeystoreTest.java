package io.verdict.verification.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.verdict.verification.Hex;
import io.verdict.verification.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidatorKeystoreTest {
  @TempDir Path dir;

  @Test
  void savesAndLoadsAStandardEthereumKeystore() throws Exception {
    ValidatorKey key = TestKeys.fromSeed("validator-0");
    Path file = dir.resolve("validator.json");
    ValidatorKeystore.save(key, "correct horse", file, ValidatorKeystore.Strength.LIGHT);

    JsonNode json = new ObjectMapper().readTree(file.toFile());
    assertThat(json.get("version").asInt()).isEqualTo(3);
    assertThat(json.at("/crypto/kdf").asText()).isEqualTo("scrypt");
    assertThat(json.at("/crypto/cipher").asText()).isEqualTo("aes-128-ctr");
    assertThat("0x" + json.get("address").asText())
        .isEqualToIgnoringCase(key.address().toString());
    assertThat(Files.readString(file)).doesNotContain(Hex.encode(TestKeys.privateKeyOf(
        "validator-0")));

    ValidatorKey loaded = ValidatorKeystore.load(file, "correct horse");
    assertThat(loaded).isEqualTo(key);
    assertThat(loaded.address()).isEqualTo(key.address());
    assertThat(ValidatorKeystore.peekAddress(file)).isEqualTo(key.address());
  }

  @Test
  void defaultsToStandardScryptParameters() throws Exception {
    ValidatorKey key = ValidatorKey.generate();
    Path file = dir.resolve("standard.json");
    ValidatorKeystore.save(key, "pw", file);
    JsonNode json = new ObjectMapper().readTree(file.toFile());
    assertThat(json.at("/crypto/kdfparams/n").asInt()).isEqualTo(1 << 18);
    assertThat(json.at("/crypto/kdfparams/p").asInt()).isEqualTo(1);
    assertThat(ValidatorKeystore.load(file, "pw")).isEqualTo(key);
  }

  @Test
  void wrongPasswordFailsWithoutLeakingTheKey() throws Exception {
    ValidatorKey key = TestKeys.fromSeed("validator-1");
    Path file = dir.resolve("k.json");
    ValidatorKeystore.save(key, "right", file, ValidatorKeystore.Strength.LIGHT);
    assertThatThrownBy(() -> ValidatorKeystore.load(file, "wrong"))
        .isInstanceOf(KeystoreException.class)
        .hasMessageContaining("wrong password")
        .hasMessageNotContaining(Hex.encode(TestKeys.privateKeyOf("validator-1")))
        .hasNoCause();
  }

  @Test
  void garbageFileIsAKeystoreException() throws Exception {
    Path file = dir.resolve("junk.json");
    Files.writeString(file, "{not json");
    assertThatThrownBy(() -> ValidatorKeystore.load(file, "x"))
        .isInstanceOf(KeystoreException.class);
    assertThatThrownBy(() -> ValidatorKeystore.load(dir.resolve("absent.json"), "x"))
        .isInstanceOf(KeystoreException.class);
  }
}
