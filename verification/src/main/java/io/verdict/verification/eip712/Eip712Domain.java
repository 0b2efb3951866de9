package io.verdict.verification.eip712;

import io.verdict.verification.Address;
import io.verdict.verification.Bytes32;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An EIP-712 domain. Absent (null) members are left out of the {@code EIP712Domain} type, as the
 * specification and ethers do; present ones appear in the canonical order name, version, chainId,
 * verifyingContract, salt.
 */
public record Eip712Domain(String name, String version, BigInteger chainId,
                           Address verifyingContract, Bytes32 salt) {
  public static final String TYPE_NAME = "EIP712Domain";

  public Eip712Domain {
    if (chainId != null && chainId.signum() < 0) {
      throw new Eip712Exception("chainId must not be negative");
    }
  }

  public static Eip712Domain of(String name, String version, BigInteger chainId,
                                Address verifyingContract) {
    return new Eip712Domain(name, version, chainId, verifyingContract, null);
  }

  /** The members present, as EIP712Domain fields. */
  public List<Eip712Field> fields() {
    List<Eip712Field> fields = new ArrayList<>();
    if (name != null) {
      fields.add(Eip712Field.of("string", "name"));
    }
    if (version != null) {
      fields.add(Eip712Field.of("string", "version"));
    }
    if (chainId != null) {
      fields.add(Eip712Field.of("uint256", "chainId"));
    }
    if (verifyingContract != null) {
      fields.add(Eip712Field.of("address", "verifyingContract"));
    }
    if (salt != null) {
      fields.add(Eip712Field.of("bytes32", "salt"));
    }
    return fields;
  }

  public Map<String, Object> values() {
    Map<String, Object> values = new LinkedHashMap<>();
    if (name != null) {
      values.put("name", name);
    }
    if (version != null) {
      values.put("version", version);
    }
    if (chainId != null) {
      values.put("chainId", chainId);
    }
    if (verifyingContract != null) {
      values.put("verifyingContract", verifyingContract);
    }
    if (salt != null) {
      values.put("salt", salt);
    }
    return values;
  }

  /** {@code hashStruct(eip712Domain)}. */
  public Bytes32 separator() {
    Eip712Types types = Eip712Types.builder().struct(TYPE_NAME, fields()).build();
    return types.hashStruct(TYPE_NAME, values());
  }
}
