package io.verdict.verification.eip712;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.verification.Address;
import io.verdict.verification.Bytes32;
import io.verdict.verification.TestKeys;
import io.verdict.verification.keys.Signature;
import io.verdict.verification.keys.ValidatorKey;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The "Mail" example of the EIP-712 specification, with its published values. */
class Eip712MailTest {
  static final Eip712Types MAIL_TYPES = Eip712Types.builder()
      .struct("Person", Eip712Field.of("string", "name"), Eip712Field.of("address", "wallet"))
      .struct("Mail", Eip712Field.of("Person", "from"), Eip712Field.of("Person", "to"),
          Eip712Field.of("string", "contents"))
      .build();
  static final Eip712Domain DOMAIN = Eip712Domain.of("Ether Mail", "1", BigInteger.ONE,
      Address.parse("0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"));
  static final Map<String, Object> MAIL = Map.of(
      "from", Map.of("name", "Cow", "wallet", "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"),
      "to", Map.of("name", "Bob", "wallet", "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"),
      "contents", "Hello, Bob!");

  @Test
  void encodeTypeAppendsReferencedTypes() {
    assertThat(MAIL_TYPES.encodeType("Mail"))
        .isEqualTo("Mail(Person from,Person to,string contents)Person(string name,address wallet)");
    assertThat(MAIL_TYPES.typeHash("Mail")).isEqualTo(Bytes32.parse(
        "0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2"));
  }

  @Test
  void reproducesThePublishedDomainSeparatorHashStructAndDigest() {
    assertThat(DOMAIN.separator()).isEqualTo(Bytes32.parse(
        "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f"));
    assertThat(MAIL_TYPES.hashStruct("Mail", MAIL)).isEqualTo(Bytes32.parse(
        "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e"));
    assertThat(Eip712.digest(DOMAIN, MAIL_TYPES, "Mail", MAIL)).isEqualTo(Bytes32.parse(
        "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"));
  }

  @Test
  void reproducesThePublishedSignatureWithKeccakCow() {
    ValidatorKey cow = TestKeys.fromSeed("cow");
    Bytes32 digest = Eip712.digest(DOMAIN, MAIL_TYPES, "Mail", MAIL);
    Signature sig = cow.sign(digest);
    assertThat(sig.v()).isEqualTo(28);
    assertThat(sig.rBytes()).isEqualTo(Bytes32.parse(
        "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"));
    assertThat(sig.sBytes()).isEqualTo(Bytes32.parse(
        "0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562"));
    assertThat(sig.recover(digest).toString())
        .isEqualTo("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");
  }

  @Test
  void referencedTypesAreSortedByName() {
    Eip712Types types = Eip712Types.builder()
        .struct("Z", Eip712Field.of("B", "b"), Eip712Field.of("A", "a"))
        .struct("B", Eip712Field.of("uint8", "x"), Eip712Field.of("A[]", "as"))
        .struct("A", Eip712Field.of("bool", "y"))
        .build();
    assertThat(types.encodeType("Z")).isEqualTo("Z(B b,A a)A(bool y)B(uint8 x,A[] as)");
    assertThat(types.encodeType("B")).isEqualTo("B(uint8 x,A[] as)A(bool y)");
  }

  @Test
  void rejectsValuesThatDoNotFitTheirTypes() {
    Eip712Types types = Eip712Types.builder()
        .struct("T", Eip712Field.of("uint8", "n"), Eip712Field.of("bytes4", "b")).build();
    assertThatThrownBy(() -> types.hashStruct("T", Map.of("n", 256, "b", new byte[4])))
        .isInstanceOf(Eip712Exception.class).hasMessageContaining("out of range");
    assertThatThrownBy(() -> types.hashStruct("T", Map.of("n", -1, "b", new byte[4])))
        .isInstanceOf(Eip712Exception.class);
    assertThatThrownBy(() -> types.hashStruct("T", Map.of("n", 1, "b", new byte[5])))
        .isInstanceOf(Eip712Exception.class);
    assertThatThrownBy(() -> types.hashStruct("T", Map.of("n", 1)))
        .isInstanceOf(Eip712Exception.class).hasMessageContaining("missing field T.b");
    assertThatThrownBy(() -> Eip712Types.builder().struct("T", Eip712Field.of("Nope", "x"))
        .build()).isInstanceOf(Eip712Exception.class).hasMessageContaining("unknown type");
  }

  @Test
  void arraysHashTheirConcatenatedEncodings() {
    // an empty dynamic array encodes as keccak256 of nothing
    Eip712Types types = Eip712Types.builder().struct("T", Eip712Field.of("uint256[]", "xs"))
        .build();
    byte[] data = types.encodeData("T", Map.of("xs", List.of()));
    assertThat(Bytes32.wrap(java.util.Arrays.copyOfRange(data, 32, 64))).isEqualTo(
        Bytes32.parse("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"));
  }
}
