package io.verdict.sharding.model;

import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.engine.ModelSignature;
import io.verdict.inference.model.ModelDigest;
import io.verdict.persistence.CborSerializable;

/** The answer to {@link Model.Resolve}: an ACTIVE version a job may run. */
public record ResolvedModel(String name, String version, ModelVersionSpec spec) implements CborSerializable {

    /** The artifact's digest. */
    public ModelDigest digest() {
        return ModelDigest.parse(spec.modelDigest());
    }

    /** The version's agreement policy. */
    public AgreementPolicy policy() {
        return AgreementPolicy.parse(spec.agreementPolicy());
    }

    /** The declared inputs and outputs. */
    public ModelSignature signature() {
        return spec.signature();
    }

    /** {@code name@version}, as messages name the version. */
    public String ref() {
        return name + "@" + version;
    }

    /** What jobs on this version may send. */
    public VersionLimits limits() {
        return spec.limits();
    }

    @Override
    public String toString() {
        return name + "@" + version + " (" + spec.modelDigest() + ", " + spec.agreementPolicy() + ")";
    }
}
