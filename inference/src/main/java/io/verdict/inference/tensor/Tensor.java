package io.verdict.inference.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An immutable, name-less tensor: element type, concrete shape and data bytes, row-major
 * (last axis fastest), each element little-endian. BOOL elements are one byte, 0 or 1.
 *
 * <p>Validated on construction: the shape is concrete, element count × dtype size equals the byte
 * length, and BOOL bytes are 0 or 1. The data array is copied in and out, so a {@code Tensor} never
 * changes. Floating values are kept bit for bit (NaN payloads, -0.0); canonicalisation is the job
 * of {@code io.verdict.inference.agreement}.
 */
public record Tensor(DType dtype, Shape shape, byte[] data) {

    public Tensor {
        if (dtype == null || shape == null || data == null) {
            throw new InvalidTensor("dtype, shape and data are required");
        }
        if (!shape.isConcrete()) {
            throw new InvalidTensor("a tensor shape must not contain -1: " + shape);
        }
        long count = shape.elementCount();
        long expectedBytes;
        try {
            expectedBytes = Math.multiplyExact(count, (long) dtype.size());
        } catch (ArithmeticException e) {
            throw new InvalidTensor("tensor of shape " + shape + " is too large");
        }
        if (expectedBytes != data.length) {
            throw new InvalidTensor("tensor " + dtype + shape + " needs " + expectedBytes
                    + " data bytes (" + count + " × " + dtype.size() + "), got " + data.length);
        }
        data = data.clone();
        if (dtype == DType.BOOL) {
            for (int i = 0; i < data.length; i++) {
                if (data[i] != 0 && data[i] != 1) {
                    throw new InvalidTensor("BOOL element " + i + " is " + (data[i] & 0xff) + ", must be 0 or 1");
                }
            }
        }
    }

    // ---- factories ---------------------------------------------------------------------------

    public static Tensor ofFloats(Shape shape, float... values) {
        ByteBuffer b = allocate(values.length, DType.FLOAT32);
        b.asFloatBuffer().put(values);
        return new Tensor(DType.FLOAT32, shape, b.array());
    }

    public static Tensor ofDoubles(Shape shape, double... values) {
        ByteBuffer b = allocate(values.length, DType.FLOAT64);
        b.asDoubleBuffer().put(values);
        return new Tensor(DType.FLOAT64, shape, b.array());
    }

    public static Tensor ofInts(Shape shape, int... values) {
        ByteBuffer b = allocate(values.length, DType.INT32);
        b.asIntBuffer().put(values);
        return new Tensor(DType.INT32, shape, b.array());
    }

    public static Tensor ofLongs(Shape shape, long... values) {
        ByteBuffer b = allocate(values.length, DType.INT64);
        b.asLongBuffer().put(values);
        return new Tensor(DType.INT64, shape, b.array());
    }

    public static Tensor ofBools(Shape shape, boolean... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = values[i] ? (byte) 1 : (byte) 0;
        }
        return new Tensor(DType.BOOL, shape, bytes);
    }

    private static ByteBuffer allocate(int count, DType dtype) {
        long bytes = (long) count * dtype.size();
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new InvalidTensor("too many elements: " + count);
        }
        return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    // ---- accessors ---------------------------------------------------------------------------

    /** A copy of the data bytes. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** A read-only little-endian view of the data, without copying. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public long elementCount() {
        return data.length / dtype.size();
    }

    public int byteLength() {
        return data.length;
    }

    public float[] toFloats() {
        require(DType.FLOAT32);
        float[] out = new float[(int) elementCount()];
        buffer().asFloatBuffer().get(out);
        return out;
    }

    public double[] toDoubles() {
        require(DType.FLOAT64);
        double[] out = new double[(int) elementCount()];
        buffer().asDoubleBuffer().get(out);
        return out;
    }

    public int[] toInts() {
        require(DType.INT32);
        int[] out = new int[(int) elementCount()];
        buffer().asIntBuffer().get(out);
        return out;
    }

    public long[] toLongs() {
        require(DType.INT64);
        long[] out = new long[(int) elementCount()];
        buffer().asLongBuffer().get(out);
        return out;
    }

    public boolean[] toBools() {
        require(DType.BOOL);
        boolean[] out = new boolean[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = data[i] != 0;
        }
        return out;
    }

    private void require(DType expected) {
        if (dtype != expected) {
            throw new IllegalStateException("tensor is " + dtype + ", not " + expected);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor other
                && dtype == other.dtype
                && shape.equals(other.shape)
                && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + shape.hashCode()) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + shape + ", " + data.length + " bytes]";
    }
}
