package io.verdict.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.verdict.api.kserve.GRPCInferenceServiceClient;
import io.verdict.api.kserve.InferParameter;
import io.verdict.api.kserve.ModelInferRequest;
import io.verdict.api.kserve.ModelInferResponse;
import io.verdict.api.kserve.ServerLiveRequest;
import io.verdict.api.kserve.ServerReadyRequest;
import io.verdict.api.v1.GetReceiptRequest;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.ModelFormat;
import io.verdict.api.v1.ModelState;
import io.verdict.api.v1.PublishModelHeader;
import io.verdict.api.v1.PublishModelRequest;
import io.verdict.api.v1.PublishModelResponse;
import io.verdict.api.v1.ValidatorInfoRequest;
import io.verdict.api.v1.ValidatorInfoResponse;
import io.verdict.api.v1.VerdictServiceClient;
import io.verdict.api.v1.WatchJobRequest;
import io.verdict.api.v1.WatchJobResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real gRPC over loopback: both services and server reflection bound with Pekko gRPC, called by
 * the generated Pekko gRPC Java clients and by a Node.js client that shares no code with us.
 */
class GrpcPlumbingIT {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private static TestGrpcServer server;
  private static GRPCInferenceServiceClient inference;
  private static VerdictServiceClient verdict;

  @BeforeAll
  static void start() throws Exception {
    server = TestGrpcServer.start();
    GrpcClientSettings settings = GrpcClientSettings
        .connectToServiceAt("127.0.0.1", server.port(), server.system)
        .withTls(false)
        .withDeadline(DEADLINE);
    inference = GRPCInferenceServiceClient.create(settings, server.system);
    verdict = VerdictServiceClient.create(settings, server.system);
  }

  @AfterAll
  static void stop() throws Exception {
    if (inference != null) {
      await(inference.close());
    }
    if (verdict != null) {
      await(verdict.close());
    }
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void javaClientSeesALiveAndReadyServer() throws Exception {
    assertThat(await(inference.serverLive(ServerLiveRequest.getDefaultInstance())).getLive())
        .isTrue();
    assertThat(await(inference.serverReady(ServerReadyRequest.getDefaultInstance())).getReady())
        .isTrue();
  }

  @Test
  void javaClientGetsItsRawInputBackUnderItsRequestId() throws Exception {
    ByteString raw = float32le(1.5f, -2f, 3.25f, 0f);
    ModelInferRequest request = ModelInferRequest.newBuilder()
        .setModelName(EchoInferenceService.MODEL)
        .setId("java-request-1")
        .putParameters("verdict.r", InferParameter.newBuilder().setInt64Param(3).build())
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder()
            .setName("x").setDatatype("FP32").addShape(2).addShape(2))
        .addRawInputContents(raw)
        .build();

    ModelInferResponse response = await(inference.modelInfer(request));

    assertThat(response.getId()).isEqualTo("java-request-1");
    assertThat(response.getModelName()).isEqualTo(EchoInferenceService.MODEL);
    assertThat(response.getOutputsList()).singleElement().satisfies(output -> {
      assertThat(output.getName()).isEqualTo("x");
      assertThat(output.getDatatype()).isEqualTo("FP32");
      assertThat(output.getShapeList()).containsExactly(2L, 2L);
    });
    assertThat(response.getRawOutputContentsList()).containsExactly(raw);
  }

