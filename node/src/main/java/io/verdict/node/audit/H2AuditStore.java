package io.verdict.node.audit;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.projection.jdbc.JdbcSession;

/**
 * The audit tables in the node's embedded H2 database (the journal's): one table of jobs with an
 * index per filter, one of model versions. Writes run inside the projection's transaction (see
 * {@link #apply}); queries on the given executor (a blocking dispatcher), never on actor threads.
 */
public final class H2AuditStore implements AuditStore {

    private static final String JOB_COLUMNS = "job_id, model_name, model_version, model_digest, policy, input_digest, "
            + "requester, client_request_id, r, q, state, accepted_at, finished_at, output_digest, reason";

    static final List<String> DDL = List.of(
            "CREATE TABLE IF NOT EXISTS audit_jobs (job_id VARCHAR PRIMARY KEY, model_name VARCHAR NOT NULL, "
                    + "model_version VARCHAR NOT NULL, model_digest VARCHAR NOT NULL, policy VARCHAR NOT NULL, "
                    + "input_digest VARCHAR NOT NULL, requester VARCHAR NOT NULL, client_request_id VARCHAR, "
                    + "r INT NOT NULL, q INT NOT NULL, state VARCHAR(16) NOT NULL, accepted_at BIGINT NOT NULL, "
                    + "finished_at BIGINT, output_digest VARCHAR, reason VARCHAR)",
            "CREATE INDEX IF NOT EXISTS audit_jobs_by_time ON audit_jobs (accepted_at DESC, job_id DESC)",
            "CREATE INDEX IF NOT EXISTS audit_jobs_by_model ON audit_jobs (model_name, accepted_at DESC, job_id DESC)",
            "CREATE INDEX IF NOT EXISTS audit_jobs_by_requester ON audit_jobs (requester, accepted_at DESC, job_id DESC)",
            "CREATE INDEX IF NOT EXISTS audit_jobs_by_state ON audit_jobs (state, accepted_at DESC, job_id DESC)",
            "CREATE TABLE IF NOT EXISTS audit_model_versions (model_name VARCHAR NOT NULL, version VARCHAR NOT NULL, "
                    + "model_digest VARCHAR NOT NULL, policy VARCHAR NOT NULL, engine VARCHAR NOT NULL, "
                    + "published_by VARCHAR NOT NULL, size_bytes BIGINT NOT NULL, published_at BIGINT NOT NULL, "
                    + "retired_at BIGINT, retire_reason VARCHAR, PRIMARY KEY (model_name, version))");

    private final String url;
    private final String user;
    private final String password;
    private final Executor blocking;
    /** Connections of finished projection sessions, for the next ones. */
    private final java.util.Queue<Connection> idle = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final int MAX_IDLE = 4;

