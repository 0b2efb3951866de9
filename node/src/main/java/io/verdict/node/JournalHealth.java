package io.verdict.node;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the journal answers right now. On Cassandra a probe query runs every {@code interval}; while it fails, new jobs are refused at once with
 * UNAVAILABLE (instead of waiting for a write that cannot happen) and failures of calls that need
 * the journal are reported as UNAVAILABLE, not as time-outs or internal errors. The embedded H2
 * journal lives in the node's process and is always considered up.
 */
public final class JournalHealth {

    private static final Logger LOG = LoggerFactory.getLogger(JournalHealth.class);
    /**
     * The session the probe uses: the shared model store's (same driver settings as the journal).
     * Not the journal plugin's own session: a session is created once per config path, and the
     * plugin creates its keyspaces only when it creates its session itself.
     */
    private static final String PROBE_SESSION = "verdict.cassandra.models.session";

    /** Null while up; otherwise why the last probe failed. */
    private final AtomicReference<String> problem = new AtomicReference<>();
    /** Calls waiting on the journal: failed with UNAVAILABLE the moment it goes down. */
    private final Set<Runnable> waiting = ConcurrentHashMap.newKeySet();
    private final String name;

    private JournalHealth(String name) {
        this.name = name;
    }

    /** The embedded journal: always up. */
    public static JournalHealth embedded() {
        return new JournalHealth("embedded");
    }

    /** Probes the Cassandra journal every {@code interval}, starting now. */
    public static JournalHealth cassandra(ActorSystem<?> system, Duration interval) {
        JournalHealth health = new JournalHealth("Cassandra");
        CassandraSession session = CassandraSessionRegistry.get(system)
                .sessionFor(CassandraSessionSettings.create(PROBE_SESSION));
        system.scheduler().scheduleWithFixedDelay(interval, interval, () -> session
                .selectOne("SELECT release_version FROM system.local")
                .toCompletableFuture()
                .orTimeout(Math.max(1, interval.toMillis() * 3), TimeUnit.MILLISECONDS)
                .whenComplete((row, failure) -> health.report(failure)), system.executionContext());
        return health;
    }

    private void report(Throwable failure) {
        if (failure == null) {
            String was = problem.getAndSet(null);
            if (was != null) {
                LOG.info("the journal ({}) answers again", name);
            }
            return;
        }
        // the probe's future wraps the driver's exception; the user needs the driver's words
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        String text = cause.toString();
        if (problem.getAndSet(text) == null) {
            LOG.warn("the journal ({}) does not answer: {}; failing {} waiting call(s) with UNAVAILABLE", name,
                    text, waiting.size());
            waiting.forEach(Runnable::run);
        }
    }

    /**
     * {@code call}, unless the journal is down now or goes down before it completes: then
     * UNAVAILABLE at once, instead of a time-out once the caller's wait is over (the work itself
     * goes on where it can, and a retry of the same request joins it).
     */
    public <T> CompletionStage<T> guard(Supplier<CompletionStage<T>> call) {
        if (!isUp()) {
            return CompletableFuture.failedFuture(unavailable());
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable fail = () -> result.completeExceptionally(unavailable());
        waiting.add(fail);
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            waiting.remove(fail);
            return CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((value, failure) -> {
            waiting.remove(fail);
            if (failure == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(isUp() ? failure : unavailable());
            }
        });
        return result;
    }

    public boolean isUp() {
        return problem.get() == null;
    }

    /** A rejection for a call that needs the journal while it is down. */
    public RequestRejected unavailable() {
        return new RequestRejected(RequestRejected.Kind.UNAVAILABLE, "the journal (" + name
                + ") is unreachable, so no job can be recorded; retry later (" + problem.get() + ")");
    }
}
