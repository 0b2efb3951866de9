package io.verdict.persistence.models;

/** Base of every refusal of {@link ModelStore#importZip}: the upload is unsafe, too big, corrupt or not what was claimed. */
public abstract sealed class ModelImportException extends RuntimeException
        permits UnsafeZipEntry, ZipLimitExceeded, CorruptZip, ClaimedDigestMismatch {
    private static final long serialVersionUID = 1L;

    protected ModelImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
