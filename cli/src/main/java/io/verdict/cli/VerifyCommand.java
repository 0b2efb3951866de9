package io.verdict.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verdict.chain.AnchorChain;
import io.verdict.chain.AnchorerKey;
import io.verdict.chain.ChainSettings;
import io.verdict.chain.ChainUnavailableException;
import io.verdict.chain.OnChainReceiptCheck;
import io.verdict.chain.Web3AnchorChain;
import io.verdict.verification.Address;
import io.verdict.verification.receipt.Failure;
import io.verdict.verification.receipt.MalformedReceiptException;
import io.verdict.verification.receipt.Receipt;
import io.verdict.verification.receipt.ReceiptCodec;
import io.verdict.verification.receipt.ReceiptVerifier;
import io.verdict.verification.receipt.VerificationReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Offline receipt verification (no node, no network): every check of docs/RECEIPTS.md, and every
 * failure listed with its code and JSON path.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Verify a receipt offline (no node needed).",
        "Checks signatures, quorum, validator set, digests and the Merkle proof.",
        "With --rpc, also checks on the anchor chain that the contract holds the batch root, that",
        "the anchor transaction succeeded in the receipt's block, and that the contract's",
        "verifyInclusion and verifyAttestation accept the receipt.",
        "Exit status 0 when valid, 1 with the list of failures otherwise (3 when the chain",
        "cannot be reached)."})
final class VerifyCommand extends CommandBase {
  @Parameters(index = "0", paramLabel = "RECEIPT_FILE", description = "A receipt JSON file (- for stdin).")
  String file;

  @Option(names = "--rpc", paramLabel = "URL",
      description = "JSON-RPC endpoint of the anchor chain: also verify the receipt on chain.")
  String rpc;

  @Option(names = "--rpc-timeout", paramLabel = "SECONDS", defaultValue = "10",
      description = "Timeout of each JSON-RPC request in seconds (default: ${DEFAULT-VALUE}).")
  String rpcTimeout;

  @Override
  public Integer call() {
    String text = file.equals("-") ? readStdin() : readFile(Path.of(file), "receipt file");
    Receipt receipt;
    try {
      receipt = ReceiptCodec.fromJson(text);
    } catch (MalformedReceiptException e) {
      return malformed(e.getMessage());
    }
    VerificationReport report = ReceiptVerifier.verify(receipt);
    List<OnChainReceiptCheck.Check> onChain = rpc == null ? List.of() : onChain(receipt);
    boolean chainOk = onChain.stream().allMatch(OnChainReceiptCheck.Check::ok);
    boolean valid = report.valid() && chainOk;
    // with --rpc the anchor was checked on chain: drop the note that says it was not
    List<String> notes = report.notes().stream().filter(n -> rpc == null || !n.contains("(offline)"))
        .toList();
    if (json()) {
      ObjectNode n = json(receipt, report, notes);
      n.put("valid", valid);
      if (rpc != null) {
        ArrayNode checks = n.putArray("onChain");
        onChain.forEach(c -> checks.addObject().put("check", c.name()).put("ok", c.ok())
            .put("detail", c.detail()));
      }
      Views.printJson(out(), n);
    } else {
      if (report.valid()) {
        out().println(summary(receipt));
        notes.forEach(n -> out().println("note: " + n));
      } else {
        printFailures(out(), report.failures());
      }
      if (rpc != null) {
        out().println(chainOk ? "on chain OK: " + onChain.size() + " checks passed"
            : "on chain INVALID: " + onChain.stream().filter(c -> !c.ok()).count() + " of " + onChain.size()
                + " checks failed");
        Table table = new Table("CHECK", "RESULT", "DETAIL");
        onChain.forEach(c -> table.row(c.name(), c.ok() ? "ok" : "FAILED", c.detail()));
        table.print(out());
      }
      out().flush();
    }
    return valid ? ExitCodes.OK : ExitCodes.FAILED;
  }

