package io.verdict.inference.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.inference.onnx.OnnxModelFile.Limits;
import io.verdict.inference.safety.UnsafeModel;
import io.verdict.inference.safety.UnsafeModel.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelFileTest {

    private static OnnxModelFile parse(byte[] bytes) {
        return OnnxModelFile.parse(bytes, "model.onnx", Limits.defaults());
    }

    private static void assertRefused(byte[] bytes, Limits limits, Reason reason, String named) {
        assertThatThrownBy(() -> OnnxModelFile.parse(bytes, "model.onnx", limits))
                .isInstanceOfSatisfying(UnsafeModel.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(named);
    }

    @Test
    void readsBackWhatTheBuilderWrote(@TempDir Path tmp) {
        OnnxGraphBuilder body = new OnnxGraphBuilder("body").output("y", OnnxElementType.FLOAT, 1);
        body.node("Neg", List.of("x"), List.of("y")).name("neg");
        OnnxGraphBuilder g = new OnnxGraphBuilder("main")
                .input("x", OnnxElementType.FLOAT, -1)
                .input("c", OnnxElementType.BOOL)
                .initializer(OnnxTensorValue.floats("w", new long[] {2}, 1, 2))
                .initializer(OnnxTensorValue.external("e", OnnxElementType.FLOAT, new long[] {2}, "data/e.bin"))
                .output("out", OnnxElementType.FLOAT, -1);
        g.node("If", List.of("c"), List.of("out")).name("branch").domain("ai.onnx")
                .attr("then_branch", body).attr("else_branch", body)
                .attr("alpha", 0.5f).attr("mode", "x").attr("axis", 1L).ints("perm", 1, 0)
                .attr("value", OnnxTensorValue.longs("v", new long[] {1}, 9));
        byte[] bytes = new OnnxModelBuilder().irVersion(8).opset("", 13).opset("ai.onnx.ml", 3)
                .producer("p", "1").graph(g).function("f.dom", "fn").toBytes();
        OnnxModelFile m = OnnxModelFile.read(Path.of(write(tmp, bytes)));

        assertThat(m.irVersion()).isEqualTo(8);
        assertThat(m.opsetImports()).containsExactly(new OnnxModelFile.OpsetImport("", 13), new OnnxModelFile.OpsetImport("ai.onnx.ml", 3));
        assertThat(m.functions()).containsExactly("f.dom:fn");
        assertThat(m.hasTrainingInfo()).isFalse();
        OnnxModelFile.Graph main = m.graph();
        assertThat(main.name()).isEqualTo("main");
        assertThat(main.inputs()).containsExactly("x", "c");
        assertThat(main.outputs()).containsExactly("out");
        assertThat(main.initializers()).extracting(OnnxModelFile.TensorRef::name).containsExactly("w", "e");
        assertThat(main.initializers().get(0).isExternal()).isFalse();
        assertThat(main.initializers().get(1).isExternal()).isTrue();
        assertThat(main.initializers().get(1).external("location")).isEqualTo("data/e.bin");
        OnnxModelFile.Node node = main.nodes().get(0);
        assertThat(node.name()).isEqualTo("branch");
        assertThat(node.domain()).isEqualTo("ai.onnx");
        assertThat(node.opType()).isEqualTo("If");
        assertThat(node.inputs()).containsExactly("c");
        assertThat(node.outputs()).containsExactly("out");
        assertThat(node.attributes()).extracting(OnnxModelFile.Attribute::name)
                .containsExactly("then_branch", "else_branch", "alpha", "mode", "axis", "perm", "value");
        OnnxModelFile.Graph then = node.attributes().get(0).graphs().get(0);
        assertThat(then.nodes().get(0).opType()).isEqualTo("Neg");
        assertThat(then.outputs()).containsExactly("y");
        assertThat(node.attributes().get(6).tensors()).extracting(OnnxModelFile.TensorRef::name).containsExactly("v");
    }

    private static String write(Path dir, byte[] bytes) {
        try {
            return Files.write(dir.resolve("model.onnx"), bytes).toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theSameCallsGiveTheSameBytes() {
        assertThat(OnnxTestModels.model(OnnxTestModels.relu()).toBytes())
                .isEqualTo(OnnxTestModels.model(OnnxTestModels.relu()).toBytes());
    }

    @Test
    void aSecondGraphFieldIsMalformedNotMerged() {
        // Protobuf would merge two ModelProto.graph fields: a second graph could hide nodes.
        byte[] one = OnnxTestModels.model(OnnxTestModels.relu()).toBytes();
        byte[] twice = Arrays.copyOf(one, one.length * 2);
        System.arraycopy(one, 0, twice, one.length, one.length);
        assertRefused(twice, Limits.defaults(), Reason.MALFORMED, "ModelProto.graph");
    }

    @Test
    void protobufGroupsAndWrongWireTypesAreMalformed() {
        // Field 9 with wire type 3 (start group), which ONNX never writes.
        assertRefused(new byte[] {(byte) ((9 << 3) | 3), 0}, Limits.defaults(), Reason.MALFORMED, "wire type 3");
        // ModelProto.graph (7) as a varint.
        assertRefused(new byte[] {(byte) (7 << 3), 1}, Limits.defaults(), Reason.MALFORMED, "field 7");
    }

    @Test
    void aLengthPastTheEndIsMalformedNotAnAllocation() {
        // producer_name (2) claiming 2^31-1 bytes in a 7-byte file.
        byte[] bytes = {(byte) ((2 << 3) | 2), (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 'x'};
        assertRefused(bytes, Limits.defaults(), Reason.MALFORMED, "truncated");
    }

    @Test
    void limitsAreEnforced() {
        byte[] relu = OnnxTestModels.model(OnnxTestModels.relu()).toBytes();
        assertRefused(relu, new Limits(10, 100, 4, 1024, 1000), Reason.TOO_LARGE, "bytes");
        assertRefused(relu, new Limits(Integer.MAX_VALUE, 100, 4, 3, 1000), Reason.TOO_LARGE, "string");
        assertRefused(relu, new Limits(Integer.MAX_VALUE, 100, 4, 1024, 5), Reason.TOO_LARGE, "more than 5");
        assertThat(parse(relu).graph().nodes()).hasSize(1);
    }
}
