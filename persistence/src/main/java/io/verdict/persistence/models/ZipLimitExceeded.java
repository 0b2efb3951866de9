package io.verdict.persistence.models;

/**
 * The upload exceeds a {@link ModelStore.Limits} bound. {@link Limit#TOTAL_BYTES} is checked twice:
 * on the sizes the central directory declares, before anything is extracted, and on the real bytes
 * while inflating (declared sizes can lie); {@link #entry()} is the entry at which the sum crossed.
 */
public final class ZipLimitExceeded extends ModelImportException {
    private static final long serialVersionUID = 1L;

    /** Which bound was crossed. */
    public enum Limit {
        FILES("files"),
        TOTAL_BYTES("uncompressed bytes"),
        ARCHIVE_BYTES("archive bytes");

        private final String unit;

        Limit(String unit) {
            this.unit = unit;
        }
    }

    private final Limit limit;
    private final long max;
    private final String entry;

    public ZipLimitExceeded(Limit limit, long max, String entry) {
        super("model upload exceeds the limit of " + max + " " + limit.unit
                + (entry == null ? "" : " (at entry '" + entry + "')"), null);
        this.limit = limit;
        this.max = max;
        this.entry = entry;
    }

    public Limit limit() {
        return limit;
    }

    public long max() {
        return max;
    }

    /** The entry being read when the limit was crossed, or null. */
    public String entry() {
        return entry;
    }
}
