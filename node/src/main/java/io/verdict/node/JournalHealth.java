package io.verdict.node;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the journal answers right now. On Cassandra a probe query runs every {@code interval}
 * through the journal plugin's own session; while it fails, new jobs are refused at once with
 * UNAVAILABLE (instead of waiting for a write that cannot happen) and failures of calls that need
 * the journal are reported as UNAVAILABLE, not as time-outs or internal errors. The embedded H2
 * journal lives in the node's process and is always considered up.
 */
public final class JournalHealth {

    private static final Logger LOG = LoggerFactory.getLogger(JournalHealth.class);
    private static final String PLUGIN_SESSION = "pekko.persistence.cassandra";

    /** Null while up; otherwise why the last probe failed. */
    private final AtomicReference<String> problem = new AtomicReference<>();
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
                .sessionFor(CassandraSessionSettings.create(PLUGIN_SESSION));
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
        String text = failure.getCause() != null && failure.getMessage() != null
                && failure.getMessage().startsWith("java.") ? failure.getCause().toString() : failure.toString();
        if (problem.getAndSet(text) == null) {
            LOG.warn("the journal ({}) does not answer: {}", name, text);
        }
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
