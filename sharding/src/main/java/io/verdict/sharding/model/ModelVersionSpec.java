package io.verdict.sharding.model;

import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.agreement.OutputNotCanonicalisable;
import io.verdict.inference.engine.ModelSignature;
import io.verdict.inference.engine.TensorSpec;
import io.verdict.inference.model.ModelDigest;
import io.verdict.persistence.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a publisher declares about a model version. Plain text throughout so that events never
 * depend on the inference module's types. Events written before {@code limits} existed have none:
 * they read as {@link VersionLimits#DEFAULTS}.
 *
 * @param version the version label ({@link ModelNames#VERSION})
 * @param modelDigest {@code sha256:<hex>} of the artifact (docs/FORMATS.md, model digest)
 * @param engine the runtime that executes it ({@code tensorflow} for a SavedModel, {@code onnxruntime} for ONNX)
 * @param agreementPolicy canonical text ({@code EXACT}, {@code QUANTIZED(0.001)}, {@code ARGMAX}, {@code TOPK(5)})
 * @param inputs declared inputs
 * @param outputs declared outputs (at least one)
 * @param sizeBytes total size of the artifact's files
 * @param publishedBy who published it (an operator or key name)
 * @param limits what jobs on it may send (never null: absent means the defaults)
 */
public record ModelVersionSpec(String version, String modelDigest, String engine, String agreementPolicy,
                               List<TensorSignature> inputs, List<TensorSignature> outputs, long sizeBytes,
                               String publishedBy, VersionLimits limits) implements CborSerializable {

    /** The engine of TensorFlow SavedModels. */
    public static final String TENSORFLOW = "tensorflow";
    /** The engine of ONNX models. */
    public static final String ONNX_RUNTIME = "onnxruntime";
    /** Engines a version may declare. */
    public static final Set<String> ENGINES = Set.of(TENSORFLOW, ONNX_RUNTIME);
    /** Longest accepted {@code publishedBy}. */
    public static final int MAX_PUBLISHER_LENGTH = 256;

    public ModelVersionSpec {
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
        limits = VersionLimits.orDefaults(limits);
    }

    /** A version with the default limits. */
    public ModelVersionSpec(String version, String modelDigest, String engine, String agreementPolicy,
                            List<TensorSignature> inputs, List<TensorSignature> outputs, long sizeBytes,
                            String publishedBy) {
        this(version, modelDigest, engine, agreementPolicy, inputs, outputs, sizeBytes, publishedBy,
                VersionLimits.DEFAULTS);
    }

    /**
     * Checks every field and returns the spec in canonical spelling (shapes normalised).
     *
     * @throws IllegalArgumentException naming the first problem
     */
    public ModelVersionSpec validated() {
        ModelNames.versionProblem(version).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        try {
            ModelDigest.parse(modelDigest);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid model digest: " + e.getMessage());
        }
        if (!ENGINES.contains(engine)) {
            throw new IllegalArgumentException("unsupported engine '" + engine + "' (supported: " + ENGINES + ")");
        }
        AgreementPolicy policy = AgreementPolicy.parse(agreementPolicy);
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("a model version must declare at least one output");
        }
        ModelSignature signature = ModelSignature.of(specs(inputs), specs(outputs));
        try {
            policy.checkApplicable(signature);
        } catch (OutputNotCanonicalisable e) {
            throw new IllegalArgumentException("agreement policy " + agreementPolicy + " does not fit the outputs: "
                    + e.getMessage());
        }
        if (sizeBytes <= 0) {
            throw new IllegalArgumentException("sizeBytes must be positive, got " + sizeBytes);
        }
        if (publishedBy == null || publishedBy.isBlank() || publishedBy.length() > MAX_PUBLISHER_LENGTH) {
            throw new IllegalArgumentException("publishedBy must be 1 to " + MAX_PUBLISHER_LENGTH + " characters");
        }
        VersionLimits checkedLimits = limits.validated(signature.inputs().values());
        return new ModelVersionSpec(version, modelDigest, engine, policy.canonicalText(),
                inputs.stream().map(TensorSignature::normalized).toList(),
                outputs.stream().map(TensorSignature::normalized).toList(), sizeBytes, publishedBy, checkedLimits);
    }

    /** The signature in the inference module's types (the spec must be valid). */
    public ModelSignature signature() {
        return ModelSignature.of(specs(inputs), specs(outputs));
    }

    private static List<TensorSpec> specs(List<TensorSignature> sigs) {
        List<TensorSpec> specs = new ArrayList<>();
        for (TensorSignature s : sigs) {
            if (s == null) {
                throw new IllegalArgumentException("a tensor signature is missing");
            }
            specs.add(s.toSpec());
        }
        return specs;
    }
}
