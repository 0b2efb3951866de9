package io.verdict.verification.attestation;

import io.verdict.verification.Bytes32;
import io.verdict.verification.keys.InvalidSignatureException;
import io.verdict.verification.keys.Signature;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.keys.ValidatorKey;
import java.util.Optional;

/**
 * A signed attestation: what one validator claims it computed, the address it claims to be, and
 * its EIP-712 signature. Nothing here is trusted until {@link #verify(AttestationDomain)} holds.
 */
public record Vote(Attestation attestation, ValidatorAddress validator, Signature signature) {
  public Vote {
    if (attestation == null || validator == null || signature == null) {
      throw new IllegalArgumentException("attestation, validator and signature are required");
    }
  }

  /** Signs {@code attestation} under {@code domain} with {@code key}. */
  public static Vote sign(ValidatorKey key, AttestationDomain domain, Attestation attestation) {
    return new Vote(attestation, key.address(), key.sign(attestation.digest(domain)));
  }

  /** The address the signature recovers to, or empty if none can be recovered. */
  public Optional<ValidatorAddress> recoverSigner(AttestationDomain domain) {
    return recoverSigner(attestation.digest(domain));
  }

  /** As {@link #recoverSigner(AttestationDomain)}, with the digest already computed. */
  public Optional<ValidatorAddress> recoverSigner(Bytes32 digest) {
    try {
      return Optional.of(signature.recover(digest));
    } catch (InvalidSignatureException e) {
      return Optional.empty();
    }
  }

  /** True when the signature recovers to the claimed validator. */
  public boolean verify(AttestationDomain domain) {
    return recoverSigner(domain).map(validator::equals).orElse(false);
  }
}
