package io.verdict.verification.receipt;

import io.verdict.verification.Bytes32;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.merkle.StandardMerkleTree;
import io.verdict.verification.quorum.Equivocation;
import io.verdict.verification.quorum.QuorumTally;
import io.verdict.verification.quorum.TallyOutcome;
import io.verdict.verification.quorum.ValidatorSet;
import java.util.Base64;
import java.util.List;

/** Builds receipts from typed values. */
public final class Receipts {
  private Receipts() {}

  /**
   * The receipt of a job whose tally is {@link TallyOutcome.Agreed}: every agreeing signature,
   * every dissenting vote and equivocation as evidence, and the output bytes.
   *
   * @throws IllegalStateException if the tally has not agreed
   * @throws IllegalArgumentException if {@code output} does not hash to the agreed digest
   */
  public static Receipt agreed(QuorumTally tally, byte[] output) {
    if (!(tally.outcome() instanceof TallyOutcome.Agreed agreed)) {
      throw new IllegalStateException("no receipt before agreement: " + tally.outcome()
          .getClass().getSimpleName());
    }
    if (!agreed.outputDigest().matches(output)) {
      throw new IllegalArgumentException("output bytes do not hash to the agreed "
          + agreed.outputDigest());
    }
    Attestation attestation = tally.claim().attest(agreed.outputDigest());
    AttestationDomain domain = tally.domain();
    ValidatorSet set = tally.validatorSet();
    List<Receipt.SignatureEntry> signatures = agreed.votes().stream()
        .map(v -> new Receipt.SignatureEntry(v.validator().toString(), v.signature().toHex()))
        .toList();
    Receipt.Evidence evidence = new Receipt.Evidence(
        tally.dissentingVotes().stream().map(Receipts::evidenceVote).toList(),
        tally.equivocations().stream().map(Receipts::equivocation).toList());
    return new Receipt(
        Receipt.FORMAT,
        attestation.jobId().toString(),
        domain(domain),
        attestation(attestation),
        attestation.digest(domain).toHex(),
        validatorSet(set),
        tally.committee().stream().map(ValidatorAddress::toString).toList(),
        tally.quorum(),
        signatures,
        evidence,
        Base64.getEncoder().encodeToString(output),
        null,
        null);
  }

  /** The {@code merkle} section for the value at {@code valueIndex} of a sealed batch tree. */
  public static Receipt.Merkle merkle(StandardMerkleTree tree, int valueIndex, long batchId) {
    return new Receipt.Merkle(batchId, tree.leaf(valueIndex).toHex(),
        tree.proof(valueIndex).stream().map(Bytes32::toHex).toList(), tree.root().toHex());
  }

  public static Receipt.Domain domain(AttestationDomain d) {
    return new Receipt.Domain(AttestationDomain.NAME, AttestationDomain.VERSION, d.chainId(),
        d.verifyingContract().toString());
  }

  public static Receipt.AttestationFields attestation(Attestation a) {
    return new Receipt.AttestationFields(a.jobId().toString(), a.modelDigest().toString(),
        a.inputDigest().toString(), a.outputDigest().toString(), a.policy().value(), a.epoch());
  }

  public static Receipt.ValidatorSetFields validatorSet(ValidatorSet s) {
    return new Receipt.ValidatorSetFields(s.epoch(), s.threshold(),
        s.members().stream().map(ValidatorAddress::toString).toList(), s.digest().toHex());
  }

  private static Receipt.EvidenceVote evidenceVote(Vote v) {
    return new Receipt.EvidenceVote(v.validator().toString(),
        v.attestation().outputDigest().toString(), v.signature().toHex());
  }

  private static Receipt.EquivocationEntry equivocation(Equivocation e) {
    return new Receipt.EquivocationEntry(e.validator().toString(),
        e.votes().stream().map(Receipts::evidenceVote).toList());
  }
}
