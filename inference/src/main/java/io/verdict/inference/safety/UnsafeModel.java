package io.verdict.inference.safety;

import io.verdict.inference.model.ModelArtifactException;

/**
 * A model artifact refused by the publish-time safety scan, before any runtime loads it. The
 * message always names the offending node, op or file where there is one, and ends with the
 * reason in brackets, e.g.
 * {@code unsafe model: op 'ReadFile' (node 'leak' in the graph) is not allowed: reads or writes files [DISALLOWED_OP]}.
 */
public final class UnsafeModel extends ModelArtifactException {
    private static final long serialVersionUID = 1L;

    /** Why a model was refused. */
    public enum Reason {
        /** The artifact is not the declared format, or its files are not where the format puts them. */
        WRONG_FORMAT,
        /** The model file cannot be parsed (truncated, corrupt, not a protobuf of the expected kind). */
        MALFORMED,
        /** An op the allow-list refuses by name: file, network, process or Python access. */
        DISALLOWED_OP,
        /** An op that is not on the allow-list. */
        UNKNOWN_OP,
        /** An ONNX node or opset in a domain other than the standard ones (a custom op). */
        CUSTOM_DOMAIN,
        /** ONNX model-local functions (custom ops defined inside the model). */
        LOCAL_FUNCTION,
        /** Tensor data stored outside the artifact (an external-data path escaping the model directory). */
        EXTERNAL_DATA,
        /** The model's declared inputs and outputs do not match its graph. */
        SIGNATURE_MISMATCH,
        /** Larger than the scan accepts (nodes, nesting depth, file size). */
        TOO_LARGE
    }

    private final Reason reason;
    private final String subject;

    /**
     * @param reason why
     * @param subject the offending op, node or file, or "" when the whole model is at fault
     * @param detail a sentence for a human saying what was found and why it is refused
     */
    public UnsafeModel(Reason reason, String subject, String detail) {
        this(reason, subject, detail, null);
    }

    public UnsafeModel(Reason reason, String subject, String detail, Throwable cause) {
        super("unsafe model: " + detail + " [" + reason + "]", cause);
        this.reason = reason;
        this.subject = subject == null ? "" : subject;
    }

    public Reason reason() {
        return reason;
    }

    /** The offending op, node or file, or "" when the whole model is at fault. */
    public String subject() {
        return subject;
    }
}
