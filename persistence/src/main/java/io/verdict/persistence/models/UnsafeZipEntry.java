package io.verdict.persistence.models;

/** An entry of an uploaded zip that cannot be extracted safely; names the entry and why. */
public final class UnsafeZipEntry extends ModelImportException {
    private static final long serialVersionUID = 1L;

    /** Why the entry was refused. */
    public enum Reason {
        ABSOLUTE_PATH("absolute paths are not allowed"),
        PATH_TRAVERSAL("'..' segments are not allowed"),
        BAD_NAME("empty, '.' or backslash-separated segments and control characters are not allowed"),
        SYMBOLIC_LINK("symbolic links are not allowed"),
        SPECIAL_FILE("only regular files and directories are allowed"),
        DUPLICATE("the archive holds this path more than once (or as both a file and a directory)"),
        OVERLAPPING("its bytes overlap another entry's, or reach into the central directory or past the"
                + " archive's file data: the shape of an overlapping-files zip bomb");

        private final String text;

        Reason(String text) {
            this.text = text;
        }
    }

    private final String entry;
    private final Reason reason;

    public UnsafeZipEntry(String entry, Reason reason) {
        super("unsafe zip entry '" + entry + "': " + reason.text, null);
        this.entry = entry;
        this.reason = reason;
    }

    public String entry() {
        return entry;
    }

    public Reason reason() {
        return reason;
    }
}
