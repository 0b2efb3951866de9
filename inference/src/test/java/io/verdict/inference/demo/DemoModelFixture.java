package io.verdict.inference.demo;

import io.verdict.inference.demo.DemoModels.Format;
import io.verdict.inference.model.ArtifactManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Demo models exported once into the build folder and shared by the tests of one build. */
public final class DemoModelFixture {

    public static final Path ROOT = Path.of("target", "demo-models");

    private DemoModelFixture() {
    }

    /** The SavedModel of {@code kind}. */
    public static Path dir(DemoModels.Kind kind) {
        return dir(kind, Format.SAVED_MODEL);
    }

    public static Path dir(DemoModels.Kind kind, Format format) {
        return DemoModels.ensureExported(ROOT, kind, format).toAbsolutePath();
    }

    /** The manifest of the SavedModel of {@code kind}. */
    public static ArtifactManifest manifest(DemoModels.Kind kind) {
        return manifest(kind, Format.SAVED_MODEL);
    }

    public static ArtifactManifest manifest(DemoModels.Kind kind, Format format) {
        return ArtifactManifest.scan(dir(kind, format));
    }

    /** A private copy of a demo SavedModel that a test may tamper with. */
    public static Path copy(DemoModels.Kind kind, Path into) {
        return copy(kind, Format.SAVED_MODEL, into);
    }

    /** A private copy of a demo model that a test may tamper with. */
    public static Path copy(DemoModels.Kind kind, Format format, Path into) {
        return copyTree(dir(kind, format), into);
    }

    /** Copies the directory {@code src} to {@code into} (which must not exist as a file); returns {@code into}. */
    public static Path copyTree(Path src, Path into) {
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