  /** The on-chain checks, against the receipt's own chain id and contract. */
  private List<OnChainReceiptCheck.Check> onChain(Receipt receipt) {
    // the command line first, whatever the receipt holds: a bad option is a usage error for any receipt
    Duration timeout;
    try {
      timeout = Durations.seconds(rpcTimeout);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--rpc-timeout: " + e.getMessage());
    }
    try {
      ChainSettings.checkRpcUrl(rpc);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--rpc: " + e.getMessage());
    }
    Receipt.Anchor anchor = receipt.anchor();
    if (anchor == null) {
      return OnChainReceiptCheck.run(receipt, null);
    }
    ChainSettings settings;
    try {
      // Read-only: a throw-away key satisfies the client; nothing is ever signed with it.
      settings = new ChainSettings(rpc, anchor.chainId(), Address.parse(anchor.contract()),
          AnchorerKey.generate(), timeout);
    } catch (IllegalArgumentException e) {
      // the options passed above: what cannot be asked about is the receipt's anchor
      return List.of(new OnChainReceiptCheck.Check("anchored", false,
          "the receipt's anchor names no chain to ask: " + e.getMessage()));
    }
    try (AnchorChain chain = new Web3AnchorChain(settings)) {
      return OnChainReceiptCheck.run(receipt, chain);
    } catch (ChainUnavailableException e) {
      throw new NodeCallFailed("UNAVAILABLE", "the anchor chain at " + settings.endpoint()
          + " cannot be reached: " + e.getMessage(), e);
    }
  }

  private int malformed(String message) {
    if (json()) {
      ObjectNode n = Views.object();
      n.put("valid", false);
      ArrayNode failures = n.putArray("failures");
      ObjectNode f = failures.addObject();
      f.put("code", "MALFORMED_RECEIPT");
      f.put("path", "");
      f.put("detail", message);
      Views.printJson(out(), n);
    } else {
      out().println("receipt INVALID: not a receipt document: " + message);
      out().flush();
    }
    return ExitCodes.FAILED;
  }

  static String summary(Receipt r) {
    StringBuilder sb = new StringBuilder("receipt OK: job ").append(r.jobId())
        .append(", output ").append(r.attestation().outputDigest())
        .append(", signed by ").append(r.signatures().size()).append(" of ")
        .append(r.committee().size()).append(" validators (quorum ").append(r.quorum())
        .append(", epoch ").append(r.validatorSet().epoch()).append(")")
        .append(", model ").append(r.attestation().modelDigest())
        .append(", policy ").append(r.attestation().policy());
    if (r.merkle() != null) {
      sb.append(", in batch ").append(r.merkle().batchId());
    }
    if (r.anchor() != null) {
      sb.append(", anchored on chain ").append(r.anchor().chainId());
    }
    return sb.toString();
  }

  static void printFailures(PrintWriter out, List<Failure> failures) {
    out.println("receipt INVALID: " + failures.size()
        + (failures.size() == 1 ? " failure" : " failures"));
    Table table = new Table("CODE", "PATH", "DETAIL");
    failures.forEach(f -> table.row(f.code().name(), f.path() == null ? "" : f.path(),
        f.detail() == null ? "" : f.detail()));
    table.print(out);
  }

  private static ObjectNode json(Receipt r, VerificationReport report, List<String> notes) {
    ObjectNode n = Views.object();
    n.put("valid", report.valid());
    n.put("jobId", r.jobId());
    if (r.attestation() != null) {
      n.put("modelDigest", r.attestation().modelDigest());
      n.put("inputDigest", r.attestation().inputDigest());
      n.put("outputDigest", r.attestation().outputDigest());
      n.put("policy", r.attestation().policy());
    }
    n.put("signatures", r.signatures() == null ? 0 : r.signatures().size());
    n.put("committee", r.committee() == null ? 0 : r.committee().size());
    n.put("quorum", r.quorum());
    ArrayNode failures = n.putArray("failures");
    for (Failure f : report.failures()) {
      ObjectNode o = failures.addObject();
      o.put("code", f.code().name());
      o.put("path", f.path());
      o.put("detail", f.detail());
    }
    ArrayNode noteArray = n.putArray("notes");
    notes.forEach(noteArray::add);
    return n;
  }

  private static String readStdin() {
    try {
      return new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw CliException.usage("cannot read the receipt from stdin: " + e.getMessage());
    }
  }
}
