package io.verdict.inference.engine;

import io.verdict.inference.onnx.OnnxEngine;
import io.verdict.inference.safety.OnnxScan;
import io.verdict.inference.safety.UnsafeModel;
import io.verdict.inference.tensorflow.TensorFlowEngine;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The inference engines available to a node, by {@link InferenceEngine#name()}, and the rule that
 * picks one for an artifact directory from its layout: {@value #SAVED_MODEL_FILE} at the top means
 * {@code tensorflow}, {@value OnnxScan#MODEL_FILE} means {@code onnxruntime}; both or neither is
 * refused. Engines are created on first use (a TensorFlow or ONNX Runtime engine is cheap to
 * construct, and neither loads its native library before its first model), then reused.
 */
public final class Engines {

    /** The file that marks a TensorFlow SavedModel directory. */
    public static final String SAVED_MODEL_FILE = "saved_model.pb";

    /** Layout marker file → engine name, in the order they are reported. */
    private static final Map<String, String> LAYOUTS = layouts();

    private final Map<String, Supplier<? extends InferenceEngine>> factories;
    private final Map<String, InferenceEngine> created = new LinkedHashMap<>();

    /**
     * @param factories engine name → how to create it (called at most once, on first use); each
     *     engine's {@code name()} must equal its key
     */
    public Engines(Map<String, Supplier<? extends InferenceEngine>> factories) {
        this.factories = Collections.unmodifiableMap(new LinkedHashMap<>(factories));
    }

    /** TensorFlow ({@code tensorflow}) and ONNX Runtime ({@code onnxruntime}) with their default settings. */
    public static Engines defaults() {
        Map<String, Supplier<? extends InferenceEngine>> m = new LinkedHashMap<>();
        m.put("tensorflow", TensorFlowEngine::new);
        m.put("onnxruntime", OnnxEngine::new);
        return new Engines(m);
    }

    /** The registered engine names. */
    public Set<String> names() {
        return factories.keySet();
    }

    /** The engine called {@code name}, created on first use; {@link UnknownEngine} if none is. */
    public synchronized InferenceEngine get(String name) {
        InferenceEngine engine = created.get(name);
        if (engine != null) {
            return engine;
        }
        Supplier<? extends InferenceEngine> factory = factories.get(name);
        if (factory == null) {
            throw new UnknownEngine(name, factories.keySet());
        }
        engine = factory.get();
        if (!engine.name().equals(name)) {
            throw new IllegalStateException("engine registered as '" + name + "' calls itself '" + engine.name() + "'");
        }
        created.put(name, engine);
        return engine;
    }

    /**
     * The name of the engine whose layout {@code dir} has. Looks only at the file names at the
     * top of the directory, never inside them.
     *
     * @throws UnsafeModel {@link UnsafeModel.Reason#WRONG_FORMAT} if {@code dir} is not a directory,
     *     or holds the marker files of several formats, or of none
     */
    public static String engineNameFor(Path dir) {
        List<String> found = markersIn(dir);
        if (found.size() == 1) {
            return LAYOUTS.get(found.get(0));
        }
        if (found.isEmpty()) {
            throw new UnsafeModel(UnsafeModel.Reason.WRONG_FORMAT, "", "wrong format: the artifact holds none of "
                    + LAYOUTS.keySet() + ", so no engine can load it: " + describeLayouts());
        }
        throw new UnsafeModel(UnsafeModel.Reason.WRONG_FORMAT, String.join(",", found), "wrong format: the artifact holds "
                + found + ", the marker files of more than one format; an artifact has exactly one: "
                + describeLayouts());
    }

    /**
     * The layout marker files at the top of {@code dir} ({@value #SAVED_MODEL_FILE},
     * {@value OnnxScan#MODEL_FILE}), in a fixed order: one for a well-formed artifact.
     *
     * @throws UnsafeModel {@link UnsafeModel.Reason#WRONG_FORMAT} if {@code dir} is not a directory
     */
    public static List<String> markersIn(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new UnsafeModel(UnsafeModel.Reason.WRONG_FORMAT, "", "wrong format: the artifact is not a directory");
        }
        List<String> found = new ArrayList<>();
        for (String marker : LAYOUTS.keySet()) {
            if (Files.exists(dir.resolve(marker), LinkOption.NOFOLLOW_LINKS)) {
                found.add(marker);
            }
        }
        return found;
    }

    /** The engine whose layout {@code marker} (one of {@link #markersIn}) marks. */
    public static String engineOfMarker(String marker) {
        return LAYOUTS.get(marker);
    }

    /** The engine for the artifact in {@code dir}, chosen by {@link #engineNameFor(Path)}. */
    public InferenceEngine forArtifact(Path dir) {
        return get(engineNameFor(dir));
    }

    private static String describeLayouts() {
        List<String> parts = new ArrayList<>();
        LAYOUTS.forEach((file, engine) -> parts.add(file + " → " + engine));
        return String.join(", ", parts);
    }

    private static Map<String, String> layouts() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(SAVED_MODEL_FILE, "tensorflow");
        m.put(OnnxScan.MODEL_FILE, "onnxruntime");
        return Collections.unmodifiableMap(m);
    }

    @Override
    public String toString() {
        return "Engines" + factories.keySet();
    }
}
