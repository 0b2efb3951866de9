package io.verdict.verification.receipt;

/** Every way a receipt can fail verification. See docs/RECEIPTS.md for the procedure. */
public enum FailureCode {
  /** {@code format} is not a version this verifier knows; nothing else is checked. */
  UNSUPPORTED_FORMAT,
  /** A field is missing or not in its documented encoding. */
  MALFORMED_FIELD,
  /** The domain's name or version is not Verdict / 1. */
  DOMAIN_MISMATCH,
  /** The receipt's {@code jobId} differs from the attestation's. */
  JOB_ID_MISMATCH,
  /** {@code attestationDigest} is not the EIP-712 digest of the attestation under the domain. */
  ATTESTATION_DIGEST_MISMATCH,
  /** SHA-256 of the output bytes differs from the attestation's output digest. */
  OUTPUT_DIGEST_MISMATCH,
  /** Validator-set members not in canonical order, duplicated, or threshold out of range. */
  VALIDATOR_SET_INVALID,
  /** The validator-set digest is not keccak256(abi.encode(epoch, threshold, members)). */
  VALIDATOR_SET_DIGEST_MISMATCH,
  /** The attestation's epoch differs from the validator set's. */
  EPOCH_MISMATCH,
  /** A committee member is not in the set, or is listed twice. */
  COMMITTEE_INVALID,
  /** q is below the set threshold or above the committee size. */
  QUORUM_INVALID,
  /** A signature does not recover to its validator over the attestation digest. */
  SIGNATURE_INVALID,
  /** A signer is not a member of the validator set. */
  SIGNER_NOT_IN_SET,
  /** A signer is in the set but not in the job's committee. */
  SIGNER_NOT_IN_COMMITTEE,
  /** The same validator signs twice in {@code signatures}. */
  DUPLICATE_SIGNER,
  /** A validator proven to equivocate is counted among the quorum signers. */
  EQUIVOCATOR_COUNTED,
  /** Fewer than q distinct valid committee signatures. */
  QUORUM_NOT_MET,
  /** An evidence entry does not prove what it claims (bad signature, non-member, no conflict). */
  EVIDENCE_INVALID,
  /** {@code merkle.leaf} is not the leaf hash of the attestation digest. */
  MERKLE_LEAF_MISMATCH,
  /** Folding {@code merkle.proof} into the leaf does not give {@code merkle.root}. */
  MERKLE_ROOT_MISMATCH,
  /** The anchor names another chain, contract or batch than the receipt. */
  ANCHOR_MISMATCH
}