    public H2AuditStore(String url, String user, String password, Executor blocking) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.blocking = blocking;
    }

    /** The store in the database of the journal's shared "verdict-h2" connection settings. */
    public static H2AuditStore fromJournalConfig(Config config, Executor blocking) {
        Config db = config.getConfig("pekko-persistence-jdbc.shared-databases.verdict-h2.db");
        return new H2AuditStore(db.getString("url"), db.getString("user"), db.getString("password"), blocking);
    }

    @Override
    public String kind() {
        return "h2";
    }

    /** A new connection to the database, not auto-committing. */
    Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(url, user, password);
        c.setAutoCommit(false);
        return c;
    }

    /**
     * A JDBC session for the projection: one transaction per session, on a connection kept for the
     * next session when this one closes (opening an H2 connection costs milliseconds, and the
     * projection opens a session per batch).
     */
    public Session session() {
        try {
            Connection c = idle.poll();
            if (c == null || c.isClosed()) {
                c = connect();
            }
            return new Session(c, this::release);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the audit database: " + e.getMessage(), e);
        }
    }

    private void release(Connection c) throws SQLException {
        if (idle.size() < MAX_IDLE && !c.isClosed()) {
            idle.add(c);
        } else {
            c.close();
        }
    }

    /** Creates the audit tables and indexes unless they exist. */
    public void createTables() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String ddl : DDL) {
                s.execute(ddl);
            }
            c.commit();
        }
    }

    /** Applies {@code update} on {@code c}, inside the caller's transaction. */
    public static void apply(Connection c, AuditUpdate update) throws SQLException {
        if (update instanceof AuditUpdate.Accepted a) {
            insertJob(c, a.job());
        } else if (update instanceof AuditUpdate.Finished f) {
            finishJob(c, f);
        } else if (update instanceof AuditUpdate.Published pub) {
            publishVersion(c, pub.version());
        } else if (update instanceof AuditUpdate.Retired r) {
            retireVersion(c, r);
        }
    }

    private static void finishJob(Connection c, AuditUpdate.Finished f) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE audit_jobs SET state = ?, finished_at = ?, "
                + "output_digest = ?, reason = ? WHERE job_id = ?")) {
            p.setString(1, f.state().name());
            p.setLong(2, f.at());
            p.setString(3, f.outputDigest());
            p.setString(4, truncate(f.reason()));
            p.setString(5, f.jobId());
            if (p.executeUpdate() == 0) {
                throw new SQLException("job " + f.jobId() + " finished before the audit log saw it accepted");
            }
        }
    }

    private static void publishVersion(Connection c, VersionRecord v) throws SQLException {
        // MERGE with a column list leaves retired_at and retire_reason of an existing row alone.
        try (PreparedStatement p = c.prepareStatement("MERGE INTO audit_model_versions (model_name, version, "
                + "model_digest, policy, engine, published_by, size_bytes, published_at) KEY (model_name, version) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            p.setString(1, v.model());
            p.setString(2, v.version());
            p.setString(3, v.modelDigest());
            p.setString(4, v.policy());
            p.setString(5, v.engine());
            p.setString(6, v.publishedBy());
            p.setLong(7, v.sizeBytes());
            p.setLong(8, v.publishedAt());
            p.executeUpdate();
        }
    }

    private static void retireVersion(Connection c, AuditUpdate.Retired r) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE audit_model_versions SET retired_at = ?, "
                + "retire_reason = ? WHERE model_name = ? AND version = ?")) {
            p.setLong(1, r.at());
            p.setString(2, r.reason());
            p.setString(3, r.model());
            p.setString(4, r.version());
            if (p.executeUpdate() == 0) {
                throw new SQLException("version " + r.version() + " of model " + r.model()
                        + " retired before the audit log saw it published");
            }
        }
    }

    private static void insertJob(Connection c, JobRecord j) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO audit_jobs (" + JOB_COLUMNS + ") SELECT "
                + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
                + "(SELECT 1 FROM audit_jobs WHERE job_id = ?)")) {
            p.setString(1, j.jobId());
            p.setString(2, j.modelName());
            p.setString(3, j.modelVersion());
            p.setString(4, j.modelDigest());
            p.setString(5, j.policy());
            p.setString(6, j.inputDigest());
            p.setString(7, j.requester());
            p.setString(8, j.clientRequestId());
            p.setInt(9, j.r());
            p.setInt(10, j.q());
            p.setString(11, j.state().name());
            p.setLong(12, j.acceptedAt());
            if (j.finishedAt() == null) {
                p.setNull(13, Types.BIGINT);
            } else {
                p.setLong(13, j.finishedAt());
            }
            p.setString(14, j.outputDigest());
            p.setString(15, j.reason());
            p.setString(16, j.jobId());
            p.executeUpdate();
        }
    }

    @Override
    public CompletionStage<JobPage> jobs(JobQuery query) {
        return CompletableFuture.supplyAsync(() -> {
            try (Connection c = connect()) {
                return JobPage.of(selectJobs(c, query), query.limit());
            } catch (SQLException e) {
                throw new AuditStoreUnavailable("h2", e);
            }
        }, blocking);
    }

    static List<JobRecord> selectJobs(Connection c, JobQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + JOB_COLUMNS + " FROM audit_jobs WHERE "
                + "(accepted_at < ? OR (accepted_at = ? AND job_id < ?))");
        List<Object> args = new ArrayList<>(List.of(q.start().acceptedAt(), q.start().acceptedAt(), q.start().jobId()));
        condition(sql, args, "model_name = ?", q.model());
        condition(sql, args, "model_version = ?", q.version());
        condition(sql, args, "requester = ?", q.requester());
        condition(sql, args, "state = ?", q.state() == null ? null : q.state().name());
        condition(sql, args, "accepted_at >= ?", q.from());
        sql.append(" ORDER BY accepted_at DESC, job_id DESC LIMIT ?");
        args.add(q.limit() + 1);
        try (PreparedStatement p = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                p.setObject(i + 1, args.get(i));
            }
            List<JobRecord> jobs = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    jobs.add(new JobRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getInt(9),
                            rs.getInt(10), JobState.valueOf(rs.getString(11)), rs.getLong(12),
                            rs.getObject(13, Long.class), rs.getString(14), rs.getString(15)));
                }
            }
            return jobs;
        }
    }

    private static void condition(StringBuilder sql, List<Object> args, String clause, Object value) {
        if (value != null) {
            sql.append(" AND ").append(clause);
            args.add(value);
        }
    }

    @Override
    public CompletionStage<List<VersionRecord>> modelHistory(String model) {
        return CompletableFuture.supplyAsync(() -> {
            try (Connection c = connect(); PreparedStatement p = c.prepareStatement("SELECT model_name, version, "
                    + "model_digest, policy, engine, published_by, size_bytes, published_at, retired_at, retire_reason "
                    + "FROM audit_model_versions WHERE model_name = ? ORDER BY published_at, version")) {
                p.setString(1, model);
                List<VersionRecord> versions = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        versions.add(new VersionRecord(rs.getString(1), rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getString(6), rs.getLong(7), rs.getLong(8),
                                rs.getObject(9, Long.class), rs.getString(10)));
                    }
                }
                return List.copyOf(versions);
            } catch (SQLException e) {
                throw new AuditStoreUnavailable("h2", e);
            }
        }, blocking);
    }

    private static String truncate(String reason) {
        return reason == null || reason.length() <= JobRecord.MAX_REASON ? reason
                : reason.substring(0, JobRecord.MAX_REASON);
    }

    /** The projection's JDBC session: one connection, one transaction. */
    public static final class Session implements JdbcSession {

        /** Gives a connection back when its session closes. */
        @FunctionalInterface
        interface Release {
            void release(Connection c) throws SQLException;
        }

        private final Connection connection;
        private final Release release;

        Session(Connection connection, Release release) {
            this.connection = connection;
            this.release = release;
        }

        @Override
        public <R> R withConnection(Function<Connection, R> f) throws Exception {
            return f.apply(connection);
        }

        @Override
        public void commit() throws SQLException {
            connection.commit();
        }

        @Override
        public void rollback() throws SQLException {
            connection.rollback();
        }

        @Override
        public void close() throws SQLException {
            release.release(connection);
        }
    }
}
