package io.verdict.actors.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.agreement.CanonicalOutput;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.engine.Engines;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.model.ModelDigestMismatch;
import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensorflow.TensorFlowEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelExecutorTest {

    @TempDir
    static Path root;

    static Path mlpDir;
    static ModelDigest mlp;

    @BeforeAll
    static void exportModels() {
        mlpDir = DemoModels.ensureExported(root.resolve("models"), DemoModels.Kind.MLP);
        mlp = ArtifactManifest.scan(mlpDir).digest();
    }

    private static ModelExecutor executor(int threads, int queue) {
        return new ModelExecutor(new TensorFlowEngine(),
                d -> {
                    if (d.equals(mlp)) {
                        return mlpDir;
                    }
                    throw new ModelUnavailable(d);
                },
                new ModelExecutor.Settings(threads, queue));
    }

    @Test
    void withSeveralEnginesEachArtifactRunsOnTheEngineItsLayoutCallsFor() throws Exception {
        Path onnxDir = DemoModels.ensureExported(root.resolve("models"), DemoModels.Kind.MLP, DemoModels.Format.ONNX);
        ModelDigest onnx = ArtifactManifest.scan(onnxDir).digest();
        Map<ModelDigest, Path> dirs = Map.of(mlp, mlpDir, onnx, onnxDir);
        NamedTensors input = DemoModels.sampleInput(DemoModels.Kind.MLP, 3, 11L);
        AgreementPolicy argmax = AgreementPolicy.parse("ARGMAX");
        try (ModelExecutor executor = new ModelExecutor(Engines.defaults(), d -> {
            Path dir = dirs.get(d);
            if (dir == null) {
                throw new ModelUnavailable(d);
            }
            return dir;
        }, new ModelExecutor.Settings(2, 8))) {
            CanonicalOutput viaTensorFlow = executor.execute(mlp, argmax, input).toCompletableFuture().get(60, TimeUnit.SECONDS);
            CanonicalOutput viaOnnx = executor.execute(onnx, argmax, input).toCompletableFuture().get(60, TimeUnit.SECONDS);
            // the same weights in two formats: the same classes, whichever runtime ran them
            assertThat(viaOnnx.digest()).isEqualTo(viaTensorFlow.digest());
            assertThat(executor.loadedModels()).containsExactlyInAnyOrder(mlp, onnx);
        }
    }

    @Test
    void runsAndCanonicalisesOffTheCallersThread() {
        NamedTensors input = DemoModels.sampleInput(DemoModels.Kind.MLP, 4, 7L);
        CanonicalOutput expected;
        try (var model = new TensorFlowEngine().load(mlpDir, mlp)) {
            expected = AgreementPolicy.parse("ARGMAX").canonicalise(model.run(input));
        }
        try (ModelExecutor executor = executor(2, 32)) {
            List<CompletableFuture<CanonicalOutput>> runs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                runs.add(executor.execute(mlp, AgreementPolicy.parse("ARGMAX"), input).toCompletableFuture());
            }
            for (CompletableFuture<CanonicalOutput> run : runs) {
                assertThat(run.join().digest()).isEqualTo(expected.digest());
            }
            assertThat(executor.loadedModels()).containsExactly(mlp);
        }
    }

    @Test
    void refusesWorkWhenTheQueueIsFull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ModelExecutor executor = executor(1, 1)) {
            CompletableFuture<Boolean> busy = executor.submit(() -> await(release)).toCompletableFuture();
            CompletableFuture<Boolean> queued = executor.submit(() -> true).toCompletableFuture();
            CompletableFuture<CanonicalOutput> refused = executor.execute(mlp, AgreementPolicy.parse("EXACT"),
                    DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 1L)).toCompletableFuture();

            assertThatThrownBy(refused::join).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(ExecutorOverloaded.class)
                    .hasMessageContaining("saturated");
            release.countDown();
            assertThat(busy.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(queued.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void unknownModelAndTamperedArtifactAreTypedFailures() throws Exception {
        Path copy = root.resolve("tampered");
        try (var files = Files.walk(mlpDir)) {
            for (Path p : files.toList()) {
                Path target = copy.resolve(mlpDir.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        Files.writeString(copy.resolve("extra.txt"), "not part of the model");
        ModelDigest unknown = ModelDigest.parse("sha256:" + "ab".repeat(32));
        Map<ModelDigest, Path> where = Map.of(mlp, copy);
        try (ModelExecutor executor = new ModelExecutor(new TensorFlowEngine(),
                d -> {
                    Path p = where.get(d);
                    if (p == null) {
                        throw new ModelUnavailable(d);
                    }
                    return p;
                }, ModelExecutor.Settings.defaults())) {
            NamedTensors input = DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 1L);
            assertThatThrownBy(() -> executor.execute(unknown, AgreementPolicy.parse("EXACT"), input)
                    .toCompletableFuture().join())
                    .hasCauseInstanceOf(ModelUnavailable.class)
                    .hasMessageContaining(unknown.toString());
            assertThatThrownBy(() -> executor.execute(mlp, AgreementPolicy.parse("EXACT"), input)
                    .toCompletableFuture().join())
                    .hasCauseInstanceOf(ModelDigestMismatch.class)
                    .hasMessageContaining("expected " + mlp);
            assertThat(executor.loadedModels()).isEmpty();
        }
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
