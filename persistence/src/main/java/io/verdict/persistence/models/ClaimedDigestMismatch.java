package io.verdict.persistence.models;

import io.verdict.inference.model.ModelDigest;

/** The extracted artifact's model digest is not the one the uploader claimed; nothing was stored. */
public final class ClaimedDigestMismatch extends ModelImportException {
    private static final long serialVersionUID = 1L;

    private final ModelDigest claimed;
    private final ModelDigest actual;

    public ClaimedDigestMismatch(ModelDigest claimed, ModelDigest actual) {
        super("model digest mismatch: the upload was claimed to be " + claimed + " but its files digest to " + actual, null);
        this.claimed = claimed;
        this.actual = actual;
    }

    public ModelDigest claimed() {
        return claimed;
    }

    public ModelDigest actual() {
        return actual;
    }
}
