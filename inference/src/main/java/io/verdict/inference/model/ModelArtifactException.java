package io.verdict.inference.model;

/** Base of the errors about a model artifact on disk: unsafe, unreadable, or not what was published. */
public abstract class ModelArtifactException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected ModelArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}
