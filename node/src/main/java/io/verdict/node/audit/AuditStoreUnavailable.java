package io.verdict.node.audit;

/** The audit tables could not be read: the database is down or unreachable. */
public final class AuditStoreUnavailable extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AuditStoreUnavailable(String store, Throwable cause) {
        super("the audit store (" + store + ") is unavailable; retry later (" + cause.getMessage() + ")", cause);
    }
}
