package io.verdict.inference.agreement;

/**
 * A model output cannot be canonicalised under the policy: TOPK(k) with fewer than k classes,
 * ARGMAX/TOPK of a scalar or of an empty class axis, or a QUANTIZED grid index outside int64.
 * Deterministic: every honest replica fails the same way on the same output.
 */
public final class OutputNotCanonicalisable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String outputName;

    public OutputNotCanonicalisable(String outputName, String reason) {
        super("output '" + outputName + "': " + reason);
        this.outputName = outputName;
    }

    public String outputName() {
        return outputName;
    }
}
