package io.verdict.inference.engine;

import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.model.ModelDigestMismatch;
import java.nio.file.Path;

/**
 * A runtime that loads model artifacts. One implementation per runtime (TensorFlow first); the
 * artifact is always verified against its published identity before the runtime sees a byte.
 */
public interface InferenceEngine {

    /** Short runtime name, e.g. {@code tensorflow}. */
    String name();

    /**
     * Verifies {@code dir} against the manifest recorded at publication (naming any modified, added
     * or removed file via {@link io.verdict.inference.model.ArtifactTampered}), then loads it.
     *
     * @throws io.verdict.inference.model.ModelArtifactException if the artifact is unsafe or tampered
     * @throws EngineException if the runtime cannot load it
     */
    LoadedModel load(Path dir, ArtifactManifest expected);

    /**
     * Verifies that {@code dir} has model digest {@code expected}, then loads it. Without a manifest
     * a mismatch cannot name the file: it is a {@link ModelDigestMismatch}.
     */
    default LoadedModel load(Path dir, ModelDigest expected) {
        ArtifactManifest actual = ArtifactManifest.scan(dir);
        if (!actual.digest().equals(expected)) {
            throw new ModelDigestMismatch(expected, actual.digest());
        }
        return load(dir, actual);
    }
}
