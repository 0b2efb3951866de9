package io.verdict.inference.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A constant tensor to write as an ONNX {@code TensorProto}: a graph initializer or the value of a
 * TENSOR attribute. The data is either inline ({@code raw_data}, little-endian, row-major) or, with
 * {@link #external}, a reference to a file beside {@code model.onnx} ({@code data_location}
 * EXTERNAL, {@code external_data} key {@code location}).
 *
 * @param externalLocation the {@code location} of external data, or null for inline data
 */
public record OnnxTensorValue(String name, OnnxElementType type, long[] dims, byte[] raw, String externalLocation) {

    public OnnxTensorValue {
        if (name == null || type == null || dims == null) {
            throw new IllegalArgumentException("name, type and dims are required");
        }
        if ((raw == null) == (externalLocation == null)) {
            throw new IllegalArgumentException("tensor " + name + " needs either inline data or an external location");
        }
        dims = dims.clone();
        if (raw != null) {
            long count = 1;
            for (long d : dims) {
                if (d < 0) {
                    throw new IllegalArgumentException("tensor " + name + " has a negative dimension: " + Arrays.toString(dims));
                }
                count = Math.multiplyExact(count, d);
            }
            if (type.size() == 0 || count * type.size() != raw.length) {
                throw new IllegalArgumentException("tensor " + name + " " + type + Arrays.toString(dims)
                        + " needs " + count * type.size() + " bytes, got " + raw.length);
            }
            raw = raw.clone();
        }
    }

    /** A FLOAT tensor with inline data. */
    public static OnnxTensorValue floats(String name, long[] dims, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new OnnxTensorValue(name, OnnxElementType.FLOAT, dims, b.array(), null);
    }

    /** An INT64 tensor with inline data. */
    public static OnnxTensorValue longs(String name, long[] dims, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new OnnxTensorValue(name, OnnxElementType.INT64, dims, b.array(), null);
    }

    /** A tensor whose data lives in the file {@code location}, relative to the model's directory. */
    public static OnnxTensorValue external(String name, OnnxElementType type, long[] dims, String location) {
        return new OnnxTensorValue(name, type, dims, null, location);
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** A copy of the inline data, or null for external data. */
    @Override
    public byte[] raw() {
        return raw == null ? null : raw.clone();
    }

    public boolean isExternal() {
        return externalLocation != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OnnxTensorValue other
                && name.equals(other.name)
                && type == other.type
                && Arrays.equals(dims, other.dims)
                && Arrays.equals(raw, other.raw)
                && java.util.Objects.equals(externalLocation, other.externalLocation);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, type, Arrays.hashCode(dims), Arrays.hashCode(raw), externalLocation);
    }

    @Override
    public String toString() {
        return "OnnxTensorValue[" + name + " " + type + Arrays.toString(dims)
                + (raw != null ? ", " + raw.length + " bytes" : ", external " + externalLocation) + "]";
    }
}
