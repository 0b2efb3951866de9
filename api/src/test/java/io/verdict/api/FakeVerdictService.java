package io.verdict.api;

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
import io.verdict.api.v1.ModelState;
import io.verdict.api.v1.ModelVersion;
import io.verdict.api.v1.PublishModelHeader;
import io.verdict.api.v1.PublishModelRequest;
import io.verdict.api.v1.PublishModelResponse;
import io.verdict.api.v1.SubmitRequest;
import io.verdict.api.v1.SubmitResponse;
import io.verdict.api.v1.Validator;
import io.verdict.api.v1.ValidatorInfoRequest;
import io.verdict.api.v1.ValidatorInfoResponse;
import io.verdict.api.v1.ValidatorState;
import io.verdict.api.v1.VerdictService;
import io.verdict.api.v1.WatchJobRequest;
import io.verdict.api.v1.WatchJobResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A stand-in for the node's Verdict service that exercises each streaming shape of the API:
 * client streaming (PublishModel checks the header-then-chunks protocol and counts the bytes),
 * server streaming (WatchJob emits a fixed job life until it is final) and a unary call
 * (ValidatorInfo). Everything else answers UNIMPLEMENTED.
 */
final class FakeVerdictService implements VerdictService {
  static final String VALIDATOR = "0x1111111111111111111111111111111111111111";

  private final Materializer materializer;

  FakeVerdictService(Materializer materializer) {
    this.materializer = materializer;
  }

  /** What PublishModel has seen so far of the upload stream. */
  private record Upload(PublishModelHeader header, long bytes) {
    Upload add(PublishModelRequest part) {
      if (part.hasHeader()) {
        if (header != null) {
          throw invalid("the header must be sent once, in the first message");
        }
        return new Upload(part.getHeader(), bytes);
      }
      if (header == null) {
        throw invalid("the first message must be the header");
      }
      return new Upload(header, bytes + part.getChunk().size());
    }
  }

  @Override
  public CompletionStage<PublishModelResponse> publishModel(
      Source<PublishModelRequest, NotUsed> in) {
    return in.runWith(Sink.fold(new Upload(null, 0), Upload::add), materializer)
        .thenApply(FakeVerdictService::published);
  }

  private static PublishModelResponse published(Upload upload) {
    if (upload.header() == null) {
      throw invalid("empty upload: no header");
    }
    PublishModelHeader header = upload.header();
    if (upload.bytes() != header.getTotalSize()) {
      throw invalid("received " + upload.bytes() + " bytes, the header announced "
          + header.getTotalSize());
    }
    ModelVersion version = ModelVersion.newBuilder()
        .setVersion(header.getVersion())
        .setModelDigest(header.getModelDigest())
        .setAgreementPolicy(header.getAgreementPolicy())
        .setFormat(header.getFormat())
        .setState(ModelState.MODEL_STATE_AVAILABLE)
        .setSizeBytes(upload.bytes())
        .build();
    Model model = Model.newBuilder()
        .setName(header.getName())
        .addVersions(version)
        .setLatestVersion(header.getVersion())
        .build();
    return PublishModelResponse.newBuilder().setModel(model).setPublished(version).build();
  }

  @Override
  public Source<WatchJobResponse, NotUsed> watchJob(WatchJobRequest in) {
    List<JobStatus> life = List.of(
        JobStatus.JOB_STATUS_ACCEPTED, JobStatus.JOB_STATUS_EXECUTING, JobStatus.JOB_STATUS_AGREED);
    List<JobEventType> events = List.of(JobEventType.JOB_EVENT_TYPE_UNSPECIFIED,
        JobEventType.JOB_EVENT_TYPE_VOTE_RECORDED, JobEventType.JOB_EVENT_TYPE_QUORUM_REACHED);
    // the first view is the current state; each later one comes with the event that caused it
    return Source.range(0, life.size() - 1).map(i -> {
      WatchJobResponse.Builder view = WatchJobResponse.newBuilder()
          .setJob(Job.newBuilder().setJobId(in.getJobId()).setStatus(life.get(i)));
      if (i > 0) {
        view.setEvent(JobEvent.newBuilder().setSequenceNr(i).setType(events.get(i)));
      }
      return view.build();
    });
  }

  @Override
  public CompletionStage<ValidatorInfoResponse> validatorInfo(ValidatorInfoRequest in) {
    return CompletableFuture.completedFuture(ValidatorInfoResponse.newBuilder()
        .setNode("test-node")
        .setEpoch(7)
        .addValidators(Validator.newBuilder()
            .setAddress(VALIDATOR)
            .setEpoch(7)
            .setState(ValidatorState.VALIDATOR_STATE_ACTIVE))
        .build());
  }

  @Override
  public CompletionStage<SubmitResponse> submit(SubmitRequest in) {
    return unimplemented("Submit");
  }

  @Override
  public CompletionStage<GetJobResponse> getJob(GetJobRequest in) {
    return unimplemented("GetJob");
  }

  @Override
  public CompletionStage<GetReceiptResponse> getReceipt(GetReceiptRequest in) {
    return unimplemented("GetReceipt");
  }

  @Override
  public CompletionStage<ListModelsResponse> listModels(ListModelsRequest in) {
    return unimplemented("ListModels");
  }

  @Override
  public CompletionStage<GetModelResponse> getModel(GetModelRequest in) {
    return unimplemented("GetModel");
  }

  @Override
  public CompletionStage<io.verdict.api.v1.RetireModelResponse> retireModel(
      io.verdict.api.v1.RetireModelRequest in) {
    return unimplemented("RetireModel");
  }

  private static GrpcServiceException invalid(String description) {
    return new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription(description));
  }

  private static <T> CompletionStage<T> unimplemented(String rpc) {
    return CompletableFuture.failedFuture(new GrpcServiceException(
        Status.UNIMPLEMENTED.withDescription(rpc + " is not part of this test server")));
  }

  @Override
  public CompletionStage<io.verdict.api.v1.AnchorStatusResponse> anchorStatus(
      io.verdict.api.v1.AnchorStatusRequest in) {
    return CompletableFuture.completedFuture(
        io.verdict.api.v1.AnchorStatusResponse.newBuilder().setEnabled(false).build());
  }
}
