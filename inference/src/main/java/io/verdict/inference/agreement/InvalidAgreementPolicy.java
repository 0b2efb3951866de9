package io.verdict.inference.agreement;

/** A string that is not the canonical text form of an agreement policy. */
public final class InvalidAgreementPolicy extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidAgreementPolicy(String text) {
        super("not an agreement policy (expected EXACT, QUANTIZED(<step>), ARGMAX or TOPK(<k>)): " + text);
    }
}
