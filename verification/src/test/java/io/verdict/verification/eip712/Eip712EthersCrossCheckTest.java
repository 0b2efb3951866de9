package io.verdict.verification.eip712;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.verdict.verification.Address;
import io.verdict.verification.Bytes32;
import io.verdict.verification.Hex;
import io.verdict.verification.Keccak;
import io.verdict.verification.NodeCrossCheck;
import io.verdict.verification.TestKeys;
import io.verdict.verification.keys.ValidatorKey;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generic encoder against ethers v6 on every supported kind of type. */
class Eip712EthersCrossCheckTest {

  @Test
  void everyAtomicAndCompositeTypeHashesAsEthersDoes() {
    Eip712Types types = Eip712Types.builder()
        .struct("Person", Eip712Field.of("string", "name"), Eip712Field.of("address", "wallet"))
        .struct("Kitchen",
            Eip712Field.of("bool", "flag"),
            Eip712Field.of("uint8", "small"),
            Eip712Field.of("uint64", "epoch"),
            Eip712Field.of("uint256", "big"),
            Eip712Field.of("int256", "negative"),
            Eip712Field.of("bytes", "blob"),
            Eip712Field.of("bytes4", "selector"),
            Eip712Field.of("bytes32", "hash"),
            Eip712Field.of("string", "text"),
            Eip712Field.of("string[]", "tags"),
            Eip712Field.of("Person", "owner"),
            Eip712Field.of("Person[]", "friends"))
        .build();
    Eip712Domain domain = Eip712Domain.of("Kitchen Sink", "7", BigInteger.valueOf(31337),
        Address.parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
    Bytes32 hash = Keccak.hash32(new byte[] {42});
    Map<String, Object> owner = Map.of("name", "Ünïcødé ✓", "wallet",
        "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");
    Map<String, Object> friend = Map.of("name", "Bob", "wallet",
        "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB");
    Map<String, Object> java = new LinkedHashMap<>();
    java.put("flag", true);
    java.put("small", 255);
    java.put("epoch", Long.MAX_VALUE);
    java.put("big", BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE));
    java.put("negative", BigInteger.valueOf(-123456789));
    java.put("blob", new byte[] {1, 2, 3, 4, 5});
    java.put("selector", new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef});
    java.put("hash", hash);
    java.put("text", "");
    java.put("tags", List.of("a", "bc"));
    java.put("owner", owner);
    java.put("friends", List.of(friend, owner));

    Map<String, Object> js = new LinkedHashMap<>();
    js.put("flag", true);
    js.put("small", 255);
    js.put("epoch", Long.toString(Long.MAX_VALUE));
    js.put("big", BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE).toString());
    js.put("negative", "-123456789");
    js.put("blob", "0x0102030405");
    js.put("selector", "0xdeadbeef");
    js.put("hash", hash.toHex());
    js.put("text", "");
    js.put("tags", List.of("a", "bc"));
    js.put("owner", owner);
    js.put("friends", List.of(friend, owner));

    ValidatorKey key = TestKeys.fromSeed("kitchen");
    Bytes32 digest = Eip712.digest(domain, types, "Kitchen", java);
    String signature = key.sign(digest).toHex();

    JsonNode out = NodeCrossCheck.run("eip712", Map.of(
        "domain", Map.of("name", "Kitchen Sink", "version", "7", "chainId", 31337,
            "verifyingContract", "0x5FbDB2315678afecb367f032d93F642f64180aa3"),
        "types", Map.of(
            "Person", fieldsJson(types.fields("Person")),
            "Kitchen", fieldsJson(types.fields("Kitchen"))),
        "primaryType", "Kitchen",
        "messages", List.of(Map.of("message", js, "signature", signature))));

    assertThat(out.get("domainSeparator").asText()).isEqualTo(domain.separator().toHex());
    assertThat(out.at("/results/0/hash").asText()).isEqualTo(digest.toHex());
    assertThat(out.at("/results/0/recovered").asText()).isEqualTo(key.address().toString());
  }

  static List<Map<String, String>> fieldsJson(List<Eip712Field> fields) {
    return fields.stream().map(f -> Map.of("name", f.name(), "type", f.type())).toList();
  }

  static String hex(byte[] b) {
    return Hex.encodePrefixed(b);
  }
}
