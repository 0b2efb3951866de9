package io.verdict.inference.tensor;

/** A tensor the model declares was not supplied. */
public final class MissingTensor extends TensorException {
    private static final long serialVersionUID = 1L;

    private final String tensorName;

    public MissingTensor(String tensorName) {
        super("missing tensor '" + tensorName + "'");
        this.tensorName = tensorName;
    }

    public String tensorName() {
        return tensorName;
    }
}
