package io.verdict.inference.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.demo.DemoModels.Kind;
import io.verdict.inference.digest.ContentDigest;
import io.verdict.inference.engine.EngineException;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.engine.TensorSpec;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.model.ArtifactTampered;
import io.verdict.inference.model.ModelDigestMismatch;
import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.MissingTensor;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import io.verdict.inference.tensor.TensorDTypeMismatch;
import io.verdict.inference.tensor.TensorShapeMismatch;
import io.verdict.inference.tensor.UnknownTensorName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TensorFlowEngineTest {

    private final TensorFlowEngine engine = new TensorFlowEngine();

    @ParameterizedTest
    @EnumSource(Kind.class)
    void loadsDescribesAndRunsEachDemoModel(Kind kind) {
        ArtifactManifest manifest = DemoModelFixture.manifest(kind);
        try (LoadedModel model = engine.load(DemoModelFixture.dir(kind), manifest.digest())) {
            assertThat(model.digest()).isEqualTo(manifest.digest());
            assertThat(model.signature().inputs().values())
                    .containsExactly(new TensorSpec(DemoModels.INPUT, DType.FLOAT32, kind.inputShape()));
            assertThat(model.signature().outputs().values())
                    .containsExactly(new TensorSpec(DemoModels.OUTPUT, DType.FLOAT32, Shape.pattern(-1, 10)));

            NamedTensors out = model.run(DemoModels.sampleInput(kind, 3, 1));
            Tensor logits = out.get(DemoModels.OUTPUT);
            assertThat(out.names()).containsExactly(DemoModels.OUTPUT);
            assertThat(logits.shape()).isEqualTo(Shape.of(3, 10));
            for (float v : logits.toFloats()) {
                assertThat(Float.isFinite(v)).isTrue();
            }
            // Rows of different inputs give different logits; the model is not a constant.
            float[] f = logits.toFloats();
            assertThat(java.util.Arrays.copyOfRange(f, 0, 10)).isNotEqualTo(java.util.Arrays.copyOfRange(f, 10, 20));
            // A batch of 0 is accepted (-1 batch dimension).
            assertThat(model.run(DemoModels.sampleInput(kind, 0, 1)).get(DemoModels.OUTPUT).shape()).isEqualTo(Shape.of(0, 10));
        }
    }

    @Test
    void rejectsInputsThatBreakTheSignatureAndStaysHealthy() {
        Kind kind = Kind.MLP;
        try (LoadedModel model = engine.load(DemoModelFixture.dir(kind), DemoModelFixture.manifest(kind))) {
            Tensor good = DemoModels.sampleInput(kind, 2, 5).get(DemoModels.INPUT);
            assertThatThrownBy(() -> model.run(NamedTensors.of("inputs", good)))
                    .isInstanceOf(UnknownTensorName.class).hasMessageContaining("inputs");
            assertThatThrownBy(() -> model.run(NamedTensors.empty())).isInstanceOf(MissingTensor.class);
            assertThatThrownBy(() -> model.run(NamedTensors.of("input", Tensor.ofDoubles(Shape.of(1, 64), new double[64]))))
                    .isInstanceOf(TensorDTypeMismatch.class);
            assertThatThrownBy(() -> model.run(NamedTensors.of("input", Tensor.ofFloats(Shape.of(1, 63), new float[63]))))
                    .isInstanceOf(TensorShapeMismatch.class);
            assertThatThrownBy(() -> model.run(NamedTensors.of("input", Tensor.ofFloats(Shape.of(64), new float[64]))))
                    .isInstanceOf(TensorShapeMismatch.class);
            // Still serves correct requests afterwards.
            assertThat(model.run(NamedTensors.of("input", good)).get("output").shape()).isEqualTo(Shape.of(2, 10));
        }
    }

    @Test
    void tamperedArtifactIsRefusedNamingTheFile(@TempDir Path tmp) throws Exception {
        ArtifactManifest published = DemoModelFixture.manifest(Kind.MLP);
        Path dir = DemoModelFixture.copy(Kind.MLP, tmp.resolve("mlp"));
        byte[] pb = Files.readAllBytes(dir.resolve("saved_model.pb"));
        pb[pb.length - 1] ^= 1;
        Files.write(dir.resolve("saved_model.pb"), pb);
        assertThatThrownBy(() -> engine.load(dir, published))
                .isInstanceOf(ArtifactTampered.class).hasMessageContaining("saved_model.pb").hasMessageContaining("modified");
        assertThatThrownBy(() -> engine.load(dir, published.digest()))
                .isInstanceOf(ModelDigestMismatch.class).hasMessageContaining(published.digest().toString());

        pb[pb.length - 1] ^= 1;
        Files.write(dir.resolve("saved_model.pb"), pb);
        Files.writeString(dir.resolve("variables.txt"), "extra");
        assertThatThrownBy(() -> engine.load(dir, published))
                .isInstanceOf(ArtifactTampered.class).hasMessageContaining("variables.txt").hasMessageContaining("added");
        Files.delete(dir.resolve("variables.txt"));

        try (LoadedModel ok = engine.load(dir, published)) {
            assertThat(ok.digest()).isEqualTo(published.digest());
        }
        Files.delete(dir.resolve("saved_model.pb"));
        assertThatThrownBy(() -> engine.load(dir, published))
                .isInstanceOf(ArtifactTampered.class).hasMessageContaining("saved_model.pb").hasMessageContaining("removed");
    }

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

    @Test
    void closedModelRefusesToRun() {
        LoadedModel model = engine.load(DemoModelFixture.dir(Kind.MLP), DemoModelFixture.manifest(Kind.MLP));
        model.close();
        model.close();
        assertThatThrownBy(() -> model.run(DemoModels.sampleInput(Kind.MLP, 1, 1))).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void concurrentCallersGetTheSequentialDigest(Kind kind) throws Exception {
        int threads = 8;
        int runsPerThread = 200;
        try (LoadedModel model = engine.load(DemoModelFixture.dir(kind), DemoModelFixture.manifest(kind))) {
            List<NamedTensors> inputs = new ArrayList<>();
            List<ContentDigest> sequential = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                NamedTensors in = DemoModels.sampleInput(kind, 1 + i, 100 + i);
                inputs.add(in);
                sequential.add(AgreementPolicy.EXACT.canonicalise(model.run(in)).digest());
            }
            assertThat(Set.copyOf(sequential)).hasSize(4);
            Set<String> failures = ConcurrentHashMap.newKeySet();
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        start.await();
                        for (int r = 0; r < runsPerThread; r++) {
                            int which = (thread + r) % inputs.size();
                            ContentDigest d = AgreementPolicy.EXACT.canonicalise(model.run(inputs.get(which))).digest();
                            if (!d.equals(sequential.get(which))) {
                                failures.add("thread " + thread + " run " + r + ": " + d);
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : futures) {
                    f.get(2, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(failures).isEmpty();
        }
    }
}
