package io.verdict.inference.model;

import io.verdict.inference.digest.ContentDigest;

/**
 * The identity of a model artifact: SHA-256 over its {@link ArtifactManifest} (every regular file,
 * canonical order, path + size + content hash), written {@code sha256:<hex>}. See docs/FORMATS.md.
 */
public record ModelDigest(ContentDigest value) implements Comparable<ModelDigest> {

    public ModelDigest {
        if (value == null) {
            throw new IllegalArgumentException("model digest value is required");
        }
    }

    /** Parses {@code sha256:<64 lowercase hex>}. */
    public static ModelDigest parse(String text) {
        return new ModelDigest(ContentDigest.parse(text));
    }

    /** The raw 32 bytes (a copy). */
    public byte[] bytes() {
        return value.bytes();
    }

    @Override
    public int compareTo(ModelDigest o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
