package io.verdict.verification.quorum;

/** What {@link QuorumTally#add} did with a vote. */
public enum VoteStatus {
  /** A verified first vote by a committee member: counted. */
  ACCEPTED,
  /** The same attestation by the same validator was already recorded: ignored. */
  DUPLICATE,
  /** The claimed validator is not in the job's committee: ignored. */
  NON_MEMBER,
  /** The signature does not recover to the claimed validator (or recovers to nothing): ignored. */
  BAD_SIGNATURE,
  /** The attestation's job id, model, input, policy or epoch differ from the job's: ignored. */
  WRONG_JOB,
  /**
   * The validator signed a different output digest for this job than before: both votes are kept
   * as evidence and the validator no longer counts towards any output.
   */
  EQUIVOCATION
}
