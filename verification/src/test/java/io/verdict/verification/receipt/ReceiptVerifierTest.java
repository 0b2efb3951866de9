package io.verdict.verification.receipt;

import static io.verdict.verification.receipt.FailureCode.ANCHOR_MISMATCH;
import static io.verdict.verification.receipt.FailureCode.ATTESTATION_DIGEST_MISMATCH;
import static io.verdict.verification.receipt.FailureCode.DUPLICATE_SIGNER;
import static io.verdict.verification.receipt.FailureCode.EQUIVOCATOR_COUNTED;
import static io.verdict.verification.receipt.FailureCode.EVIDENCE_INVALID;
import static io.verdict.verification.receipt.FailureCode.MALFORMED_FIELD;
import static io.verdict.verification.receipt.FailureCode.MERKLE_LEAF_MISMATCH;
import static io.verdict.verification.receipt.FailureCode.MERKLE_ROOT_MISMATCH;
import static io.verdict.verification.receipt.FailureCode.OUTPUT_DIGEST_MISMATCH;
import static io.verdict.verification.receipt.FailureCode.QUORUM_INVALID;
import static io.verdict.verification.receipt.FailureCode.QUORUM_NOT_MET;
import static io.verdict.verification.receipt.FailureCode.SIGNATURE_INVALID;
import static io.verdict.verification.receipt.FailureCode.SIGNER_NOT_IN_COMMITTEE;
import static io.verdict.verification.receipt.FailureCode.SIGNER_NOT_IN_SET;
import static io.verdict.verification.receipt.FailureCode.UNSUPPORTED_FORMAT;
import static io.verdict.verification.receipt.FailureCode.VALIDATOR_SET_DIGEST_MISMATCH;
import static io.verdict.verification.receipt.FailureCode.VALIDATOR_SET_INVALID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.verification.Fixtures;
import io.verdict.verification.Hex;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.ValidatorKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ReceiptVerifierTest {
  static final Receipt VALID = SampleReceipt.build();

  static VerificationReport verify(Receipt r) {
    return ReceiptVerifier.verify(r);
  }

  static Receipt withSignatures(UnaryOperator<List<Receipt.SignatureEntry>> change) {
    List<Receipt.SignatureEntry> sigs = change.apply(new ArrayList<>(VALID.signatures()));
    return new Receipt(VALID.format(), VALID.jobId(), VALID.domain(), VALID.attestation(),
        VALID.attestationDigest(), VALID.validatorSet(), VALID.committee(), VALID.quorum(), sigs,
        VALID.evidence(), VALID.output(), VALID.merkle(), VALID.anchor());
  }

  static Receipt.SignatureEntry entry(Vote v) {
    return new Receipt.SignatureEntry(v.validator().toString(), v.signature().toHex());
  }

  static String flipByte(String hex, int byteIndex) {
    byte[] raw = Hex.decode(hex);
    raw[byteIndex] ^= 0x01;
    return Hex.encodePrefixed(raw);
  }

  @Test
  void validReceiptVerifiesClean() {
    VerificationReport report = verify(VALID);
    assertThat(report.failures()).isEmpty();
    assertThat(report.valid()).isTrue();
    assertThat(report.notes()).containsExactly("anchor: not yet anchored");
    assertThat(VALID.signatures()).hasSize(4);
    assertThat(VALID.evidence().dissenting()).hasSize(1);
    assertThat(VALID.evidence().equivocations()).hasSize(1);
  }

  @Test
  void tamperedOutputByte() {
    byte[] out = Base64.getDecoder().decode(VALID.output());
    out[0] ^= 1;
    Receipt r = new Receipt(VALID.format(), VALID.jobId(), VALID.domain(), VALID.attestation(),
        VALID.attestationDigest(), VALID.validatorSet(), VALID.committee(), VALID.quorum(),
        VALID.signatures(), VALID.evidence(), Base64.getEncoder().encodeToString(out),
        VALID.merkle(), VALID.anchor());
    VerificationReport report = verify(r);
    assertThat(report.codes()).containsExactly(OUTPUT_DIGEST_MISMATCH);
    assertThat(report.failures().get(0).path()).isEqualTo("output");
  }

  @Test
  void tamperedModelDigestBreaksEverySignatureAndTheLeaf() {
    Receipt.AttestationFields a = VALID.attestation();
    Receipt r = new Receipt(VALID.format(), VALID.jobId(), VALID.domain(),
        new Receipt.AttestationFields(a.jobId(), Fixtures.INPUT.toString(), a.inputDigest(),
            a.outputDigest(), a.policy(), a.epoch()),
        VALID.attestationDigest(), VALID.validatorSet(), VALID.committee(), VALID.quorum(),
        VALID.signatures(), VALID.evidence(), VALID.output(), VALID.merkle(), VALID.anchor());
    assertThat(verify(r).codes()).containsExactly(ATTESTATION_DIGEST_MISMATCH,
        EVIDENCE_INVALID, EVIDENCE_INVALID, EVIDENCE_INVALID,
        SIGNATURE_INVALID, SIGNATURE_INVALID, SIGNATURE_INVALID, SIGNATURE_INVALID,
        QUORUM_NOT_MET, MERKLE_LEAF_MISMATCH);
  }

  @Test
  void tamperedAttestationDigestField() {
    Receipt r = new Receipt(VALID.format(), VALID.jobId(), VALID.domain(), VALID.attestation(),
        flipByte(VALID.attestationDigest(), 31), VALID.validatorSet(), VALID.committee(),
        VALID.quorum(), VALID.signatures(), VALID.evidence(), VALID.output(), VALID.merkle(),
        VALID.anchor());
    assertThat(verify(r).codes()).containsExactly(ATTESTATION_DIGEST_MISMATCH);
  }

  @Test
  void tamperedSignatureByteNamesTheSignatureAndItsValidator() {
    for (int b : new int[] {0, 10, 40, 64}) {
      Receipt r = withSignatures(s -> {
        s.set(1, new Receipt.SignatureEntry(s.get(1).validator(),
            flipByte(s.get(1).signature(), b)));
        return s;
      });
      VerificationReport report = verify(r);
      assertThat(report.codes()).as("byte %d", b).containsExactly(SIGNATURE_INVALID);
      assertThat(report.failures().get(0).path()).isEqualTo("signatures[1]");
      assertThat(report.failures().get(0).detail()).contains(VALID.signatures().get(1)
          .validator());
    }
  }

  @Test
  void signerNotInTheValidatorSet() {
    Vote outsider = Vote.sign(SampleReceipt.OUTSIDER, Fixtures.DOMAIN,
        Fixtures.attestation(Fixtures.OUT_A));
    Receipt r = withSignatures(s -> {
      s.set(2, entry(outsider));
      return s;
    });
    VerificationReport report = verify(r);
    assertThat(report.codes()).containsExactly(SIGNER_NOT_IN_SET);
    assertThat(report.failures().get(0).path()).isEqualTo("signatures[2]");
    assertThat(report.failures().get(0).detail()).contains(outsider.validator().toString());
  }

  @Test
  void signerInTheSetButNotInTheCommittee() {
    Receipt r = withSignatures(s -> {
      s.add(entry(SampleReceipt.vote(6, Fixtures.OUT_A)));
      return s;
    });
    assertThat(verify(r).codes()).containsExactly(SIGNER_NOT_IN_COMMITTEE);
  }

  @Test
  void tooFewSignatures() {
    Receipt r = withSignatures(s -> s.subList(0, 2));
    VerificationReport report = verify(r);
    assertThat(report.codes()).containsExactly(QUORUM_NOT_MET);
    assertThat(report.failures().get(0).detail()).contains("2 valid", "quorum is 3");
  }

  @Test
  void duplicateSigner() {
    Receipt r = withSignatures(s -> {
      s.add(s.get(0));
      return s;
    });
    VerificationReport report = verify(r);
    assertThat(report.codes()).containsExactly(DUPLICATE_SIGNER);
    assertThat(report.failures().get(0).path()).isEqualTo("signatures[4]");
  }

  @Test
  void duplicatesDoNotMakeAQuorum() {
    Receipt r = withSignatures(s -> List.of(s.get(0), s.get(1), s.get(0)));
    assertThat(verify(r).codes()).containsExactly(DUPLICATE_SIGNER, QUORUM_NOT_MET);
  }

  @Test
  void equivocatorAmongTheSigners() {
    Receipt r = withSignatures(s -> {
      s.add(entry(SampleReceipt.vote(5, Fixtures.OUT_A)));
      return s;
    });
    assertThat(verify(r).codes()).containsExactly(EQUIVOCATOR_COUNTED);
  }

  @Test
  void tamperedMerkleProofNodeAndRoot() {
    Receipt.Merkle m = VALID.merkle();
    List<String> proof = new ArrayList<>(m.proof());
    proof.set(1, flipByte(proof.get(1), 5));
    Receipt badNode = VALID.withMerkle(new Receipt.Merkle(m.batchId(), m.leaf(), proof,
        m.root()));
    assertThat(verify(badNode).codes()).containsExactly(MERKLE_ROOT_MISMATCH);
    Receipt badRoot = VALID.withMerkle(new Receipt.Merkle(m.batchId(), m.leaf(), m.proof(),
        flipByte(m.root(), 0)));
    assertThat(verify(badRoot).codes()).containsExactly(MERKLE_ROOT_MISMATCH);
    Receipt badLeaf = VALID.withMerkle(new Receipt.Merkle(m.batchId(), flipByte(m.leaf(), 3),
        m.proof(), m.root()));
    assertThat(verify(badLeaf).codes()).containsExactly(MERKLE_LEAF_MISMATCH,
        MERKLE_ROOT_MISMATCH);
  }

  @Test
  void validatorSetDigestAndOrder() {
    Receipt.ValidatorSetFields s = VALID.validatorSet();
    Receipt badDigest = withSet(new Receipt.ValidatorSetFields(s.epoch(), s.threshold(),
        s.members(), flipByte(s.digest(), 7)));
    assertThat(verify(badDigest).codes()).containsExactly(VALIDATOR_SET_DIGEST_MISMATCH);
    Receipt otherThreshold = withSet(new Receipt.ValidatorSetFields(s.epoch(), 3, s.members(),
        s.digest()));
    assertThat(verify(otherThreshold).codes()).containsExactly(VALIDATOR_SET_DIGEST_MISMATCH);
    List<String> reversed = new ArrayList<>(s.members());
    java.util.Collections.reverse(reversed);
    Receipt unsorted = withSet(new Receipt.ValidatorSetFields(s.epoch(), s.threshold(), reversed,
        s.digest()));
    assertThat(verify(unsorted).codes()).first().isEqualTo(VALIDATOR_SET_INVALID);
  }

  @Test
  void quorumOutOfRangeOrAboveTheSignatures() {
    assertThat(verify(withQuorum(1)).codes()).containsExactly(QUORUM_INVALID);
    assertThat(verify(withQuorum(5)).codes()).containsExactly(QUORUM_NOT_MET);
    assertThat(verify(withQuorum(7)).codes()).containsExactly(QUORUM_INVALID, QUORUM_NOT_MET);
  }

  @Test
  void tamperedEvidenceIsReported() {
    Receipt.Evidence e = VALID.evidence();
    Receipt.EvidenceVote d = e.dissenting().get(0);
    Receipt r = withEvidence(new Receipt.Evidence(List.of(new Receipt.EvidenceVote(
        d.validator(), d.outputDigest(), flipByte(d.signature(), 3))), e.equivocations()));
    VerificationReport report = verify(r);
    assertThat(report.codes()).containsExactly(EVIDENCE_INVALID);
    assertThat(report.failures().get(0).path()).isEqualTo("evidence.dissenting[0]");

    Receipt.EquivocationEntry eq = e.equivocations().get(0);
    Receipt halfEquivocation = withEvidence(new Receipt.Evidence(e.dissenting(), List.of(
        new Receipt.EquivocationEntry(eq.validator(), List.of(eq.votes().get(0),
            eq.votes().get(0))))));
    assertThat(verify(halfEquivocation).codes()).containsExactly(EVIDENCE_INVALID);
  }

  @Test
  void anchorMustNameTheDomainsChainContractAndTheBatch() {
    String tx = "0x" + "ab".repeat(32);
    Receipt anchored = VALID.withAnchor(new Receipt.Anchor(VALID.domain().chainId(),
        VALID.domain().verifyingContract(), SampleReceipt.BATCH_ID, tx, 1234));
    VerificationReport ok = verify(anchored);
    assertThat(ok.valid()).isTrue();
    assertThat(ok.notes()).anyMatch(n -> n.contains("not checked (offline)"));
    Receipt wrong = VALID.withAnchor(new Receipt.Anchor(1, VALID.domain().verifyingContract(),
        SampleReceipt.BATCH_ID + 1, tx, 1234));
    assertThat(verify(wrong).codes()).containsExactly(ANCHOR_MISMATCH, ANCHOR_MISMATCH);
  }

  @Test
  void malformedFieldsAreNamedNotThrown() {
    Receipt badJob = new Receipt(VALID.format(), "0x1234", VALID.domain(), VALID.attestation(),
        VALID.attestationDigest(), VALID.validatorSet(), VALID.committee(), VALID.quorum(),
        VALID.signatures(), VALID.evidence(), VALID.output(), VALID.merkle(), VALID.anchor());
    VerificationReport report = verify(badJob);
    assertThat(report.codes()).containsExactly(MALFORMED_FIELD);
    assertThat(report.failures().get(0).path()).isEqualTo("jobId");

    Receipt badSig = withSignatures(s -> {
      s.set(0, new Receipt.SignatureEntry(s.get(0).validator(), "0xzz"));
      return s;
    });
    assertThat(verify(badSig).codes()).containsExactly(SIGNATURE_INVALID);

    Receipt badOutput = new Receipt(VALID.format(), VALID.jobId(), VALID.domain(),
        VALID.attestation(), VALID.attestationDigest(), VALID.validatorSet(), VALID.committee(),
        VALID.quorum(), VALID.signatures(), VALID.evidence(), "not base64!", VALID.merkle(),
        VALID.anchor());
    assertThat(verify(badOutput).codes()).containsExactly(MALFORMED_FIELD);
  }

  @Test
  void unknownFormatStopsVerification() {
    Receipt r = new Receipt("verdict-receipt/99", null, null, null, null, null, null, 0, null,
        null, null, null, null);
    assertThat(verify(r).codes()).containsExactly(UNSUPPORTED_FORMAT);
  }

  @Test
  void receiptsAreOnlyBuiltForAgreedTalliesAndTheirOutput() {
    assertThatThrownBy(() -> Receipts.agreed(SampleReceipt.tally(), Fixtures.OUTPUT_B))
        .isInstanceOf(IllegalArgumentException.class);
    var pending = io.verdict.verification.quorum.QuorumTally.open(Fixtures.DOMAIN,
        SampleReceipt.SET, Fixtures.CLAIM, SampleReceipt.KEYS.subList(0, 3).stream()
            .map(ValidatorKey::address).toList(), 2);
    assertThatThrownBy(() -> Receipts.agreed(pending, Fixtures.OUTPUT_A))
        .isInstanceOf(IllegalStateException.class);
  }

  private static Receipt withSet(Receipt.ValidatorSetFields s) {
    return new Receipt(VALID.format(), VALID.jobId(), VALID.domain(), VALID.attestation(),
        VALID.attestationDigest(), s, VALID.committee(), VALID.quorum(), VALID.signatures(),
        VALID.evidence(), VALID.output(), VALID.merkle(), VALID.anchor());
  }

  private static Receipt withQuorum(int q) {
    return new Receipt(VALID.format(), VALID.jobId(), VALID.domain(), VALID.attestation(),
        VALID.attestationDigest(), VALID.validatorSet(), VALID.committee(), q, VALID.signatures(),
        VALID.evidence(), VALID.output(), VALID.merkle(), VALID.anchor());
  }

  private static Receipt withEvidence(Receipt.Evidence e) {
    return new Receipt(VALID.format(), VALID.jobId(), VALID.domain(), VALID.attestation(),
        VALID.attestationDigest(), VALID.validatorSet(), VALID.committee(), VALID.quorum(),
        VALID.signatures(), e, VALID.output(), VALID.merkle(), VALID.anchor());
  }
}
