package io.verdict.benchmarks;

import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.onnx.OnnxEngine;
import io.verdict.inference.tensorflow.TensorFlowEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Raw inference through Verdict's engines: one caller, the demo models (the same weights as a
 * TensorFlow SavedModel and as an ONNX model), TensorFlow and ONNX Runtime, batch 1, 32 and 256.
 * Sample mode gives the latency distribution (p50, p99) of one {@code run}; samples per second are
 * {@code batch / mean latency}. This is the baseline that verified throughput is measured against,
 * and the comparison of the two engines on the same models.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class InferenceBenchmark {

    @Param({"tensorflow", "onnxruntime"})
    public String engine;

    @Param({"MLP", "CNN"})
    public String model;

    @Param({"1", "32", "256"})
    public int batch;

    private Path dir;
    private LoadedModel loaded;
    private NamedTensors input;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        DemoModels.Kind kind = DemoModels.Kind.valueOf(model);
        dir = Files.createTempDirectory("verdict-bench-");
        boolean onnx = engine.equals("onnxruntime");
        Path modelDir = DemoModels.ensureExported(dir, kind, onnx ? DemoModels.Format.ONNX : DemoModels.Format.SAVED_MODEL);
        loaded = (onnx ? new OnnxEngine() : new TensorFlowEngine()).load(modelDir, ArtifactManifest.scan(modelDir));
        input = DemoModels.sampleInput(kind, batch, 42L);
    }

    @Benchmark
    public NamedTensors run() {
        return loaded.run(input);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        loaded.close();
        Benchmarks.deleteRecursively(dir);
    }
}
