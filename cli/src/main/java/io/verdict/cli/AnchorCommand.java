package io.verdict.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verdict.api.v1.AnchorStatusResponse;
import picocli.CommandLine.Command;

/** AnchorStatus: where the cluster's anchoring service stands. */
@Command(name = "anchor", mixinStandardHelpOptions = true,
    description = {"The anchoring service: batches sealed and anchored on chain, the backlog that",
        "waits for the chain and its age (the lag), and the last error."})
final class AnchorCommand extends CommandBase {

  @Override
  public Integer call() {
    AnchorStatusResponse s;
    try (NodeClient node = connect()) {
      s = node.anchorStatus();
    }
    if (json()) {
      ObjectNode root = Views.JSON.createObjectNode();
      root.put("enabled", s.getEnabled());
      if (s.getEnabled()) {
        root.put("chainId", s.getChainId());
        root.put("contract", s.getContract());
        root.put("anchorer", s.getAnchorer());
        root.put("sealedBatches", s.getSealedBatches());
        root.put("anchoredBatches", s.getAnchoredBatches());
        root.put("anchoredResults", s.getAnchoredResults());
        root.put("openBatches", s.getOpenBatches());
        root.put("pendingResults", s.getPendingResults());
        root.put("lagMillis", millis(s.getLag()));
        root.put("skippedResults", s.getSkippedResults());
        root.put("lastBatchId", s.getLastBatchId());
        root.put("lastTxHash", s.getLastTxHash());
        root.put("lastBlockNumber", s.getLastBlockNumber());
        root.put("head", s.getHead());
        root.put("lastError", s.getLastError());
        root.put("failures", s.getFailures());
        root.put("retryInMillis", millis(s.getRetryIn()));
        root.put("halted", s.getHalted());
      }
      Views.printJson(out(), root);
      return ExitCodes.OK;
    }
    if (!s.getEnabled()) {
      out().println("anchoring is off on this cluster (verdict.anchor.enabled = false)");
      out().flush();
      return ExitCodes.OK;
    }
    out().printf("anchoring to %s on chain %d as %s%n", s.getContract(), s.getChainId(), s.getAnchorer());
    out().printf("batches: %d sealed, %d anchored (%d results); chain head %d%n", s.getSealedBatches(),
        s.getAnchoredBatches(), s.getAnchoredResults(), s.getHead());
    out().printf("waiting: %d batch(es), %d result(s), oldest sealed %.1f s ago%n", s.getOpenBatches(),
        s.getPendingResults(), millis(s.getLag()) / 1000.0);
    if (s.getSkippedResults() > 0) {
      out().printf("skipped: %d result(s) signed under another chain or contract%n", s.getSkippedResults());
    }
    if (s.getLastBatchId() > 0) {
      out().printf("last anchored: batch %d in transaction %s (block %d)%n", s.getLastBatchId(),
          s.getLastTxHash(), s.getLastBlockNumber());
    }
    if (s.getHalted()) {
      out().println("HALTED: " + s.getLastError());
    } else if (s.getFailures() > 0) {
      out().printf("failing (%d attempt(s)): %s; next attempt in %.1f s%n", s.getFailures(), s.getLastError(),
          millis(s.getRetryIn()) / 1000.0);
    }
    out().flush();
    return ExitCodes.OK;
  }

  private static long millis(com.google.protobuf.Duration d) {
    return d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
  }
}
