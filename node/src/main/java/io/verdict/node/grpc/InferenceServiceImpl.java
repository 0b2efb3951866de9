package io.verdict.node.grpc;

import com.google.protobuf.ByteString;
import io.verdict.api.kserve.GRPCInferenceServicePowerApi;
import org.apache.pekko.grpc.javadsl.Metadata;
import io.verdict.api.kserve.InferParameter;
import io.verdict.api.kserve.InferTensorContents;
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
import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import io.verdict.node.JobService;
import io.verdict.node.Main;
import io.verdict.node.RequestRejected;
import io.verdict.node.models.ModelCatalog;
import io.verdict.sharding.job.JobView;
import io.verdict.sharding.model.ModelVersionSpec;
import io.verdict.sharding.model.TensorSignature;
import io.verdict.sharding.model.VersionStatus;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/**
 * The Open Inference Protocol (KServe V2 gRPC), so Triton and KServe clients can send jobs
 * unchanged. A ModelInfer is a verified job with the node's default committee (or
 * {@code verdict_r}/{@code verdict_q} request parameters); the outputs are the agreed canonical
 * outputs, and the job id, verdict, output digest and receipt travel back as response parameters
 * ({@code verdict_job_id}, {@code verdict_outcome}, {@code verdict_output_digest},
 * {@code verdict_signers}, {@code verdict_receipt}). A job whose validators disagreed has no
 * output: the call fails with FAILED_PRECONDITION naming the job, never with a silently chosen
 * result.
 */
public final class InferenceServiceImpl implements GRPCInferenceServicePowerApi {

    private static final Map<String, DType> DATATYPES = Map.of(
            "FP32", DType.FLOAT32, "FP64", DType.FLOAT64, "INT32", DType.INT32, "INT64", DType.INT64,
            "BOOL", DType.BOOL);

    private final JobService jobs;
    private final ModelCatalog catalog;
    private final BooleanSupplier ready;

    public InferenceServiceImpl(JobService jobs, ModelCatalog catalog, BooleanSupplier ready) {
        this.jobs = jobs;
        this.catalog = catalog;
        this.ready = ready;
    }

