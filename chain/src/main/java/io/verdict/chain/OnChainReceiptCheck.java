package io.verdict.chain;

import io.verdict.verification.Address;
import io.verdict.verification.Bytes32;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.PolicyText;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.keys.Signature;
import io.verdict.verification.merkle.StandardMerkleTree;
import io.verdict.verification.receipt.Receipt;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The on-chain half of receipt verification: what only the anchor chain can confirm. Run after the
 * offline checks of {@code ReceiptVerifier}, against a chain client whose contract is the
 * receipt's {@code anchor.contract}. Every check runs (none stops the others) and reports what it
 * found; the receipt is confirmed on chain when all pass. The contract is asked what a consumer
 * contract would ask: whether the leaf of the attestation the receipt states is in the anchored
 * batch, and whether a quorum of the epoch signed the attestation of the output the receipt
 * carries; so a changed output, digest, signature or proof node fails on chain too.
 */
public final class OnChainReceiptCheck {

  /** One check: a short name, whether it passed, and what was found. */
  public record Check(String name, boolean ok, String detail) {}

  private OnChainReceiptCheck() {}

  /** All on-chain checks of {@code receipt}; one failed check "anchored" when it has no anchor. */
  public static List<Check> run(Receipt receipt, AnchorChain chain) {
    List<Check> checks = new ArrayList<>();
    if (receipt.anchor() == null || receipt.merkle() == null) {
      checks.add(new Check("anchored", false, "the receipt has no "
          + (receipt.merkle() == null ? "merkle proof" : "anchor") + " yet: its batch is not anchored"));
      return checks;
    }
    Receipt.Anchor anchor = receipt.anchor();
    Receipt.Merkle merkle = receipt.merkle();
    long batchId = anchor.batchId();

    attempt(checks, "chain-id", () -> {
      long id = chain.chainId();
      return id == anchor.chainId() ? ok("chain-id", "the RPC endpoint serves chain " + id)
          : fail("chain-id", "the RPC endpoint serves chain " + id + ", the receipt was anchored on chain "
              + anchor.chainId());
    });
    attempt(checks, "root", () -> {
      Optional<AnchoredBatch> batch = chain.batch(batchId);
      if (batch.isEmpty()) {
        return fail("root", "contract " + anchor.contract() + " holds no root for batch " + batchId);
      }
      AnchoredBatch b = batch.get();
      if (!b.root().toHex().equalsIgnoreCase(merkle.root())) {
        return fail("root", "batch " + batchId + " is anchored with root " + b.root().toHex() + ", not "
            + merkle.root());
      }
      if (b.blockNumber() != anchor.blockNumber()) {
        return fail("root", "batch " + batchId + " was anchored in block " + b.blockNumber() + ", the receipt says "
            + anchor.blockNumber());
      }
      return ok("root", "batch " + batchId + " anchored with this root in block " + b.blockNumber() + " ("
          + b.count() + " results)");
    });
    attempt(checks, "transaction", () -> {
      Optional<TxOutcome> tx = chain.receipt(anchor.txHash());
      if (tx.isEmpty()) {
        return fail("transaction", "no mined transaction " + anchor.txHash());
      }
      if (!tx.get().success()) {
        return fail("transaction", "transaction " + anchor.txHash() + " reverted");
      }
      if (tx.get().blockNumber() != anchor.blockNumber()) {
        return fail("transaction", "transaction " + anchor.txHash() + " is in block " + tx.get().blockNumber()
            + ", the receipt says " + anchor.blockNumber());
      }
      Optional<Bytes32> anchored = chain.anchoredRootIn(anchor.txHash(), batchId);
      if (anchored.isEmpty()) {
        return fail("transaction", "transaction " + anchor.txHash() + " did not anchor batch " + batchId
            + " (no Anchored event for it)");
      }
      if (!anchored.get().toHex().equalsIgnoreCase(merkle.root())) {
        return fail("transaction", "transaction " + anchor.txHash() + " anchored batch " + batchId + " with root "
            + anchored.get().toHex() + ", not " + merkle.root());
      }
      long confirmations = chain.blockNumber() - tx.get().blockNumber() + 1;
      return ok("transaction", "transaction " + anchor.txHash() + " anchored this root in block "
          + tx.get().blockNumber() + " (" + confirmations + " confirmation(s))");
    });
    attempt(checks, "verifyInclusion", () -> {
      // the leaf of the attestation as the receipt states it (not the receipt's merkle.leaf field)
      Bytes32 leaf = StandardMerkleTree.leafHash(stated(receipt).digest(domain(receipt)));
      List<Bytes32> proof = present(merkle.proof(), "merkle.proof").stream().map(Bytes32::parse)
          .toList();
      return chain.verifyInclusion(batchId, leaf, proof)
          ? ok("verifyInclusion", "the contract accepts the attestation's leaf and proof for batch " + batchId)
          : fail("verifyInclusion", "the contract rejects the attestation's leaf " + leaf.toHex()
              + " and proof for batch " + batchId);
    });
    attempt(checks, "validatorSet", () -> {
      Receipt.ValidatorSetFields set = present(receipt.validatorSet(), "validatorSet");
      long epoch = set.epoch();
      Optional<Bytes32> digest = chain.validatorSetDigest(epoch);
      if (digest.isEmpty()) {
        return fail("validatorSet", "epoch " + epoch + " is not registered on the contract");
      }
      return digest.get().toHex().equalsIgnoreCase(set.digest())
          ? ok("validatorSet", "epoch " + epoch + " is registered with this set")
          : fail("validatorSet", "epoch " + epoch + " is registered with set digest " + digest.get().toHex()
              + ", not " + set.digest());
    });
    attempt(checks, "verifyAttestation", () -> {
      // as a consumer contract would: for the output it is given, so its digest is the output's
      byte[] output = Base64.getDecoder().decode(present(receipt.output(), "output"));
      ContentDigest outputDigest = ContentDigest.of(output);
      Attestation attestation = stated(receipt).withOutputDigest(outputDigest);
      List<Signature> signatures = present(receipt.signatures(), "signatures").stream()
          .map(s -> Signature.parse(s.signature())).toList();
      if (!chain.verifyAttestation(attestation, signatures)) {
        return fail("verifyAttestation", "the contract finds no quorum of epoch " + attestation.epoch()
            + " signatures on the attestation of this output (" + outputDigest + ")");
      }
      // the contract needs the epoch's threshold; the receipt claims more: every listed signature
      // valid, and at least its quorum q of them
      long signers = chain.countSigners(attestation, signatures);
      if (signers != signatures.size() || signers < receipt.quorum()) {
        return fail("verifyAttestation", "the contract recovers " + signers + " distinct member signature(s) of "
            + signatures.size() + " listed (quorum " + receipt.quorum() + ")");
      }
      return ok("verifyAttestation", "all " + signers + " signatures are by distinct members of epoch "
          + attestation.epoch() + " on the attestation of this output (quorum " + receipt.quorum() + ")");
    });
    return checks;
  }

