package io.verdict.inference.tensor;

import java.util.Arrays;

/**
 * The dimensions of a tensor, outermost first (row-major).
 *
 * <p>A concrete shape (the shape of an actual {@link Tensor}) has only non-negative dimensions. A
 * pattern (the shape of a {@code TensorSpec} in a model signature) may also hold {@link #ANY}
 * ({@code -1}), meaning "any size", typically the batch dimension. Rank 0 is a scalar.
 */
public record Shape(long[] dims) {

    /** The wildcard dimension of a signature shape. */
    public static final long ANY = -1;

    /** The shape of a scalar. */
    public static final Shape SCALAR = new Shape(new long[0]);

    public Shape {
        if (dims == null) {
            throw new InvalidTensor("shape dims must not be null");
        }
        dims = dims.clone();
        for (long d : dims) {
            if (d < ANY) {
                throw new InvalidTensor("shape dimension must be >= 0 (or -1 in a signature): " + Arrays.toString(dims));
            }
        }
    }

    /** A concrete shape; every dimension must be {@code >= 0}. */
    public static Shape of(long... dims) {
        Shape s = new Shape(dims);
        if (!s.isConcrete()) {
            throw new InvalidTensor("a tensor shape must not contain -1: " + s);
        }
        return s;
    }

    /** A signature shape; dimensions may be {@link #ANY}. */
    public static Shape pattern(long... dims) {
        return new Shape(dims);
    }

    /** A copy of the dimensions. */
    @Override
    public long[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int axis) {
        return dims[axis];
    }

    /** True when no dimension is {@link #ANY}. */
    public boolean isConcrete() {
        for (long d : dims) {
            if (d == ANY) {
                return false;
            }
        }
        return true;
    }

    /** Product of the dimensions (1 for a scalar); {@link InvalidTensor} on -1 or overflow. */
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            if (d == ANY) {
                throw new InvalidTensor("element count of a shape with -1 is undefined: " + this);
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new InvalidTensor("element count of shape " + this + " overflows");
            }
        }
        return n;
    }

    /** True if this pattern admits {@code concrete}: same rank, and each dim equal or {@link #ANY}. */
    public boolean admits(Shape concrete) {
        if (concrete.dims.length != dims.length) {
            return false;
        }
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] != ANY && dims[i] != concrete.dims[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape other && Arrays.equals(dims, other.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
