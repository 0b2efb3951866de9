package io.verdict.node.audit;

import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The audit tables in Cassandra, one denormalised table per query: {@code jobs} (by id, the
 * current row of each job), {@code jobs_by_time}, {@code jobs_by_model}, {@code jobs_by_requester}
 * and {@code jobs_by_state}, each partitioned by its key and the UTC month of acceptance and
 * clustered newest first; {@code job_months} lists the months that have jobs; and
 * {@code model_versions}. A job that becomes final moves from the RUNNING partition of
 * {@code jobs_by_state} to its final one. Every write is an upsert of the whole row, so applying an
 * event twice changes nothing. A query reads the table of its most selective filter (model, then
 * requester, then state, else time) month by month, newest first, and checks the other filters on
 * the rows it reads.
 */
public final class CassandraAuditStore implements AuditStore {

    static final String JOB_COLUMNS = "job_id, model_name, model_version, model_digest, policy, input_digest, "
            + "requester, client_request_id, r, q, state, accepted_at, finished_at, output_digest, reason";
    private static final String JOB_DEFINITIONS = "job_id text, model_name text, model_version text, "
            + "model_digest text, policy text, input_digest text, requester text, client_request_id text, r int, "
            + "q int, state text, accepted_at timestamp, finished_at timestamp, output_digest text, reason text";
    private static final String NEWEST_FIRST = " WITH CLUSTERING ORDER BY (accepted_at DESC, job_id DESC)";

    private final ActorSystem<?> system;
    private final CassandraSession session;
    private final String ks;

    public CassandraAuditStore(ActorSystem<?> system, CassandraSession session, String keyspace) {
        this.system = system;
        this.session = session;
        this.ks = keyspace;
    }

