package io.verdict.inference.safety;

import io.verdict.inference.engine.Engines;
import io.verdict.inference.engine.UnknownEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The publish-time safety scan of an artifact declared for an engine: the artifact's layout must
 * be that engine's format, then the format's own scan runs ({@link TensorFlowScan} for
 * {@code tensorflow}, {@link OnnxScan} for {@code onnxruntime}). It reads files only, never with a
 * runtime, so it is safe on any input. Every engine runs the same scan again before it loads a
 * model, so an artifact that reaches a node by another path (shared storage) is checked as well.
 */
public final class SafetyScan {

    private SafetyScan() {
    }

    /**
     * Returns normally if the artifact in {@code dir} is a safe model of {@code engine}'s format.
     *
     * @throws UnsafeModel naming the reason ({@link UnsafeModel.Reason#WRONG_FORMAT} when the files
     *     are another format's)
     * @throws UnknownEngine for an engine name that has no scan
     */
    public static void scan(String engine, Path dir) {
        List<String> markers = Engines.markersIn(dir);
        if (markers.size() > 1) {
            Engines.engineNameFor(dir); // refuses, naming the markers
        }
        // no marker file at all: the declared format's scan says what exactly is missing
        String layout = markers.isEmpty() ? engine : Engines.engineOfMarker(markers.get(0));
        if (!layout.equals(engine)) {
            throw new UnsafeModel(UnsafeModel.Reason.WRONG_FORMAT, layout, "wrong format: the upload was declared "
                    + formatOf(engine) + " but the archive holds " + formatOf(layout));
        }
        switch (engine) {
            case "tensorflow" -> TensorFlowScan.scan(dir);
            case "onnxruntime" -> OnnxScan.scan(dir);
            default -> throw new UnknownEngine(engine, Set.of("tensorflow", "onnxruntime"));
        }
    }

    private static String formatOf(String engine) {
        return switch (engine) {
            case "tensorflow" -> "a TensorFlow SavedModel (" + Engines.SAVED_MODEL_FILE + ")";
            case "onnxruntime" -> "an ONNX model (" + OnnxScan.MODEL_FILE + ")";
            default -> "'" + engine + "'";
        };
    }
}
