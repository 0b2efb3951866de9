package io.verdict.verification.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.verification.Bytes32;
import io.verdict.verification.Hex;
import io.verdict.verification.Keccak;
import io.verdict.verification.MalformedValueException;
import io.verdict.verification.TestKeys;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class ValidatorKeyTest {
  private static final BigInteger N = new BigInteger(
      "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16);

  @Test
  void derivesTheKnownAddressOfKeccakCow() {
    ValidatorKey cow = TestKeys.fromSeed("cow");
    assertThat(cow.address().toString()).isEqualTo("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");
  }

  @Test
  void signsAndRecovers() {
    ValidatorKey key = ValidatorKey.generate(new SecureRandom());
    Bytes32 digest = Keccak.hash32("hello".getBytes(StandardCharsets.UTF_8));
    Signature sig = key.sign(digest);
    assertThat(sig.recover(digest)).isEqualTo(key.address());
    assertThat(sig.isBy(key.address(), digest)).isTrue();
    Bytes32 other = Keccak.hash32("hellp".getBytes(StandardCharsets.UTF_8));
    assertThat(sig.isBy(key.address(), other)).isFalse();
  }

  @Test
  void signingIsDeterministicAndLowS() {
    ValidatorKey key = TestKeys.fromSeed("validator-0");
    for (int i = 0; i < 50; i++) {
      Bytes32 digest = Keccak.hash32(new byte[] {(byte) i});
      Signature a = key.sign(digest);
      assertThat(key.sign(digest)).isEqualTo(a);
      assertThat(a.s()).isLessThanOrEqualTo(N.shiftRight(1));
      assertThat(a.v()).isIn(27, 28);
      assertThat(a.recover(digest)).isEqualTo(key.address());
    }
  }

  @Test
  void sixtyFiveByteFormRoundTrips() {
    ValidatorKey key = TestKeys.fromSeed("validator-1");
    Signature sig = key.sign(Keccak.hash32(new byte[] {1}));
    byte[] raw = sig.toBytes();
    assertThat(raw).hasSize(65);
    assertThat(raw[64] & 0xff).isEqualTo(sig.v());
    assertThat(Signature.fromBytes(raw)).isEqualTo(sig);
    assertThat(Signature.parse(sig.toHex())).isEqualTo(sig);
    assertThat(sig.toHex()).hasSize(132).startsWith("0x");
  }

  @Test
  void rejectsMalleableAndMalformedSignatures() {
    Signature sig = TestKeys.fromSeed("validator-1").sign(Keccak.hash32(new byte[] {1}));
    assertThatThrownBy(() -> new Signature(sig.r(), N.subtract(sig.s()), sig.v()))
        .isInstanceOf(MalformedValueException.class).hasMessageContaining("low-s");
    assertThatThrownBy(() -> new Signature(sig.r(), sig.s(), 1))
        .isInstanceOf(MalformedValueException.class);
    assertThatThrownBy(() -> new Signature(BigInteger.ZERO, sig.s(), 27))
        .isInstanceOf(MalformedValueException.class);
    assertThatThrownBy(() -> Signature.fromBytes(new byte[64]))
        .isInstanceOf(MalformedValueException.class);
  }

  @Test
  void flippingVRecoversAnotherAddress() {
    ValidatorKey key = TestKeys.fromSeed("validator-2");
    Bytes32 digest = Keccak.hash32(new byte[] {2});
    Signature sig = key.sign(digest);
    Signature flipped = new Signature(sig.r(), sig.s(), sig.v() == 27 ? 28 : 27);
    assertThat(flipped.isBy(key.address(), digest)).isFalse();
  }

  @Test
  void privateKeyNeverAppearsInToString() {
    byte[] secret = TestKeys.privateKeyOf("validator-3");
    ValidatorKey key = ValidatorKey.fromPrivateKey(secret);
    String text = key.toString();
    assertThat(text).contains(key.address().toString());
    assertThat(text.toLowerCase()).doesNotContain(Hex.encode(secret));
    assertThat(text).doesNotContain(new BigInteger(1, secret).toString());
  }

  @Test
  void rejectsOutOfRangePrivateKeys() {
    assertThatThrownBy(() -> ValidatorKey.fromPrivateKey(new byte[32]))
        .isInstanceOf(MalformedValueException.class).hasMessageNotContaining("0000");
    byte[] n = Hex.decode(N.toString(16));
    assertThatThrownBy(() -> ValidatorKey.fromPrivateKey(n))
        .isInstanceOf(MalformedValueException.class);
  }

  @Test
  void validatorAddressParsesWithChecksumAndOrders() {
    ValidatorAddress a = ValidatorAddress.parse("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");
    assertThat(ValidatorAddress.parse("0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826")).isEqualTo(a);
    assertThatThrownBy(() -> ValidatorAddress.parse("0xcD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"))
        .isInstanceOf(MalformedValueException.class).hasMessageContaining("checksum");
    ValidatorAddress b = ValidatorAddress.parse("0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB");
    assertThat(b).isLessThan(a);
  }
}
