package io.verdict.inference.tensorflow;

import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.model.ArtifactManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Demo models exported once into the build folder and shared by the tests of one build. */
final class DemoModelFixture {

    static final Path ROOT = Path.of("target", "demo-models");

    private DemoModelFixture() {
    }

    static Path dir(DemoModels.Kind kind) {
        return DemoModels.ensureExported(ROOT, kind).toAbsolutePath();
    }

    static ArtifactManifest manifest(DemoModels.Kind kind) {
        return ArtifactManifest.scan(dir(kind));
    }

    /** A private copy of a demo model that a test may tamper with. */
    static Path copy(DemoModels.Kind kind, Path into) {
        Path src = dir(kind);
        try (Stream<Path> walk = Files.walk(src)) {
            for (Path p : walk.sorted(Comparator.naturalOrder()).toList()) {
                Path target = into.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return into;
    }
}
