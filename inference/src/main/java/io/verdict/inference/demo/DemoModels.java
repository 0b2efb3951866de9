package io.verdict.inference.demo;

import io.verdict.inference.engine.EngineException;
import io.verdict.inference.onnx.OnnxElementType;
import io.verdict.inference.onnx.OnnxGraphBuilder;
import io.verdict.inference.onnx.OnnxModelBuilder;
import io.verdict.inference.onnx.OnnxTensorValue;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Two small classifiers the project makes itself (nothing is downloaded), with deterministic
 * weights from fixed seeds ({@link DemoWeights}, shared by both formats), exported as TensorFlow
 * SavedModels (signature {@code serving_default}) or as ONNX models ({@link Format}): one FLOAT32
 * input {@code input}, one FLOAT32 output {@code output} (10 logits), batch dimension -1.
 *
 * <ul>
 *   <li>{@link Kind#MLP}: [-1,64] → dense 128 + ReLU → dense 10.</li>
 *   <li>{@link Kind#CNN}: [-1,28,28,1] → conv 3×3×8 (VALID, stride 1) + bias + ReLU → max-pool 2×2
 *       (stride 2) → flatten 13·13·8 → dense 10.</li>
 * </ul>
 *
 * <p>Weights are embedded as graph constants (uniform Glorot ranges from
 * {@link SplittableRandom}), so the weights are always the same, but {@code saved_model.pb} is not
 * byte-reproducible between exports (protobuf map order): a model's identity is the digest of the
 * bytes actually on disk, computed after export, never a digest predicted from a re-export. The
 * ONNX export is written field by field in a fixed order and is byte-reproducible.
 */
public final class DemoModels {

    /** The demo models; {@link #dirName()} is the sub-directory each SavedModel is exported to. */
    public enum Kind {
        MLP("mlp", 0x5EED_0001L, new long[] {Shape.ANY, 64}),
        CNN("cnn", 0x5EED_0002L, new long[] {Shape.ANY, 28, 28, 1});

        private final String dirName;
        private final long seed;
        private final long[] inputShape;

        Kind(String dirName, long seed, long[] inputShape) {
            this.dirName = dirName;
            this.seed = seed;
            this.inputShape = inputShape;
        }

        public String dirName() {
            return dirName;
        }

        long seed() {
            return seed;
        }

        /** Declared input shape, batch dimension -1. */
        public Shape inputShape() {
            return Shape.pattern(inputShape);
        }
    }

    public static final String INPUT = "input";
    public static final String OUTPUT = "output";
    public static final int CLASSES = 10;

    /** The file formats the demo models are exported in; {@link #dirName(Kind)} names each export's directory. */
    public enum Format {
        /** A TensorFlow SavedModel directory ({@code saved_model.pb}, {@code variables/}). */
        SAVED_MODEL("", "saved_model.pb"),
        /** An ONNX artifact: a directory holding {@code model.onnx}. */
        ONNX("-onnx", "model.onnx");

        private final String suffix;
        private final String modelFile;

        Format(String suffix, String modelFile) {
            this.suffix = suffix;
            this.modelFile = modelFile;
        }

        /** The sub-directory {@code kind} is exported to in this format, e.g. {@code mlp} or {@code mlp-onnx}. */
        public String dirName(Kind kind) {
            return kind.dirName() + suffix;
        }

        /** The file whose presence marks a complete export. */
        public String modelFile() {
            return modelFile;
        }
    }

    /** ONNX operator set the demo models use (default domain). */
    public static final long ONNX_OPSET = 13;

    private DemoModels() {
    }

    /** Exports every demo SavedModel under {@code root} that is not there yet; returns kind → directory. */
    public static Map<Kind, Path> ensureExported(Path root) {
        return ensureExported(root, Format.SAVED_MODEL);
    }

    /** Exports every demo model in {@code format} under {@code root} that is not there yet; returns kind → directory. */
    public static Map<Kind, Path> ensureExported(Path root, Format format) {
        Map<Kind, Path> out = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            out.put(k, ensureExported(root, k, format));
        }
        return out;
    }

    /** {@link #ensureExported(Path, Kind, Format)} as a SavedModel: returns {@code root/<kind>}. */
    public static Path ensureExported(Path root, Kind kind) {
        return ensureExported(root, kind, Format.SAVED_MODEL);
    }

    /**
     * Returns {@code root/<format.dirName(kind)>}, exporting it first if absent. Exports go to a
     * temporary sibling and are renamed into place, so a half-written model is never visible and
     * concurrent callers (threads or processes) end with one complete export.
     */
    public static synchronized Path ensureExported(Path root, Kind kind, Format format) {
        String dirName = format.dirName(kind);
        Path target = root.resolve(dirName);
        Path marker = target.resolve(format.modelFile());
        if (Files.isRegularFile(marker)) {
            return target;
        }
        try {
            Files.createDirectories(root);
            Path tmp = Files.createTempDirectory(root, "." + dirName + "-");
            Path exportDir = tmp.resolve("model");
            switch (format) {
                case SAVED_MODEL -> export(kind, exportDir);
                case ONNX -> exportOnnx(kind, exportDir);
            }
            try {
                Files.move(exportDir, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                if (!Files.isRegularFile(marker)) {
                    throw e;
                }
            } catch (IOException e) {
                // On Linux a rename onto a non-empty directory fails with "Directory not empty".
                if (!Files.isRegularFile(marker)) {
                    throw e;
                }
            } finally {
                deleteRecursively(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export demo model " + kind + " to " + target, e);
        }
    }

    /** Builds {@code kind} and writes it as a SavedModel into {@code dir} (which must not exist). */
    public static void export(Kind kind, Path dir) {
        DemoWeights weights = DemoWeights.of(kind);
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> input = tf.withName(INPUT).placeholder(TFloat32.class,
                    Placeholder.shape(org.tensorflow.ndarray.Shape.of(kind.inputShape)));
            Operand<TFloat32> logits = switch (kind) {
                case MLP -> mlp(tf, input, weights);
                case CNN -> cnn(tf, input, weights);
            };
            Operand<TFloat32> output = tf.withName(OUTPUT).identity(logits);
            Signature signature = Signature.builder()
                    .key("serving_default")
                    .input(INPUT, input)
                    .output(OUTPUT, output)
                    .build();
            try (Session session = new Session(g)) {
                SavedModelBundle.exporter(dir.toAbsolutePath().toString())
                        .withSession(session)
                        .withSignature(signature)
                        .export();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export demo model " + kind, e);
        } catch (RuntimeException e) {
            throw new EngineException("TensorFlow failed to build demo model " + kind + ": " + e.getMessage(), e);
        }
    }

    private static Operand<TFloat32> mlp(Ops tf, Operand<TFloat32> x, DemoWeights w) {
        Operand<TFloat32> h = tf.nn.relu(dense(tf, x, w, "dense1"));
        return dense(tf, h, w, "dense2");
    }

    private static Operand<TFloat32> cnn(Ops tf, Operand<TFloat32> x, DemoWeights w) {
        Operand<TFloat32> conv = tf.nn.conv2d(x, constant(tf, w.get("conv/kernel")), List.of(1L, 1L, 1L, 1L), "VALID");
        Operand<TFloat32> act = tf.nn.relu(tf.nn.biasAdd(conv, constant(tf, w.get("conv/bias"))));
        Operand<TFloat32> pooled = tf.nn.maxPool(act, tf.constant(new int[] {1, 2, 2, 1}),
                tf.constant(new int[] {1, 2, 2, 1}), "VALID");
        Operand<TFloat32> flattened = tf.reshape(pooled, tf.constant(new long[] {-1, DemoWeights.CNN_FLAT}));
        return dense(tf, flattened, w, "dense");
    }

    private static Operand<TFloat32> dense(Ops tf, Operand<TFloat32> x, DemoWeights w, String layer) {
        return tf.math.add(tf.linalg.matMul(x, constant(tf, w.get(layer + "/kernel"))),
                constant(tf, w.get(layer + "/bias")));
    }

    private static Operand<TFloat32> constant(Ops tf, DemoWeights.Param p) {
        return tf.constant(org.tensorflow.ndarray.Shape.of(p.shape()), DataBuffers.of(p.values(), true, false));
    }

    /**
     * Builds {@code kind} as ONNX (opset {@value #ONNX_OPSET}, the same weights and the same
     * {@code input}/{@code output} names and shapes as the SavedModel) and writes {@code dir/model.onnx};
     * {@code dir} must not exist. The bytes are a pure function of {@code kind}: two exports are
     * identical. The CNN keeps the NHWC input: it transposes to NCHW for Conv and MaxPool, and back to
     * NHWC before flattening, so the dense layer sees features in TensorFlow's order.
     */
    public static void exportOnnx(Kind kind, Path dir) {
        try {
            Files.createDirectory(dir);
            Files.write(dir.resolve(Format.ONNX.modelFile()), onnxBytes(kind));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export demo model " + kind + " as ONNX", e);
        }
    }

    /** The serialised ONNX {@code ModelProto} of {@code kind}. */
    public static byte[] onnxBytes(Kind kind) {
        DemoWeights w = DemoWeights.of(kind);
        OnnxGraphBuilder g = new OnnxGraphBuilder(kind.dirName())
                .input(INPUT, OnnxElementType.FLOAT, kind.inputShape)
                .output(OUTPUT, OnnxElementType.FLOAT, Shape.ANY, CLASSES);
        String features = switch (kind) {
            case MLP -> {
                onnxDense(g, w, "dense1", INPUT, "dense1/out");
                g.node("Relu", List.of("dense1/out"), List.of("dense1/relu")).name("dense1/relu");
                yield "dense1/relu";
            }
            case CNN -> {
                DemoWeights.Param kernel = w.get("conv/kernel");
                g.initializer(OnnxTensorValue.floats("conv/kernel", new long[] {DemoWeights.FILTERS, 1, 3, 3},
                        hwioToOihw(kernel.values(), 3, 3, 1, DemoWeights.FILTERS)));
                g.initializer(initializer(w.get("conv/bias")));
                g.node("Transpose", List.of(INPUT), List.of("nchw")).name("to_nchw").ints("perm", 0, 3, 1, 2);
                g.node("Conv", List.of("nchw", "conv/kernel", "conv/bias"), List.of("conv/out")).name("conv")
                        .ints("kernel_shape", 3, 3).ints("strides", 1, 1).ints("pads", 0, 0, 0, 0);
                g.node("Relu", List.of("conv/out"), List.of("conv/relu")).name("conv/relu");
                g.node("MaxPool", List.of("conv/relu"), List.of("pool")).name("pool")
                        .ints("kernel_shape", 2, 2).ints("strides", 2, 2);
                g.node("Transpose", List.of("pool"), List.of("nhwc")).name("to_nhwc").ints("perm", 0, 2, 3, 1);
                g.node("Flatten", List.of("nhwc"), List.of("flat")).name("flatten").attr("axis", 1L);
                yield "flat";
            }
        };
        String last = kind == Kind.MLP ? "dense2" : "dense";
        onnxDense(g, w, last, features, OUTPUT);
        return new OnnxModelBuilder()
                .opset("", ONNX_OPSET)
                .producer("verdict-demo", "1")
                .graph(g)
                .toBytes();
    }

    private static void onnxDense(OnnxGraphBuilder g, DemoWeights w, String layer, String in, String out) {
        g.initializer(initializer(w.get(layer + "/kernel")));
        g.initializer(initializer(w.get(layer + "/bias")));
        g.node("MatMul", List.of(in, layer + "/kernel"), List.of(layer + "/matmul")).name(layer + "/matmul");
        g.node("Add", List.of(layer + "/matmul", layer + "/bias"), List.of(out)).name(layer + "/add");
    }

    private static OnnxTensorValue initializer(DemoWeights.Param p) {
        return OnnxTensorValue.floats(p.name(), p.shape(), p.values());
    }

    /** Reorders a convolution kernel from TensorFlow's [h, w, in, out] to ONNX's [out, in, h, w]. */
    private static float[] hwioToOihw(float[] hwio, int h, int w, int in, int out) {
        float[] oihw = new float[hwio.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        oihw[((o * in + i) * h + y) * w + x] = hwio[((y * w + x) * in + i) * out + o];
                    }
                }
            }
        }
        return oihw;
    }

    /**
     * A deterministic input batch for {@code kind}: values uniform in [0,1) from
     * {@code new SplittableRandom(seed)}, shape [batch, ...], under the name {@link #INPUT}.
     */
    public static NamedTensors sampleInput(Kind kind, int batch, long seed) {
        long[] dims = kind.inputShape.clone();
        dims[0] = batch;
        Shape shape = Shape.of(dims);
        float[] values = new float[Math.toIntExact(shape.elementCount())];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rnd.nextDouble();
        }
        return NamedTensors.of(INPUT, Tensor.ofFloats(shape, values));
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
