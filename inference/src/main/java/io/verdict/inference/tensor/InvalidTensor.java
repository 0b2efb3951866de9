package io.verdict.inference.tensor;

/** A tensor (or its canonical encoding) is malformed: bad shape, byte length, BOOL byte, code, name. */
public final class InvalidTensor extends TensorException {
    private static final long serialVersionUID = 1L;

    public InvalidTensor(String message) {
        super(message);
    }
}
