package io.verdict.chain;

/**
 * A mined transaction.
 *
 * @param txHash the transaction hash, {@code 0x} + 64 lowercase hex digits
 * @param blockNumber the block it was mined in
 * @param blockHash that block's hash
 * @param success receipt status 1 (false: it reverted)
 */
public record TxOutcome(String txHash, long blockNumber, String blockHash, boolean success) {
  public TxOutcome {
    if (txHash == null || !SignedTx.HASH.matcher(txHash).matches()) {
      throw new IllegalArgumentException("transaction hash must be 0x + 64 lowercase hex digits");
    }
    if (blockNumber < 0) {
      throw new IllegalArgumentException("block number must not be negative, got " + blockNumber);
    }
    if (blockHash == null || !SignedTx.HASH.matcher(blockHash).matches()) {
      throw new IllegalArgumentException("block hash must be 0x + 64 lowercase hex digits");
    }
  }
}
