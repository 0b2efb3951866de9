package io.verdict.inference.tensorflow;

import io.verdict.inference.engine.EngineException;
import io.verdict.inference.engine.InferenceEngine;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.engine.ModelSignature;
import io.verdict.inference.engine.TensorSpec;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.safety.TensorFlowScan;
import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.Shape;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;

/**
 * {@link InferenceEngine} for TensorFlow SavedModels (TensorFlow Java 1.1.0, TF 2.18 runtime),
 * serving the {@code serving_default} signature of the {@code serve} meta-graph.
 *
 * <h2>Determinism</h2>
 * Every session is created with a pinned {@link ConfigProto} ({@link Settings}): <b>one intra-op
 * thread</b>, so each kernel (matmul, convolution, reduction) runs on one thread and its summation
 * order never depends on how work was split; inter-op threads (which only decide which independent
 * kernels run at the same time, never how a kernel computes) sized to the cores so that concurrent
 * callers do not queue behind each other; no GPU devices and no soft placement, so every kernel is
 * the CPU kernel. On one machine (same CPU, same oneDNN ISA) repeated runs, concurrent callers,
 * inter-op thread counts and JVMs give bit-identical outputs (tested). oneDNN picks its instruction
 * set from the CPU at start-up: outputs may differ by ~1e-6 between machines whose ISA differs
 * (AVX2 vs AVX-512) or with {@code TF_ENABLE_ONEDNN_OPTS=0}; give every validator of a cluster the
 * same {@code ONEDNN_MAX_CPU_ISA} (environment, read by the native runtime at start-up, so this class
 * cannot set it and does not change it), or declare a QUANTIZED/ARGMAX/TOPK policy.
 *
 * <h2>Concurrency</h2>
 * A {@link LoadedModel} holds one native session, and TensorFlow's {@code Session.run} is
 * thread-safe: any number of threads may call {@link LoadedModel#run} at once, each with its own
 * input and output tensors (no session pool is needed). Bound the callers with your own executor.
 * {@code close()} takes a write lock, so it waits for runs in flight; later runs fail with
 * {@link IllegalStateException}.
 *
 * <h2>Safety</h2>
 * Before TensorFlow reads a byte, the artifact is checked against its manifest and then by
 * {@link TensorFlowScan} (an op allow-list read with the protobuf classes alone): a graph with file,
 * network, process, Python or unknown ops is refused with
 * {@link io.verdict.inference.safety.UnsafeModel} and never reaches the runtime.
 *
 * <p>Every native failure, while loading or running, surfaces as {@link EngineException}.
 */
public final class TensorFlowEngine implements InferenceEngine {

    /** The signature served. */
    public static final String SIGNATURE_KEY = "serving_default";
    /** The meta-graph tag loaded. */
    public static final String TAG = "serve";

    private static final Logger LOG = LoggerFactory.getLogger(TensorFlowEngine.class);

    /**
     * Runtime settings pinned into every session.
     *
     * @param intraOpThreads threads one kernel may use; 1 fixes every kernel's work split and order
     * @param interOpThreads threads running independent kernels concurrently; no effect on values
     */
    public record Settings(int intraOpThreads, int interOpThreads) {

        /** One intra-op thread; one inter-op thread per available core (at least 2). */
        public static Settings defaults() {
            return new Settings(1, Math.max(2, Runtime.getRuntime().availableProcessors()));
        }

        public Settings {
            if (intraOpThreads < 1 || interOpThreads < 1) {
                throw new IllegalArgumentException("thread counts must be >= 1");
            }
        }

        /** The {@link ConfigProto} every session gets. */
        public ConfigProto toConfigProto() {
            return ConfigProto.newBuilder()
                    .setIntraOpParallelismThreads(intraOpThreads)
                    .setInterOpParallelismThreads(interOpThreads)
                    .putDeviceCount("GPU", 0)
                    .setAllowSoftPlacement(false)
                    .build();
        }
    }

    private final Settings settings;

    public TensorFlowEngine() {
        this(Settings.defaults());
    }

    public TensorFlowEngine(Settings settings) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new EngineException("TensorFlowEngine needs a little-endian platform", null);
        }
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public String name() {
        return "tensorflow";
    }

    @Override
    public LoadedModel load(Path dir, ArtifactManifest expected) {
        ArtifactManifest actual = ArtifactManifest.scan(dir);
        expected.verifyMatches(actual);
        TensorFlowScan.scan(dir);
        SavedModelBundle bundle;
        try {
            bundle = SavedModelBundle.loader(dir.toAbsolutePath().toString())
                    .withTags(TAG)
                    .withConfigProto(settings.toConfigProto())
                    .load();
        } catch (RuntimeException | LinkageError e) {
            // the runtime's message names the directory; callers see the artifact, never this node's paths
            throw new EngineException("TensorFlow could not load SavedModel " + expected.digest() + ": "
                    + String.valueOf(e.getMessage()).replace(dir.toAbsolutePath().toString(), "<artifact>"), e);
        }
        try {
            Signature sig = findSignature(bundle);
            ModelSignature signature = ModelSignature.of(specs(sig.getInputs()), specs(sig.getOutputs()));
            TensorFlowModel model = new TensorFlowModel(bundle, actual.digest(), signature, sig);
            LOG.info("loaded TensorFlow model {} {}", actual.digest(), signature);
            return model;
        } catch (RuntimeException e) {
            bundle.close();
            if (e instanceof EngineException ee) {
                throw ee;
            }
            throw new EngineException("unsupported SavedModel " + expected.digest() + ": " + e.getMessage(), e);
        }
    }

    private static Signature findSignature(SavedModelBundle bundle) {
        for (Signature s : bundle.signatures()) {
            if (SIGNATURE_KEY.equals(s.key())) {
                return s;
            }
        }
        throw new EngineException("SavedModel has no '" + SIGNATURE_KEY + "' signature", null);
    }

    private static List<TensorSpec> specs(Map<String, Signature.TensorDescription> descriptions) {
        List<TensorSpec> out = new ArrayList<>();
        for (Map.Entry<String, Signature.TensorDescription> e : descriptions.entrySet()) {
            Signature.TensorDescription d = e.getValue();
            if (d.shape.isUnknown()) {
                throw new EngineException("tensor '" + e.getKey() + "' has unknown rank; not supported", null);
            }
            out.add(new TensorSpec(e.getKey(), dtypeOf(e.getKey(), d.dataType), Shape.pattern(d.shape.asArray())));
        }
        return out;
    }

    static DType dtypeOf(String name, DataType dt) {
        return switch (dt) {
            case DT_FLOAT -> DType.FLOAT32;
            case DT_DOUBLE -> DType.FLOAT64;
            case DT_INT32 -> DType.INT32;
            case DT_INT64 -> DType.INT64;
            case DT_BOOL -> DType.BOOL;
            default -> throw new EngineException("tensor '" + name + "' has unsupported dtype " + dt, null);
        };
    }
}
