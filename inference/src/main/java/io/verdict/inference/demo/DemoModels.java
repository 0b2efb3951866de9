package io.verdict.inference.demo;

import io.verdict.inference.engine.EngineException;
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
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Two small classifiers the project makes itself (nothing is downloaded), with deterministic
 * weights from fixed seeds, exported as TensorFlow SavedModels: signature {@code serving_default},
 * one FLOAT32 input {@code input}, one FLOAT32 output {@code output} (10 logits), batch dimension -1.
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
 * bytes actually on disk, computed after export, never a digest predicted from a re-export.
 */
public final class DemoModels {

    /** The demo models; {@link #dirName()} is the sub-directory each is exported to. */
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

        /** Declared input shape, batch dimension -1. */
        public Shape inputShape() {
            return Shape.pattern(inputShape);
        }
    }

    public static final String INPUT = "input";
    public static final String OUTPUT = "output";
    public static final int CLASSES = 10;

    private DemoModels() {
    }

    /** Exports every demo model under {@code root} that is not there yet; returns kind → directory. */
    public static Map<Kind, Path> ensureExported(Path root) {
        Map<Kind, Path> out = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            out.put(k, ensureExported(root, k));
        }
        return out;
    }

    /**
     * Returns {@code root/<kind>}, exporting it first if absent. Exports go to a temporary sibling
     * and are renamed into place, so a half-written model is never visible and concurrent callers
     * (threads or processes) end with one complete export.
     */
    public static synchronized Path ensureExported(Path root, Kind kind) {
        Path target = root.resolve(kind.dirName());
        if (Files.isRegularFile(target.resolve("saved_model.pb"))) {
            return target;
        }
        try {
            Files.createDirectories(root);
            Path tmp = Files.createTempDirectory(root, "." + kind.dirName() + "-");
            Path exportDir = tmp.resolve("model");
            export(kind, exportDir);
            try {
                Files.move(exportDir, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                if (!Files.isRegularFile(target.resolve("saved_model.pb"))) {
                    throw e;
                }
            } catch (IOException e) {
                // On Linux a rename onto a non-empty directory fails with "Directory not empty".
                if (!Files.isRegularFile(target.resolve("saved_model.pb"))) {
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
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            SplittableRandom rnd = new SplittableRandom(kind.seed);
            Placeholder<TFloat32> input = tf.withName(INPUT).placeholder(TFloat32.class,
                    Placeholder.shape(org.tensorflow.ndarray.Shape.of(kind.inputShape)));
            Operand<TFloat32> logits = switch (kind) {
                case MLP -> mlp(tf, input, rnd);
                case CNN -> cnn(tf, input, rnd);
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

    private static Operand<TFloat32> mlp(Ops tf, Operand<TFloat32> x, SplittableRandom rnd) {
        Operand<TFloat32> h = tf.nn.relu(dense(tf, x, 64, 128, rnd));
        return dense(tf, h, 128, CLASSES, rnd);
    }

    private static Operand<TFloat32> cnn(Ops tf, Operand<TFloat32> x, SplittableRandom rnd) {
        int filters = 8;
        float[][][][] kernel = new float[3][3][1][filters];
        float limit = glorot(9, 9 * filters);
        for (float[][][] a : kernel) {
            for (float[][] b : a) {
                for (float[] c : b) {
                    fill(c, limit, rnd);
                }
            }
        }
        float[] convBias = new float[filters];
        fill(convBias, 0.1f, rnd);
        Operand<TFloat32> conv = tf.nn.conv2d(x, tf.constant(kernel), List.of(1L, 1L, 1L, 1L), "VALID");
        Operand<TFloat32> act = tf.nn.relu(tf.nn.biasAdd(conv, tf.constant(convBias)));
        Operand<TFloat32> pooled = tf.nn.maxPool(act, tf.constant(new int[] {1, 2, 2, 1}),
                tf.constant(new int[] {1, 2, 2, 1}), "VALID");
        int flat = 13 * 13 * filters;
        Operand<TFloat32> flattened = tf.reshape(pooled, tf.constant(new long[] {-1, flat}));
        return dense(tf, flattened, flat, CLASSES, rnd);
    }

    private static Operand<TFloat32> dense(Ops tf, Operand<TFloat32> x, int in, int out, SplittableRandom rnd) {
        float[][] w = new float[in][out];
        float limit = glorot(in, out);
        for (float[] row : w) {
            fill(row, limit, rnd);
        }
        float[] b = new float[out];
        fill(b, 0.1f, rnd);
        return tf.math.add(tf.linalg.matMul(x, tf.constant(w)), tf.constant(b));
    }

    private static float glorot(int fanIn, int fanOut) {
        return (float) Math.sqrt(6.0 / (fanIn + fanOut));
    }

    private static void fill(float[] a, float limit, SplittableRandom rnd) {
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
        }
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
