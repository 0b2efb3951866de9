package io.verdict.sharding.model;

import io.verdict.persistence.CborSerializable;

/**
 * One published version of a model, as the Model entity holds and shows it.
 *
 * @param spec what was published
 * @param status ACTIVE or RETIRED
 * @param publishedAt epoch milliseconds
 * @param retiredAt epoch milliseconds, or null while active
 * @param retireReason why it was retired, or null while active
 */
public record ModelVersion(ModelVersionSpec spec, VersionStatus status, long publishedAt, Long retiredAt,
                           String retireReason) implements CborSerializable {

    public String version() {
        return spec.version();
    }

    public String modelDigest() {
        return spec.modelDigest();
    }

    ModelVersion retire(long at, String reason) {
        return new ModelVersion(spec, VersionStatus.RETIRED, publishedAt, at, reason);
    }
}
