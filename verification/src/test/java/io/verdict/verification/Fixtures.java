package io.verdict.verification;

import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.quorum.JobClaim;
import java.nio.charset.StandardCharsets;

/** Shared deterministic test values. */
public final class Fixtures {
  public static final AttestationDomain DOMAIN = new AttestationDomain(31337,
      Address.parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
  public static final JobId JOB = JobId.of(Keccak.hash(bytes("job-1")));
  public static final ContentDigest MODEL = ContentDigest.of(bytes("model mnist-mlp v1"));
  public static final ContentDigest INPUT = ContentDigest.of(bytes("input tensor"));
  public static final byte[] OUTPUT_A = bytes("output A");
  public static final byte[] OUTPUT_B = bytes("output B");
  public static final byte[] OUTPUT_C = bytes("output C");
  public static final ContentDigest OUT_A = ContentDigest.of(OUTPUT_A);
  public static final ContentDigest OUT_B = ContentDigest.of(OUTPUT_B);
  public static final ContentDigest OUT_C = ContentDigest.of(OUTPUT_C);
  public static final PolicyText POLICY = PolicyText.of("QUANTIZED(0.0001)");
  public static final long EPOCH = 7;
  public static final JobClaim CLAIM = new JobClaim(JOB, MODEL, INPUT, POLICY, EPOCH);

  private Fixtures() {}

  public static Attestation attestation(ContentDigest output) {
    return CLAIM.attest(output);
  }

  public static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
