package io.verdict.sharding.model;

import io.verdict.inference.engine.TensorSpec;
import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.Shape;
import io.verdict.persistence.CborSerializable;

/**
 * One declared input or output of a model version, as plain text: name, dtype ({@code FLOAT32},
 * {@code FLOAT64}, {@code INT32}, {@code INT64}, {@code BOOL}) and shape ({@code [-1, 64]}; -1 is
 * "any size", {@code []} a scalar).
 */
public record TensorSignature(String name, String dtype, String shape) implements CborSerializable {

    /** Parses into the inference module's type; {@link IllegalArgumentException} with a clear message if malformed. */
    public TensorSpec toSpec() {
        DType type;
        try {
            type = DType.valueOf(String.valueOf(dtype));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tensor '" + name + "': unknown dtype '" + dtype
                    + "' (expected FLOAT32, FLOAT64, INT32, INT64 or BOOL)");
        }
        return new TensorSpec(name, type, parseShape(name, shape));
    }

    /** The same signature with the shape in canonical spelling ({@code [-1, 64]}). */
    public TensorSignature normalized() {
        TensorSpec spec = toSpec();
        return new TensorSignature(spec.name(), spec.dtype().name(), spec.shape().toString());
    }

    static TensorSignature of(TensorSpec spec) {
        return new TensorSignature(spec.name(), spec.dtype().name(), spec.shape().toString());
    }

    private static Shape parseShape(String name, String text) {
        String s = text == null ? "" : text.strip();
        if (s.length() < 2 || s.charAt(0) != '[' || s.charAt(s.length() - 1) != ']' || s.length() > 200) {
            throw new IllegalArgumentException("tensor '" + name + "': shape must look like [-1, 64], got '" + text + "'");
        }
        String inner = s.substring(1, s.length() - 1).strip();
        if (inner.isEmpty()) {
            return Shape.SCALAR;
        }
        String[] parts = inner.split(",", -1);
        long[] dims = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                dims[i] = Long.parseLong(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("tensor '" + name + "': shape must look like [-1, 64], got '" + text + "'");
            }
            if (dims[i] < -1) {
                throw new IllegalArgumentException("tensor '" + name + "': dimensions are >= 0, or -1 for any size: '" + text + "'");
            }
        }
        return Shape.pattern(dims);
    }
}