    /** The tables (not the keyspace), as CQL statements. */
    public static List<String> tableStatements(String keyspace) {
        String k = keyspace + ".";
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + k + "jobs (" + JOB_DEFINITIONS + ", PRIMARY KEY (job_id))",
                "CREATE TABLE IF NOT EXISTS " + k + "job_months (shard int, month text, PRIMARY KEY (shard, month))"
                        + " WITH CLUSTERING ORDER BY (month DESC)",
                "CREATE TABLE IF NOT EXISTS " + k + "jobs_by_time (month text, " + JOB_DEFINITIONS
                        + ", PRIMARY KEY ((month), accepted_at, job_id))" + NEWEST_FIRST,
                "CREATE TABLE IF NOT EXISTS " + k + "jobs_by_model (month text, " + JOB_DEFINITIONS
                        + ", PRIMARY KEY ((model_name, month), accepted_at, job_id))" + NEWEST_FIRST,
                "CREATE TABLE IF NOT EXISTS " + k + "jobs_by_requester (month text, " + JOB_DEFINITIONS
                        + ", PRIMARY KEY ((requester, month), accepted_at, job_id))" + NEWEST_FIRST,
                "CREATE TABLE IF NOT EXISTS " + k + "jobs_by_state (month text, " + JOB_DEFINITIONS
                        + ", PRIMARY KEY ((state, month), accepted_at, job_id))" + NEWEST_FIRST,
                "CREATE TABLE IF NOT EXISTS " + k + "model_versions (model_name text, version text, "
                        + "model_digest text, policy text, engine text, published_by text, size_bytes bigint, "
                        + "published_at timestamp, retired_at timestamp, retire_reason text, "
                        + "PRIMARY KEY ((model_name), version))");
    }

    /** Creates the keyspace (SimpleStrategy, for development) and the tables unless they exist. */
    public CompletionStage<Done> createKeyspaceAndTables(int replicationFactor) {
        CompletionStage<Done> done = session.executeDDL("CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = "
                + "{'class': 'SimpleStrategy', 'replication_factor': " + replicationFactor + "}");
        for (String ddl : tableStatements(ks)) {
            done = done.thenCompose(d -> session.executeDDL(ddl));
        }
        return done;
    }

    @Override
    public String kind() {
        return "cassandra";
    }

    /** Applies {@code update}; completes when every table holds it. */
    public CompletionStage<Done> apply(AuditUpdate update) {
        if (update instanceof AuditUpdate.Accepted a) {
            // A job already final (a replay) keeps its outcome.
            return current(a.job().jobId()).thenCompose(existing -> write(
                    existing.filter(j -> j.state().isFinal()).orElse(a.job())));
        }
        if (update instanceof AuditUpdate.Finished f) {
            return current(f.jobId()).thenCompose(existing -> write(existing
                    .orElseThrow(() -> new IllegalStateException("job " + f.jobId()
                            + " finished before the audit log saw it accepted"))
                    .finished(f.state(), f.at(), f.outputDigest(), f.reason())));
        }
        if (update instanceof AuditUpdate.Published p) {
            VersionRecord v = p.version();
            // Only the publication's columns: a retirement already recorded stays.
            return session.executeWrite("INSERT INTO " + ks + ".model_versions (model_name, version, model_digest, "
                            + "policy, engine, published_by, size_bytes, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    v.model(), v.version(), v.modelDigest(), v.policy(), v.engine(), v.publishedBy(), v.sizeBytes(),
                    Instant.ofEpochMilli(v.publishedAt()));
        }
        AuditUpdate.Retired r = (AuditUpdate.Retired) update;
        return session.executeWrite("UPDATE " + ks + ".model_versions SET retired_at = ?, retire_reason = ? "
                + "WHERE model_name = ? AND version = ?", Instant.ofEpochMilli(r.at()), r.reason(), r.model(), r.version());
    }

    private CompletionStage<Optional<JobRecord>> current(String jobId) {
        return session.selectOne("SELECT " + JOB_COLUMNS + " FROM " + ks + ".jobs WHERE job_id = ?", jobId)
                .thenApply(row -> row.map(CassandraAuditStore::job));
    }

    private CompletionStage<Done> write(JobRecord j) {
        String month = month(j.acceptedAt());
        Object[] values = values(j);
        String placeholders = "?, ".repeat(values.length - 1) + "?";
        List<CompletionStage<Done>> writes = new ArrayList<>();
        writes.add(session.executeWrite("INSERT INTO " + ks + ".jobs (" + JOB_COLUMNS + ") VALUES ("
                + placeholders + ")", values));
        writes.add(session.executeWrite("INSERT INTO " + ks + ".job_months (shard, month) VALUES (0, ?)", month));
        Object[] withMonth = new Object[values.length + 1];
        withMonth[0] = month;
        System.arraycopy(values, 0, withMonth, 1, values.length);
        List<String> tables = new ArrayList<>(List.of("jobs_by_time", "jobs_by_requester", "jobs_by_state"));
        if (!j.modelName().isEmpty()) {
            tables.add("jobs_by_model");
        }
        for (String table : tables) {
            writes.add(session.executeWrite("INSERT INTO " + ks + "." + table + " (month, " + JOB_COLUMNS
                    + ") VALUES (?, " + placeholders + ")", withMonth));
        }
        if (j.state().isFinal()) {
            writes.add(session.executeWrite("DELETE FROM " + ks + ".jobs_by_state WHERE state = ? AND month = ? "
                    + "AND accepted_at = ? AND job_id = ?", JobState.RUNNING.name(), month,
                    Instant.ofEpochMilli(j.acceptedAt()), j.jobId()));
        }
        CompletableFuture<?>[] all = writes.stream().map(CompletionStage::toCompletableFuture)
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(all).thenApply(v -> Done.getInstance());
    }

    private static Object[] values(JobRecord j) {
        return new Object[] {j.jobId(), j.modelName(), j.modelVersion(), j.modelDigest(), j.policy(), j.inputDigest(),
            j.requester(), j.clientRequestId(), j.r(), j.q(), j.state().name(), Instant.ofEpochMilli(j.acceptedAt()),
            j.finishedAt() == null ? null : Instant.ofEpochMilli(j.finishedAt()), j.outputDigest(), j.reason()};
    }

    @Override
    public CompletionStage<JobPage> jobs(JobQuery q) {
        String table;
        String key;
        if (q.model() != null) {
            table = "jobs_by_model";
            key = "model_name = ? AND ";
        } else if (q.requester() != null) {
            table = "jobs_by_requester";
            key = "requester = ? AND ";
        } else if (q.state() != null) {
            table = "jobs_by_state";
            key = "state = ? AND ";
        } else {
            table = "jobs_by_time";
            key = "";
        }
        Object keyValue = q.model() != null ? q.model() : q.requester() != null ? q.requester()
                : q.state() != null ? q.state().name() : null;
        String cql = "SELECT " + JOB_COLUMNS + " FROM " + ks + "." + table + " WHERE " + key
                + "month = ? AND (accepted_at, job_id) < (?, ?)";
        Instant startTime = Instant.ofEpochMilli(q.start().acceptedAt());
        String startId = q.start().jobId();
        String newest = q.start().acceptedAt() == Long.MAX_VALUE ? null : month(q.start().acceptedAt());
        String oldest = q.from() == null ? null : month(q.from());
        CompletionStage<JobPage> page = session.selectAll("SELECT month FROM " + ks + ".job_months WHERE shard = 0")
                .thenCompose(rows -> Source.from(rows)
                        .map(row -> row.getString("month"))
                        .filter(m -> (newest == null || m.compareTo(newest) <= 0)
                                && (oldest == null || m.compareTo(oldest) >= 0))
                        .flatMapConcat(m -> keyValue == null ? session.select(cql, m, startTime, startId)
                                : session.select(cql, keyValue, m, startTime, startId))
                        .map(CassandraAuditStore::job)
                        .takeWhile(j -> q.from() == null || j.acceptedAt() >= q.from())
                        .filter(q::matches)
                        .take(q.limit() + 1L)
                        .runWith(Sink.seq(), system))
                .thenApply(jobs -> JobPage.of(jobs, q.limit()));
        return unavailableOnDriverFailure(page);
    }

    @Override
    public CompletionStage<List<VersionRecord>> modelHistory(String model) {
        CompletionStage<List<VersionRecord>> history = session.selectAll("SELECT model_name, version, model_digest, "
                        + "policy, engine, published_by, size_bytes, published_at, retired_at, retire_reason FROM " + ks
                        + ".model_versions WHERE model_name = ?", model)
                .thenApply(rows -> {
                    List<VersionRecord> versions = new ArrayList<>();
                    for (Row r : rows) {
                        Instant retired = r.getInstant("retired_at");
                        versions.add(new VersionRecord(r.getString("model_name"), r.getString("version"),
                                r.getString("model_digest"), r.getString("policy"), r.getString("engine"),
                                r.getString("published_by"), r.getLong("size_bytes"),
                                r.getInstant("published_at").toEpochMilli(),
                                retired == null ? null : retired.toEpochMilli(), r.getString("retire_reason")));
                    }
                    versions.sort((a, b) -> a.publishedAt() != b.publishedAt()
                            ? Long.compare(a.publishedAt(), b.publishedAt()) : a.version().compareTo(b.version()));
                    return List.copyOf(versions);
                });
        return unavailableOnDriverFailure(history);
    }

    private static <T> CompletionStage<T> unavailableOnDriverFailure(CompletionStage<T> stage) {
        return stage.exceptionally(failure -> {
            Throwable e = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (e instanceof DriverException) {
                throw new AuditStoreUnavailable("cassandra", e);
            }
            throw failure instanceof CompletionException c ? c : new CompletionException(e);
        });
    }

    static String month(long millis) {
        return YearMonth.from(Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC)).toString();
    }

    private static JobRecord job(Row r) {
        Instant finished = r.getInstant("finished_at");
        return new JobRecord(r.getString("job_id"), r.getString("model_name"), r.getString("model_version"),
                r.getString("model_digest"), r.getString("policy"), r.getString("input_digest"),
                r.getString("requester"), r.getString("client_request_id"), r.getInt("r"), r.getInt("q"),
                JobState.valueOf(r.getString("state")), r.getInstant("accepted_at").toEpochMilli(),
                finished == null ? null : finished.toEpochMilli(), r.getString("output_digest"),
                r.getString("reason"));
    }
}
