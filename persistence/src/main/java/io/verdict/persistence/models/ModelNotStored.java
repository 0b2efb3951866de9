package io.verdict.persistence.models;

import io.verdict.inference.model.ModelDigest;

/** No artifact with this digest is in the store. */
public final class ModelNotStored extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ModelDigest digest;

    public ModelNotStored(ModelDigest digest) {
        super("model " + digest + " is not in the store", null);
        this.digest = digest;
    }

    public ModelDigest digest() {
        return digest;
    }
}
