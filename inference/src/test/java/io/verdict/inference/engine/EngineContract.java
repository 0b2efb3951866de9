package io.verdict.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.demo.DemoModelFixture;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.demo.DemoModels.Format;
import io.verdict.inference.demo.DemoModels.Kind;
import io.verdict.inference.digest.ContentDigest;
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
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every {@link InferenceEngine} must do, written once and run against each implementation
 * with that engine's export of the demo models: a subclass names the engine and the format.
 */
public abstract class EngineContract {

    /** A fresh engine (called once per test). */
    protected abstract InferenceEngine engine();

    /** The demo-model format this engine loads. */
    protected abstract Format format();

    /** The shared export of {@code kind}, under {@code target/}; tests never modify it. */
    protected Path demoModel(Kind kind) {
        return DemoModelFixture.dir(kind, format());
    }

    private ArtifactManifest manifest(Kind kind) {
        return ArtifactManifest.scan(demoModel(kind));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void loadsEachDemoModelWithItsSignatureAndRunsIt(Kind kind) {
        ArtifactManifest manifest = manifest(kind);
        try (LoadedModel model = engine().load(demoModel(kind), manifest.digest())) {
            assertThat(model.digest()).isEqualTo(manifest.digest());
            assertThat(model.signature().inputs().values())
                    .containsExactly(new TensorSpec(DemoModels.INPUT, DType.FLOAT32, kind.inputShape()));
            assertThat(model.signature().outputs().values())
                    .containsExactly(new TensorSpec(DemoModels.OUTPUT, DType.FLOAT32, Shape.pattern(-1, DemoModels.CLASSES)));

            NamedTensors out = model.run(DemoModels.sampleInput(kind, 3, 1));
            assertThat(out.names()).containsExactly(DemoModels.OUTPUT);
            Tensor logits = out.get(DemoModels.OUTPUT);
            assertThat(logits.shape()).isEqualTo(Shape.of(3, DemoModels.CLASSES));
            float[] f = logits.toFloats();
            for (float v : f) {
                assertThat(Float.isFinite(v)).isTrue();
            }
            // Rows of different inputs give different logits: the model is not a constant.
            assertThat(Arrays.copyOfRange(f, 0, 10)).isNotEqualTo(Arrays.copyOfRange(f, 10, 20));
            // A batch of 0 is accepted (-1 batch dimension).
            assertThat(model.run(DemoModels.sampleInput(kind, 0, 1)).get(DemoModels.OUTPUT).shape())
                    .isEqualTo(Shape.of(0, DemoModels.CLASSES));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void repeatedRunsAreBitIdentical(Kind kind) {
        NamedTensors input = DemoModels.sampleInput(kind, 4, 2024);
        Set<ContentDigest> digests = new HashSet<>();
        try (LoadedModel model = engine().load(demoModel(kind), manifest(kind))) {
            for (int i = 0; i < 200; i++) {
                digests.add(AgreementPolicy.EXACT.canonicalise(model.run(input)).digest());
            }
        }
        // A reloaded model (a new session) gives the same bits too.
        try (LoadedModel again = engine().load(demoModel(kind), manifest(kind))) {
            digests.add(AgreementPolicy.EXACT.canonicalise(again.run(input)).digest());
        }
        assertThat(digests).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void concurrentCallersGetTheSequentialResult(Kind kind) throws Exception {
        int threads = 8;
        int runsPerThread = 100;
        try (LoadedModel model = engine().load(demoModel(kind), manifest(kind))) {
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

    @ParameterizedTest
    @EnumSource(Kind.class)
    void eachRowOfABatchAgreesWithASingleRowRun(Kind kind) {
        int batch = 5;
        Tensor inputs = DemoModels.sampleInput(kind, batch, 31).get(DemoModels.INPUT);
        float[] all = inputs.toFloats();
        int rowSize = all.length / batch;
        long[] rowDims = inputs.shape().dims();
        rowDims[0] = 1;
        try (LoadedModel model = engine().load(demoModel(kind), manifest(kind))) {
            float[] batched = model.run(NamedTensors.of(DemoModels.INPUT, inputs)).get(DemoModels.OUTPUT).toFloats();
            for (int r = 0; r < batch; r++) {
                Tensor row = Tensor.ofFloats(Shape.of(rowDims), Arrays.copyOfRange(all, r * rowSize, (r + 1) * rowSize));
                float[] single = model.run(NamedTensors.of(DemoModels.INPUT, row)).get(DemoModels.OUTPUT).toFloats();
                for (int c = 0; c < DemoModels.CLASSES; c++) {
                    assertThat(single[c]).as("row %d class %d", r, c)
                            .isCloseTo(batched[r * DemoModels.CLASSES + c], within(1e-5f));
                }
            }
        }
    }

    @Test
    void inputsThatBreakTheSignatureAreRejectedBeforeTheRuntime() {
        Kind kind = Kind.MLP;
        try (LoadedModel model = engine().load(demoModel(kind), manifest(kind))) {
            Tensor good = DemoModels.sampleInput(kind, 2, 5).get(DemoModels.INPUT);
            assertThatThrownBy(() -> model.run(NamedTensors.of("inputs", good)))
                    .isInstanceOf(UnknownTensorName.class).hasMessageContaining("inputs");
            assertThatThrownBy(() -> model.run(NamedTensors.empty()))
                    .isInstanceOf(MissingTensor.class).hasMessageContaining(DemoModels.INPUT);
            assertThatThrownBy(() -> model.run(NamedTensors.of(DemoModels.INPUT, Tensor.ofDoubles(Shape.of(1, 64), new double[64]))))
                    .isInstanceOf(TensorDTypeMismatch.class);
            assertThatThrownBy(() -> model.run(NamedTensors.of(DemoModels.INPUT, Tensor.ofFloats(Shape.of(1, 63), new float[63]))))
                    .isInstanceOf(TensorShapeMismatch.class);
            assertThatThrownBy(() -> model.run(NamedTensors.of(DemoModels.INPUT, Tensor.ofFloats(Shape.of(64), new float[64]))))
                    .isInstanceOf(TensorShapeMismatch.class);
            // Still serves correct requests afterwards.
            assertThat(model.run(NamedTensors.of(DemoModels.INPUT, good)).get(DemoModels.OUTPUT).shape())
                    .isEqualTo(Shape.of(2, DemoModels.CLASSES));
        }
    }

    @Test
    void aTamperedArtifactIsRefusedBeforeLoadingNamingTheFile(@TempDir Path tmp) throws Exception {
        ArtifactManifest published = manifest(Kind.MLP);
        Path dir = DemoModelFixture.copy(Kind.MLP, format(), tmp.resolve("mlp"));
        String modelFile = format().modelFile();
        byte[] bytes = Files.readAllBytes(dir.resolve(modelFile));
        bytes[bytes.length - 1] ^= 1;
        Files.write(dir.resolve(modelFile), bytes);
        assertThatThrownBy(() -> engine().load(dir, published))
                .isInstanceOf(ArtifactTampered.class).hasMessageContaining(modelFile).hasMessageContaining("modified");
        assertThatThrownBy(() -> engine().load(dir, published.digest()))
                .isInstanceOf(ModelDigestMismatch.class).hasMessageContaining(published.digest().toString());

        bytes[bytes.length - 1] ^= 1;
        Files.write(dir.resolve(modelFile), bytes);
        Files.writeString(dir.resolve("extra.txt"), "extra");
        assertThatThrownBy(() -> engine().load(dir, published))
                .isInstanceOf(ArtifactTampered.class).hasMessageContaining("extra.txt").hasMessageContaining("added");
        Files.delete(dir.resolve("extra.txt"));

        try (LoadedModel ok = engine().load(dir, published)) {
            assertThat(ok.digest()).isEqualTo(published.digest());
        }
        Files.delete(dir.resolve(modelFile));
        assertThatThrownBy(() -> engine().load(dir, published))
                .isInstanceOf(ArtifactTampered.class).hasMessageContaining(modelFile).hasMessageContaining("removed");
    }

    @Test
    void aClosedModelRefusesToRun() {
        LoadedModel model = engine().load(demoModel(Kind.MLP), manifest(Kind.MLP));
        model.close();
        model.close();
        assertThatThrownBy(() -> model.run(DemoModels.sampleInput(Kind.MLP, 1, 1))).isInstanceOf(IllegalStateException.class);
    }

    /**
     * Runs in flight while {@code close()} is called finish with the right result (the session is
     * not freed under them); a run that starts after {@code close()} returned is refused.
     */
    @Test
    void closeWaitsForRunsInFlight() throws Exception {
        Kind kind = Kind.CNN;
        NamedTensors input = DemoModels.sampleInput(kind, 64, 8);
        LoadedModel model = engine().load(demoModel(kind), manifest(kind));
        ContentDigest expected = AgreementPolicy.EXACT.canonicalise(model.run(input)).digest();
        int threads = 4;
        AtomicBoolean closeReturned = new AtomicBoolean();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        Set<String> failures = ConcurrentHashMap.newKeySet();
        CountDownLatch running = new CountDownLatch(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    boolean counted = false;
                    while (true) {
                        boolean startedAfterClose = closeReturned.get();
                        try {
                            ContentDigest d = AgreementPolicy.EXACT.canonicalise(model.run(input)).digest();
                            if (startedAfterClose) {
                                failures.add("a run that started after close() returned succeeded");
                            } else if (!d.equals(expected)) {
                                failures.add("wrong result " + d);
                            }
                            completed.incrementAndGet();
                        } catch (IllegalStateException e) {
                            refused.incrementAndGet();
                            return null;
                        } catch (RuntimeException e) {
                            failures.add(e.toString());
                            return null;
                        } finally {
                            if (!counted) {
                                counted = true;
                                running.countDown();
                            }
                        }
                    }
                }));
            }
            assertThat(running.await(1, TimeUnit.MINUTES)).isTrue();
            model.close();
            closeReturned.set(true);
            for (Future<?> f : futures) {
                f.get(1, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(failures).isEmpty();
        assertThat(completed.get()).isPositive();
        assertThat(refused.get()).isEqualTo(threads);
    }
}
