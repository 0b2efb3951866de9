package io.verdict.inference.tensorflow;

import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.demo.DemoModels.Kind;
import io.verdict.inference.engine.Engines;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.model.ArtifactManifest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Child-JVM entry point for {@link CrossJvmDeterminismIT}: loads each demo model under
 * {@code args[0]} in each format, on the engine its layout calls for, runs {@link #input(Kind)} and
 * prints {@code <directory> <model digest> <EXACT output digest>}.
 */
public final class DigestPrinter {

    private DigestPrinter() {
    }

    static io.verdict.inference.tensor.NamedTensors input(Kind kind) {
        return DemoModels.sampleInput(kind, 8, 77);
    }

    private static final Engines ENGINES = Engines.defaults();

    static String line(Kind kind, Path dir) {
        ArtifactManifest manifest = ArtifactManifest.scan(dir);
        try (LoadedModel model = ENGINES.forArtifact(dir).load(dir, manifest)) {
            return dir.getFileName() + " " + manifest.digest() + " "
                    + AgreementPolicy.EXACT.canonicalise(model.run(input(kind))).digest();
        }
    }

    /** One line per demo model and format, in a fixed order. */
    static List<String> lines(Path root) {
        List<String> lines = new ArrayList<>();
        for (DemoModels.Format format : DemoModels.Format.values()) {
            for (Kind kind : Kind.values()) {
                lines.add(line(kind, root.resolve(format.dirName(kind))));
            }
        }
        return lines;
    }

    public static void main(String[] args) {
        lines(Path.of(args[0])).forEach(System.out::println);
    }
}
