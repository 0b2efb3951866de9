package io.verdict.inference.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import io.verdict.inference.engine.EngineException;
import io.verdict.inference.engine.InferenceEngine;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.engine.ModelSignature;
import io.verdict.inference.engine.TensorSpec;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.safety.OnnxScan;
import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.Shape;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link InferenceEngine} for ONNX models on ONNX Runtime (the {@code com.microsoft.onnxruntime}
 * CPU build). An artifact is a directory holding {@value OnnxScan#MODEL_FILE} and, optionally,
 * external-data files beside it; the session is created from the file's path, so external data
 * resolves inside that directory. Before ONNX Runtime sees a byte the directory is verified
 * against its manifest and passed through {@link OnnxScan} (no custom domains or local functions,
 * standard ops only, external data confined to the directory).
 *
 * <h2>Determinism</h2>
 * Every session gets the same pinned options: <b>one intra-op thread</b> (each kernel's work split
 * and summation order is fixed), <b>one inter-op thread and sequential execution</b> (nodes run one
 * at a time in a fixed topological order), deterministic compute requested, and the ONNX model
 * format forced (never the ORT flatbuffer format). The graph optimisation level is fixed at
 * <b>{@link OptLevel#BASIC_OPT}</b>: those rewrites (constant folding, removal of redundant nodes,
 * semantics-preserving fusions) depend only on the model and the ONNX Runtime version, so every
 * validator runs the same optimised graph. The extended and "all" levels add fusions and layout
 * transformations (NCHWc blocking) chosen from the CPU's instruction set, so two machines could run
 * different graphs; no optimisation at all would forgo constant folding for no determinism gain.
 * Kernels (MLAS) still pick vector code from the CPU at start-up, so outputs of machines with
 * different instruction sets (AVX2 vs AVX-512) may differ in the last bits; give validators the
 * same CPU class or declare a QUANTIZED/ARGMAX/TOPK policy. No custom-op library is ever
 * registered and no execution provider other than the default CPU one is added.
 *
 * <h2>Concurrency</h2>
 * ONNX Runtime's {@code OrtSession.run} is thread-safe: a {@link LoadedModel} holds one session
 * that any number of threads may run at once, each with its own input and output tensors. Bound
 * the callers with your own executor. {@code close()} takes a write lock, so it waits for runs in
 * flight; later runs fail with {@link IllegalStateException}.
 *
 * <h2>Native library, files and telemetry</h2>
 * Constructing the engine loads nothing; the first {@link #load} initialises the process-wide
 * {@link OrtEnvironment}. On that first use ONNX Runtime's Java binding creates a directory
 * {@code onnxruntime-java*} under {@code java.io.tmpdir}, copies its two native libraries (~30 MB)
 * there from its jar, loads them and deletes them at JVM exit, leaving the empty directory behind
 * (and everything, if the JVM is killed). The system property {@code onnxruntime.native.path} names
 * a directory to load them from instead; the temporary directory is still created. ONNX Runtime
 * 1.29 also starts a telemetry client on Linux when the native library starts: unless the
 * environment variable {@code ORT_DISABLE_TELEMETRY=1} is set for the process, it writes a device
 * id and an event store under {@code $XDG_CACHE_HOME} (or {@code ~/.cache}) {@code /Microsoft/DeveloperTools/.onnxruntime}.
 * A JVM cannot set its own environment, so this class turns telemetry off through the API as soon
 * as the environment exists ({@code setTelemetry(false)}) and logs a warning when the variable is
 * missing; launch nodes with it. The build sets both for test JVMs ({@code java.io.tmpdir} in
 * {@code target/}, {@code ORT_DISABLE_TELEMETRY=1}).
 *
 * <p>Every native failure, while loading or running, surfaces as {@link EngineException}.
 */
public final class OnnxEngine implements InferenceEngine {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxEngine.class);

    /** The environment variable that keeps ONNX Runtime's native telemetry from starting. */
    public static final String TELEMETRY_VARIABLE = "ORT_DISABLE_TELEMETRY";

    private static OrtEnvironment environment;

    public OnnxEngine() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new EngineException("OnnxEngine needs a little-endian platform", null);
        }
    }

    @Override
    public String name() {
        return "onnxruntime";
    }

    @Override
    public LoadedModel load(Path dir, ArtifactManifest expected) {
        ArtifactManifest actual = ArtifactManifest.scan(dir);
        expected.verifyMatches(actual);
        OnnxScan.scan(dir);
        OrtEnvironment env = environment();
        String file = dir.toAbsolutePath().resolve(OnnxScan.MODEL_FILE).toString();
        OrtSession session;
        try (SessionOptions options = sessionOptions()) {
            session = env.createSession(file, options);
        } catch (OrtException | RuntimeException | LinkageError e) {
            // the runtime's message names the file; callers see the artifact, never this node's paths
            throw new EngineException("ONNX Runtime could not load model " + expected.digest() + ": "
                    + String.valueOf(e.getMessage()).replace(dir.toAbsolutePath().toString(), "<artifact>"), e);
        }
        try {
            ModelSignature signature = ModelSignature.of(specs(session.getInputInfo()), specs(session.getOutputInfo()));
            OnnxModel model = new OnnxModel(env, session, actual.digest(), signature);
            LOG.info("loaded ONNX model {} {}", actual.digest(), signature);
            return model;
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session, e);
            if (e instanceof EngineException ee) {
                throw ee;
            }
            throw new EngineException("unsupported ONNX model " + expected.digest() + ": " + e.getMessage(), e);
        }
    }

    /** The options of every session; see the class javadoc. */
    static SessionOptions sessionOptions() throws OrtException {
        SessionOptions options = new SessionOptions();
        try {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OptLevel.BASIC_OPT);
            options.setDeterministicCompute(true);
            options.addConfigEntry("session.load_model_format", "ONNX");
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /** The process-wide ONNX Runtime environment, created (natives loaded, telemetry off) on first use. */
    static synchronized OrtEnvironment environment() {
        if (environment == null) {
            try {
                String optOut = System.getenv(TELEMETRY_VARIABLE);
                if (!"1".equals(optOut) && !"true".equalsIgnoreCase(optOut)) {
                    LOG.warn("{} is not 1: ONNX Runtime writes telemetry state under the user's cache folder at start-up;"
                            + " set it in the environment of this process", TELEMETRY_VARIABLE);
                }
                OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "verdict");
                env.setTelemetry(false);
                environment = env;
            } catch (OrtException | RuntimeException | LinkageError e) {
                throw new EngineException("ONNX Runtime could not start: " + e.getMessage(), e);
            }
        }
        return environment;
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> infos) {
        List<TensorSpec> out = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> e : infos.entrySet()) {
            ValueInfo info = e.getValue().getInfo();
            if (!(info instanceof TensorInfo tensor)) {
                throw new EngineException("tensor '" + e.getKey() + "' is not a tensor (" + info + "); not supported", null);
            }
            out.add(new TensorSpec(e.getKey(), dtypeOf(e.getKey(), tensor.onnxType), Shape.pattern(dims(tensor))));
        }
        return out;
    }

    /** Symbolic and unknown dimensions (reported by ONNX Runtime as -1 or less) become {@link Shape#ANY}. */
    private static long[] dims(TensorInfo tensor) {
        long[] dims = tensor.getShape();
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                dims[i] = Shape.ANY;
            }
        }
        return dims;
    }

    static DType dtypeOf(String name, TensorInfo.OnnxTensorType type) {
        return switch (type) {
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DType.FLOAT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DType.FLOAT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DType.INT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DType.INT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DType.BOOL;
            default -> throw new EngineException("tensor '" + name + "' has unsupported dtype " + type, null);
        };
    }

    private static void closeQuietly(OrtSession session, Exception cause) {
        try {
            session.close();
        } catch (OrtException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
