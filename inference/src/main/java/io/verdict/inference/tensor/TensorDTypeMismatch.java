package io.verdict.inference.tensor;

/** A named tensor has another element type than expected. */
public final class TensorDTypeMismatch extends TensorException {
    private static final long serialVersionUID = 1L;

    private final String tensorName;
    private final DType expected;
    private final DType actual;

    public TensorDTypeMismatch(String tensorName, DType expected, DType actual) {
        super("tensor '" + tensorName + "': expected dtype " + expected + ", got " + actual);
        this.tensorName = tensorName;
        this.expected = expected;
        this.actual = actual;
    }

    public String tensorName() {
        return tensorName;
    }

    public DType expected() {
        return expected;
    }

    public DType actual() {
        return actual;
    }
}
