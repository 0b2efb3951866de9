package io.verdict.inference.engine;

/**
 * The one exception type for a failure inside an inference runtime (native load or execution
 * errors, unsupported model features, a runtime that broke its own signature). Never a caller's
 * mistake: bad inputs are rejected before the runtime by {@link ModelSignature#validate}.
 */
public class EngineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
