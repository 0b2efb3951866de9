package io.verdict.inference.tensor;

/**
 * Base of every error caused by a tensor that a caller supplied: malformed, or not what a model
 * expects. These are the caller's mistakes (INVALID_ARGUMENT at a gRPC edge), never engine faults.
 */
public abstract class TensorException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    protected TensorException(String message) {
        super(message);
    }
}
