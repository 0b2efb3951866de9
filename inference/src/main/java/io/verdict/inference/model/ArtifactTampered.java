package io.verdict.inference.model;

/**
 * An artifact on disk differs from its published manifest: {@link #file()} was modified, added or
 * removed. The model must not be loaded.
 */
public final class ArtifactTampered extends ModelArtifactException {
    private static final long serialVersionUID = 1L;

    /** How a file differs from the manifest. */
    public enum Change { MODIFIED, ADDED, REMOVED }

    private final String file;
    private final Change change;

    public ArtifactTampered(String file, Change change, String detail) {
        super("model artifact file '" + file + "' was " + change.name().toLowerCase(java.util.Locale.ROOT)
                + " (" + detail + "); refusing to load", null);
        this.file = file;
        this.change = change;
    }

    public String file() {
        return file;
    }

    public Change change() {
        return change;
    }
}
