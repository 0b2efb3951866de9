package io.verdict.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verdict.api.v1.GetReceiptResponse;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** GetReceipt: the receipt JSON on stdout, or into a file. */
@Command(name = "receipt", mixinStandardHelpOptions = true,
    description = {"Fetch the receipt of an AGREED job.",
        "Without --out the receipt document itself is printed on stdout;",
        "check it offline with: verdict verify FILE."})
final class ReceiptCommand extends CommandBase {
  @Parameters(index = "0", paramLabel = "ID", description = "The job id.")
  String jobId;

  @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write the receipt to FILE.")
  Path outFile;

  @Override
  public Integer call() {
    GetReceiptResponse response;
    try (NodeClient node = connect()) {
      response = node.getReceipt(jobId);
    }
    String anchored = response.getAnchored() ? "anchored" : "not anchored yet";
    if (outFile != null) {
      writeFile(outFile, response.getReceiptJson(), "receipt");
      if (json()) {
        ObjectNode n = Views.object();
        n.put("jobId", jobId);
        n.put("format", response.getFormat());
        n.put("anchored", response.getAnchored());
        n.put("file", outFile.toString());
        Views.printJson(out(), n);
      } else {
        out().println("receipt of job " + jobId + " (" + response.getFormat() + ", " + anchored
            + ") written to " + outFile);
        out().flush();
      }
    } else if (json()) {
      ObjectNode n = Views.object();
      n.put("jobId", jobId);
      n.put("format", response.getFormat());
      n.put("anchored", response.getAnchored());
      try {
        n.set("receipt", Views.JSON.readTree(response.getReceiptJson()));
      } catch (JsonProcessingException e) {
        n.put("receipt", response.getReceiptJson());
      }
      Views.printJson(out(), n);
    } else {
      String text = response.getReceiptJson();
      out().print(text.endsWith("\n") ? text : text + "\n");
      out().flush();
      err().println("(" + response.getFormat() + ", " + anchored + ")");
      err().flush();
    }
    return ExitCodes.OK;
  }
}
