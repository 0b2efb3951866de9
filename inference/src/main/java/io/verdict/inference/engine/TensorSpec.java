package io.verdict.inference.engine;

import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import io.verdict.inference.tensor.TensorDTypeMismatch;
import io.verdict.inference.tensor.TensorShapeMismatch;

/** A declared input or output of a model: name, element type, and a shape in which -1 means "any". */
public record TensorSpec(String name, DType dtype, Shape shape) {

    public TensorSpec {
        NamedTensors.checkName(name);
        if (dtype == null || shape == null) {
            throw new IllegalArgumentException("dtype and shape are required for " + name);
        }
    }

    /** Throws {@link TensorDTypeMismatch} or {@link TensorShapeMismatch} unless {@code t} fits this spec. */
    public void check(Tensor t) {
        if (t.dtype() != dtype) {
            throw new TensorDTypeMismatch(name, dtype, t.dtype());
        }
        if (!shape.admits(t.shape())) {
            throw new TensorShapeMismatch(name, shape, t.shape());
        }
    }

    @Override
    public String toString() {
        return name + ":" + dtype + shape;
    }
}
