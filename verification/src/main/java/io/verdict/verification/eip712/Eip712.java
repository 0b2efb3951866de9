package io.verdict.verification.eip712;

import io.verdict.verification.Bytes32;
import io.verdict.verification.Keccak;
import java.util.Map;

/** The EIP-712 signing digest: {@code keccak256("\x19\x01" ‖ domainSeparator ‖ hashStruct(message))}. */
public final class Eip712 {
  private static final byte[] PREFIX = {0x19, 0x01};

  private Eip712() {}

  public static Bytes32 digest(Bytes32 domainSeparator, Bytes32 structHash) {
    return Keccak.hash32(PREFIX, domainSeparator.bytes(), structHash.bytes());
  }

  public static Bytes32 digest(Eip712Domain domain, Eip712Types types, String primaryType,
                               Map<String, ?> message) {
    return digest(domain.separator(), types.hashStruct(primaryType, message));
  }
}
