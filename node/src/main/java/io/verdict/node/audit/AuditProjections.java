package io.verdict.node.audit;

import com.typesafe.config.Config;
import io.verdict.sharding.job.InferenceJob;
import io.verdict.sharding.model.Model;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.javadsl.ProjectionManagement;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit read side of a node: two Pekko projections (jobs from the {@link InferenceJob#TAG}
 * events, models from the {@link Model#TAG} events) that read the journal by tag from their stored
 * offset and write the audit tables, run once per cluster each (a sharded daemon process) and
 * restarted with backoff when they fail. On H2 they apply each event and its offset in one
 * transaction (exactly once); on Cassandra they store the offset after the event is applied (at
 * least once, with idempotent writes).
 */
public final class AuditProjections {

    private static final Logger LOG = LoggerFactory.getLogger(AuditProjections.class);
    private static final String JOBS = "audit-jobs";
    private static final String MODELS = "audit-models";

    private final ActorSystem<?> system;
    private final AuditStore store;
    private final List<ProjectionProgress> progress;

    private AuditProjections(ActorSystem<?> system, AuditStore store, List<ProjectionProgress> progress) {
        this.system = system;
        this.store = store;
        this.progress = List.copyOf(progress);
    }

    /**
     * Creates the audit tables (on Cassandra only when {@code verdict.cassandra.auto-create} is on)
     * and starts the projections on the node's journal ({@code verdict.journal}). Blocks until the
     * tables exist (at most a minute).
     */
    public static AuditProjections start(ActorSystem<?> system, Config config) throws Exception {
        List<ProjectionProgress> progress = List.of(
                new ProjectionProgress(ProjectionId.of(JOBS, InferenceJob.TAG), InferenceJob.TAG),
                new ProjectionProgress(ProjectionId.of(MODELS, Model.TAG), Model.TAG));
        List<Projection<EventEnvelope<Object>>> projections = new ArrayList<>();
        AuditStore store;
        String journal = config.getString("verdict.journal");
        if (journal.equals("cassandra")) {
            CassandraAuditStore cassandra = new CassandraAuditStore(system,
                    CassandraSessionRegistry.get(system).sessionFor(config.getString("verdict.audit.cassandra.session-config")),
                    config.getString("verdict.audit.cassandra.keyspace"));
            if (config.getBoolean("verdict.cassandra.auto-create")) {
                await(cassandra.createKeyspaceAndTables(config.getInt("verdict.cassandra.replication-factor"))
                        .thenCompose(d -> CassandraProjection.createTablesIfNotExists(system)));
            }
            for (ProjectionProgress p : progress) {
                projections.add(CassandraProjection.atLeastOnce(p.id(),
                        source(system, CassandraReadJournal.Identifier(), p.tag()),
                        () -> new CassandraAuditHandler(cassandra, p)));
            }
            store = cassandra;
        } else {
            H2AuditStore h2 = H2AuditStore.fromJournalConfig(config,
                    system.dispatchers().lookup(DispatcherSelector.blocking()));
            h2.createTables();
            await(JdbcProjection.createTablesIfNotExists(h2::session, system));
            for (ProjectionProgress p : progress) {
                // Up to 200 events per transaction (with their offset): one commit per batch, not per event.
                projections.add(JdbcProjection.groupedWithin(p.id(),
                        source(system, JdbcReadJournal.Identifier(), p.tag()), h2::session,
                        () -> new H2AuditHandler(p), system).withGroup(200, Duration.ofMillis(250)));
            }
            store = h2;
        }
        if (!config.getBoolean("verdict.audit.projections")) {
            LOG.info("audit projections are off on this node (verdict.audit.projections); AuditService answers "
                    + "from the {} store as other nodes fill it", store.kind());
            return new AuditProjections(system, store, progress);
        }
        ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, "verdict-audit", projections.size(),
                i -> ProjectionBehavior.create(projections.get(i)), ShardedDaemonProcessSettings.create(system),
                Optional.of(ProjectionBehavior.stopMessage()));
        LOG.info("audit projections {} and {} started on the {} store", JOBS, MODELS, store.kind());
        return new AuditProjections(system, store, progress);
    }

    private static SourceProvider<Offset, EventEnvelope<Object>> source(ActorSystem<?> system, String readJournal,
                                                                         String tag) {
        return EventSourcedProvider.eventsByTag(system, readJournal, tag);
    }

    public AuditStore store() {
        return store;
    }

    public List<ProjectionProgress> progress() {
        return progress;
    }

    /** The offset the projection last stored, as text; empty before its first event (or if it does not answer). */
    public CompletionStage<String> storedOffset(ProjectionProgress p) {
        return ProjectionManagement.get(system).<Offset>getOffset(p.id())
                .thenApply(o -> o.map(AuditProjections::offsetText).orElse(""))
                .exceptionally(e -> "");
    }

    private static String offsetText(Offset offset) {
        if (offset instanceof org.apache.pekko.persistence.query.Sequence s) {
            return Long.toString(s.value());
        }
        if (offset instanceof org.apache.pekko.persistence.query.TimeBasedUUID t) {
            return t.value().toString();
        }
        return offset.toString();
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(Duration.ofMinutes(1).toSeconds(), TimeUnit.SECONDS);
    }

    /** Applies each event in the projection's transaction, which also stores the offset. */
    private static final class H2AuditHandler
            extends JdbcHandler<List<EventEnvelope<Object>>, H2AuditStore.Session> {

        private final ProjectionProgress progress;

        H2AuditHandler(ProjectionProgress progress) {
            this.progress = progress;
        }

        @Override
        public void process(H2AuditStore.Session session, List<EventEnvelope<Object>> envelopes) throws Exception {
            for (EventEnvelope<Object> envelope : envelopes) {
                Optional<AuditUpdate> update = AuditUpdate.of(envelope.persistenceId(), envelope.event());
                if (update.isPresent()) {
                    session.withConnection(c -> {
                        H2AuditStore.apply(c, update.get());
                        return Done.getInstance();
                    });
                }
                progress.handled(envelope.timestamp());
            }
        }
    }

    /** Applies each event; the projection stores the offset once it completes. */
    private static final class CassandraAuditHandler extends Handler<EventEnvelope<Object>> {

        private final CassandraAuditStore store;
        private final ProjectionProgress progress;

        CassandraAuditHandler(CassandraAuditStore store, ProjectionProgress progress) {
            this.store = store;
            this.progress = progress;
        }

        @Override
        public CompletionStage<Done> process(EventEnvelope<Object> envelope) {
            Optional<AuditUpdate> update = AuditUpdate.of(envelope.persistenceId(), envelope.event());
            CompletionStage<Done> applied = update.isPresent() ? store.apply(update.get())
                    : java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
            return applied.thenApply(d -> {
                progress.handled(envelope.timestamp());
                return d;
            });
        }
    }
}
