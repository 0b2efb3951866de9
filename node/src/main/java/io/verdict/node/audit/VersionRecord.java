package io.verdict.node.audit;

import java.util.Objects;

/**
 * One version in a model's history: its publication and, once retired, its retirement. Times are
 * epoch milliseconds; {@code retiredAt} and {@code retireReason} are null while it is active.
 */
public record VersionRecord(String model, String version, String modelDigest, String policy, String engine,
                            String publishedBy, long sizeBytes, long publishedAt, Long retiredAt,
                            String retireReason) {

    public VersionRecord {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(modelDigest, "modelDigest");
        Objects.requireNonNull(policy, "policy");
        engine = engine == null ? "" : engine;
        publishedBy = publishedBy == null ? "" : publishedBy;
    }

    public boolean retired() {
        return retiredAt != null;
    }
}
