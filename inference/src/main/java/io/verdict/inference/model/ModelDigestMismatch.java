package io.verdict.inference.model;

/** The artifact on disk does not have the expected model digest (no per-file manifest to name the file). */
public final class ModelDigestMismatch extends ModelArtifactException {
    private static final long serialVersionUID = 1L;

    private final ModelDigest expected;
    private final ModelDigest actual;

    public ModelDigestMismatch(ModelDigest expected, ModelDigest actual) {
        super("model artifact digest is " + actual + ", expected " + expected + "; refusing to load", null);
        this.expected = expected;
        this.actual = actual;
    }

    public ModelDigest expected() {
        return expected;
    }

    public ModelDigest actual() {
        return actual;
    }
}