  @Test
  void javaClientReceivesStatusCodeAndDescriptionOfAFailure() {
    ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("missing").build();

    assertThatThrownBy(() -> await(inference.modelInfer(request)))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).contains("missing");
        });
  }

  @Test
  void publishModelStreamsAHeaderThenChunks() throws Exception {
    byte[] archive = new byte[300_000];
    for (int i = 0; i < archive.length; i++) {
      archive[i] = (byte) (i * 31);
    }
    List<PublishModelRequest> parts = new ArrayList<>();
    parts.add(PublishModelRequest.newBuilder().setHeader(header(archive.length)).build());
    for (int offset = 0; offset < archive.length; offset += 64 * 1024) {
      int size = Math.min(64 * 1024, archive.length - offset);
      parts.add(PublishModelRequest.newBuilder()
          .setChunk(ByteString.copyFrom(archive, offset, size)).build());
    }

    PublishModelResponse response = await(verdict.publishModel(Source.from(parts)));

    assertThat(response.getPublished().getSizeBytes()).isEqualTo(archive.length);
    assertThat(response.getPublished().getState()).isEqualTo(ModelState.MODEL_STATE_AVAILABLE);
    assertThat(response.getPublished().getModelDigest()).isEqualTo(header(0).getModelDigest());
    assertThat(response.getModel().getName()).isEqualTo("mnist");
    assertThat(response.getModel().getLatestVersion()).isEqualTo("v1");
  }

  @Test
  void publishModelFailureComesBackAsInvalidArgument() {
    Source<PublishModelRequest, org.apache.pekko.NotUsed> shortUpload = Source.from(List.of(
        PublishModelRequest.newBuilder().setHeader(header(10)).build(),
        PublishModelRequest.newBuilder().setChunk(ByteString.copyFromUtf8("abc")).build()));

    assertThatThrownBy(() -> await(verdict.publishModel(shortUpload)))
        .cause()
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("received 3 bytes");
        });
  }

  @Test
  void watchJobStreamsViewsUntilTheJobIsFinal() throws Exception {
    Materializer materializer = Materializer.matFromSystem(server.system);

    List<WatchJobResponse> views = await(verdict
        .watchJob(WatchJobRequest.newBuilder().setJobId("sha256:00").build())
        .runWith(Sink.seq(), materializer));

    assertThat(views).extracting(v -> v.getJob().getStatus()).containsExactly(
        JobStatus.JOB_STATUS_ACCEPTED, JobStatus.JOB_STATUS_EXECUTING,
        JobStatus.JOB_STATUS_AGREED);
    assertThat(views).allSatisfy(v -> assertThat(v.getJob().getJobId()).isEqualTo("sha256:00"));
    assertThat(views.get(0).hasEvent()).isFalse();
    assertThat(views.get(2).getEvent().getType())
        .isEqualTo(io.verdict.api.v1.JobEventType.JOB_EVENT_TYPE_QUORUM_REACHED);
  }

  @Test
  void validatorInfoAndUnimplementedRpcs() throws Exception {
    ValidatorInfoResponse info = await(verdict.validatorInfo(
        ValidatorInfoRequest.getDefaultInstance()));
    assertThat(info.getValidatorsList()).singleElement().satisfies(v -> {
      assertThat(v.getAddress()).isEqualTo(FakeVerdictService.VALIDATOR);
      assertThat(v.getEpoch()).isEqualTo(7);
    });

    assertThatThrownBy(() -> await(verdict.getReceipt(
        GetReceiptRequest.newBuilder().setJobId("sha256:00").build())))
        .cause()
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
  }

  @Test
  void nodeGrpcJsClientSpeaksTheOpenInferenceProtocolAndSeesReflection() {
    JsonNode result = NodeGrpcClient.call(server.port());

    JsonNode kserve = result.get("kserve");
    assertThat(kserve.get("live").asBoolean()).as("ServerLive").isTrue();
    assertThat(kserve.get("ready").asBoolean()).as("ServerReady").isTrue();
    JsonNode infer = kserve.get("infer");
    assertThat(infer.has("error")).as("ModelInfer error: %s", infer).isFalse();
    assertThat(infer.get("id").asText()).isEqualTo("node-request-1");
    assertThat(infer.get("model_name").asText()).isEqualTo(EchoInferenceService.MODEL);
    assertThat(infer.get("outputs").get(0).get("name").asText()).isEqualTo("x");
    assertThat(infer.get("outputs").get(0).get("datatype").asText()).isEqualTo("FP32");
    assertThat(infer.get("outputs").get(0).get("shape").toString()).isEqualTo("[2,2]");
    assertThat(infer.get("raw_output_hex").get(0).asText())
        .isEqualTo(hex(float32le(1.5f, -2f, 3.25f, 0f)));
    assertThat(infer.get("raw_output_values").get(0).toString()).isEqualTo("[1.5,-2,3.25,0]");
    JsonNode unknown = kserve.get("unknown_model").get("error");
    assertThat(unknown.get("code").asInt()).isEqualTo(Status.Code.NOT_FOUND.value());
    assertThat(unknown.get("details").asText()).contains("no-such-model");

    JsonNode reflection = result.get("reflection");
    List<String> services = new ArrayList<>();
    reflection.get("services").forEach(s -> services.add(s.asText()));
    assertThat(services).contains("inference.GRPCInferenceService", "verdict.v1.VerdictService");
    assertThat(reflection.get("errors").size()).as("reflection errors: %s", reflection).isZero();
    assertThat(reflection.get("descriptor_files").get(0).asInt())
        .as("file descriptors for verdict.v1.VerdictService").isPositive();
  }

  private static PublishModelHeader header(long totalSize) {
    return PublishModelHeader.newBuilder()
        .setName("mnist")
        .setVersion("v1")
        .setModelDigest("sha256:" + "ab".repeat(32))
        .setAgreementPolicy("QUANTIZED(0.001)")
        .setFormat(ModelFormat.MODEL_FORMAT_TENSORFLOW_SAVED_MODEL)
        .setTotalSize(totalSize)
        .build();
  }

  private static ByteString float32le(float... values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      buffer.putFloat(v);
    }
    return ByteString.copyFrom(buffer.array());
  }

  private static String hex(ByteString bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes.toByteArray()) {
      out.append(String.format("%02x", b));
    }
    return out.toString();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
