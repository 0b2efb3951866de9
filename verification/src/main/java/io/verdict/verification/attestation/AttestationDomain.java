package io.verdict.verification.attestation;

import io.verdict.verification.Address;
import io.verdict.verification.Bytes32;
import io.verdict.verification.MalformedValueException;
import io.verdict.verification.eip712.Eip712Domain;
import java.math.BigInteger;

/**
 * Verdict's EIP-712 domain: {@code {name: "Verdict", version: "1", chainId, verifyingContract}},
 * binding every attestation to one chain and one anchor contract.
 */
public record AttestationDomain(long chainId, Address verifyingContract) {
  public static final String NAME = "Verdict";
  public static final String VERSION = "1";

  public AttestationDomain {
    if (chainId <= 0) {
      throw new MalformedValueException("chain id", "must be positive, got " + chainId);
    }
    if (verifyingContract == null) {
      throw new MalformedValueException("verifying contract", "null");
    }
  }

  public Eip712Domain toEip712() {
    return Eip712Domain.of(NAME, VERSION, BigInteger.valueOf(chainId), verifyingContract);
  }

  public Bytes32 separator() {
    return toEip712().separator();
  }
}
