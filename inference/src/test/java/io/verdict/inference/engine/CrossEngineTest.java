package io.verdict.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.demo.DemoModelFixture;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.demo.DemoModels.Format;
import io.verdict.inference.demo.DemoModels.Kind;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.onnx.OnnxEngine;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensorflow.TensorFlowEngine;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The ONNX and SavedModel exports of each demo model compute the same function on both runtimes. */
class CrossEngineTest {

    @ParameterizedTest
    @EnumSource(Kind.class)
    void onnxRuntimeAndTensorFlowAgreeWithin1e4AndOnEveryArgmax(Kind kind) {
        Path tf = DemoModelFixture.dir(kind, Format.SAVED_MODEL);
        Path onnx = DemoModelFixture.dir(kind, Format.ONNX);
        try (LoadedModel a = new TensorFlowEngine().load(tf, ArtifactManifest.scan(tf));
             LoadedModel b = new OnnxEngine().load(onnx, ArtifactManifest.scan(onnx))) {
            assertThat(b.signature()).isEqualTo(a.signature());
            for (long seed = 1; seed <= 5; seed++) {
                NamedTensors input = DemoModels.sampleInput(kind, 16, seed);
                NamedTensors outA = a.run(input);
                NamedTensors outB = b.run(input);
                float[] fa = outA.get(DemoModels.OUTPUT).toFloats();
                float[] fb = outB.get(DemoModels.OUTPUT).toFloats();
                assertThat(fb).hasSameSizeAs(fa);
                for (int i = 0; i < fa.length; i++) {
                    assertThat(fb[i]).as("seed %d element %d", seed, i).isCloseTo(fa[i], within(1e-4f));
                }
                for (int row = 0; row < 16; row++) {
                    assertThat(argmax(fb, row)).as("seed %d row %d", seed, row).isEqualTo(argmax(fa, row));
                }
                assertThat(AgreementPolicy.ARGMAX.canonicalise(outB)).isEqualTo(AgreementPolicy.ARGMAX.canonicalise(outA));
            }
        }
    }

    private static int argmax(float[] logits, int row) {
        int best = 0;
        for (int c = 1; c < DemoModels.CLASSES; c++) {
            if (logits[row * DemoModels.CLASSES + c] > logits[row * DemoModels.CLASSES + best]) {
                best = c;
            }
        }
        return best;
    }
}
