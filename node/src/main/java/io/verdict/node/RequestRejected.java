package io.verdict.node;

/**
 * A request the node refuses, with the kind of refusal; the gRPC edge maps the kind to a status
 * code (see {@code GrpcErrors}). The message is for the caller: it says what was wrong.
 */
public final class RequestRejected extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind { INVALID, NOT_FOUND, PRECONDITION, ALREADY_EXISTS, OVERLOADED, UNAVAILABLE, DEADLINE }

    private final Kind kind;

    public RequestRejected(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static RequestRejected invalid(String message) {
        return new RequestRejected(Kind.INVALID, message);
    }

    public static RequestRejected notFound(String message) {
        return new RequestRejected(Kind.NOT_FOUND, message);
    }
}