  /** The attestation as the receipt states it. */
  private static Attestation stated(Receipt receipt) {
    Receipt.AttestationFields a = present(receipt.attestation(), "attestation");
    return new Attestation(JobId.parse(a.jobId()), ContentDigest.parse(a.modelDigest()),
        ContentDigest.parse(a.inputDigest()), ContentDigest.parse(a.outputDigest()), PolicyText.of(a.policy()),
        a.epoch());
  }

  private static AttestationDomain domain(Receipt receipt) {
    Receipt.Domain d = present(receipt.domain(), "domain");
    return new AttestationDomain(d.chainId(), Address.parse(d.verifyingContract()));
  }

  /** A section or field the check needs; a missing one fails the check like a malformed one. */
  private static <T> T present(T value, String path) {
    if (value == null) {
      throw new IllegalArgumentException(path + " is missing");
    }
    return value;
  }

  private interface Attempt {
    Check run();
  }

  private static void attempt(List<Check> checks, String name, Attempt attempt) {
    try {
      checks.add(attempt.run());
    } catch (IllegalArgumentException e) { // MalformedValueException included
      checks.add(fail(name, "malformed receipt field: " + e.getMessage()));
    } catch (ChainRejectedException e) {
      checks.add(fail(name, "the chain refused the call: " + e.getMessage()));
    }
  }

  private static Check ok(String name, String detail) {
    return new Check(name, true, detail);
  }

  private static Check fail(String name, String detail) {
    return new Check(name, false, detail);
  }
}
