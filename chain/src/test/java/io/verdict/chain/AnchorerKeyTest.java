package io.verdict.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.verification.Address;
import io.verdict.verification.Hex;
import io.verdict.verification.Keccak;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.keys.ValidatorKeystore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnchorerKeyTest {
  private static final byte[] PRIVATE = Keccak.hash("anchorer-key-test".getBytes(StandardCharsets.UTF_8));
  private static final String HEX = Hex.encode(PRIVATE);
  private static final Address ADDRESS = ValidatorKey.fromPrivateKey(PRIVATE).address().address();

  @Test
  void fromHexWithOrWithoutPrefix() {
    assertThat(AnchorerKey.fromHex(HEX).address()).isEqualTo(ADDRESS);
    assertThat(AnchorerKey.fromHex("0x" + HEX)).isEqualTo(AnchorerKey.fromHex(HEX));
    assertThat(AnchorerKey.fromHex("  0x" + HEX.toUpperCase() + "\n").address()).isEqualTo(ADDRESS);
  }

  @Test
  void toStringShowsOnlyTheAddress() {
    AnchorerKey key = AnchorerKey.fromHex(HEX);
    assertThat(key.toString()).isEqualTo("AnchorerKey[address=" + ADDRESS + "]")
        .doesNotContainIgnoringCase(HEX);
    ChainSettings settings = new ChainSettings("http://127.0.0.1:8545/token", 31337,
        Address.parse("0x5fbdb2315678afecb367f032d93f642f64180aa3"), key);
    assertThat(settings.toString()).doesNotContainIgnoringCase(HEX).doesNotContain("token")
        .contains(ADDRESS.toString());
  }

  @Test
  void malformedHexIsRefusedWithoutEchoingIt() {
    String almost = HEX.substring(0, 63) + "g";
    for (String bad : new String[] {almost, HEX.substring(2), HEX + "00", "", "0x"}) {
      assertThatThrownBy(() -> AnchorerKey.fromHex(bad))
          .isInstanceOf(AnchorerKeyException.class)
          .hasMessageContaining("expected 64 hex digits")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContainIgnoringCase(HEX.substring(2, 60)));
    }
    assertThatThrownBy(() -> AnchorerKey.fromHex("00".repeat(32)))
        .isInstanceOf(AnchorerKeyException.class).hasMessageContaining("out of range");
    assertThatThrownBy(() -> AnchorerKey.fromHex("ff".repeat(32)))
        .isInstanceOf(AnchorerKeyException.class).hasMessageContaining("out of range");
  }

  @Test
  void fromAnEnvironmentLookup() {
    Map<String, String> env = Map.of("VERDICT_ANCHORER_KEY", "0x" + HEX,
        "BROKEN", HEX.substring(0, 40), "BLANK", " ");
    assertThat(AnchorerKey.fromEnvironment("VERDICT_ANCHORER_KEY", env::get).address())
        .isEqualTo(ADDRESS);
    assertThatThrownBy(() -> AnchorerKey.fromEnvironment("MISSING", env::get))
        .isInstanceOf(AnchorerKeyException.class)
        .hasMessage("environment variable MISSING is not set");
    assertThatThrownBy(() -> AnchorerKey.fromEnvironment("BLANK", env::get))
        .isInstanceOf(AnchorerKeyException.class)
        .hasMessage("environment variable BLANK is not set");
    assertThatThrownBy(() -> AnchorerKey.fromEnvironment("BROKEN", env::get))
        .isInstanceOf(AnchorerKeyException.class)
        .hasMessageStartingWith("environment variable BROKEN is not a private key")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContainIgnoringCase(HEX.substring(0, 40)));
  }

  @Test
  void fromTheRealEnvironment() {
    assertThatThrownBy(() -> AnchorerKey.fromEnvironment("VERDICT_TEST_SURELY_UNSET_VARIABLE"))
        .isInstanceOf(AnchorerKeyException.class)
        .hasMessageContaining("VERDICT_TEST_SURELY_UNSET_VARIABLE is not set");
  }

  @Test
  void fromAStandardKeystoreFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("anchorer.json");
    ValidatorKeystore.save(ValidatorKey.fromPrivateKey(PRIVATE), "correct horse", file,
        ValidatorKeystore.Strength.LIGHT);

    AnchorerKey key = AnchorerKey.fromKeystore(file, "correct horse".toCharArray());

    assertThat(key.address()).isEqualTo(ADDRESS);
    assertThat(key).isEqualTo(AnchorerKey.fromHex(HEX));
    assertThatThrownBy(() -> AnchorerKey.fromKeystore(file, "wrong".toCharArray()))
        .isInstanceOf(AnchorerKeyException.class)
        .hasMessageContaining("wrong password or corrupt keystore")
        .hasMessageContaining(file.toString())
        .hasNoCause()
        .satisfies(e -> assertThat(e.getMessage()).doesNotContainIgnoringCase(HEX));
  }

  @Test
  void keystoreProblemsAreNamed(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing.json");
    assertThatThrownBy(() -> AnchorerKey.fromKeystore(missing, new char[0]))
        .isInstanceOf(AnchorerKeyException.class).hasMessageContaining("does not exist");
    Path notJson = Files.writeString(dir.resolve("not.json"), "hello");
    assertThatThrownBy(() -> AnchorerKey.fromKeystore(notJson, new char[0]))
        .isInstanceOf(AnchorerKeyException.class)
        .hasMessageContaining("is not a readable Ethereum keystore");

    Path file = dir.resolve("other-address.json");
    ValidatorKeystore.save(ValidatorKey.fromPrivateKey(PRIVATE), "pw", file,
        ValidatorKeystore.Strength.LIGHT);
    String other = Files.readString(file).replace(ADDRESS.toLowerHex().substring(2),
        "00000000000000000000000000000000000000aa");
    Files.writeString(file, other);
    assertThatThrownBy(() -> AnchorerKey.fromKeystore(file, "pw".toCharArray()))
        .isInstanceOf(AnchorerKeyException.class)
        .hasMessageContaining("declares address 0x00000000000000000000000000000000000000aa")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContainIgnoringCase(HEX));
  }
}
