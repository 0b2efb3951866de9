package io.verdict.chain;

import io.verdict.verification.Bytes32;

/**
 * What {@code VerdictAnchor.batchOf} records for an anchored batch.
 *
 * @param root the Merkle root (never zero)
 * @param count the number of leaves the anchorer declared
 * @param blockNumber the block in which it was anchored
 */
public record AnchoredBatch(Bytes32 root, long count, long blockNumber) {
  public AnchoredBatch {
    if (root == null || root.equals(Bytes32.ZERO)) {
      throw new IllegalArgumentException("an anchored batch has a non-zero root");
    }
    if (count < 0 || blockNumber < 0) {
      throw new IllegalArgumentException("count and block number must not be negative");
    }
  }
}
