package io.verdict.sharding.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.verdict.inference.engine.TensorSpec;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The limits a version declares: checked against the signature at publication, enforced on a
 * job's inputs, persisted with the version, and absent (the defaults) in events written before
 * they existed.
 */
class ModelVersionLimitsTest {

    private static final ActorTestKit KIT = ActorTestKit.create("ModelVersionLimitsTest");
    private static final String D1 = "sha256:" + "11".repeat(32);

    /** "image" [-1, 28, 28] is batched; "scale" [1] is not. */
    private static final List<TensorSignature> INPUTS = List.of(
            new TensorSignature("image", "FLOAT32", "[-1, 28, 28]"),
            new TensorSignature("scale", "FLOAT32", "[1]"));
    private static final List<TensorSignature> OUTPUTS = List.of(new TensorSignature("logits", "FLOAT32", "[-1, 10]"));

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static ModelVersionSpec spec(VersionLimits limits) {
        return new ModelVersionSpec("1", D1, "tensorflow", "EXACT", INPUTS, OUTPUTS, 1000, "op", limits);
    }

    private static Collection<TensorSpec> inputs() {
        return spec(null).signature().inputs().values();
    }

    private static VersionLimits.InputLimit bound(String name, Long... maxShape) {
        return new VersionLimits.InputLimit(name, List.of(maxShape));
    }

