package io.verdict.persistence.journal;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * Creates the journal, tag and snapshot tables of pekko-persistence-jdbc if they are absent, then
 * checks that they are there.
 *
 * <p>Creation is the plugin's {@code SchemaUtils.createIfNotExists}: it runs the DDL shipped in its
 * jar ({@code schema/h2/h2-create-schema.sql} for H2) through the journal's connection pool on
 * Pekko's blocking-I/O dispatcher. That script is not fully {@code IF NOT EXISTS}-guarded, so the
 * plugin ignores every failing statement (logged at debug); this class therefore verifies the
 * tables afterwards, also on the blocking dispatcher, and fails with {@link JournalSchemaMissing}
 * naming what is absent. Safe to call on every start; never blocks the caller.
 */
public final class JournalSchema {

    private JournalSchema() {
    }

    /** Completes when the tables exist; fails if they could not be created or the database is unreachable. */
    public static CompletionStage<Done> ensure(ActorSystem<?> system) {
        Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
        return SchemaUtils.createIfNotExists(system).thenApplyAsync(done -> {
            verify(system);
            return done;
        }, blocking);
    }

    /** The table names the journal and snapshot store use, from their config. */
    static List<String> requiredTables(Config config) {
        return List.of(
                config.getString("jdbc-journal.tables.event_journal.tableName"),
                config.getString("jdbc-journal.tables.event_tag.tableName"),
                config.getString("jdbc-snapshot-store.tables.snapshot.tableName"));
    }

    private static void verify(ActorSystem<?> system) {
        Config config = system.settings().config();
        SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(system.classicSystem());
        List<String> missing = new ArrayList<>();
        try (Connection c = slick.database(config.getConfig("jdbc-journal")).database().source().createConnection()) {
            DatabaseMetaData meta = c.getMetaData();
            for (String table : requiredTables(config)) {
                try (ResultSet rs = meta.getTables(null, null, table, new String[] {"TABLE", "BASE TABLE"})) {
                    if (!rs.next()) {
                        missing.add(table);
                    }
                }
            }
        } catch (SQLException e) {
            throw new JournalSchemaMissing("cannot inspect the journal database: " + e.getMessage(), e);
        }
        if (!missing.isEmpty()) {
            throw new JournalSchemaMissing("journal tables missing after schema creation: " + missing, null);
        }
    }

    /** The journal's tables are absent and could not be created, or the database cannot be inspected. */
    public static final class JournalSchemaMissing extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public JournalSchemaMissing(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
