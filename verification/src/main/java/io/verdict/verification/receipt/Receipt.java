package io.verdict.verification.receipt;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One self-contained, verifiable record of a finished job, as its JSON document (format
 * {@value #FORMAT}). Field by field specification: docs/RECEIPTS.md. Crypto values are kept as
 * their text so that a receipt with a damaged value still parses and {@link ReceiptVerifier}
 * can say exactly what is wrong.
 *
 * @param merkle filled once the attestation is in a sealed batch; null before
 * @param anchor filled once the batch root is anchored on chain; null before
 */
@JsonPropertyOrder({"format", "jobId", "domain", "attestation", "attestationDigest",
    "validatorSet", "committee", "quorum", "signatures", "evidence", "output", "merkle", "anchor"})
public record Receipt(String format, String jobId, Domain domain, AttestationFields attestation,
                      String attestationDigest, ValidatorSetFields validatorSet,
                      List<String> committee, int quorum, List<SignatureEntry> signatures,
                      Evidence evidence, String output, Merkle merkle, Anchor anchor) {
  public static final String FORMAT = "verdict-receipt/1";

  public Receipt {
    committee = committee == null ? null : List.copyOf(committee);
    signatures = signatures == null ? null : List.copyOf(signatures);
  }

  /** The EIP-712 domain. */
  @JsonPropertyOrder({"name", "version", "chainId", "verifyingContract"})
  public record Domain(String name, String version, long chainId, String verifyingContract) {}

  /** The signed attestation struct, digests as {@code sha256:<hex>}. */
  @JsonPropertyOrder({"jobId", "modelDigest", "inputDigest", "outputDigest", "policy", "epoch"})
  public record AttestationFields(String jobId, String modelDigest, String inputDigest,
                                  String outputDigest, String policy, long epoch) {}

  /** The validator set of the attestation's epoch. */
  @JsonPropertyOrder({"epoch", "threshold", "members", "digest"})
  public record ValidatorSetFields(long epoch, int threshold, List<String> members,
                                   String digest) {
    public ValidatorSetFields {
      members = members == null ? null : List.copyOf(members);
    }
  }

  /** One quorum signature: validator address and 65-byte r ‖ s ‖ v signature. */
  @JsonPropertyOrder({"validator", "signature"})
  public record SignatureEntry(String validator, String signature) {}

  /** A signed vote for another output digest of the same job. */
  @JsonPropertyOrder({"validator", "outputDigest", "signature"})
  public record EvidenceVote(String validator, String outputDigest, String signature) {}

  /** One validator's conflicting signed votes. */
  @JsonPropertyOrder({"validator", "votes"})
  public record EquivocationEntry(String validator, List<EvidenceVote> votes) {
    public EquivocationEntry {
      votes = votes == null ? null : List.copyOf(votes);
    }
  }

  /** Misbehaviour and disagreement seen while the job was tallied. */
  @JsonPropertyOrder({"dissenting", "equivocations"})
  public record Evidence(List<EvidenceVote> dissenting, List<EquivocationEntry> equivocations) {
    public static final Evidence NONE = new Evidence(List.of(), List.of());

    public Evidence {
      dissenting = dissenting == null ? null : List.copyOf(dissenting);
      equivocations = equivocations == null ? null : List.copyOf(equivocations);
    }
  }

  /** Inclusion of the attestation digest in a batch tree. */
  @JsonPropertyOrder({"batchId", "leaf", "proof", "root"})
  public record Merkle(long batchId, String leaf, List<String> proof, String root) {
    public Merkle {
      proof = proof == null ? null : List.copyOf(proof);
    }
  }

  /** Where the batch root was anchored. */
  @JsonPropertyOrder({"chainId", "contract", "batchId", "txHash", "blockNumber"})
  public record Anchor(long chainId, String contract, long batchId, String txHash,
                       long blockNumber) {}

  public Receipt withMerkle(Merkle m) {
    return new Receipt(format, jobId, domain, attestation, attestationDigest, validatorSet,
        committee, quorum, signatures, evidence, output, m, anchor);
  }

  public Receipt withAnchor(Anchor a) {
    return new Receipt(format, jobId, domain, attestation, attestationDigest, validatorSet,
        committee, quorum, signatures, evidence, output, merkle, a);
  }
}
