package io.verdict.inference.model;

/**
 * An artifact directory cannot be digested: it is missing or not a directory, it holds a symbolic
 * link or a non-regular file (device, socket, fifo), or a file cannot be read. {@link #file()} is
 * the offending path relative to the artifact root ('/'-separated), or "" for the root itself.
 */
public final class InvalidArtifact extends ModelArtifactException {
    private static final long serialVersionUID = 1L;

    private final String file;

    public InvalidArtifact(String file, String reason, Throwable cause) {
        super("invalid model artifact" + (file.isEmpty() ? "" : " entry '" + file + "'") + ": " + reason, cause);
        this.file = file;
    }

    public String file() {
        return file;
    }
}
