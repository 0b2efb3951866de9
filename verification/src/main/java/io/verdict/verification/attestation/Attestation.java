package io.verdict.verification.attestation;

import io.verdict.verification.Bytes32;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.Keccak;
import io.verdict.verification.MalformedValueException;
import io.verdict.verification.PolicyText;
import io.verdict.verification.eip712.Eip712;
import io.verdict.verification.eip712.Eip712Field;
import io.verdict.verification.eip712.Eip712Types;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a validator signs: the EIP-712 struct
 * {@value #TYPE}. Digests are the 32 raw SHA-256 bytes; the policy is its canonical text;
 * the epoch is the validator-set epoch (0 &le; epoch &le; 2^63 − 1 here, a uint64 on chain).
 */
public record Attestation(JobId jobId, ContentDigest modelDigest, ContentDigest inputDigest,
                          ContentDigest outputDigest, PolicyText policy, long epoch) {
  public static final String PRIMARY_TYPE = "Attestation";
  public static final String TYPE = "Attestation(bytes32 jobId,bytes32 modelDigest,"
      + "bytes32 inputDigest,bytes32 outputDigest,string policy,uint64 epoch)";
  public static final Bytes32 TYPE_HASH = Keccak.hash32(TYPE.getBytes(StandardCharsets.US_ASCII));

  /** The attestation type as generic EIP-712 types (for ethers-style tooling and tests). */
  public static final Eip712Types TYPES = Eip712Types.builder().struct(PRIMARY_TYPE,
      Eip712Field.of("bytes32", "jobId"),
      Eip712Field.of("bytes32", "modelDigest"),
      Eip712Field.of("bytes32", "inputDigest"),
      Eip712Field.of("bytes32", "outputDigest"),
      Eip712Field.of("string", "policy"),
      Eip712Field.of("uint64", "epoch")).build();

  public Attestation {
    if (jobId == null || modelDigest == null || inputDigest == null || outputDigest == null
        || policy == null) {
      throw new MalformedValueException("attestation", "every field is required");
    }
    if (epoch < 0) {
      throw new MalformedValueException("attestation", "epoch must not be negative");
    }
  }

  /** {@code hashStruct(attestation)}, computed directly (equal to the generic encoder's). */
  public Bytes32 hashStruct() {
    byte[] epochWord = new byte[32];
    for (int i = 0; i < 8; i++) {
      epochWord[31 - i] = (byte) (epoch >>> (8 * i));
    }
    return Keccak.hash32(TYPE_HASH.bytes(), jobId.value().bytes(), modelDigest.value().bytes(),
        inputDigest.value().bytes(), outputDigest.value().bytes(),
        Keccak.hash(policy.value().getBytes(StandardCharsets.US_ASCII)), epochWord);
  }

  /** The EIP-712 digest a validator signs under {@code domain}. */
  public Bytes32 digest(AttestationDomain domain) {
    return Eip712.digest(domain.separator(), hashStruct());
  }

  /** The same attestation with another output digest. */
  public Attestation withOutputDigest(ContentDigest output) {
    return new Attestation(jobId, modelDigest, inputDigest, output, policy, epoch);
  }

  /** The message as generic EIP-712 values (field name → value). */
  public Map<String, Object> toMessage() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("jobId", jobId.value());
    m.put("modelDigest", modelDigest.value());
    m.put("inputDigest", inputDigest.value());
    m.put("outputDigest", outputDigest.value());
    m.put("policy", policy.value());
    m.put("epoch", epoch);
    return m;
  }
}
