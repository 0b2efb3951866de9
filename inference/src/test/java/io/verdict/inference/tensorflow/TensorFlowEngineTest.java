package io.verdict.inference.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.inference.demo.DemoModelFixture;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.demo.DemoModels.Kind;
import io.verdict.inference.engine.EngineException;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.safety.UnsafeModel;
import io.verdict.inference.safety.UnsafeModel.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

/** TensorFlow-specific behaviour; what every engine must do is in {@link TensorFlowEngineContractTest}. */
class TensorFlowEngineTest {

    private final TensorFlowEngine engine = new TensorFlowEngine();

    @Test
    void corruptOrEmptyArtifactsAreRefusedByTheScanBeforeTensorFlowReadsThem(@TempDir Path tmp) throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> engine.load(empty, ArtifactManifest.scan(empty)))
                .isInstanceOfSatisfying(UnsafeModel.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_FORMAT));

        Path garbage = Files.createDirectories(tmp.resolve("garbage"));
        Files.write(garbage.resolve("saved_model.pb"), "this is not a protobuf".getBytes());
        assertThatThrownBy(() -> engine.load(garbage, ArtifactManifest.scan(garbage).digest()))
                .isInstanceOfSatisfying(UnsafeModel.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));

        Path truncated = DemoModelFixture.copy(Kind.CNN, tmp.resolve("truncated"));
        byte[] pb = Files.readAllBytes(truncated.resolve("saved_model.pb"));
        Files.write(truncated.resolve("saved_model.pb"), java.util.Arrays.copyOf(pb, pb.length / 2));
        assertThatThrownBy(() -> engine.load(truncated, ArtifactManifest.scan(truncated)))
                .isInstanceOfSatisfying(UnsafeModel.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    }

    @Test
    void aGraphThatPassesTheScanButTensorFlowCannotImportFailsWithEngineException(@TempDir Path tmp) throws Exception {
        Path broken = DemoModelFixture.copy(Kind.MLP, tmp.resolve("broken"));
        Path file = broken.resolve("saved_model.pb");
        SavedModel.Builder graph = SavedModel.parseFrom(Files.readAllBytes(file)).toBuilder();
        // an allowed op without the type attribute every MatMul must carry
        graph.getMetaGraphsBuilder(0).getGraphDefBuilder()
                .addNode(NodeDef.newBuilder().setName("untyped").setOp("MatMul").addInput("input").addInput("input"));
        Files.write(file, graph.build().toByteArray());
        assertThatThrownBy(() -> engine.load(broken, ArtifactManifest.scan(broken)))
                .isInstanceOf(EngineException.class);

        // The engine still loads and runs good models afterwards.
        try (LoadedModel model = engine.load(DemoModelFixture.dir(Kind.CNN), DemoModelFixture.manifest(Kind.CNN))) {
            assertThat(model.run(DemoModels.sampleInput(Kind.CNN, 1, 3)).size()).isEqualTo(1);
        }
    }
}
