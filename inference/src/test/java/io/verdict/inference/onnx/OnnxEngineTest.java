package io.verdict.inference.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.inference.engine.EngineException;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.engine.TensorSpec;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.safety.UnsafeModel;
import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX-specific behaviour; what every engine must do is in {@link OnnxEngineContractTest}. */
class OnnxEngineTest {

    private final OnnxEngine engine = new OnnxEngine();

    private LoadedModel load(Path dir) {
        return engine.load(dir, ArtifactManifest.scan(dir));
    }

    @Test
    void theSignatureComesFromTheModelWithSymbolicDimensionsAsAny(@TempDir Path tmp) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("identities")
                .input("ids", OnnxElementType.INT64, -1, 3)
                .input("mask", OnnxElementType.BOOL, 2, -1)
                .output("ids_out", OnnxElementType.INT64, -1, 3)
                .output("mask_out", OnnxElementType.BOOL, 2, -1);
        g.node("Identity", List.of("ids"), List.of("ids_out")).name("a");
        g.node("Identity", List.of("mask"), List.of("mask_out")).name("b");
        try (LoadedModel model = load(OnnxTestModels.write(tmp.resolve("m"), OnnxTestModels.model(g)))) {
            assertThat(model.signature().inputs().values()).containsExactly(
                    new TensorSpec("ids", DType.INT64, Shape.pattern(-1, 3)),
                    new TensorSpec("mask", DType.BOOL, Shape.pattern(2, -1)));
            assertThat(model.signature().outputs().values()).containsExactly(
                    new TensorSpec("ids_out", DType.INT64, Shape.pattern(-1, 3)),
                    new TensorSpec("mask_out", DType.BOOL, Shape.pattern(2, -1)));
        }
    }

    @Test
    void everySupportedDtypeGoesInAndComesOutBitForBit(@TempDir Path tmp) {
        Map<String, Tensor> values = Map.of(
                "f32", Tensor.ofFloats(Shape.of(2, 2), 1.5f, -0.0f, Float.intBitsToFloat(0x7fc00001), Float.MIN_VALUE),
                "f64", Tensor.ofDoubles(Shape.of(3), Math.PI, -1e300, Double.MIN_VALUE),
                "i32", Tensor.ofInts(Shape.of(2), Integer.MIN_VALUE, 7),
                "i64", Tensor.ofLongs(Shape.of(1, 2), Long.MAX_VALUE, -3),
                "b", Tensor.ofBools(Shape.of(3), true, false, true));
        Map<String, OnnxElementType> types = Map.of("f32", OnnxElementType.FLOAT, "f64", OnnxElementType.DOUBLE,
                "i32", OnnxElementType.INT32, "i64", OnnxElementType.INT64, "b", OnnxElementType.BOOL);
        OnnxGraphBuilder g = new OnnxGraphBuilder("all");
        for (String name : List.of("b", "f32", "f64", "i32", "i64")) {
            long[] dims = values.get(name).shape().dims();
            g.input(name, types.get(name), dims).output(name + "_out", types.get(name), dims);
            g.node("Identity", List.of(name), List.of(name + "_out")).name(name);
        }
        try (LoadedModel model = load(OnnxTestModels.write(tmp.resolve("m"), OnnxTestModels.model(g)))) {
            NamedTensors out = model.run(NamedTensors.of(values));
            for (Map.Entry<String, Tensor> e : values.entrySet()) {
                assertThat(out.get(e.getKey() + "_out")).as(e.getKey()).isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void anUnsupportedDtypeIsAnEngineExceptionNamingTheTensor(@TempDir Path tmp) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("half")
                .input("halves", OnnxElementType.FLOAT16, -1, 4)
                .output("out", OnnxElementType.FLOAT16, -1, 4);
        g.node("Identity", List.of("halves"), List.of("out")).name("id");
        Path dir = OnnxTestModels.write(tmp.resolve("half"), OnnxTestModels.model(g));
        assertThatThrownBy(() -> load(dir))
                .isInstanceOf(EngineException.class).hasMessageContaining("halves").hasMessageContaining("FLOAT16");

        OnnxGraphBuilder s = new OnnxGraphBuilder("strings")
                .input("text", OnnxElementType.STRING, 1)
                .output("copy", OnnxElementType.STRING, 1);
        s.node("Identity", List.of("text"), List.of("copy")).name("id");
        Path strings = OnnxTestModels.write(tmp.resolve("strings"), OnnxTestModels.model(s));
        assertThatThrownBy(() -> load(strings)).isInstanceOf(EngineException.class).hasMessageContaining("text");
    }

    @Test
    void externalDataInsideTheDirectoryIsLoadedFromThere(@TempDir Path tmp) throws Exception {
        OnnxGraphBuilder g = new OnnxGraphBuilder("shift")
                .input("input", OnnxElementType.FLOAT, -1, 3)
                .initializer(OnnxTensorValue.external("shift", OnnxElementType.FLOAT, new long[] {3}, "weights/shift.bin"))
                .output("output", OnnxElementType.FLOAT, -1, 3);
        g.node("Add", List.of("input", "shift"), List.of("output")).name("add");
        Path dir = OnnxTestModels.write(tmp.resolve("m"), OnnxTestModels.model(g));
        ByteBuffer weights = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(10).putFloat(20).putFloat(30);
        Files.createDirectories(dir.resolve("weights"));
        Files.write(dir.resolve("weights/shift.bin"), weights.array());
        try (LoadedModel model = load(dir)) {
            Tensor out = model.run(NamedTensors.of("input", Tensor.ofFloats(Shape.of(1, 3), 1, 2, 3))).get("output");
            assertThat(out.toFloats()).containsExactly(11, 22, 33);
        }
    }

    @Test
    void theSafetyScanRunsBeforeTheRuntimeSeesTheModel(@TempDir Path tmp) throws Exception {
        OnnxGraphBuilder g = OnnxTestModels.relu();
        g.node("Exec", List.of("input"), List.of("side")).name("pwn").domain("com.example.evil");
        Path custom = OnnxTestModels.write(tmp.resolve("custom"), OnnxTestModels.model(g));
        assertThatThrownBy(() -> load(custom))
                .isInstanceOfSatisfying(UnsafeModel.class, e -> assertThat(e.reason()).isEqualTo(UnsafeModel.Reason.CUSTOM_DOMAIN));

        Path garbage = Files.createDirectories(tmp.resolve("garbage"));
        Files.write(garbage.resolve("model.onnx"), "this is not a protobuf".getBytes());
        assertThatThrownBy(() -> load(garbage))
                .isInstanceOfSatisfying(UnsafeModel.class, e -> assertThat(e.reason()).isEqualTo(UnsafeModel.Reason.MALFORMED));
    }

    @Test
    void aModelTheRuntimeRejectsIsAnEngineExceptionAndTheEngineStaysUsable(@TempDir Path tmp) {
        // Safe by the scan's rules, but MatMul of [2,3] by [4,5] cannot be computed.
        OnnxGraphBuilder g = new OnnxGraphBuilder("bad")
                .input("input", OnnxElementType.FLOAT, 2, 3)
                .initializer(OnnxTensorValue.floats("w", new long[] {4, 5}, new float[20]))
                .output("output", OnnxElementType.FLOAT, 2, 5);
        g.node("MatMul", List.of("input", "w"), List.of("output")).name("mm");
        Path dir = OnnxTestModels.write(tmp.resolve("bad"), OnnxTestModels.model(g));
        assertThatThrownBy(() -> load(dir)).isInstanceOf(EngineException.class);

        Path ok = OnnxTestModels.write(tmp.resolve("ok"), OnnxTestModels.model(OnnxTestModels.relu()));
        try (LoadedModel model = load(ok)) {
            assertThat(model.run(NamedTensors.of("input", Tensor.ofFloats(Shape.of(1, 3), -1, 0, 2))).get("output").toFloats())
                    .containsExactly(0, 0, 2);
        }
    }
}
