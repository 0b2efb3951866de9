package io.verdict.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.verdict.api.v1.DType;
import io.verdict.api.v1.Job;
import io.verdict.api.v1.SubmitRequest;
import io.verdict.api.v1.SubmitResponse;
import io.verdict.inference.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Submit: one verified job, waiting for its verdict; optionally saves the receipt. */
@Command(name = "infer", mixinStandardHelpOptions = true,
    description = {
        "Run a verified inference job and wait for the verdict.",
        "Input JSON: {\"input\": {\"dtype\": \"FLOAT32\", \"shape\": [1,64], \"data\": [...]}}",
        "(tensor name -> tensor), or KServe style {\"inputs\": [{\"name\": ..., \"datatype\": ...,",
        "\"shape\": ..., \"data\": ...}]}. data may also be the base64 of the little-endian bytes."})
final class InferCommand extends CommandBase {
  /** Submit asks the node to answer this much before the gRPC deadline, with the job as it stands. */
  private static final Duration MARGIN = Duration.ofMillis(500);

  @Parameters(index = "0", paramLabel = "MODEL",
      description = "name, name@version, or a model digest sha256:<hex>.")
  String model;

  @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE|JSON",
      description = "The input tensors: a JSON file (path or @path, - for stdin) or the JSON itself.")
  String input;

  @Option(names = "--r", paramLabel = "N", description = "Committee size (default: the node's, 3).")
  Integer r;

  @Option(names = "--q", paramLabel = "M", description = "Quorum, r/2 < q <= r (default: a majority of r).")
  Integer q;

  @Option(names = "--receipt", paramLabel = "OUT", description = "Write the receipt JSON to this file.")
  Path receipt;

  @Option(names = "--request-id", paramLabel = "ID",
      description = "Idempotency key (at most 128 characters): a retry joins the same job.")
  String requestId;

  @Option(names = "--output", paramLabel = "NAME",
      description = "Return only this output (repeatable); the digest and receipt cover all outputs.")
  List<String> outputs;

  @Override
  public Integer call() {
    Map<String, Tensor> tensors = InputTensors.parse(inputText());
    if (r != null && r < 1 || q != null && q < 1) {
      throw CliException.usage("--r and --q must be at least 1");
    }
    if (r != null && q != null && (q > r || q * 2 <= r)) {
      throw CliException.usage("--q " + q + " must satisfy r/2 < q <= r for --r " + r);
    }
    if (requestId != null && requestId.length() > 128) {
      throw CliException.usage("--request-id is longer than 128 characters");
    }
    SubmitRequest.Builder request = SubmitRequest.newBuilder().setModel(model);
    tensors.forEach((name, t) -> request.addInputs(toProto(name, t)));
    if (r != null) {
      request.setR(r);
    }
    if (q != null) {
      request.setQ(q);
    }
    if (requestId != null) {
      request.setClientRequestId(requestId);
    }
    if (outputs != null) {
      request.addAllRequestedOutputs(outputs);
    }
    Duration wait = root.timeout().compareTo(MARGIN.multipliedBy(4)) > 0
        ? root.timeout().minus(MARGIN) : root.timeout();
    request.setTimeout(com.google.protobuf.Duration.newBuilder()
        .setSeconds(wait.getSeconds()).setNanos(wait.getNano()));

    SubmitResponse response;
    try (NodeClient node = connect()) {
      response = node.submit(request.build());
    }
    Job job = response.getJob();
    if (receipt != null) {
      if (job.getReceiptJson().isEmpty()) {
        err().println("warning: job " + job.getJobId() + " is " + Views.status(job)
            + " and has no receipt; nothing written to " + receipt);
      } else {
        writeFile(receipt, job.getReceiptJson(), "receipt");
        err().println("receipt written to " + receipt + " (check it with: verdict verify "
            + receipt + ")");
      }
      err().flush();
    }
    if (json()) {
      ObjectNode n = Views.jobJson(job);
      n.put("existing", response.getExisting());
      Views.printJson(out(), n);
    } else {
      Views.printJob(out(), job);
      if (response.getExisting()) {
        out().println("(this request joined an existing job)");
        out().flush();
      }
    }
    return exitCodeOf(job, err());
  }

  static int exitCodeOf(Job job, java.io.PrintWriter err) {
    switch (job.getStatus()) {
      case JOB_STATUS_AGREED:
        return ExitCodes.OK;
      case JOB_STATUS_DISPUTED:
      case JOB_STATUS_FAILED:
        err.println("error: job " + job.getJobId() + " ended " + Views.status(job)
            + (job.getFailureReason().isEmpty() ? "" : ": " + job.getFailureReason()));
        err.flush();
        return ExitCodes.FAILED;
      default:
        err.println("job " + job.getJobId() + " is still " + Views.status(job)
            + "; follow it with: verdict job " + job.getJobId() + " --watch");
        err.flush();
        return ExitCodes.NOT_FINAL;
    }
  }

  private String inputText() {
    String trimmed = input.strip();
    if (trimmed.equals("-")) {
      try {
        InputStream in = System.in;
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw CliException.usage("cannot read the input from stdin: " + e.getMessage());
      }
    }
    if (trimmed.startsWith("@")) {
      return readFile(Path.of(trimmed.substring(1)), "input file");
    }
    if (trimmed.startsWith("{")) {
      return trimmed;
    }
    return readFile(Path.of(trimmed), "input file");
  }

  static io.verdict.api.v1.Tensor toProto(String name, Tensor t) {
    io.verdict.api.v1.Tensor.Builder b = io.verdict.api.v1.Tensor.newBuilder()
        .setName(name)
        .setDtype(DType.forNumber(t.dtype().code()))
        .setData(ByteString.copyFrom(t.data()));
    for (long d : t.shape().dims()) {
      b.addShape(d);
    }
    return b.build();
  }
}
