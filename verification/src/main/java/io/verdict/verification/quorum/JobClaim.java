package io.verdict.verification.quorum;

import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.PolicyText;
import io.verdict.verification.attestation.Attestation;

/**
 * Every attestation field the job fixes before anyone computes: job id, model digest, input
 * digest, policy and validator-set epoch. Only the output digest is left to the validators.
 */
public record JobClaim(JobId jobId, ContentDigest modelDigest, ContentDigest inputDigest,
                       PolicyText policy, long epoch) {
  public JobClaim {
    if (jobId == null || modelDigest == null || inputDigest == null || policy == null) {
      throw new IllegalArgumentException("every job claim field is required");
    }
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must not be negative");
    }
  }

  /** The claim's fields of an attestation. */
  public static JobClaim of(Attestation a) {
    return new JobClaim(a.jobId(), a.modelDigest(), a.inputDigest(), a.policy(), a.epoch());
  }

  /** True when {@code a} carries exactly this claim's fields (any output digest). */
  public boolean matches(Attestation a) {
    return equals(of(a));
  }

  /** The attestation of this claim with {@code outputDigest}. */
  public Attestation attest(ContentDigest outputDigest) {
    return new Attestation(jobId, modelDigest, inputDigest, outputDigest, policy, epoch);
  }
}
