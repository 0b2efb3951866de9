package io.verdict.api;

import io.grpc.Status;
import io.verdict.api.kserve.GRPCInferenceService;
import io.verdict.api.kserve.ModelInferRequest;
import io.verdict.api.kserve.ModelInferResponse;
import io.verdict.api.kserve.ModelMetadataRequest;
import io.verdict.api.kserve.ModelMetadataResponse;
import io.verdict.api.kserve.ModelReadyRequest;
import io.verdict.api.kserve.ModelReadyResponse;
import io.verdict.api.kserve.ServerLiveRequest;
import io.verdict.api.kserve.ServerLiveResponse;
import io.verdict.api.kserve.ServerMetadataRequest;
import io.verdict.api.kserve.ServerMetadataResponse;
import io.verdict.api.kserve.ServerReadyRequest;
import io.verdict.api.kserve.ServerReadyResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.grpc.GrpcServiceException;

/**
 * The smallest useful Open Inference Protocol server: one model, {@value #MODEL}, that returns
 * its first input unchanged as its first output, under the caller's request id. Only for testing
 * the gRPC plumbing; it runs no model and signs nothing.
 */
final class EchoInferenceService implements GRPCInferenceService {
  static final String MODEL = "echo";

  @Override
  public CompletionStage<ServerLiveResponse> serverLive(ServerLiveRequest in) {
    return CompletableFuture.completedFuture(ServerLiveResponse.newBuilder().setLive(true).build());
  }

  @Override
  public CompletionStage<ServerReadyResponse> serverReady(ServerReadyRequest in) {
    return CompletableFuture.completedFuture(
        ServerReadyResponse.newBuilder().setReady(true).build());
  }

  @Override
  public CompletionStage<ModelReadyResponse> modelReady(ModelReadyRequest in) {
    return CompletableFuture.completedFuture(
        ModelReadyResponse.newBuilder().setReady(MODEL.equals(in.getName())).build());
  }

  @Override
  public CompletionStage<ServerMetadataResponse> serverMetadata(ServerMetadataRequest in) {
    return CompletableFuture.completedFuture(
        ServerMetadataResponse.newBuilder().setName("verdict-echo").setVersion("test").build());
  }

  @Override
  public CompletionStage<ModelMetadataResponse> modelMetadata(ModelMetadataRequest in) {
    if (!MODEL.equals(in.getName())) {
      return notFound(in.getName());
    }
    return CompletableFuture.completedFuture(
        ModelMetadataResponse.newBuilder().setName(MODEL).addVersions("1").build());
  }

  @Override
  public CompletionStage<ModelInferResponse> modelInfer(ModelInferRequest in) {
    if (!MODEL.equals(in.getModelName())) {
      return notFound(in.getModelName());
    }
    if (in.getInputsCount() == 0) {
      return CompletableFuture.failedFuture(new GrpcServiceException(
          Status.INVALID_ARGUMENT.withDescription("the echo model needs at least one input")));
    }
    ModelInferRequest.InferInputTensor input = in.getInputs(0);
    ModelInferResponse.InferOutputTensor.Builder output =
        ModelInferResponse.InferOutputTensor.newBuilder()
            .setName(input.getName())
            .setDatatype(input.getDatatype())
            .addAllShape(input.getShapeList());
    ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
        .setModelName(MODEL)
        .setModelVersion("1")
        .setId(in.getId());
    if (in.getRawInputContentsCount() > 0) {
      response.addRawOutputContents(in.getRawInputContents(0));
    } else {
      output.setContents(input.getContents());
    }
    return CompletableFuture.completedFuture(response.addOutputs(output).build());
  }

  private static <T> CompletionStage<T> notFound(String model) {
    return CompletableFuture.failedFuture(new GrpcServiceException(
        Status.NOT_FOUND.withDescription("no model named '" + model + "' on this server")));
  }
}
