package io.verdict.node.anchor;

import io.verdict.persistence.CborSerializable;

/**
 * Where the anchoring service stands: what was sealed and anchored, the backlog waiting for the
 * chain and how old it is, and the last error with the time to the next retry.
 *
 * @param sealedBatches batches sealed so far (the last batch id)
 * @param openBatches sealed batches not yet anchored or whose jobs are not yet told
 * @param pendingResults results in those batches
 * @param lagMillis age of the oldest open batch (0 when there is none)
 * @param skippedResults agreed results not anchored because they were signed under another
 *     EIP-712 domain (chain id or contract) than the anchor's
 * @param head the chain's block number when last asked
 * @param lastChainOkAt epoch millis of the last successful chain call
 * @param halted true when anchoring stopped on an error an operator must resolve
 * @param retryInMillis time to the next attempt after a failure
 * @param feedOffset journal offset the feed has read to (text)
 */
public record AnchorStatus(boolean enabled, long chainId, String contract, String anchorer, long sealedBatches,
                           long anchoredBatches, long anchoredResults, int openBatches, int pendingResults,
                           long lagMillis, long skippedResults, Anchorer.LastAnchor last, long head,
                           long lastChainOkAt, String lastError, long lastErrorAt, boolean halted, int failures,
                           long retryInMillis, String feedOffset) implements CborSerializable {

    public static AnchorStatus disabled() {
        return new AnchorStatus(false, 0, "", "", 0, 0, 0, 0, 0, 0, 0, null, 0, 0, null, 0, false, 0, 0, "");
    }
}