    @Override
    public CompletionStage<ServerLiveResponse> serverLive(ServerLiveRequest in, Metadata metadata) {
        return CompletableFuture.completedFuture(ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public CompletionStage<ServerReadyResponse> serverReady(ServerReadyRequest in, Metadata metadata) {
        return CompletableFuture.completedFuture(ServerReadyResponse.newBuilder().setReady(ready.getAsBoolean()).build());
    }

    @Override
    public CompletionStage<ModelReadyResponse> modelReady(ModelReadyRequest in, Metadata metadata) {
        return catalog.resolve(ref(in.getName(), in.getVersion()))
                .handle((model, failure) -> ModelReadyResponse.newBuilder().setReady(failure == null).build());
    }

    @Override
    public CompletionStage<ServerMetadataResponse> serverMetadata(ServerMetadataRequest in, Metadata metadata) {
        return CompletableFuture.completedFuture(ServerMetadataResponse.newBuilder()
                .setName("verdict")
                .setVersion(Main.VERSION)
                .addExtensions("verdict")
                .build());
    }

    @Override
    public CompletionStage<ModelMetadataResponse> modelMetadata(ModelMetadataRequest in, Metadata metadata) {
        return VerdictServiceImpl.guarded(() -> catalog.resolve(ref(in.getName(), in.getVersion()))
                .thenCompose(resolved -> catalog.get(resolved.name()).thenApply(view -> {
                    ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder()
                            .setName(resolved.name())
                            .setPlatform(ModelVersionSpec.ONNX_RUNTIME.equals(resolved.spec().engine())
                                    ? "onnxruntime_onnx" : "tensorflow_savedmodel");
                    view.versions().stream().filter(v -> v.status() == VersionStatus.ACTIVE)
                            .forEach(v -> b.addVersions(v.version()));
                    resolved.spec().inputs().forEach(t -> b.addInputs(metadata(t)));
                    resolved.spec().outputs().forEach(t -> b.addOutputs(metadata(t)));
                    return b.build();
                })));
    }

    @Override
    public CompletionStage<ModelInferResponse> modelInfer(ModelInferRequest in, Metadata metadata) {
        return VerdictServiceImpl.guarded(() -> {
            NamedTensors inputs = inputs(in);
            int r = intParameter(in.getParametersMap(), "verdict_r");
            int q = intParameter(in.getParametersMap(), "verdict_q");
            // The request id is echoed back, not used as an idempotency key: Triton clients reuse ids.
            return jobs.submit(new JobService.Request(ref(in.getModelName(), in.getModelVersion()), inputs, r, q,
                            null, CallerDeadline.shorter(null, CallerDeadline.remaining(metadata)), "anonymous",
                            in.getOutputsList().stream()
                                    .map(ModelInferRequest.InferRequestedOutputTensor::getName).toList()))
                    .thenApply(submitted -> response(in, submitted));
        });
    }

    private static ModelInferResponse response(ModelInferRequest in, JobService.Submitted submitted) {
        JobView view = submitted.view();
        if (!view.status().isFinal()) {
            throw new RequestRejected(RequestRejected.Kind.DEADLINE, "job " + view.jobId()
                    + " is not final yet (" + view.status() + "); it carries on: follow it with GetJob or WatchJob");
        }
        if (view.status() != JobView.Status.AGREED) {
            throw new RequestRejected(RequestRejected.Kind.PRECONDITION, "job " + view.jobId()
                    + " has no verified result: " + (view.evidence() != null
                    ? "its validators disagreed (" + view.evidence().reason() + "); GetJob shows the evidence"
                    : String.valueOf(view.failureReason())));
        }
        ModelInferResponse.Builder b = ModelInferResponse.newBuilder()
                .setModelName(submitted.model().name())
                .setModelVersion(submitted.model().version())
                .setId(in.getId())
                .putParameters("verdict_job_id", string(view.jobId()))
                .putParameters("verdict_outcome", string(view.status().name()))
                .putParameters("verdict_output_digest", string(view.outputDigest()))
                .putParameters("verdict_model_digest", string(submitted.model().spec().modelDigest()))
                .putParameters("verdict_policy", string(submitted.model().spec().agreementPolicy()))
                .putParameters("verdict_signers", InferParameter.newBuilder()
                        .setInt64Param(view.votes().stream().filter(v -> v.outputDigest().equals(view.outputDigest()))
                                .count())
                        .build())
                .putParameters("verdict_receipt", string(view.receiptJson()));
        NamedTensors outputs = io.verdict.inference.tensor.CanonicalEncoding.decodeNamedTensors(view.output());
        List<String> requested = in.getOutputsList().stream()
                .map(ModelInferRequest.InferRequestedOutputTensor::getName).toList();
        outputs.asMap().forEach((name, t) -> {
            if (!requested.isEmpty() && !requested.contains(name)) {
                return;
            }
            b.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder()
                    .setName(name)
                    .setDatatype(datatype(t.dtype()))
                    .addAllShape(java.util.Arrays.stream(t.shape().dims()).boxed().toList()));
            b.addRawOutputContents(ByteString.copyFrom(t.data()));
        });
        return b.build();
    }

    /** The request's inputs, from raw_input_contents when present, else from each input's typed contents. */
    static NamedTensors inputs(ModelInferRequest in) {
        List<ByteString> raw = in.getRawInputContentsList();
        if (!raw.isEmpty() && raw.size() != in.getInputsCount()) {
            throw RequestRejected.invalid("raw_input_contents has " + raw.size() + " entries for "
                    + in.getInputsCount() + " inputs; give one per input, in order");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < in.getInputsCount(); i++) {
            ModelInferRequest.InferInputTensor input = in.getInputs(i);
            String name = input.getName();
            DType dtype = DATATYPES.get(input.getDatatype());
            if (dtype == null) {
                throw RequestRejected.invalid("input '" + name + "' has datatype '" + input.getDatatype()
                        + "'; supported: FP32, FP64, INT32, INT64, BOOL");
            }
            if (out.containsKey(name)) {
                throw RequestRejected.invalid("input '" + name + "' is given twice");
            }
            try {
                Shape shape = Shape.of(input.getShapeList().stream().mapToLong(Long::longValue).toArray());
                byte[] data = raw.isEmpty() ? contents(name, dtype, input.getContents()) : raw.get(i).toByteArray();
                out.put(name, new Tensor(dtype, shape, data));
            } catch (IllegalArgumentException e) {
                throw RequestRejected.invalid("input '" + name + "': " + e.getMessage());
            }
        }
        return NamedTensors.of(out);
    }

    private static byte[] contents(String name, DType dtype, InferTensorContents c) {
        ByteBuffer buf;
        switch (dtype) {
            case FLOAT32 -> {
                buf = allocate(c.getFp32ContentsCount() * 4);
                c.getFp32ContentsList().forEach(buf::putFloat);
            }
            case FLOAT64 -> {
                buf = allocate(c.getFp64ContentsCount() * 8);
                c.getFp64ContentsList().forEach(buf::putDouble);
            }
            case INT32 -> {
                buf = allocate(c.getIntContentsCount() * 4);
                c.getIntContentsList().forEach(buf::putInt);
            }
            case INT64 -> {
                buf = allocate(c.getInt64ContentsCount() * 8);
                c.getInt64ContentsList().forEach(buf::putLong);
            }
            case BOOL -> {
                buf = allocate(c.getBoolContentsCount());
                c.getBoolContentsList().forEach(v -> buf.put((byte) (v ? 1 : 0)));
            }
            default -> throw RequestRejected.invalid("input '" + name + "': unsupported datatype");
        }
        return buf.array();
    }

    private static ByteBuffer allocate(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String datatype(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "FP32";
            case FLOAT64 -> "FP64";
            case INT32 -> "INT32";
            case INT64 -> "INT64";
            case BOOL -> "BOOL";
        };
    }

    private static ModelMetadataResponse.TensorMetadata metadata(TensorSignature t) {
        io.verdict.inference.engine.TensorSpec s = t.toSpec();
        return ModelMetadataResponse.TensorMetadata.newBuilder()
                .setName(s.name())
                .setDatatype(datatype(s.dtype()))
                .addAllShape(java.util.Arrays.stream(s.shape().dims()).boxed().toList())
                .build();
    }

    private static int intParameter(Map<String, InferParameter> parameters, String key) {
        InferParameter p = parameters.get(key);
        if (p == null) {
            return 0;
        }
        long value = switch (p.getParameterChoiceCase()) {
            case INT64_PARAM -> p.getInt64Param();
            case UINT64_PARAM -> p.getUint64Param();
            case STRING_PARAM -> parseLong(key, p.getStringParam());
            default -> throw RequestRejected.invalid("parameter " + key + " must be an integer");
        };
        if (value < 1 || value > 1000) {
            throw RequestRejected.invalid("parameter " + key + " must be between 1 and 1000, got " + value);
        }
        return (int) value;
    }

    private static long parseLong(String key, String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw RequestRejected.invalid("parameter " + key + " must be an integer, got '" + text + "'");
        }
    }

    private static String ref(String name, String version) {
        return version == null || version.isEmpty() ? name : name + "@" + version;
    }

    private static InferParameter string(String value) {
        return InferParameter.newBuilder().setStringParam(value).build();
    }
}
