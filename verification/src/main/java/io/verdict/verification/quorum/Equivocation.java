package io.verdict.verification.quorum;

import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.attestation.Vote;
import java.util.List;

/**
 * Proof that one validator signed two or more different output digests for the same job: every
 * such signed vote, ordered by output digest (so the value does not depend on arrival order). Each
 * vote verifies on its own, so anyone can check the misbehaviour offline.
 */
public record Equivocation(ValidatorAddress validator, List<Vote> votes) {
  public Equivocation {
    votes = votes.stream()
        .sorted(java.util.Comparator.comparing(v -> v.attestation().outputDigest().value()))
        .toList();
    if (votes.size() < 2) {
      throw new IllegalArgumentException("equivocation needs at least two votes");
    }
    for (Vote v : votes) {
      if (!v.validator().equals(validator)) {
        throw new IllegalArgumentException("equivocation votes must all be by " + validator);
      }
    }
  }
}
