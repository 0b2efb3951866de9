package io.verdict.inference.tensorflow;

import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.demo.DemoModels.Kind;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.model.ArtifactManifest;
import java.nio.file.Path;

/**
 * Child-JVM entry point for {@link CrossJvmDeterminismIT}: loads each demo model under
 * {@code args[0]}, runs {@link #input(Kind)} and prints {@code <kind> <model digest> <EXACT output digest>}.
 */
public final class DigestPrinter {

    private DigestPrinter() {
    }

    static io.verdict.inference.tensor.NamedTensors input(Kind kind) {
        return DemoModels.sampleInput(kind, 8, 77);
    }

    static String line(Kind kind, Path dir) {
        ArtifactManifest manifest = ArtifactManifest.scan(dir);
        try (LoadedModel model = new TensorFlowEngine().load(dir, manifest)) {
            return kind.dirName() + " " + manifest.digest() + " " + AgreementPolicy.EXACT.canonicalise(model.run(input(kind))).digest();
        }
    }

    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        for (Kind kind : Kind.values()) {
            System.out.println(line(kind, root.resolve(kind.dirName())));
        }
    }
}
