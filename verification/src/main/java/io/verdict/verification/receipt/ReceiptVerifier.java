package io.verdict.verification.receipt;

import io.verdict.verification.Address;
import io.verdict.verification.Bytes32;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.MalformedValueException;
import io.verdict.verification.PolicyText;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.keys.InvalidSignatureException;
import io.verdict.verification.keys.Signature;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.merkle.StandardMerkleTree;
import io.verdict.verification.quorum.ValidatorSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Offline verification of a receipt, following the numbered procedure of docs/RECEIPTS.md. It
 * never stops at the first problem (except an unknown format): the report lists every failure
 * with its JSON path. Checking the anchor against the chain is not offline and is left to the
 * caller (the report notes it).
 */
public final class ReceiptVerifier {
  private ReceiptVerifier() {}

  public static VerificationReport verify(Receipt receipt) {
    return new Run(receipt).run();
  }

  private static final class Run {
    private final Receipt r;
    private final List<Failure> failures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    Run(Receipt receipt) {
      this.r = receipt;
    }

    VerificationReport run() {
      // 1. format
      if (!Receipt.FORMAT.equals(r.format())) {
        fail(FailureCode.UNSUPPORTED_FORMAT, "format", "expected " + Receipt.FORMAT + ", got "
            + r.format());
        return report();
      }
      // 2. domain
      AttestationDomain domain = domain();
      // 3. attestation and job id
      Attestation attestation = attestation();
      JobId jobId = parse("jobId", r.jobId(), JobId::parse);
      if (jobId != null && attestation != null && !jobId.equals(attestation.jobId())) {
        fail(FailureCode.JOB_ID_MISMATCH, "jobId", "receipt " + jobId + ", attestation "
            + attestation.jobId());
      }
      Bytes32 digest = null;
      if (domain != null && attestation != null) {
        digest = attestation.digest(domain);
        Bytes32 claimed = parse("attestationDigest", r.attestationDigest(), Bytes32::parse);
        if (claimed != null && !claimed.equals(digest)) {
          fail(FailureCode.ATTESTATION_DIGEST_MISMATCH, "attestationDigest", "claimed " + claimed
              + ", computed " + digest);
        }
      }
      // 4. output
      byte[] output = parse("output", r.output(), s -> Base64.getDecoder().decode(s));
      if (output != null && attestation != null
          && !attestation.outputDigest().matches(output)) {
        fail(FailureCode.OUTPUT_DIGEST_MISMATCH, "output", "sha256 of output is "
            + ContentDigest.of(output) + ", attestation says " + attestation.outputDigest());
      }
      // 5. validator set
      ValidatorSet set = validatorSet(attestation);
      // 6. committee and quorum
      Set<ValidatorAddress> committee = committee(set);
      // 7. signatures
      Set<ValidatorAddress> equivocators = new HashSet<>();
      // 8. evidence (before counting, so an equivocating signer is not counted)
      evidence(domain, attestation, set, committee, equivocators);
      signatures(digest, set, committee, equivocators);
      // 9. Merkle inclusion
      merkle(digest);
      // 10. anchor
      anchor(domain);
      return report();
    }

    private AttestationDomain domain() {
      Receipt.Domain d = r.domain();
      if (d == null) {
        fail(FailureCode.MALFORMED_FIELD, "domain", "missing");
        return null;
      }
      if (!AttestationDomain.NAME.equals(d.name()) || !AttestationDomain.VERSION.equals(
          d.version())) {
        fail(FailureCode.DOMAIN_MISMATCH, "domain", "expected Verdict / 1, got " + d.name()
            + " / " + d.version());
      }
      Address contract = parse("domain.verifyingContract", d.verifyingContract(), Address::parse);
      if (contract == null) {
        return null;
      }
      if (d.chainId() <= 0) {
        fail(FailureCode.MALFORMED_FIELD, "domain.chainId", "must be positive");
        return null;
      }
      return new AttestationDomain(d.chainId(), contract);
    }

