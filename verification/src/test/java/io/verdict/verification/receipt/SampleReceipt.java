package io.verdict.verification.receipt;

import io.verdict.verification.Bytes32;
import io.verdict.verification.Fixtures;
import io.verdict.verification.Keccak;
import io.verdict.verification.TestKeys;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.merkle.StandardMerkleTree;
import io.verdict.verification.quorum.QuorumTally;
import io.verdict.verification.quorum.TallyOutcome;
import io.verdict.verification.quorum.ValidatorSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The deterministic sample receipt shown in docs/RECEIPTS.md (keys from fixed seeds, RFC 6979
 * signatures): a set of 7 validators (threshold 2), a committee of 6 with q = 3; validators 0–3
 * agree on output A, validator 4 dissents with B, validator 5 equivocates (A and C) and so does not
 * count. The agreed attestation is value 2 of a 5-value batch. Run {@link #main} to print it.
 */
public final class SampleReceipt {
  public static final List<ValidatorKey> KEYS = TestKeys.validators(7);
  public static final ValidatorSet SET = ValidatorSet.of(Fixtures.EPOCH,
      KEYS.stream().map(ValidatorKey::address).toList(), 2);
  public static final long BATCH_ID = 42;
  public static final ValidatorKey OUTSIDER = TestKeys.fromSeed("outsider");

  private SampleReceipt() {}

  public static QuorumTally tally() {
    QuorumTally t = QuorumTally.open(Fixtures.DOMAIN, SET, Fixtures.CLAIM,
        KEYS.subList(0, 6).stream().map(ValidatorKey::address).toList(), 3);
    for (int i = 0; i < 4; i++) {
      t = t.add(vote(i, Fixtures.OUT_A)).tally();
    }
    t = t.add(vote(4, Fixtures.OUT_B)).tally();
    t = t.add(vote(5, Fixtures.OUT_A)).tally();
    t = t.add(vote(5, Fixtures.OUT_C)).tally();
    if (!(t.outcome() instanceof TallyOutcome.Agreed)) {
      throw new IllegalStateException("sample must agree: " + t.outcome());
    }
    return t;
  }

  public static Vote vote(int validator, io.verdict.verification.ContentDigest output) {
    return Vote.sign(KEYS.get(validator), Fixtures.DOMAIN, Fixtures.attestation(output));
  }

  public static StandardMerkleTree batch() {
    List<Bytes32> values = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      values.add(i == 2 ? Fixtures.attestation(Fixtures.OUT_A).digest(Fixtures.DOMAIN)
          : Keccak.hash32(Fixtures.bytes("another attestation " + i)));
    }
    return StandardMerkleTree.of(values);
  }

  public static Receipt build() {
    Receipt receipt = Receipts.agreed(tally(), Fixtures.OUTPUT_A);
    return receipt.withMerkle(Receipts.merkle(batch(), 2, BATCH_ID));
  }

  public static void main(String[] args) {
    System.out.println(ReceiptCodec.toJson(build()));
  }
}
