package io.verdict.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.verdict.persistence.journal.TestCounter.Add;
import io.verdict.persistence.journal.TestCounter.Added;
import io.verdict.persistence.journal.TestCounter.Command;
import io.verdict.persistence.journal.TestCounter.Counter;
import io.verdict.persistence.journal.TestCounter.Get;
import io.verdict.persistence.journal.TestCounter.Total;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Cassandra journal for real: a Cassandra 5 process started by {@code scripts/cassandra} on
 * loopback; events and snapshots written by one ActorSystem (keyspaces and tables auto-created)
 * are recovered by a new one.
 */
class CassandraJournalIT {

    private static LocalCassandra cassandra;
    private static int cqlPort;

    @BeforeAll
    static void startCassandra() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        cassandra = LocalCassandra.start(LocalCassandra.repositoryRoot(),
                Files.createTempDirectory(target, "cassandra-it-"));
        cqlPort = cassandra.cqlPort();
    }

    @AfterAll
    static void stopCassandra() throws Exception {
        if (cassandra != null) {
            cassandra.close();
        }
    }

    private static ActorTestKit start() {
        Config config = CassandraJournal.config(List.of("127.0.0.1:" + cqlPort),
                ConfigFactory.parseString("pekko.loglevel = WARNING"));
        assertEquals(List.of("127.0.0.1:" + cqlPort), config.getStringList(CassandraJournal.DRIVER_CONTACT_POINTS_KEY));
        return ActorTestKit.create("cassandra-journal-it", config);
    }

    private static List<Row> select(ActorTestKit kit, String cql, Object... bindValues) throws Exception {
        CassandraSession session = CassandraSessionRegistry.get(kit.system())
                .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
        return session.selectAll(cql, bindValues).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void eventsAndSnapshotsSurviveARestartOfTheActorSystem() throws Exception {
        Total expected;
        ActorTestKit first = start();
        try {
            ActorRef<Command> counter = first.spawn(Counter.create("c-1"));
            TestProbe<Total> probe = first.createTestProbe();
            for (int i = 1; i <= 5; i++) {
                counter.tell(new Add(i, "n" + i, probe.ref()));
                // The first write also creates the keyspaces and tables.
                probe.receiveMessage(Duration.ofSeconds(i == 1 ? 30 : 10));
            }
            counter.tell(new Get(probe.ref()));
            expected = probe.receiveMessage(Duration.ofSeconds(10));
            assertEquals(new Total(15, List.of("n1", "n2", "n3", "n4", "n5")), expected);

            CassandraReadJournal reads = PersistenceQuery.get(first.system().classicSystem())
                    .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
            List<EventEnvelope> events = reads.currentEventsByPersistenceId("Counter|c-1", 0, Long.MAX_VALUE)
                    .runWith(Sink.seq(), first.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(List.of(new Added(1, "n1"), new Added(2, "n2"), new Added(3, "n3"), new Added(4, "n4"),
                    new Added(5, "n5")), events.stream().map(EventEnvelope::event).toList());

            // Where it went: our keyspaces, and our CBOR serializer (Java serialization is off).
            int cborId = SerializationExtension.get(first.system()).serializerFor(Added.class).identifier();
            assertTrue(SerializationExtension.get(first.system()).serializerFor(Added.class)
                    instanceof JacksonCborSerializer, "events use the jackson-cbor binding");
            List<Row> rows = select(first,
                    "SELECT sequence_nr, ser_id FROM verdict_journal.messages WHERE persistence_id = ? AND partition_nr = 0",
                    "Counter|c-1");
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), rows.stream().map(r -> r.getLong("sequence_nr")).toList());
            assertTrue(rows.stream().allMatch(r -> r.getInt("ser_id") == cborId), "every event is CBOR");
            List<Row> snapshots = select(first,
                    "SELECT sequence_nr FROM verdict_snapshot.snapshots WHERE persistence_id = ?", "Counter|c-1");
            assertEquals(List.of(3L), snapshots.stream().map(r -> r.getLong("sequence_nr")).toList(),
                    "a snapshot after the third event");
        } finally {
            first.shutdownTestKit();
        }

        ActorTestKit second = start();
        try {
            ActorRef<Command> counter = second.spawn(Counter.create("c-1"));
            TestProbe<Total> probe = second.createTestProbe();
            counter.tell(new Get(probe.ref()));
            assertEquals(expected, probe.receiveMessage(Duration.ofSeconds(20)), "recovered from snapshot + events");
            counter.tell(new Add(6, "n6", probe.ref()));
            assertEquals(new Total(21, List.of("n1", "n2", "n3", "n4", "n5", "n6")),
                    probe.receiveMessage(Duration.ofSeconds(10)));
        } finally {
            second.shutdownTestKit();
        }
    }
}