    private Attestation attestation() {
      Receipt.AttestationFields a = r.attestation();
      if (a == null) {
        fail(FailureCode.MALFORMED_FIELD, "attestation", "missing");
        return null;
      }
      JobId job = parse("attestation.jobId", a.jobId(), JobId::parse);
      ContentDigest model = parse("attestation.modelDigest", a.modelDigest(),
          ContentDigest::parse);
      ContentDigest input = parse("attestation.inputDigest", a.inputDigest(),
          ContentDigest::parse);
      ContentDigest out = parse("attestation.outputDigest", a.outputDigest(),
          ContentDigest::parse);
      PolicyText policy = parse("attestation.policy", a.policy(), PolicyText::new);
      if (a.epoch() < 0) {
        fail(FailureCode.MALFORMED_FIELD, "attestation.epoch", "must not be negative");
        return null;
      }
      if (job == null || model == null || input == null || out == null || policy == null) {
        return null;
      }
      return new Attestation(job, model, input, out, policy, a.epoch());
    }

    private ValidatorSet validatorSet(Attestation attestation) {
      Receipt.ValidatorSetFields s = r.validatorSet();
      if (s == null || s.members() == null) {
        fail(FailureCode.MALFORMED_FIELD, "validatorSet", "missing");
        return null;
      }
      List<ValidatorAddress> members = new ArrayList<>();
      for (int i = 0; i < s.members().size(); i++) {
        ValidatorAddress m = parse("validatorSet.members[" + i + "]", s.members().get(i),
            ValidatorAddress::parse);
        if (m == null) {
          return null;
        }
        if (!members.isEmpty() && members.get(members.size() - 1).compareTo(m) >= 0) {
          fail(FailureCode.VALIDATOR_SET_INVALID, "validatorSet.members[" + i + "]",
              "members must be distinct and in ascending order");
          return null;
        }
        members.add(m);
      }
      ValidatorSet set;
      try {
        set = new ValidatorSet(s.epoch(), members, s.threshold());
      } catch (IllegalArgumentException e) {
        fail(FailureCode.VALIDATOR_SET_INVALID, "validatorSet", e.getMessage());
        return null;
      }
      Bytes32 claimed = parse("validatorSet.digest", s.digest(), Bytes32::parse);
      if (claimed != null && !claimed.equals(set.digest())) {
        fail(FailureCode.VALIDATOR_SET_DIGEST_MISMATCH, "validatorSet.digest", "claimed "
            + claimed + ", computed " + set.digest());
      }
      if (attestation != null && attestation.epoch() != set.epoch()) {
        fail(FailureCode.EPOCH_MISMATCH, "validatorSet.epoch", "set epoch " + set.epoch()
            + ", attestation epoch " + attestation.epoch());
      }
      return set;
    }

    private Set<ValidatorAddress> committee(ValidatorSet set) {
      if (r.committee() == null) {
        fail(FailureCode.MALFORMED_FIELD, "committee", "missing");
        return null;
      }
      Set<ValidatorAddress> committee = new HashSet<>();
      for (int i = 0; i < r.committee().size(); i++) {
        String path = "committee[" + i + "]";
        ValidatorAddress m = parse(path, r.committee().get(i), ValidatorAddress::parse);
        if (m == null) {
          return null;
        }
        if (!committee.add(m)) {
          fail(FailureCode.COMMITTEE_INVALID, path, m + " listed twice");
        }
        if (set != null && !set.contains(m)) {
          fail(FailureCode.COMMITTEE_INVALID, path, m + " is not in the validator set");
        }
      }
      int q = r.quorum();
      int min = set == null ? 1 : set.threshold();
      if (q < min || q > committee.size()) {
        fail(FailureCode.QUORUM_INVALID, "quorum", "q = " + q + " outside " + min + ".."
            + committee.size());
      }
      return committee;
    }

