package io.verdict.chain;

import io.verdict.verification.Address;
import io.verdict.verification.Bytes32;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.keys.Signature;
import io.verdict.verification.quorum.ValidatorSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The anchor chain as the anchoring service sees it: one VerdictAnchor contract, one signing key.
 * Every method blocks on at most a few JSON-RPC requests, each bounded by the configured request
 * timeout, so callers run it on a dedicated (blocking) dispatcher.
 *
 * <p>Failures are unchecked: {@link ChainUnavailableException} when the chain could not be asked
 * (retry with backoff), {@link ChainRejectedException} when it answered no (a revert carries the
 * contract's custom error, e.g. {@code RootMismatch}), {@link NonceTooLowException} when the
 * nonce was used by another transaction. Batch ids are written {@code bytes32(uint256(batchId))}.
 */
public interface AnchorChain extends AutoCloseable {
  /** {@code eth_chainId} of the node. */
  long chainId();

  /** {@code eth_blockNumber}. */
  long blockNumber();

  /** The VerdictAnchor address. */
  Address contract();

  /** The address of the signing key. */
  Address sender();

  /**
   * Compares the node's {@code eth_chainId} with the configured chain id.
   *
   * @throws ChainRejectedException if they differ
   */
  void checkChainId();

  /** {@code eth_getTransactionCount(sender, "pending")}. */
  long pendingNonce();

  /**
   * Signs (does not send) {@code anchor(bytes32(batchId), root, count)} with this nonce; gas
   * price from the node, gas limit estimated (+ margin). A revert at estimation (e.g.
   * {@code RootMismatch}, {@code NotAnchorer}) is a {@link ChainRejectedException} naming the
   * custom error.
   */
  SignedTx signAnchor(long batchId, Bytes32 root, long count, long nonce);

  /**
   * {@code eth_sendRawTransaction}. Idempotent: "already known" answers, and "nonce too low" for a
   * transaction the node already has, are success. "nonce too low" for another transaction →
   * {@link NonceTooLowException}. A revert → {@link ChainRejectedException}.
   */
  void broadcast(SignedTx tx);

  /** The transaction's outcome once mined; empty while it is not (or is unknown). */
  Optional<TxOutcome> receipt(String txHash);

  /**
   * Polls {@link #receipt} every 100 ms until the transaction is mined.
   *
   * @throws ChainUnavailableException if it is not mined within {@code timeout}, or the chain
   *     cannot be reached
   */
  default TxOutcome awaitReceipt(String txHash, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<TxOutcome> outcome = receipt(txHash);
      if (outcome.isPresent()) {
        return outcome.get();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new ChainUnavailableException("transaction " + txHash + " not mined within "
            + timeout);
      }
      try {
        Thread.sleep(Math.min(100, Math.max(1, left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ChainUnavailableException("interrupted while waiting for transaction " + txHash);
      }
    }
  }

  /**
   * The root that transaction {@code txHash} anchored for {@code batchId}: the {@code Anchored}
   * event the contract emitted in it. Empty when the transaction is not mined, failed, or did not
   * anchor that batch (a repeated {@code anchor} call with the same root emits no event).
   */
  Optional<Bytes32> anchoredRootIn(String txHash, long batchId);

  /**
   * The transaction that anchored {@code batchId} (its {@code Anchored} event, searched in the
   * block the contract recorded); empty when the batch is not anchored (or the node cannot find
   * the event).
   */
  Optional<TxOutcome> anchorTransaction(long batchId);

  /** {@code batchOf(bytes32(batchId))}; empty when nothing is anchored for it. */
  Optional<AnchoredBatch> batch(long batchId);

  /** {@code validatorSetDigest(epoch)}; empty when the epoch is not registered. */
  Optional<Bytes32> validatorSetDigest(long epoch);

  /**
   * Sends {@code registerValidatorSet} (owner only) and waits until mined or {@code timeout}.
   * Already registered with the same digest → returns without sending (the outcome of the
   * original registration when the node can find its event, see {@link Web3AnchorChain}).
   *
   * @throws ChainRejectedException if the epoch holds another set, the sender is not the owner,
   *     or the transaction reverted
   * @throws ChainUnavailableException if the chain cannot be reached or the transaction was not
   *     mined within {@code timeout}
   */
  TxOutcome registerValidatorSet(ValidatorSet set, Duration timeout);

  /** {@code verifyInclusion(bytes32(batchId), leaf, proof)}: {@code leaf} is the tree leaf hash. */
  boolean verifyInclusion(long batchId, Bytes32 leaf, List<Bytes32> proof);

  /** {@code verifyAttestation(attestation, signatures)}: a quorum of the epoch's members signed. */
  boolean verifyAttestation(Attestation attestation, List<Signature> signatures);

  /**
   * {@code countSigners(attestation, signatures)}: how many distinct members of the epoch's set
   * the signatures recover to (invalid, high-s, duplicate and non-member signatures count for
   * nothing).
   */
  long countSigners(Attestation attestation, List<Signature> signatures);

  @Override
  void close();
}
