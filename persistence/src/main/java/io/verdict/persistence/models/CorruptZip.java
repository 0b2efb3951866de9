package io.verdict.persistence.models;

/** The upload is not a readable zip: empty, truncated, damaged, encrypted, or holds no files. */
public final class CorruptZip extends ModelImportException {
    private static final long serialVersionUID = 1L;

    private final String entry;

    public CorruptZip(String entry, String reason, Throwable cause) {
        super("corrupt model zip" + (entry == null ? "" : " at entry '" + entry + "'") + ": " + reason, cause);
        this.entry = entry;
    }

    /** The offending entry, or null when the archive as a whole is unreadable. */
    public String entry() {
        return entry;
    }
}
