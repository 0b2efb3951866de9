package io.verdict.cli;

import io.verdict.verification.Address;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.Keccak;
import io.verdict.verification.PolicyText;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.quorum.JobClaim;
import io.verdict.verification.quorum.QuorumTally;
import io.verdict.verification.quorum.TallyOutcome;
import io.verdict.verification.quorum.ValidatorSet;
import io.verdict.verification.receipt.Receipt;
import io.verdict.verification.receipt.ReceiptCodec;
import io.verdict.verification.receipt.Receipts;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A real receipt made in the test: three fresh validator keys (threshold 2), a committee of all
 * three with q = 2, two of them sign the same output, the third has not voted.
 */
final class TestReceipts {
  static final AttestationDomain DOMAIN = new AttestationDomain(31337,
      Address.parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
  static final long EPOCH = 3;

  private TestReceipts() {}

  static String agreedJson(String jobSeed, byte[] output) {
    return ReceiptCodec.toJson(agreed(jobSeed, output));
  }

  static Receipt agreed(String jobSeed, byte[] output) {
    List<ValidatorKey> keys = List.of(ValidatorKey.generate(), ValidatorKey.generate(),
        ValidatorKey.generate());
    List<io.verdict.verification.keys.ValidatorAddress> members =
        keys.stream().map(ValidatorKey::address).toList();
    ValidatorSet set = ValidatorSet.of(EPOCH, members, 2);
    JobClaim claim = new JobClaim(jobId(jobSeed),
        ContentDigest.of(bytes("model " + jobSeed)),
        ContentDigest.of(bytes("input " + jobSeed)),
        PolicyText.of("EXACT"), EPOCH);
    QuorumTally tally = QuorumTally.open(DOMAIN, set, claim, members, 2);
    ContentDigest out = ContentDigest.of(output);
    for (ValidatorKey key : keys.subList(0, 2)) {
      tally = tally.add(Vote.sign(key, DOMAIN, claim.attest(out))).tally();
    }
    if (!(tally.outcome() instanceof TallyOutcome.Agreed)) {
      throw new IllegalStateException("test tally must agree: " + tally.outcome());
    }
    return Receipts.agreed(tally, output);
  }

  static JobId jobId(String seed) {
    return JobId.of(Keccak.hash(bytes("job " + seed)));
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
