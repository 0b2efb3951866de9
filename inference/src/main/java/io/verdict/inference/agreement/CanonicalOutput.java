package io.verdict.inference.agreement;

import io.verdict.inference.digest.ContentDigest;
import io.verdict.inference.tensor.NamedTensors;

/**
 * A model output canonicalised under a policy: the canonical tensors (the result a client gets),
 * their canonical encoding, and its SHA-256, the <b>output digest</b> that validators sign.
 */
public record CanonicalOutput(AgreementPolicy policy, NamedTensors tensors, byte[] bytes, ContentDigest digest) {

    public CanonicalOutput {
        if (policy == null || tensors == null || bytes == null || digest == null) {
            throw new IllegalArgumentException("all fields are required");
        }
        bytes = bytes.clone();
        if (!ContentDigest.of(bytes).equals(digest)) {
            throw new IllegalArgumentException("digest does not match the canonical bytes");
        }
    }

    static CanonicalOutput of(AgreementPolicy policy, NamedTensors canonical) {
        byte[] bytes = canonical.canonicalBytes();
        return new CanonicalOutput(policy, canonical, bytes, ContentDigest.of(bytes));
    }

    /** A copy of the canonical encoding. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CanonicalOutput other && policy.equals(other.policy) && digest.equals(other.digest);
    }

    @Override
    public int hashCode() {
        return 31 * policy.hashCode() + digest.hashCode();
    }

    @Override
    public String toString() {
        return "CanonicalOutput[" + policy.canonicalText() + ", " + digest + "]";
    }
}
