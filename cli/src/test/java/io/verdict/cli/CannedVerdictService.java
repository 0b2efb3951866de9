package io.verdict.cli;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.verdict.api.v1.GetJobRequest;
import io.verdict.api.v1.GetJobResponse;
import io.verdict.api.v1.GetModelRequest;
import io.verdict.api.v1.GetModelResponse;
import io.verdict.api.v1.GetReceiptRequest;
import io.verdict.api.v1.GetReceiptResponse;
import io.verdict.api.v1.Job;
import io.verdict.api.v1.JobEvent;
import io.verdict.api.v1.JobEventType;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.ListModelsRequest;
import io.verdict.api.v1.ListModelsResponse;
import io.verdict.api.v1.Model;
import io.verdict.api.v1.ModelFormat;
import io.verdict.api.v1.ModelState;
import io.verdict.api.v1.ModelVersion;
import io.verdict.api.v1.ModelVersionRef;
import io.verdict.api.v1.PublishModelHeader;
import io.verdict.api.v1.PublishModelRequest;
import io.verdict.api.v1.PublishModelResponse;
import io.verdict.api.v1.SubmitRequest;
import io.verdict.api.v1.SubmitResponse;
import io.verdict.api.v1.Tensor;
import io.verdict.api.v1.ValidatorInfoRequest;
import io.verdict.api.v1.ValidatorInfoResponse;
import io.verdict.api.v1.Verdict;
import io.verdict.api.v1.VerdictOutcome;
import io.verdict.api.v1.VerdictService;
import io.verdict.api.v1.Vote;
import io.verdict.api.v1.WatchJobRequest;
import io.verdict.api.v1.WatchJobResponse;
import io.verdict.verification.receipt.Receipt;
import io.verdict.verification.receipt.ReceiptCodec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.NotUsed;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A stand-in node for the CLI tests: canned answers chosen by the test, and a record of what the
 * CLI sent. Model "missing" is NOT_FOUND, "slow" answers a job that is still executing, "hang"
 * never answers (so the CLI's deadline must end the call).
 */
final class CannedVerdictService implements VerdictService {
  static final String JOB_ID = TestReceipts.jobId("it").toString();
  static final byte[] OUTPUT = TestReceipts.bytes("canonical output of the IT job");

  final Receipt receipt = TestReceipts.agreed("it", OUTPUT);
  final List<SubmitRequest> submitted = new CopyOnWriteArrayList<>();
  final List<PublishModelHeader> headers = new CopyOnWriteArrayList<>();
  final List<Integer> chunkSizes = new CopyOnWriteArrayList<>();
  volatile byte[] uploaded;

  private final Materializer materializer;

  CannedVerdictService(Materializer materializer) {
    this.materializer = materializer;
  }

  private static GrpcServiceException status(Status status, String description) {
    return new GrpcServiceException(status.withDescription(description));
  }

  // ---- models -------------------------------------------------------------------------------

  @Override
  public CompletionStage<PublishModelResponse> publishModel(Source<PublishModelRequest, NotUsed> in) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    return in.runWith(Sink.foreach(part -> {
      if (part.hasHeader()) {
        headers.add(part.getHeader());
      } else {
        if (headers.isEmpty()) {
          throw status(Status.INVALID_ARGUMENT, "the first message must be the header");
        }
        chunkSizes.add(part.getChunk().size());
        synchronized (bytes) {
          part.getChunk().writeTo(bytes);
        }
      }
    }), materializer).thenApply(done -> {
      PublishModelHeader header = headers.get(headers.size() - 1);
      uploaded = bytes.toByteArray();
      if (uploaded.length != header.getTotalSize()) {
        throw status(Status.INVALID_ARGUMENT, "received " + uploaded.length
            + " bytes, the header announced " + header.getTotalSize());
      }
      ModelVersion version = version(header.getVersion(), header.getModelDigest(),
          header.getAgreementPolicy()).toBuilder().setSizeBytes(uploaded.length)
          .setMaxBatch(header.getMaxBatch() == 0 ? 256 : header.getMaxBatch())
          .addAllInputLimits(header.getInputLimitsList())
          .setMaxInputBytes(header.getMaxInputBytes() == 0 ? 16 << 20 : header.getMaxInputBytes())
          .build();
      return PublishModelResponse.newBuilder()
          .setModel(Model.newBuilder().setName(header.getName()).addVersions(version)
              .setLatestVersion(header.getVersion()))
          .setPublished(version)
          .build();
    });
  }

  private static ModelVersion version(String label, String digest, String policy) {
    return ModelVersion.newBuilder()
        .setVersion(label)
        .setModelDigest(digest)
        .setAgreementPolicy(policy)
        .setState(ModelState.MODEL_STATE_AVAILABLE)
        .setFormat(ModelFormat.MODEL_FORMAT_TENSORFLOW_SAVED_MODEL)
        .build();
  }

  /** Two pages, so the CLI must follow next_page_token. */
  @Override
  public CompletionStage<ListModelsResponse> listModels(ListModelsRequest in) {
    if (in.getPageToken().isEmpty()) {
      return CompletableFuture.completedFuture(ListModelsResponse.newBuilder()
          .addModels(Model.newBuilder().setName("cnn").setLatestVersion("1")
              .addVersions(version("1", "sha256:" + "c".repeat(64), "ARGMAX")))
          .setNextPageToken("page-2")
          .build());
    }
    return CompletableFuture.completedFuture(ListModelsResponse.newBuilder()
        .addModels(Model.newBuilder().setName("mlp").setLatestVersion("2")
            .addVersions(version("1", "sha256:" + "1".repeat(64), "EXACT"))
            .addVersions(version("2", "sha256:" + "2".repeat(64), "QUANTIZED(0.001)")))
        .build());
  }

  // ---- jobs ---------------------------------------------------------------------------------

  @Override
  public CompletionStage<SubmitResponse> submit(SubmitRequest in) {
    submitted.add(in);
    switch (in.getModel()) {
      case "missing":
        return CompletableFuture.failedFuture(
            status(Status.NOT_FOUND, "model 'missing' is not published"));
      case "hang":
        return new CompletableFuture<>();
      case "slow":
        return CompletableFuture.completedFuture(SubmitResponse.newBuilder()
            .setJob(job(JobStatus.JOB_STATUS_EXECUTING)).build());
      default:
        return CompletableFuture.completedFuture(SubmitResponse.newBuilder()
            .setJob(job(JobStatus.JOB_STATUS_AGREED)).build());
    }
  }

  Job job(JobStatus status) {
    boolean agreed = status == JobStatus.JOB_STATUS_AGREED;
    Job.Builder job = Job.newBuilder()
        .setJobId(JOB_ID)
        .setStatus(status)
        .setModel(ModelVersionRef.newBuilder().setName("mlp").setVersion("1")
            .setModelDigest(receipt.attestation().modelDigest()))
        .setAgreementPolicy(receipt.attestation().policy())
        .setInputDigest(receipt.attestation().inputDigest())
        .setR(3)
        .setQ(2);
    Verdict.Builder verdict = Verdict.newBuilder().setQuorum(2).setCommitteeSize(3)
        .setOutcome(agreed ? VerdictOutcome.VERDICT_OUTCOME_AGREED : VerdictOutcome.VERDICT_OUTCOME_PENDING);
    for (Receipt.SignatureEntry s : receipt.signatures()) {
      verdict.addVotes(Vote.newBuilder().setValidator(s.validator()).setSignature(s.signature())
          .setOutputDigest(receipt.attestation().outputDigest()));
    }
    job.setVerdict(verdict);
    if (agreed) {
      job.setOutputDigest(receipt.attestation().outputDigest())
          .addOutputs(logits())
          .setReceiptJson(ReceiptCodec.toJson(receipt));
    }
    return job.build();
  }

  /** Ten class scores, the largest at index 7. */
  static Tensor logits() {
    ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 10; i++) {
      b.putFloat(i == 7 ? 3.5f : i * 0.125f);
    }
    return Tensor.newBuilder().setName("output").setDtype(io.verdict.api.v1.DType.DTYPE_FLOAT32)
        .addShape(1).addShape(10).setData(ByteString.copyFrom(b.array())).build();
  }

  private static JobEvent event(long seq, JobEventType type, String validator, String description) {
    return JobEvent.newBuilder().setSequenceNr(seq).setType(type).setValidator(validator)
        .setDescription(description).build();
  }

  private List<JobEvent> events() {
    String v0 = receipt.signatures().get(0).validator();
    String v1 = receipt.signatures().get(1).validator();
    return List.of(
        event(1, JobEventType.JOB_EVENT_TYPE_ACCEPTED, "", "job accepted"),
        event(2, JobEventType.JOB_EVENT_TYPE_VOTE_RECORDED, v0, "vote 1 of 2"),
        event(3, JobEventType.JOB_EVENT_TYPE_VOTE_RECORDED, v1, "vote 2 of 2"),
        event(4, JobEventType.JOB_EVENT_TYPE_QUORUM_REACHED, "", "2 of 3 agreed"));
  }

  @Override
  public CompletionStage<GetJobResponse> getJob(GetJobRequest in) {
    if (!in.getJobId().equals(JOB_ID)) {
      return CompletableFuture.failedFuture(status(Status.NOT_FOUND, "no job " + in.getJobId()));
    }
    return CompletableFuture.completedFuture(GetJobResponse.newBuilder()
        .setJob(job(JobStatus.JOB_STATUS_AGREED)).addAllEvents(events()).build());
  }

  @Override
  public Source<WatchJobResponse, NotUsed> watchJob(WatchJobRequest in) {
    List<JobEvent> events = events();
    List<JobStatus> after = List.of(JobStatus.JOB_STATUS_ACCEPTED, JobStatus.JOB_STATUS_EXECUTING,
        JobStatus.JOB_STATUS_EXECUTING, JobStatus.JOB_STATUS_AGREED);
    Source<WatchJobResponse, NotUsed> first = Source.single(WatchJobResponse.newBuilder()
        .setJob(job(JobStatus.JOB_STATUS_ACCEPTED)).build());
    return first.concat(Source.range(0, events.size() - 1).map(i -> WatchJobResponse.newBuilder()
        .setJob(job(after.get(i))).setEvent(events.get(i)).build()));
  }

  @Override
  public CompletionStage<GetReceiptResponse> getReceipt(GetReceiptRequest in) {
    if (!in.getJobId().equals(JOB_ID)) {
      return CompletableFuture.failedFuture(status(Status.NOT_FOUND, "no job " + in.getJobId()));
    }
    return CompletableFuture.completedFuture(GetReceiptResponse.newBuilder()
        .setFormat(Receipt.FORMAT).setReceiptJson(ReceiptCodec.toJson(receipt)).build());
  }

  /** Model "mlp": version 1 retired, version 2 an ONNX model with declared limits. */
  static Model mlpWithVersions(boolean oneRetired) {
    ModelVersion.Builder one = version("1", "sha256:" + "1".repeat(64), "EXACT").toBuilder()
        .setMaxBatch(256).setMaxInputBytes(16 << 20)
        .setPublishedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_767_225_600L));
    if (oneRetired) {
      one.setState(ModelState.MODEL_STATE_RETIRED)
          .setRetiredAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_767_312_000L))
          .setRetireReason("superseded by 2");
    }
    ModelVersion two = version("2", "sha256:" + "2".repeat(64), "QUANTIZED(0.001)").toBuilder()
        .setFormat(ModelFormat.MODEL_FORMAT_ONNX).setMaxBatch(8).setMaxInputBytes(4096)
        .addInputLimits(io.verdict.api.v1.InputLimit.newBuilder().setName("input").addMaxShape(8).addMaxShape(64))
        .setPublishedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_767_268_800L))
        .build();
    return Model.newBuilder().setName("mlp").setLatestVersion("2").addVersions(one).addVersions(two).build();
  }

  final List<io.verdict.api.v1.RetireModelRequest> retired = new CopyOnWriteArrayList<>();

  @Override
  public CompletionStage<GetModelResponse> getModel(GetModelRequest in) {
    if (!in.getModel().equals("mlp")) {
      return CompletableFuture.failedFuture(status(Status.NOT_FOUND, "model '" + in.getModel()
          + "' is not published"));
    }
    return CompletableFuture.completedFuture(GetModelResponse.newBuilder().setModel(mlpWithVersions(true)).build());
  }

  /** Retires mlp@1 once; mlp@1 again is FAILED_PRECONDITION, anything else NOT_FOUND. */
  @Override
  public CompletionStage<io.verdict.api.v1.RetireModelResponse> retireModel(
      io.verdict.api.v1.RetireModelRequest in) {
    boolean first = retired.stream().noneMatch(r -> r.getModel().equals(in.getModel()));
    retired.add(in);
    if (!in.getModel().equals("mlp@1")) {
      return CompletableFuture.failedFuture(status(Status.NOT_FOUND, "no published version " + in.getModel()));
    }
    if (!first) {
      return CompletableFuture.failedFuture(status(Status.FAILED_PRECONDITION,
          "version 1 of model mlp is already retired"));
    }
    Model model = mlpWithVersions(true);
    ModelVersion one = model.getVersions(0).toBuilder().setRetireReason(in.getReason()).build();
    return CompletableFuture.completedFuture(io.verdict.api.v1.RetireModelResponse.newBuilder()
        .setModel(model.toBuilder().setVersions(0, one)).setRetired(one).build());
  }

  @Override
  public CompletionStage<ValidatorInfoResponse> validatorInfo(ValidatorInfoRequest in) {
    io.verdict.api.v1.Validator here = io.verdict.api.v1.Validator.newBuilder()
        .setAddress("0x" + "a".repeat(40)).setEpoch(2).setNode("pekko://verdict@127.0.0.1:25520")
        .setState(io.verdict.api.v1.ValidatorState.VALIDATOR_STATE_ACTIVE).build();
    io.verdict.api.v1.Validator away = io.verdict.api.v1.Validator.newBuilder()
        .setAddress("0x" + "b".repeat(40)).setEpoch(2)
        .setState(io.verdict.api.v1.ValidatorState.VALIDATOR_STATE_INACTIVE).build();
    return CompletableFuture.completedFuture(ValidatorInfoResponse.newBuilder()
        .setNode("pekko://verdict@127.0.0.1:25520").setEpoch(2).setThreshold(1).setChainId(31337)
        .setAnchorContract("0x" + "0".repeat(40))
        .addValidators(here).addClusterValidators(here).addClusterValidators(away).build());
  }

  @Override
  public CompletionStage<io.verdict.api.v1.AnchorStatusResponse> anchorStatus(
      io.verdict.api.v1.AnchorStatusRequest in) {
    return CompletableFuture.completedFuture(io.verdict.api.v1.AnchorStatusResponse.newBuilder()
        .setEnabled(true).setChainId(31337).setContract("0x5FbDB2315678afecb367f032d93F642f64180aa3")
        .setAnchorer("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266").setSealedBatches(12)
        .setAnchoredBatches(9).setAnchoredResults(4210).setOpenBatches(3).setPendingResults(1502)
        .setLag(com.google.protobuf.Duration.newBuilder().setSeconds(41).setNanos(300_000_000))
        .setLastBatchId(9).setLastTxHash("0x" + "12".repeat(32)).setLastBlockNumber(200).setHead(211)
        .setLastError("sending the anchor transaction of batch 10 failed: connection refused")
        .setFailures(7).setRetryIn(com.google.protobuf.Duration.newBuilder().setSeconds(30)).build());
  }
}
