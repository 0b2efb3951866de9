package io.verdict.inference.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.inference.demo.DemoModelFixture;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.demo.DemoModels.Format;
import io.verdict.inference.engine.UnknownEngine;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.tensorflow.TensorFlowEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

class SafetyScanTest {

    @TempDir
    Path tmp;

    @Test
    void theDemoModelsPassAsTheirOwnFormat() {
        for (DemoModels.Kind kind : DemoModels.Kind.values()) {
            SafetyScan.scan("tensorflow", DemoModelFixture.dir(kind, Format.SAVED_MODEL));
            SafetyScan.scan("onnxruntime", DemoModelFixture.dir(kind, Format.ONNX));
        }
    }

    @Test
    void anArtifactOfTheOtherFormatIsRefusedNamingBoth() {
        assertThatThrownBy(() -> SafetyScan.scan("tensorflow", DemoModelFixture.dir(DemoModels.Kind.MLP, Format.ONNX)))
                .isInstanceOfSatisfying(UnsafeModel.class, e -> assertThat(e.reason()).isEqualTo(UnsafeModel.Reason.WRONG_FORMAT))
                .hasMessageContaining("declared a TensorFlow SavedModel")
                .hasMessageContaining("holds an ONNX model (model.onnx)");
        assertThatThrownBy(() -> SafetyScan.scan("onnxruntime",
                DemoModelFixture.dir(DemoModels.Kind.MLP, Format.SAVED_MODEL)))
                .isInstanceOfSatisfying(UnsafeModel.class, e -> assertThat(e.reason()).isEqualTo(UnsafeModel.Reason.WRONG_FORMAT))
                .hasMessageContaining("declared an ONNX model")
                .hasMessageContaining("holds a TensorFlow SavedModel (saved_model.pb)");
    }

    @Test
    void anArtifactWithBothMarkersOrNoneIsRefused() throws IOException {
        Path both = DemoModelFixture.copy(DemoModels.Kind.MLP, Format.SAVED_MODEL, tmp.resolve("both"));
        Files.copy(DemoModelFixture.dir(DemoModels.Kind.MLP, Format.ONNX).resolve("model.onnx"), both.resolve("model.onnx"));
        assertThatThrownBy(() -> SafetyScan.scan("tensorflow", both))
                .isInstanceOfSatisfying(UnsafeModel.class, e -> assertThat(e.reason()).isEqualTo(UnsafeModel.Reason.WRONG_FORMAT))
                .hasMessageContaining("more than one format");

        Path none = Files.createDirectories(tmp.resolve("none"));
        Files.writeString(none.resolve("weights.bin"), "not a model");
        assertThatThrownBy(() -> SafetyScan.scan("tensorflow", none))
                .isInstanceOfSatisfying(UnsafeModel.class, e -> assertThat(e.reason()).isEqualTo(UnsafeModel.Reason.WRONG_FORMAT))
                .hasMessageContaining("saved_model.pb");
        assertThatThrownBy(() -> SafetyScan.scan("onnxruntime", none))
                .isInstanceOfSatisfying(UnsafeModel.class, e -> assertThat(e.reason()).isEqualTo(UnsafeModel.Reason.WRONG_FORMAT))
                .hasMessageContaining("model.onnx");
        assertThatThrownBy(() -> SafetyScan.scan("pytorch", none)).isInstanceOf(UnknownEngine.class);
    }

    @Test
    void theTensorFlowEngineScansBeforeTheRuntimeSeesTheModel() throws IOException {
        Path dir = DemoModelFixture.copy(DemoModels.Kind.MLP, Format.SAVED_MODEL, tmp.resolve("leaky"));
        Path pb = dir.resolve("saved_model.pb");
        SavedModel.Builder model = SavedModel.parseFrom(Files.readAllBytes(pb)).toBuilder();
        model.getMetaGraphsBuilder(0).getGraphDefBuilder()
                .addNode(NodeDef.newBuilder().setName("leak").setOp("ReadFile").build());
        Files.write(pb, model.build().toByteArray());
        assertThatThrownBy(() -> new TensorFlowEngine().load(dir, ArtifactManifest.scan(dir)))
                .isInstanceOfSatisfying(UnsafeModel.class, e -> {
                    assertThat(e.reason()).isEqualTo(UnsafeModel.Reason.DISALLOWED_OP);
                    assertThat(e.subject()).isEqualTo("ReadFile");
                })
                .hasMessageContaining("leak");
    }
}
