package io.verdict.sharding.job;

import io.verdict.persistence.CborSerializable;
import java.util.List;

/**
 * Where a job's agreed attestation was anchored: its leaf and Merkle proof in the batch, the
 * batch root, and the transaction that recorded the root on chain (docs/RECEIPTS.md, {@code merkle}
 * and {@code anchor}). Values are text as in the receipt: hex32, EIP-55 addresses.
 */
public record JobAnchor(long batchId, String leaf, List<String> proof, String root, long chainId,
                        String contract, String txHash, long blockNumber)
    implements CborSerializable {
  public JobAnchor {
    proof = List.copyOf(proof);
  }
}
