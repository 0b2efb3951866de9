package io.verdict.inference.engine;

import io.verdict.inference.tensor.MissingTensor;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Tensor;
import io.verdict.inference.tensor.UnknownTensorName;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a loaded model accepts and returns, each side keyed by tensor name in canonical order.
 * {@link #validate(NamedTensors)} is the one place inputs are checked before they reach a runtime.
 */
public record ModelSignature(SortedMap<String, TensorSpec> inputs, SortedMap<String, TensorSpec> outputs) {

    public ModelSignature {
        inputs = copy(inputs);
        outputs = copy(outputs);
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("a model signature needs at least one output");
        }
    }

    public static ModelSignature of(List<TensorSpec> inputs, List<TensorSpec> outputs) {
        return new ModelSignature(index(inputs), index(outputs));
    }

    private static SortedMap<String, TensorSpec> index(List<TensorSpec> specs) {
        TreeMap<String, TensorSpec> m = new TreeMap<>(NamedTensors.CANONICAL_NAME_ORDER);
        for (TensorSpec s : specs) {
            if (m.put(s.name(), s) != null) {
                throw new IllegalArgumentException("duplicate tensor name " + s.name());
            }
        }
        return m;
    }

    private static SortedMap<String, TensorSpec> copy(Map<String, TensorSpec> specs) {
        TreeMap<String, TensorSpec> m = new TreeMap<>(NamedTensors.CANONICAL_NAME_ORDER);
        for (Map.Entry<String, TensorSpec> e : specs.entrySet()) {
            if (!e.getKey().equals(e.getValue().name())) {
                throw new IllegalArgumentException("key " + e.getKey() + " does not match spec " + e.getValue());
            }
            m.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableSortedMap(m);
    }

    /**
     * Accepts {@code inputs} only if they name exactly the declared inputs, each with the declared
     * dtype, rank and dimensions (-1 admits any size). Byte length is guaranteed by {@link Tensor}.
     *
     * @throws UnknownTensorName for a name the model does not declare
     * @throws MissingTensor for a declared input not supplied
     * @throws io.verdict.inference.tensor.TensorDTypeMismatch for a wrong element type
     * @throws io.verdict.inference.tensor.TensorShapeMismatch for a wrong rank or dimension
     */
    public void validate(NamedTensors inputs) {
        for (String name : inputs.names()) {
            if (!this.inputs.containsKey(name)) {
                throw new UnknownTensorName(name, this.inputs.keySet());
            }
        }
        for (TensorSpec spec : this.inputs.values()) {
            if (!inputs.contains(spec.name())) {
                throw new MissingTensor(spec.name());
            }
            spec.check(inputs.get(spec.name()));
        }
    }

    /**
     * For engine implementations: checks that a runtime returned every declared output with the
     * declared dtype and shape; an {@link EngineException} otherwise (a runtime fault, not the caller's).
     */
    public void checkOutputs(NamedTensors outputs) {
        for (TensorSpec spec : this.outputs.values()) {
            if (!outputs.contains(spec.name())) {
                throw new EngineException("runtime did not return declared output '" + spec.name() + "'", null);
            }
            try {
                spec.check(outputs.get(spec.name()));
            } catch (RuntimeException e) {
                throw new EngineException("runtime returned an output that breaks the signature: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "ModelSignature[inputs=" + new ArrayList<>(inputs.values()) + ", outputs=" + new ArrayList<>(outputs.values()) + "]";
    }
}