    private void signatures(Bytes32 digest, ValidatorSet set, Set<ValidatorAddress> committee,
                            Set<ValidatorAddress> equivocators) {
      if (r.signatures() == null) {
        fail(FailureCode.MALFORMED_FIELD, "signatures", "missing");
        return;
      }
      Set<ValidatorAddress> seen = new HashSet<>();
      Set<ValidatorAddress> counted = new HashSet<>();
      for (int i = 0; i < r.signatures().size(); i++) {
        String path = "signatures[" + i + "]";
        Receipt.SignatureEntry entry = r.signatures().get(i);
        if (entry == null) {
          fail(FailureCode.MALFORMED_FIELD, path, "null");
          continue;
        }
        ValidatorAddress who = parse(path + ".validator", entry.validator(),
            ValidatorAddress::parse);
        if (who == null) {
          continue;
        }
        boolean ok = true;
        if (!seen.add(who)) {
          fail(FailureCode.DUPLICATE_SIGNER, path, who + " already signed at an earlier index");
          ok = false;
        }
        if (set != null && !set.contains(who)) {
          fail(FailureCode.SIGNER_NOT_IN_SET, path, who + " is not in validator set epoch "
              + set.epoch());
          ok = false;
        } else if (committee != null && !committee.contains(who)) {
          fail(FailureCode.SIGNER_NOT_IN_COMMITTEE, path, who + " is not in the job's committee");
          ok = false;
        }
        if (equivocators.contains(who)) {
          fail(FailureCode.EQUIVOCATOR_COUNTED, path, who + " equivocated (see evidence)");
          ok = false;
        }
        if (digest != null && !signatureBy(path, entry.signature(), who, digest)) {
          ok = false;
        }
        if (ok && digest != null) {
          counted.add(who);
        }
      }
      if (digest != null && set != null && counted.size() < r.quorum()) {
        fail(FailureCode.QUORUM_NOT_MET, "signatures", counted.size()
            + " valid distinct committee signatures, quorum is " + r.quorum());
      }
    }

    private boolean signatureBy(String path, String text, ValidatorAddress who, Bytes32 digest) {
      Signature sig;
      try {
        sig = Signature.parse(text);
      } catch (MalformedValueException e) {
        fail(FailureCode.SIGNATURE_INVALID, path, who + ": " + e.getMessage());
        return false;
      }
      try {
        ValidatorAddress recovered = sig.recover(digest);
        if (!recovered.equals(who)) {
          fail(FailureCode.SIGNATURE_INVALID, path, "signature by " + who + " recovers to "
              + recovered);
          return false;
        }
        return true;
      } catch (InvalidSignatureException e) {
        fail(FailureCode.SIGNATURE_INVALID, path, who + ": no key recoverable");
        return false;
      }
    }

    private void evidence(AttestationDomain domain, Attestation attestation, ValidatorSet set,
                          Set<ValidatorAddress> committee, Set<ValidatorAddress> equivocators) {
      Receipt.Evidence e = r.evidence();
      if (e == null || e.dissenting() == null || e.equivocations() == null) {
        fail(FailureCode.MALFORMED_FIELD, "evidence", "missing (use empty lists)");
        return;
      }
      for (int i = 0; i < e.dissenting().size(); i++) {
        ContentDigest out = evidenceVote("evidence.dissenting[" + i + "]", e.dissenting().get(i),
            null, domain, attestation, committee);
        if (out != null && attestation != null && out.equals(attestation.outputDigest())) {
          fail(FailureCode.EVIDENCE_INVALID, "evidence.dissenting[" + i + "]",
              "a dissenting vote for the agreed output");
        }
      }
      for (int i = 0; i < e.equivocations().size(); i++) {
        String path = "evidence.equivocations[" + i + "]";
        Receipt.EquivocationEntry eq = e.equivocations().get(i);
        ValidatorAddress who = eq == null ? null : parse(path + ".validator", eq.validator(),
            ValidatorAddress::parse);
        if (who == null || eq.votes() == null) {
          continue;
        }
        equivocators.add(who);
        Set<ContentDigest> outputs = new HashSet<>();
        boolean allParsed = true;
        for (int j = 0; j < eq.votes().size(); j++) {
          ContentDigest out = evidenceVote(path + ".votes[" + j + "]", eq.votes().get(j), who,
              domain, attestation, committee);
          allParsed &= out != null;
          if (out != null) {
            outputs.add(out);
          }
        }
        if (allParsed && outputs.size() < 2) {
          fail(FailureCode.EVIDENCE_INVALID, path, who + ": fewer than two distinct outputs");
        }
      }
    }

