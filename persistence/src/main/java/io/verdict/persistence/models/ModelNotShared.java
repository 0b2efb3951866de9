package io.verdict.persistence.models;

import io.verdict.inference.model.ModelDigest;

/** Shared storage holds no complete artifact for this digest (never uploaded, or its upload never finished). */
public final class ModelNotShared extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ModelDigest digest;

    public ModelNotShared(ModelDigest digest) {
        super("model " + digest + " is not in shared storage", null);
        this.digest = digest;
    }

    public ModelDigest digest() {
        return digest;
    }
}
