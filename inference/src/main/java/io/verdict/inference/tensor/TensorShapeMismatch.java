package io.verdict.inference.tensor;

/** A named tensor has a rank or dimension that the expected shape (which may hold -1) does not allow. */
public final class TensorShapeMismatch extends TensorException {
    private static final long serialVersionUID = 1L;

    private final String tensorName;
    private final transient Shape expected;
    private final transient Shape actual;

    public TensorShapeMismatch(String tensorName, Shape expected, Shape actual) {
        super("tensor '" + tensorName + "': expected shape " + expected + ", got " + actual);
        this.tensorName = tensorName;
        this.expected = expected;
        this.actual = actual;
    }

    public String tensorName() {
        return tensorName;
    }

    public Shape expected() {
        return expected;
    }

    public Shape actual() {
        return actual;
    }
}
