package io.verdict.actors.executor;

import io.verdict.inference.model.ModelDigest;

/** This node has no verified artifact for the model digest. */
public final class ModelUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ModelDigest digest;

    public ModelUnavailable(ModelDigest digest) {
        super("model " + digest + " is not available on this node");
        this.digest = digest;
    }

    /** Not available, and why (for example, fetching it from shared storage failed). */
    public ModelUnavailable(ModelDigest digest, String reason, Throwable cause) {
        super("model " + digest + " is not available on this node: " + reason, cause);
        this.digest = digest;
    }

    public ModelDigest digest() {
        return digest;
    }
}
