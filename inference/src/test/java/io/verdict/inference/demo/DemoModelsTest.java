package io.verdict.inference.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.demo.DemoModels.Kind;
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
    void sampleInputsAreDeterministic() {
        assertThat(DemoModels.sampleInput(Kind.CNN, 2, 1)).isEqualTo(DemoModels.sampleInput(Kind.CNN, 2, 1));
        assertThat(DemoModels.sampleInput(Kind.CNN, 2, 1).digest()).isNotEqualTo(DemoModels.sampleInput(Kind.CNN, 2, 2).digest());
    }
}
