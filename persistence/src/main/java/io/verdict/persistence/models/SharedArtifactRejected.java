package io.verdict.persistence.models;

import io.verdict.inference.model.ModelDigest;

/**
 * The artifact fetched from shared storage for this digest is damaged, incomplete, over this
 * node's limits, or not the model it is stored under; it was refused and nothing was stored.
 */
public final class SharedArtifactRejected extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ModelDigest digest;

    public SharedArtifactRejected(ModelDigest digest, String reason, Throwable cause) {
        super("model " + digest + " from shared storage was refused: " + reason, cause);
        this.digest = digest;
    }

    public ModelDigest digest() {
        return digest;
    }
}
