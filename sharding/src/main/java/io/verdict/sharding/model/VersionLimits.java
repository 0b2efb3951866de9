package io.verdict.sharding.model;

import io.verdict.inference.engine.TensorSpec;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import io.verdict.persistence.CborSerializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a publisher declares about the jobs a model version accepts: the largest batch, an upper
 * bound per dimension of some inputs, and the largest total input size. Zero means "the default"
 * throughout, so a version published before limits existed (whose event has no limits at all)
 * reads as {@link #DEFAULTS}.
 *
 * @param maxBatch the largest size of dimension 0 of every input whose declared dimension 0 is
 *     variable; 0 for {@link #DEFAULT_MAX_BATCH}
 * @param inputLimits bounds of some inputs' dimensions, at most one entry per input
 * @param maxInputBytes the largest total byte size of one job's inputs; 0 for the node's limit
 */
public record VersionLimits(int maxBatch, List<InputLimit> inputLimits, long maxInputBytes)
        implements CborSerializable {

    /** The batch bound of a version that declares none. */
    public static final int DEFAULT_MAX_BATCH = 256;
    /** The largest max_batch any version may declare. */
    public static final int MAX_BATCH = 65536;
    /** No declared limits: the defaults everywhere. */
    public static final VersionLimits DEFAULTS = new VersionLimits(0, List.of(), 0);

    /**
     * Upper bounds of one input's dimensions, outermost first.
     *
     * @param name the input's name in the signature
     * @param maxShape one bound per dimension, each at least 1
     */
    public record InputLimit(String name, List<Long> maxShape) implements CborSerializable {
        public InputLimit {
            maxShape = maxShape == null ? List.of() : List.copyOf(maxShape);
        }

        @Override
        public String toString() {
            return name + maxShape;
        }
    }

    public VersionLimits {
        inputLimits = inputLimits == null ? List.of() : List.copyOf(inputLimits);
    }

    /** The limits, or the defaults when {@code limits} is null (an event written before limits existed). */
    public static VersionLimits orDefaults(VersionLimits limits) {
        return limits == null ? DEFAULTS : limits;
    }

    /**
     * Checks the limits against the model's declared inputs and returns them with the input limits
     * in the inputs' order.
     *
     * @throws IllegalArgumentException naming the first problem
     */
    public VersionLimits validated(Collection<TensorSpec> inputs) {
        if (maxBatch < 0 || maxBatch > MAX_BATCH) {
            throw new IllegalArgumentException("max_batch must be 0 (the default, " + DEFAULT_MAX_BATCH + ") or 1 to "
                    + MAX_BATCH + ", got " + Integer.toUnsignedString(maxBatch));
        }
        if (maxBatch > 1 && batchedInputs(inputs).isEmpty()) {
            throw new IllegalArgumentException("max_batch " + maxBatch + " does not apply: no input has a variable"
                    + " dimension 0, so the signature fixes the batch (inputs " + describe(inputs)
                    + "); leave max_batch at 0");
        }
        if (maxInputBytes < 0) {
            throw new IllegalArgumentException("max_input_bytes " + Long.toUnsignedString(maxInputBytes)
                    + " is too large");
        }
        Map<String, TensorSpec> byName = new LinkedHashMap<>();
        inputs.forEach(s -> byName.put(s.name(), s));
        Set<String> seen = new HashSet<>();
        for (InputLimit limit : inputLimits) {
            if (limit == null || limit.name() == null || limit.name().isBlank()) {
                throw new IllegalArgumentException("an input limit has no input name");
            }
            if (!seen.add(limit.name())) {
                throw new IllegalArgumentException("input '" + limit.name() + "' has more than one input limit");
            }
            TensorSpec input = byName.get(limit.name());
            if (input == null) {
                throw new IllegalArgumentException("mismatched signature: input limit names '" + limit.name()
                        + "', which is not an input of the model; its inputs are " + describe(inputs));
            }
            Shape shape = input.shape();
            if (limit.maxShape().size() != shape.rank()) {
                throw new IllegalArgumentException("mismatched signature: the input limit of '" + limit.name() + "' has "
                        + limit.maxShape().size() + " dimension(s) " + limit.maxShape() + " but the input has rank "
                        + shape.rank() + " " + shape);
            }
            for (int i = 0; i < shape.rank(); i++) {
                long bound = limit.maxShape().get(i);
                if (bound < 1) {
                    throw new IllegalArgumentException("the input limit of '" + limit.name() + "' bounds dimension "
                            + i + " by " + bound + "; bounds are at least 1");
                }
                if (shape.dim(i) != Shape.ANY && shape.dim(i) != bound) {
                    throw new IllegalArgumentException("the input limit of '" + limit.name() + "' bounds dimension "
                            + i + " by " + bound + ", but the signature fixes it at " + shape.dim(i) + " " + shape
                            + "; a bound on a fixed dimension must equal it");
                }
            }
        }
        List<String> order = new ArrayList<>(byName.keySet());
        List<InputLimit> sorted = new ArrayList<>(inputLimits);
        sorted.sort(Comparator.comparingInt(l -> order.indexOf(l.name())));
        return new VersionLimits(maxBatch, sorted, maxInputBytes);
    }

    /** The batch bound in force: 0 when no input has a variable dimension 0, else the declared or default one. */
    public int effectiveMaxBatch(Collection<TensorSpec> inputs) {
        if (batchedInputs(inputs).isEmpty()) {
            return 0;
        }
        return maxBatch == 0 ? DEFAULT_MAX_BATCH : maxBatch;
    }

    /** The input size bound in force on a node whose own limit is {@code nodeMaxBytes}. */
    public long effectiveMaxInputBytes(long nodeMaxBytes) {
        return maxInputBytes == 0 ? nodeMaxBytes : Math.min(maxInputBytes, nodeMaxBytes);
    }

    /**
     * Checks a job's inputs (already valid for the signature) against these limits.
     *
     * @param model the version, as {@code name@version}, for the message
     * @param declared the version's declared inputs
     * @param nodeMaxBytes the node's own limit of a request's input bytes
     * @throws InputLimitExceeded naming the version, the input, the value and the limit
     */
    public void enforce(String model, Collection<TensorSpec> declared, NamedTensors inputs, long nodeMaxBytes) {
        long bytes = inputs.asMap().values().stream().mapToLong(Tensor::byteLength).sum();
        long maxBytes = effectiveMaxInputBytes(nodeMaxBytes);
        if (bytes > maxBytes) {
            throw new InputLimitExceeded(model, "(all inputs)", bytes, maxBytes, "the inputs of a job on " + model
                    + " are " + bytes + " bytes, over the version's max_input_bytes of " + maxBytes);
        }
        int batch = effectiveMaxBatch(declared);
        for (TensorSpec input : batchedInputs(declared)) {
            Tensor t = inputs.get(input.name());
            if (t != null && t.shape().dim(0) > batch) {
                throw new InputLimitExceeded(model, input.name(), t.shape().dim(0), batch, "input '" + input.name()
                        + "' of a job on " + model + " has a batch of " + t.shape().dim(0)
                        + ", over the version's max_batch of " + batch);
            }
        }
        for (InputLimit limit : inputLimits) {
            Tensor t = inputs.contains(limit.name()) ? inputs.get(limit.name()) : null;
            if (t == null) {
                continue;
            }
            for (int i = 0; i < Math.min(t.shape().rank(), limit.maxShape().size()); i++) {
                long bound = limit.maxShape().get(i);
                if (t.shape().dim(i) > bound) {
                    throw new InputLimitExceeded(model, limit.name(), t.shape().dim(i), bound, "input '"
                            + limit.name() + "' of a job on " + model + " has shape " + t.shape() + ": dimension " + i
                            + " is " + t.shape().dim(i) + ", over the version's bound of " + bound + " (max_shape "
                            + limit.maxShape() + ")");
                }
            }
        }
    }

    private static List<TensorSpec> batchedInputs(Collection<TensorSpec> inputs) {
        return inputs.stream().filter(s -> s.shape().rank() > 0 && s.shape().dim(0) == Shape.ANY).toList();
    }

    private static String describe(Collection<TensorSpec> inputs) {
        return inputs.stream().map(s -> s.name() + " " + s.shape()).toList().toString();
    }
}
