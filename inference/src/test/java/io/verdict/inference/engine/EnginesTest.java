package io.verdict.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.inference.demo.DemoModelFixture;
import io.verdict.inference.demo.DemoModels.Format;
import io.verdict.inference.demo.DemoModels.Kind;
import io.verdict.inference.safety.UnsafeModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnginesTest {

    @Test
    void picksTheEngineByTheArtifactLayout() {
        Engines engines = Engines.defaults();
        assertThat(engines.names()).containsExactly("tensorflow", "onnxruntime");
        assertThat(Engines.engineNameFor(DemoModelFixture.dir(Kind.MLP, Format.SAVED_MODEL))).isEqualTo("tensorflow");
        assertThat(Engines.engineNameFor(DemoModelFixture.dir(Kind.MLP, Format.ONNX))).isEqualTo("onnxruntime");
        assertThat(engines.forArtifact(DemoModelFixture.dir(Kind.CNN, Format.ONNX)).name()).isEqualTo("onnxruntime");
        assertThat(engines.forArtifact(DemoModelFixture.dir(Kind.CNN, Format.SAVED_MODEL)).name()).isEqualTo("tensorflow");
    }

    @Test
    void bothOrNeitherLayoutIsTheWrongFormat(@TempDir Path tmp) throws Exception {
        Path neither = Files.createDirectories(tmp.resolve("neither"));
        Files.writeString(neither.resolve("weights.bin"), "x");
        assertThatThrownBy(() -> Engines.engineNameFor(neither))
                .isInstanceOfSatisfying(UnsafeModel.class, e -> assertThat(e.reason()).isEqualTo(UnsafeModel.Reason.WRONG_FORMAT))
                .hasMessageContaining("saved_model.pb").hasMessageContaining("model.onnx");

        Path both = Files.createDirectories(tmp.resolve("both"));
        Files.writeString(both.resolve("saved_model.pb"), "x");
        Files.writeString(both.resolve("model.onnx"), "x");
        assertThatThrownBy(() -> Engines.engineNameFor(both))
                .isInstanceOfSatisfying(UnsafeModel.class, e -> assertThat(e.reason()).isEqualTo(UnsafeModel.Reason.WRONG_FORMAT))
                .hasMessageContaining("more than one format");

        assertThatThrownBy(() -> Engines.engineNameFor(tmp.resolve("absent")))
                .isInstanceOfSatisfying(UnsafeModel.class, e -> assertThat(e.reason()).isEqualTo(UnsafeModel.Reason.WRONG_FORMAT));
    }

    @Test
    void unknownNamesAreRefusedNamingTheAvailableEngines() {
        assertThatThrownBy(() -> Engines.defaults().get("pytorch"))
                .isInstanceOf(UnknownEngine.class)
                .hasMessageContaining("pytorch").hasMessageContaining("tensorflow").hasMessageContaining("onnxruntime");
    }

    @Test
    void enginesAreCreatedOnFirstUseAndReused() {
        AtomicInteger created = new AtomicInteger();
        Map<String, Supplier<? extends InferenceEngine>> factories = new LinkedHashMap<>();
        factories.put("fake", () -> {
            created.incrementAndGet();
            return new FakeEngine("fake");
        });
        factories.put("liar", () -> new FakeEngine("someone-else"));
        Engines engines = new Engines(factories);
        assertThat(created).hasValue(0);
        InferenceEngine first = engines.get("fake");
        assertThat(engines.get("fake")).isSameAs(first);
        assertThat(created).hasValue(1);
        assertThatThrownBy(() -> engines.get("liar")).isInstanceOf(IllegalStateException.class).hasMessageContaining("someone-else");
    }

    private record FakeEngine(String name) implements InferenceEngine {
        @Override
        public LoadedModel load(Path dir, io.verdict.inference.model.ArtifactManifest expected) {
            throw new UnsupportedOperationException();
        }
    }
}
