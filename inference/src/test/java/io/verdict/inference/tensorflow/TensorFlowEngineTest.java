package io.verdict.inference.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.inference.demo.DemoModelFixture;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.demo.DemoModels.Kind;
import io.verdict.inference.engine.EngineException;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.model.ArtifactManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TensorFlow-specific behaviour; what every engine must do is in {@link TensorFlowEngineContractTest}. */
class TensorFlowEngineTest {

    private final TensorFlowEngine engine = new TensorFlowEngine();

    @Test
    void corruptOrEmptyArtifactsFailWithEngineException(@TempDir Path tmp) throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> engine.load(empty, ArtifactManifest.scan(empty)))
                .isInstanceOf(EngineException.class);

        Path garbage = Files.createDirectories(tmp.resolve("garbage"));
        Files.write(garbage.resolve("saved_model.pb"), "this is not a protobuf".getBytes());
        assertThatThrownBy(() -> engine.load(garbage, ArtifactManifest.scan(garbage).digest()))
                .isInstanceOf(EngineException.class);

        Path truncated = DemoModelFixture.copy(Kind.CNN, tmp.resolve("truncated"));
        byte[] pb = Files.readAllBytes(truncated.resolve("saved_model.pb"));
        Files.write(truncated.resolve("saved_model.pb"), java.util.Arrays.copyOf(pb, pb.length / 2));
        assertThatThrownBy(() -> engine.load(truncated, ArtifactManifest.scan(truncated)))
                .isInstanceOf(EngineException.class);

        // The engine still loads and runs good models afterwards.
        try (LoadedModel model = engine.load(DemoModelFixture.dir(Kind.CNN), DemoModelFixture.manifest(Kind.CNN))) {
            assertThat(model.run(DemoModels.sampleInput(Kind.CNN, 1, 3)).size()).isEqualTo(1);
        }
    }
}
