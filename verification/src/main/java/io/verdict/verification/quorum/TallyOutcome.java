package io.verdict.verification.quorum;

import io.verdict.verification.ContentDigest;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.ValidatorAddress;
import java.util.List;
import java.util.Map;

/** Where a job's tally stands. */
public sealed interface TallyOutcome {

  /**
   * Agreement is still possible and not yet reached.
   *
   * @param counts honest votes per output digest
   * @param notYetVoted committee members who have not voted (equivocators excluded)
   */
  record Pending(Map<ContentDigest, Integer> counts, int notYetVoted) implements TallyOutcome {
    public Pending {
      counts = Map.copyOf(counts);
    }
  }

  /**
   * At least q distinct honest committee members signed {@code outputDigest}.
   *
   * @param signers those members, in canonical order
   * @param votes their signed votes, in the same order
   */
  record Agreed(ContentDigest outputDigest, List<ValidatorAddress> signers, List<Vote> votes)
      implements TallyOutcome {
    public Agreed {
      signers = List.copyOf(signers);
      votes = List.copyOf(votes);
    }
  }

  /** Why a tally is disputed. */
  enum DisputeReason {
    /** Even if every member yet to vote agreed with the largest group, q cannot be reached. */
    UNREACHABLE,
    /** Two different output digests each have q honest signers (possible only if q ≤ r/2). */
    CONFLICTING_QUORUMS
  }

  /**
   * No output can become final with the current committee. Carries all the evidence: every
   * honest vote (in canonical signer order) and every equivocation.
   */
  record Disputed(DisputeReason reason, List<Vote> votes, List<Equivocation> equivocations)
      implements TallyOutcome {
    public Disputed {
      votes = List.copyOf(votes);
      equivocations = List.copyOf(equivocations);
    }
  }
}
