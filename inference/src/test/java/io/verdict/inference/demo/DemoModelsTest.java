package io.verdict.inference.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.demo.DemoModels.Kind;
import io.verdict.inference.digest.ContentDigest;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensorflow.TensorFlowEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoModelsTest {

    @Test
    void ensureExportedWritesOnceAndLeavesNoTemporaryFiles(@TempDir Path root) throws Exception {
        Map<Kind, Path> first = DemoModels.ensureExported(root);
        assertThat(first.get(Kind.MLP)).isEqualTo(root.resolve("mlp"));
        assertThat(first.get(Kind.CNN)).isEqualTo(root.resolve("cnn"));
        ModelDigest mlp = ArtifactManifest.scan(first.get(Kind.MLP)).digest();
        DemoModels.ensureExported(root);
        assertThat(ArtifactManifest.scan(root.resolve("mlp")).digest()).isEqualTo(mlp);
        try (var listing = Files.list(root)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("mlp", "cnn");
        }
    }

    @Test
    void separateExportsComputeTheSameFunction(@TempDir Path tmp) {
        // saved_model.pb bytes may differ between exports; the weights and so the outputs may not.
        TensorFlowEngine engine = new TensorFlowEngine();
        for (Kind kind : Kind.values()) {
            Path a = DemoModels.ensureExported(tmp.resolve("a"), kind);
            Path b = DemoModels.ensureExported(tmp.resolve("b"), kind);
            NamedTensors input = DemoModels.sampleInput(kind, 5, 9);
            try (LoadedModel ma = engine.load(a, ArtifactManifest.scan(a));
                 LoadedModel mb = engine.load(b, ArtifactManifest.scan(b))) {
                assertThat(AgreementPolicy.EXACT.canonicalise(ma.run(input)))
                        .isEqualTo(AgreementPolicy.EXACT.canonicalise(mb.run(input)));
                assertThat(AgreementPolicy.EXACT.canonicalise(ma.run(input)))
                        .isNotEqualTo(AgreementPolicy.EXACT.canonicalise(ma.run(DemoModels.sampleInput(kind, 5, 10))));
            }
        }
    }

    @Test
    void onnxExportsAreByteReproducibleAndPinned(@TempDir Path tmp) throws Exception {
        Map<Kind, Path> a = DemoModels.ensureExported(tmp.resolve("a"), DemoModels.Format.ONNX);
        Map<Kind, Path> b = DemoModels.ensureExported(tmp.resolve("b"), DemoModels.Format.ONNX);
        assertThat(a.get(Kind.MLP)).isEqualTo(tmp.resolve("a").resolve("mlp-onnx"));
        assertThat(a.get(Kind.CNN)).isEqualTo(tmp.resolve("a").resolve("cnn-onnx"));
        for (Kind kind : Kind.values()) {
            byte[] first = Files.readAllBytes(a.get(kind).resolve("model.onnx"));
            assertThat(Files.readAllBytes(b.get(kind).resolve("model.onnx"))).isEqualTo(first);
            assertThat(first).isEqualTo(DemoModels.onnxBytes(kind));
            try (var listing = Files.list(a.get(kind))) {
                assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("model.onnx");
            }
        }
        // The bytes, and so the model digests, are the same on every machine.
        assertThat(ContentDigest.of(DemoModels.onnxBytes(Kind.MLP)).toString())
                .isEqualTo("sha256:96415fe43bb443714934374a2cb05cc0be8595fc7d5c62a2f83e07b0f7a7dd4f");
        assertThat(ContentDigest.of(DemoModels.onnxBytes(Kind.CNN)).toString())
                .isEqualTo("sha256:886c0547efae500f84c580259f9f6fde5c440278c9d6adb11cd5da00e3511775");
        try (var listing = Files.list(tmp.resolve("a"))) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("mlp-onnx", "cnn-onnx");
        }
    }

    @Test
    void sampleInputsAreDeterministic() {
        assertThat(DemoModels.sampleInput(Kind.CNN, 2, 1)).isEqualTo(DemoModels.sampleInput(Kind.CNN, 2, 1));
        assertThat(DemoModels.sampleInput(Kind.CNN, 2, 1).digest()).isNotEqualTo(DemoModels.sampleInput(Kind.CNN, 2, 2).digest());
    }
}
