package io.verdict.node.grpc;

import io.grpc.Status;
import io.verdict.actors.entry.JobEntry;
import io.verdict.actors.executor.ExecutorOverloaded;
import io.verdict.inference.agreement.InvalidAgreementPolicy;
import io.verdict.inference.tensor.TensorException;
import io.verdict.node.RequestRejected;
import io.verdict.node.audit.AuditStoreUnavailable;
import io.verdict.persistence.models.ModelImportException;
import io.verdict.sharding.model.InputLimitExceeded;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become gRPC statuses. Unwraps completion wrappers first, then maps:
 * a user's mistake → INVALID_ARGUMENT, unknown → NOT_FOUND, wrong state → FAILED_PRECONDITION,
 * duplicate → ALREADY_EXISTS, overload → RESOURCE_EXHAUSTED, time-outs → DEADLINE_EXCEEDED, a
 * missing dependency (no validators, journal down) → UNAVAILABLE; anything unexpected → INTERNAL,
 * logged with its stack trace. The description is always a sentence a person can act on.
 */
public final class GrpcErrors {

    private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

    /**
     * Entities answer expected rejections with a message (StatusReply.error); these phrases, which
     * the entities' messages are written with, say which kind of rejection it is. The one that
     * occurs first in the message wins (ties: this order).
     */
    private static final List<Phrase> PHRASES = List.of(
            new Phrase("already published", Status.Code.ALREADY_EXISTS),
            new Phrase("cannot be republished", Status.Code.ALREADY_EXISTS),
            new Phrase("already exists for a different request", Status.Code.ALREADY_EXISTS),
            new Phrase("is retired", Status.Code.FAILED_PRECONDITION),
            new Phrase("already retired", Status.Code.FAILED_PRECONDITION),
            new Phrase("has no active version", Status.Code.FAILED_PRECONDITION),
            new Phrase("has no version", Status.Code.NOT_FOUND),
            new Phrase("has no published versions", Status.Code.NOT_FOUND),
            new Phrase("deadline exceeded", Status.Code.DEADLINE_EXCEEDED),
            new Phrase("no validators available", Status.Code.UNAVAILABLE));

    private record Phrase(String text, Status.Code code) {}

    private GrpcErrors() {}

    /** The status for {@code failure}, as an exception Pekko gRPC sends to the client. */
    public static GrpcServiceException toGrpc(Throwable failure) {
        return new GrpcServiceException(toStatus(failure));
    }

    public static Status toStatus(Throwable failure) {
        Throwable e = unwrap(failure);
        if (e instanceof GrpcServiceException g) {
            return g.getStatus();
        }
        if (e instanceof RequestRejected r) {
            return code(r.kind()).withDescription(r.getMessage());
        }
        if (e instanceof TensorException || e instanceof InvalidAgreementPolicy || e instanceof ModelImportException
                || e instanceof InputLimitExceeded) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        }
        if (e instanceof JobEntry.Overloaded || e instanceof ExecutorOverloaded) {
            return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage());
        }
        if (e instanceof AuditStoreUnavailable) {
            LOG.warn("{}", e.getMessage());
            return Status.UNAVAILABLE.withDescription(e.getMessage());
        }
        if (e instanceof TimeoutException) {
            return Status.DEADLINE_EXCEEDED.withDescription("no answer in time: " + e.getMessage());
        }
        if (e instanceof StatusReply.ErrorMessage m) {
            String text = m.getMessage();
            String lower = text.toLowerCase(Locale.ROOT);
            // The phrase that comes first decides: an entity writes its own words before anything it
            // quotes (a retirement reason, a name), so quoted text cannot change the status.
            Phrase first = null;
            int at = Integer.MAX_VALUE;
            for (Phrase p : PHRASES) {
                int i = lower.indexOf(p.text());
                if (i >= 0 && i < at) {
                    first = p;
                    at = i;
                }
            }
            return (first == null ? Status.INVALID_ARGUMENT : Status.fromCode(first.code())).withDescription(text);
        }
        if (isJournalFailure(e)) {
            LOG.warn("journal unavailable: {}", e.toString());
            return Status.UNAVAILABLE.withDescription("the journal is unavailable; retry later (" + e.getMessage() + ")");
        }
        LOG.error("unexpected failure at the gRPC edge", e);
        return Status.INTERNAL.withDescription("internal error: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    private static Status code(RequestRejected.Kind kind) {
        return switch (kind) {
            case INVALID -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case PRECONDITION -> Status.FAILED_PRECONDITION;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case OVERLOADED -> Status.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case DEADLINE -> Status.DEADLINE_EXCEEDED;
        };
    }

    private static boolean isJournalFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException
                    || t instanceof com.datastax.oss.driver.api.core.DriverException
                    || t instanceof org.apache.pekko.pattern.CircuitBreakerOpenException) {
                return true;
            }
        }
        return false;
    }

    static Throwable unwrap(Throwable failure) {
        Throwable e = failure;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