    private static void refused(VersionLimits limits, String... fragments) {
        assertThatThrownBy(() -> spec(limits).validated())
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(fragments));
    }

    // --- publication ----------------------------------------------------------------------------

    @Test
    void validLimitsAreKeptInTheInputsOrder() {
        VersionLimits declared = new VersionLimits(32, List.of(bound("scale", 1L), bound("image", 8L, 28L, 28L)), 4096);
        ModelVersionSpec valid = spec(declared).validated();
        assertThat(valid.limits().maxBatch()).isEqualTo(32);
        assertThat(valid.limits().maxInputBytes()).isEqualTo(4096);
        assertThat(valid.limits().inputLimits()).extracting(VersionLimits.InputLimit::name)
                .containsExactly("image", "scale");
    }

    @Test
    void aSpecWithoutLimitsHasTheDefaults() {
        ModelVersionSpec valid = spec(null).validated();
        assertThat(valid.limits()).isEqualTo(VersionLimits.DEFAULTS);
        assertThat(new ModelVersionSpec("1", D1, "tensorflow", "EXACT", INPUTS, OUTPUTS, 1, "op").limits())
                .isEqualTo(VersionLimits.DEFAULTS);
        assertThat(valid.limits().effectiveMaxBatch(inputs())).isEqualTo(VersionLimits.DEFAULT_MAX_BATCH);
        assertThat(valid.limits().effectiveMaxInputBytes(16 << 20)).isEqualTo(16 << 20);
    }

    @Test
    void badLimitsAreRefusedNamingTheProblem() {
        refused(new VersionLimits(-1, List.of(), 0), "max_batch", "4294967295");
        refused(new VersionLimits(VersionLimits.MAX_BATCH + 1, List.of(), 0), "max_batch", "65537", "1 to 65536");
        refused(new VersionLimits(0, List.of(), -5), "max_input_bytes");
        refused(new VersionLimits(0, List.of(bound("pixels", 8L, 28L, 28L)), 0),
                "mismatched signature", "'pixels'", "image [-1, 28, 28]", "scale [1]");
        refused(new VersionLimits(0, List.of(bound("image", 8L, 28L)), 0),
                "mismatched signature", "'image'", "2 dimension(s)", "rank 3");
        refused(new VersionLimits(0, List.of(bound("image", 8L, 28L, 30L)), 0),
                "'image'", "dimension 2 by 30", "fixes it at 28");
        refused(new VersionLimits(0, List.of(bound("image", 0L, 28L, 28L)), 0), "dimension 0 by 0", "at least 1");
        refused(new VersionLimits(0, List.of(bound("image", 8L, 28L, 28L), bound("image", 4L, 28L, 28L)), 0),
                "'image'", "more than one");
        refused(new VersionLimits(0, List.of(bound(" ")), 0), "no input name");
    }

    @Test
    void maxBatchNeedsAnInputWithAVariableDimensionZero() {
        List<TensorSignature> fixed = List.of(new TensorSignature("x", "FLOAT32", "[1, 4]"));
        VersionLimits eight = new VersionLimits(8, List.of(), 0);
        assertThatThrownBy(() -> new ModelVersionSpec("1", D1, "onnxruntime", "EXACT", fixed, OUTPUTS, 1, "op", eight)
                .validated())
                .hasMessageContaining("max_batch 8 does not apply").hasMessageContaining("x [1, 4]");
        for (int ok : new int[] {0, 1}) {
            ModelVersionSpec spec = new ModelVersionSpec("1", D1, "onnxruntime", "EXACT", fixed, OUTPUTS, 1, "op",
                    new VersionLimits(ok, List.of(), 0)).validated();
            assertThat(spec.limits().effectiveMaxBatch(spec.signature().inputs().values()))
                    .as("no batch to bound").isZero();
        }
    }

    @Test
    void onnxRuntimeIsAnEngineAndOthersAreNot() {
        assertThat(new ModelVersionSpec("1", D1, "onnxruntime", "EXACT", INPUTS, OUTPUTS, 1, "op").validated().engine())
                .isEqualTo(ModelVersionSpec.ONNX_RUNTIME);
        assertThatThrownBy(() -> new ModelVersionSpec("1", D1, "pytorch", "EXACT", INPUTS, OUTPUTS, 1, "op").validated())
                .hasMessageContaining("unsupported engine 'pytorch'");
    }

    // --- submission -----------------------------------------------------------------------------

    private static NamedTensors job(int batch, int side) {
        return NamedTensors.of(Map.of(
                "image", Tensor.ofFloats(Shape.of(batch, side, side), new float[batch * side * side]),
                "scale", Tensor.ofFloats(Shape.of(1), new float[1])));
    }

    @Test
    void aJobWithinTheLimitsPasses() {
        VersionLimits limits = new VersionLimits(4, List.of(bound("image", 4L, 28L, 28L)), 4 * 28 * 28 * 4 + 4);
        limits.enforce("m@1", inputs(), job(4, 28), 1 << 20);
        VersionLimits.DEFAULTS.enforce("m@1", inputs(), job(VersionLimits.DEFAULT_MAX_BATCH, 1), 1 << 20);
    }

    @Test
    void aBatchOverMaxBatchIsRefusedNamingVersionInputValueAndLimit() {
        VersionLimits limits = new VersionLimits(4, List.of(), 0);
        assertThatThrownBy(() -> limits.enforce("mnist@2", inputs(), job(5, 28), 1 << 20))
                .isInstanceOfSatisfying(InputLimitExceeded.class, e -> {
                    assertThat(e.model()).isEqualTo("mnist@2");
                    assertThat(e.input()).isEqualTo("image");
                    assertThat(e.value()).isEqualTo(5);
                    assertThat(e.limit()).isEqualTo(4);
                })
                .hasMessageContaining("mnist@2").hasMessageContaining("'image'").hasMessageContaining("batch of 5")
                .hasMessageContaining("max_batch of 4");
        assertThatThrownBy(() -> VersionLimits.DEFAULTS.enforce("m@1", inputs(), job(257, 1), 1 << 20))
                .hasMessageContaining("max_batch of 256");
    }

    @Test
    void aDimensionOverItsBoundIsRefused() {
        VersionLimits limits = new VersionLimits(0, List.of(bound("image", 2L, 28L, 28L)), 0);
        assertThatThrownBy(() -> limits.enforce("m@1", inputs(), job(3, 28), 1 << 20))
                .isInstanceOf(InputLimitExceeded.class)
                .hasMessageContaining("'image'").hasMessageContaining("dimension 0 is 3")
                .hasMessageContaining("bound of 2");
    }

    @Test
    void inputsOverMaxInputBytesAreRefused() {
        VersionLimits limits = new VersionLimits(0, List.of(), 1000);
        NamedTensors big = job(1, 16); // 1024 + 4 bytes
        assertThatThrownBy(() -> limits.enforce("m@1", inputs(), big, 1 << 20))
                .isInstanceOf(InputLimitExceeded.class)
                .hasMessageContaining("m@1").hasMessageContaining("1028 bytes")
                .hasMessageContaining("max_input_bytes of 1000");
        // The node's own limit is the bound when it is lower than the version's.
        assertThat(new VersionLimits(0, List.of(), 5000).effectiveMaxInputBytes(2000)).isEqualTo(2000);
        assertThatThrownBy(() -> VersionLimits.DEFAULTS.enforce("m@1", inputs(), big, 1000))
                .hasMessageContaining("max_input_bytes of 1000");
    }

    // --- persistence ----------------------------------------------------------------------------

    @Test
    void limitsRoundTripThroughCborWithTheVersion() {
        Model.VersionPublished event = new Model.VersionPublished("mnist",
                spec(new VersionLimits(8, List.of(bound("image", 8L, 28L, 28L)), 4096)).validated(), 1L);
        assertThat(KIT.serializationTestKit().verifySerialization(event, false)).isEqualTo(event);
    }

    @Test
    void anEventWrittenBeforeLimitsExistedReadsWithTheDefaults() throws Exception {
        Serialization serialization = SerializationExtension.get(KIT.system().classicSystem());
        Model.VersionPublished now = new Model.VersionPublished("mnist", spec(null).validated(), 1L);
        Serializer serializer = serialization.findSerializerFor(now);
        assertThat(serializer).isInstanceOf(JacksonCborSerializer.class);
        String manifest = Serializers.manifestFor(serializer, now);

        // The event as it was written before this change: the spec has no "limits" field at all.
        ObjectMapper cbor = new ObjectMapper(new CBORFactory());
        ObjectNode old = (ObjectNode) cbor.readTree(serializer.toBinary(now));
        ((ObjectNode) old.get("spec")).remove("limits");
        assertThat(old.get("spec").has("limits")).isFalse();
        byte[] oldBytes = cbor.writeValueAsBytes(old);

        Model.VersionPublished back = (Model.VersionPublished) serialization
                .deserialize(oldBytes, serializer.identifier(), manifest).get();
        assertThat(back.spec().limits()).isEqualTo(VersionLimits.DEFAULTS);
        assertThat(back).isEqualTo(now);

        // An explicit null (a field written by a writer that knew it but had nothing) reads the same.
        ((ObjectNode) old.get("spec")).putNull("limits");
        Model.VersionPublished fromNull = (Model.VersionPublished) serialization
                .deserialize(cbor.writeValueAsBytes(old), serializer.identifier(), manifest).get();
        assertThat(fromNull.spec().limits()).isEqualTo(VersionLimits.DEFAULTS);
    }
}
