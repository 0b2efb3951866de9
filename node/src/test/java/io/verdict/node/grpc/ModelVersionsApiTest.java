package io.verdict.node.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.verdict.api.v1.InputLimit;
import io.verdict.api.v1.ModelFormat;
import io.verdict.api.v1.ModelState;
import io.verdict.api.v1.PublishModelHeader;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import io.verdict.node.RequestRejected;
import io.verdict.node.models.ModelPublisher;
import io.verdict.sharding.model.ModelVersion;
import io.verdict.sharding.model.ModelVersionSpec;
import io.verdict.sharding.model.ResolvedModel;
import io.verdict.sharding.model.TensorSignature;
import io.verdict.sharding.model.VersionLimits;
import io.verdict.sharding.model.VersionStatus;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/**
 * Model versions at the gRPC edge, without a node: the statuses of retirement and of a job over a
 * version's limits, the header's limits and format on the way in, and a version's state, retirement
 * and effective limits on the way out.
 */
class ModelVersionsApiTest {

    private static final String DIGEST = "sha256:" + "ab".repeat(32);
    private static final long NODE_MAX_BYTES = 64 * 1024;

    private static ModelVersionSpec spec(String engine, VersionLimits limits) {
        return new ModelVersionSpec("2", DIGEST, engine, "EXACT",
                List.of(new TensorSignature("input", "FLOAT32", "[-1, 64]")),
                List.of(new TensorSignature("output", "FLOAT32", "[-1, 10]")), 5000, "op", limits).validated();
    }

    private static Status.Code code(Throwable failure) {
        return GrpcErrors.toStatus(new CompletionException(failure)).getCode();
    }

    // --- statuses -------------------------------------------------------------------------------

