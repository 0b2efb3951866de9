package io.verdict.inference.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small hand-built ONNX models for tests, written with the builder. */
public final class OnnxTestModels {

    private OnnxTestModels() {
    }

    /** A model importing the default opset 13 around {@code graph}. */
    public static OnnxModelBuilder model(OnnxGraphBuilder graph) {
        return new OnnxModelBuilder().opset("", 13).producer("verdict-test", "1").graph(graph);
    }

    /** input [-1,3] FLOAT → Relu (named {@code relu}) → output. */
    public static OnnxGraphBuilder relu() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("relu")
                .input("input", OnnxElementType.FLOAT, -1, 3)
                .output("output", OnnxElementType.FLOAT, -1, 3);
        g.node("Relu", List.of("input"), List.of("output")).name("relu");
        return g;
    }

    /** Writes {@code model} as {@code dir/model.onnx}, creating {@code dir}; returns {@code dir}. */
    public static Path write(Path dir, OnnxModelBuilder model) {
        try {
            Files.createDirectories(dir);
            model.write(dir.resolve("model.onnx"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
