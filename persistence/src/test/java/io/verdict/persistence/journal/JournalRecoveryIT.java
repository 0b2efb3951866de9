package io.verdict.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded journal for real: events and snapshots go to an H2 file under a temporary data
 * directory, survive the ActorSystem, and are recovered by a new one; the read journal sees them.
 */
class JournalRecoveryIT {

    @TempDir
    Path dataDir;

    // --- the test ------------------------------------------------------------------------------

    private ActorTestKit start() throws Exception {
        Config config = H2Journal.config(dataDir, ConfigFactory.parseString("pekko.loglevel = WARNING"));
        assertEquals(H2Journal.url(dataDir), config.getString(H2Journal.URL_KEY));
        ActorTestKit kit = ActorTestKit.create("journal-it", config);
        // Twice: creating the schema must be idempotent, on a fresh and on an existing database.
        JournalSchema.ensure(kit.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        JournalSchema.ensure(kit.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        return kit;
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
                probe.receiveMessage(Duration.ofSeconds(10));
            }
            counter.tell(new Get(probe.ref()));
            expected = probe.receiveMessage(Duration.ofSeconds(10));
            assertEquals(new Total(15, List.of("n1", "n2", "n3", "n4", "n5")), expected);

            JdbcReadJournal reads = PersistenceQuery.get(first.system().classicSystem())
                    .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
            List<EventEnvelope> events = reads.currentEventsByPersistenceId("Counter|c-1", 0, Long.MAX_VALUE)
                    .runWith(Sink.seq(), first.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(List.of(new Added(1, "n1"), new Added(2, "n2"), new Added(3, "n3"), new Added(4, "n4"),
                    new Added(5, "n5")), events.stream().map(EventEnvelope::event).toList());
        } finally {
            first.shutdownTestKit();
        }
        assertTrue(Files.isRegularFile(dataDir.resolve("journal").resolve("verdict.mv.db")),
                "the journal is a file under the data directory");

        ActorTestKit second = start();
        try {
            ActorRef<Command> counter = second.spawn(Counter.create("c-1"));
            TestProbe<Total> probe = second.createTestProbe();
            counter.tell(new Get(probe.ref()));
            assertEquals(expected, probe.receiveMessage(Duration.ofSeconds(10)), "recovered from snapshot + events");
            counter.tell(new Add(6, "n6", probe.ref()));
            assertEquals(21, probe.receiveMessage(Duration.ofSeconds(10)).sum());
        } finally {
            second.shutdownTestKit();
        }
    }
}