    @Test
    void retirementRefusalsMapToTheDocumentedStatuses() {
        // The Model entity's replies, as RetireModel and Submit meet them.
        assertThat(code(new StatusReply.ErrorMessage("model mlp has no version 7"))).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(code(new StatusReply.ErrorMessage("version 1 of model mlp is already retired")))
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(code(new StatusReply.ErrorMessage("version 1 of model mlp is retired: bad weights")))
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(code(new StatusReply.ErrorMessage("model mlp has no active version (all 2 are retired)")))
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(code(new StatusReply.ErrorMessage("invalid retire reason: 2000 characters; at most 1024")))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(new StatusReply.ErrorMessage("invalid model version '1/2': use 1 to 32 letters")))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        // a retirement reason quoting another rejection's words cannot change the status
        assertThat(code(new StatusReply.ErrorMessage("version 1 of model mlp is retired: already published as 2")))
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(code(new StatusReply.ErrorMessage("version 1 of model mlp cannot be republished: it was published"
                + " (sha256:" + "ab".repeat(32) + ") and is retired; publish a new version")))
                .isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    @Test
    void aJobOverAVersionsLimitIsInvalidArgumentNamingTheLimit() {
        ResolvedModel model = new ResolvedModel("mlp", "2", spec("tensorflow", new VersionLimits(4, List.of(), 0)));
        NamedTensors five = NamedTensors.of("input", Tensor.ofFloats(Shape.of(5, 64), new float[5 * 64]));
        Throwable refused = null;
        try {
            model.limits().enforce(model.ref(), model.signature().inputs().values(), five, NODE_MAX_BYTES);
        } catch (RuntimeException e) {
            refused = e;
        }
        assertThat(refused).as("a batch of 5 over max_batch 4").isNotNull();
        Status status = GrpcErrors.toStatus(new CompletionException(refused));
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).contains("mlp@2", "'input'", "5", "max_batch of 4");
    }

    // --- publishing -----------------------------------------------------------------------------

    @Test
    void theHeadersFormatChoosesTheEngineAndUnsetMeansTensorFlow() {
        assertThat(Protos.engine(ModelFormat.MODEL_FORMAT_ONNX)).isEqualTo("onnxruntime");
        assertThat(Protos.engine(ModelFormat.MODEL_FORMAT_TENSORFLOW_SAVED_MODEL)).isEqualTo("tensorflow");
        assertThat(Protos.engine(ModelFormat.MODEL_FORMAT_UNSPECIFIED)).isEqualTo("tensorflow");
        assertThatThrownBy(() -> Protos.engine(ModelFormat.UNRECOGNIZED)).isInstanceOf(RequestRejected.class);
    }

    @Test
    void theHeadersLimitsReachTheUploadAndTheNodesCeilingsAreCheckedFirst() {
        PublishModelHeader header = PublishModelHeader.newBuilder()
                .setName("mlp").setVersion("2").setModelDigest(DIGEST).setAgreementPolicy("EXACT")
                .setMaxBatch(8).setMaxInputBytes(2048)
                .addInputLimits(InputLimit.newBuilder().setName("input").addMaxShape(8).addMaxShape(64))
                .build();
        VersionLimits limits = Protos.limits(header);
        assertThat(limits).isEqualTo(new VersionLimits(8,
                List.of(new VersionLimits.InputLimit("input", List.of(8L, 64L))), 2048));

        ModelPublisher.Upload upload = new ModelPublisher.Upload("mlp", "2", DIGEST, "EXACT", "op", "onnxruntime", limits);
        ModelPublisher.precheck(upload, 8, 2048);
        assertThatThrownBy(() -> ModelPublisher.precheck(upload, 4, 2048))
                .isInstanceOf(RequestRejected.class).hasMessageContaining("max_batch 8")
                .hasMessageContaining("ceiling of 4");
        assertThatThrownBy(() -> ModelPublisher.precheck(upload, 8, 1024))
                .isInstanceOf(RequestRejected.class).hasMessageContaining("max_input_bytes 2048")
                .hasMessageContaining("limit of 1024");
        assertThatThrownBy(() -> ModelPublisher.precheck(new ModelPublisher.Upload("mlp", "2", DIGEST, "EXACT", "op",
                        "pytorch", null), 8, 2048))
                .isInstanceOf(RequestRejected.class).hasMessageContaining("unsupported engine 'pytorch'");
        // Without limits or a format (the demo models, an old client): TensorFlow and the defaults.
        ModelPublisher.Upload plain = new ModelPublisher.Upload("mlp", "1", DIGEST, "EXACT", "op");
        assertThat(plain.engine()).isEqualTo("tensorflow");
        assertThat(plain.limits()).isEqualTo(VersionLimits.DEFAULTS);
    }

    // --- listing --------------------------------------------------------------------------------

    @Test
    void aVersionShowsItsFormatStateRetirementAndEffectiveLimits() {
        VersionLimits limits = new VersionLimits(0, List.of(new VersionLimits.InputLimit("input", List.of(32L, 64L))),
                0);
        ModelVersion active = new ModelVersion(spec("onnxruntime", limits), VersionStatus.ACTIVE, 1_000L, null, null);

        io.verdict.api.v1.ModelVersion shown = Protos.version(active, NODE_MAX_BYTES);
        assertThat(shown.getFormat()).isEqualTo(ModelFormat.MODEL_FORMAT_ONNX);
        assertThat(shown.getState()).isEqualTo(ModelState.MODEL_STATE_AVAILABLE);
        assertThat(shown.getMaxBatch()).as("the default").isEqualTo(VersionLimits.DEFAULT_MAX_BATCH);
        assertThat(shown.getMaxInputBytes()).as("the node's limit").isEqualTo(NODE_MAX_BYTES);
        assertThat(shown.getInputLimitsList()).singleElement().satisfies(l -> {
            assertThat(l.getName()).isEqualTo("input");
            assertThat(l.getMaxShapeList()).containsExactly(32L, 64L);
        });
        assertThat(shown.hasRetiredAt()).isFalse();

        ModelVersion retired = new ModelVersion(spec("tensorflow", new VersionLimits(4, List.of(), 1024)),
                VersionStatus.RETIRED, 1_000L, 2_500L, "bad weights");
        io.verdict.api.v1.ModelVersion gone = Protos.version(retired, NODE_MAX_BYTES);
        assertThat(gone.getState()).isEqualTo(ModelState.MODEL_STATE_RETIRED);
        assertThat(gone.getFormat()).isEqualTo(ModelFormat.MODEL_FORMAT_TENSORFLOW_SAVED_MODEL);
        assertThat(gone.getRetiredAt().getSeconds()).isEqualTo(2);
        assertThat(gone.getRetiredAt().getNanos()).isEqualTo(500_000_000);
        assertThat(gone.getRetireReason()).isEqualTo("bad weights");
        assertThat(gone.getMaxBatch()).isEqualTo(4);
        assertThat(gone.getMaxInputBytes()).isEqualTo(1024);
    }
}
