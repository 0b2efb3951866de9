package io.verdict.inference.demo;

import io.verdict.inference.model.ArtifactManifest;
import java.nio.file.Path;
import java.util.Map;

/**
 * Command line: {@code ExportDemoModels <dir>} exports the demo models to {@code <dir>/mlp} and
 * {@code <dir>/cnn} (if absent) and prints each model's digest.
 */
public final class ExportDemoModels {

    private ExportDemoModels() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: ExportDemoModels <dir>");
            System.exit(2);
        }
        Map<DemoModels.Kind, Path> dirs = DemoModels.ensureExported(Path.of(args[0]));
        dirs.forEach((kind, dir) ->
                System.out.println(kind.dirName() + " " + ArtifactManifest.scan(dir).digest() + " " + dir));
    }
}