    /** Checks one evidence vote; returns its output digest if it parsed. */
    private ContentDigest evidenceVote(String path, Receipt.EvidenceVote v,
                                       ValidatorAddress expected, AttestationDomain domain,
                                       Attestation attestation, Set<ValidatorAddress> committee) {
      if (v == null) {
        fail(FailureCode.MALFORMED_FIELD, path, "null");
        return null;
      }
      ValidatorAddress who = parse(path + ".validator", v.validator(), ValidatorAddress::parse);
      ContentDigest out = parse(path + ".outputDigest", v.outputDigest(), ContentDigest::parse);
      if (who == null || out == null) {
        return null;
      }
      if (expected != null && !expected.equals(who)) {
        fail(FailureCode.EVIDENCE_INVALID, path, "vote by " + who + " filed under " + expected);
      }
      if (committee != null && !committee.contains(who)) {
        fail(FailureCode.EVIDENCE_INVALID, path, who + " is not in the job's committee");
      }
      if (domain != null && attestation != null) {
        Bytes32 digest = attestation.withOutputDigest(out).digest(domain);
        Signature sig;
        try {
          sig = Signature.parse(v.signature());
        } catch (MalformedValueException e) {
          fail(FailureCode.EVIDENCE_INVALID, path, who + ": " + e.getMessage());
          return out;
        }
        if (!sig.isBy(who, digest)) {
          fail(FailureCode.EVIDENCE_INVALID, path, "signature does not recover to " + who);
        }
      }
      return out;
    }

    private void merkle(Bytes32 attestationDigest) {
      Receipt.Merkle m = r.merkle();
      if (m == null) {
        notes.add("merkle: not yet batched");
        return;
      }
      Bytes32 leaf = parse("merkle.leaf", m.leaf(), Bytes32::parse);
      Bytes32 root = parse("merkle.root", m.root(), Bytes32::parse);
      if (m.proof() == null) {
        fail(FailureCode.MALFORMED_FIELD, "merkle.proof", "missing");
        return;
      }
      List<Bytes32> proof = new ArrayList<>();
      for (int i = 0; i < m.proof().size(); i++) {
        Bytes32 node = parse("merkle.proof[" + i + "]", m.proof().get(i), Bytes32::parse);
        if (node == null) {
          return;
        }
        proof.add(node);
      }
      if (leaf == null || root == null) {
        return;
      }
      if (attestationDigest != null) {
        Bytes32 expected = StandardMerkleTree.leafHash(attestationDigest);
        if (!expected.equals(leaf)) {
          fail(FailureCode.MERKLE_LEAF_MISMATCH, "merkle.leaf", "leaf " + leaf
              + ", leaf hash of the attestation digest is " + expected);
        }
      }
      Bytes32 computed = StandardMerkleTree.processProof(leaf, proof);
      if (!computed.equals(root)) {
        fail(FailureCode.MERKLE_ROOT_MISMATCH, "merkle.root", "folding " + proof.size()
            + " proof nodes into the leaf gives " + computed + ", receipt says " + root);
      }
    }

    private void anchor(AttestationDomain domain) {
      Receipt.Anchor a = r.anchor();
      if (a == null) {
        notes.add("anchor: not yet anchored");
        return;
      }
      notes.add("anchor: on-chain root at the given transaction not checked (offline)");
      if (r.merkle() == null) {
        fail(FailureCode.ANCHOR_MISMATCH, "anchor", "an anchor without a merkle section");
      } else if (a.batchId() != r.merkle().batchId()) {
        fail(FailureCode.ANCHOR_MISMATCH, "anchor.batchId", "anchor batch " + a.batchId()
            + ", merkle batch " + r.merkle().batchId());
      }
      Address contract = parse("anchor.contract", a.contract(), Address::parse);
      parse("anchor.txHash", a.txHash(), Bytes32::parse);
      if (domain != null) {
        if (a.chainId() != domain.chainId()) {
          fail(FailureCode.ANCHOR_MISMATCH, "anchor.chainId", "anchor chain " + a.chainId()
              + ", domain chain " + domain.chainId());
        }
        if (contract != null && !contract.equals(domain.verifyingContract())) {
          fail(FailureCode.ANCHOR_MISMATCH, "anchor.contract", "anchor contract " + contract
              + ", domain verifyingContract " + domain.verifyingContract());
        }
      }
      if (a.blockNumber() < 0) {
        fail(FailureCode.MALFORMED_FIELD, "anchor.blockNumber", "must not be negative");
      }
    }

    private <T> T parse(String path, String text, Function<String, T> parser) {
      if (text == null) {
        fail(FailureCode.MALFORMED_FIELD, path, "missing");
        return null;
      }
      try {
        return Objects.requireNonNull(parser.apply(text));
      } catch (IllegalArgumentException e) {
        fail(FailureCode.MALFORMED_FIELD, path, e.getMessage());
        return null;
      }
    }

    private void fail(FailureCode code, String path, String detail) {
      failures.add(new Failure(code, path, detail));
    }

    private VerificationReport report() {
      return new VerificationReport(failures, notes);
    }
  }
}
