package io.verdict.inference.demo;

import io.verdict.inference.model.ArtifactManifest;
import java.nio.file.Path;
import java.util.Map;

/**
 * Command line: {@code ExportDemoModels <dir>} exports the demo models to {@code <dir>/mlp},
 * {@code <dir>/cnn} (SavedModels) and {@code <dir>/mlp-onnx}, {@code <dir>/cnn-onnx} (ONNX), each
 * only if absent, and prints each model's directory name, digest and path.
 */
public final class ExportDemoModels {

    private ExportDemoModels() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: ExportDemoModels <dir>");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        for (DemoModels.Format format : DemoModels.Format.values()) {
            Map<DemoModels.Kind, Path> dirs = DemoModels.ensureExported(root, format);
            dirs.forEach((kind, dir) ->
                    System.out.println(format.dirName(kind) + " " + ArtifactManifest.scan(dir).digest() + " " + dir));
        }
    }
}
