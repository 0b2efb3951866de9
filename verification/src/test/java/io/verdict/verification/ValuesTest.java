package io.verdict.verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ValuesTest {

  @Test
  void contentDigestIsSha256WrittenWithPrefix() {
    ContentDigest d = ContentDigest.of("abc".getBytes(StandardCharsets.US_ASCII));
    assertThat(d.toString()).isEqualTo(
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(ContentDigest.parse(d.toString())).isEqualTo(d);
    assertThat(d.matches("abc".getBytes(StandardCharsets.US_ASCII))).isTrue();
    assertThat(d.matches("abd".getBytes(StandardCharsets.US_ASCII))).isFalse();
  }

  @Test
  void contentDigestHasExactlyOneTextForm() {
    String hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assertThatThrownBy(() -> ContentDigest.parse(hex)).isInstanceOf(MalformedValueException.class);
    assertThatThrownBy(() -> ContentDigest.parse("sha256:" + hex.toUpperCase()))
        .isInstanceOf(MalformedValueException.class);
    assertThatThrownBy(() -> ContentDigest.parse("sha256:" + hex.substring(2)))
        .isInstanceOf(MalformedValueException.class);
    assertThatThrownBy(() -> ContentDigest.parse("SHA256:" + hex))
        .isInstanceOf(MalformedValueException.class);
  }

  @Test
  void bytes32OfAnUnsignedIntegerIsItsAbiWord() {
    assertThat(Bytes32.ofUnsigned(0)).isEqualTo(Bytes32.ZERO);
    assertThat(Bytes32.ofUnsigned(0x60).toHex()).isEqualTo("0x" + "00".repeat(31) + "60");
    assertThat(Bytes32.ofUnsigned(Long.MAX_VALUE).toHex())
        .isEqualTo("0x" + "00".repeat(24) + "7fffffffffffffff");
    assertThatThrownBy(() -> Bytes32.ofUnsigned(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bytes32ValidatesLengthAndIsImmutable() {
    byte[] raw = new byte[32];
    Bytes32 b = Bytes32.wrap(raw);
    raw[0] = 1;
    assertThat(b.get(0)).isZero();
    b.bytes()[1] = 1;
    assertThat(b.get(1)).isZero();
    assertThatThrownBy(() -> Bytes32.wrap(new byte[31])).isInstanceOf(MalformedValueException.class);
    assertThatThrownBy(() -> Bytes32.parse("0x00")).isInstanceOf(MalformedValueException.class);
    assertThat(Bytes32.parse(b.toHex())).isEqualTo(b);
    assertThat(JobId.parse(b.toHex()).toString()).isEqualTo("0x" + "00".repeat(32));
  }

  @Test
  void bytes32OrdersAsUnsignedNumbers() {
    Bytes32 small = Bytes32.parse("0x7f" + "00".repeat(31));
    Bytes32 large = Bytes32.parse("0x80" + "00".repeat(31));
    assertThat(small).isLessThan(large);
  }

  @Test
  void addressUsesEip55Checksum() {
    // vectors from the EIP-55 specification
    for (String s : new String[] {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"}) {
      assertThat(Address.parse(s).toString()).isEqualTo(s);
      assertThat(Address.parse(s.toLowerCase()).toString()).isEqualTo(s);
    }
    assertThatThrownBy(() -> Address.parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"))
        .isInstanceOf(MalformedValueException.class).hasMessageContaining("checksum");
    assertThatThrownBy(() -> Address.parse("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"))
        .isInstanceOf(MalformedValueException.class);
  }

  @Test
  void policyTextIsNonEmptyPrintableAscii() {
    assertThat(PolicyText.of("QUANTIZED(0.001)").value()).isEqualTo("QUANTIZED(0.001)");
    assertThatThrownBy(() -> PolicyText.of("")).isInstanceOf(MalformedValueException.class);
    assertThatThrownBy(() -> PolicyText.of("EXACT\n")).isInstanceOf(MalformedValueException.class);
    assertThatThrownBy(() -> PolicyText.of("TOPK(3)é")).isInstanceOf(MalformedValueException.class);
  }

  @Test
  void keccakIsEthereumKeccakNotSha3() {
    assertThat(Hex.encode(Keccak.hash(new byte[0])))
        .isEqualTo("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  }
}
