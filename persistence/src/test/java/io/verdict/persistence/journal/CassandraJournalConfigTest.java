package io.verdict.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class CassandraJournalConfigTest {

    private static Config withInclude(String app) {
        return CassandraJournal.withContactPoints(ConfigFactory.parseString(app)
                .withFallback(ConfigFactory.parseResources(CassandraJournal.CONFIG_RESOURCE))
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
    }

    @Test
    void includedFileSelectsTheCassandraPluginsOnVerdictKeyspaces() {
        Config c = withInclude("");
        assertEquals("pekko.persistence.cassandra.journal", c.getString("pekko.persistence.journal.plugin"));
        assertEquals("pekko.persistence.cassandra.snapshot", c.getString("pekko.persistence.snapshot-store.plugin"));
        if (System.getenv("VERDICT_CASSANDRA_JOURNAL_KEYSPACE") == null) {
            assertEquals("verdict_journal", c.getString("pekko.persistence.cassandra.journal.keyspace"));
        }
        if (System.getenv("VERDICT_CASSANDRA_SNAPSHOT_KEYSPACE") == null) {
            assertEquals("verdict_snapshot", c.getString("pekko.persistence.cassandra.snapshot.keyspace"));
        }
        if (System.getenv("VERDICT_CASSANDRA_CONTACT_POINTS") == null) {
            assertEquals(List.of("127.0.0.1:9042"), c.getStringList(CassandraJournal.DRIVER_CONTACT_POINTS_KEY));
        }
        if (System.getenv("VERDICT_CASSANDRA_LOCAL_DATACENTER") == null) {
            assertEquals("datacenter1",
                    c.getString("datastax-java-driver.basic.load-balancing-policy.local-datacenter"));
        }
        if (System.getenv("VERDICT_CASSANDRA_AUTOCREATE") == null) {
            assertTrue(c.getBoolean("pekko.persistence.cassandra.journal.tables-autocreate"));
            assertTrue(c.getBoolean("pekko.persistence.cassandra.snapshot.keyspace-autocreate"));
        }
        assertEquals("off", c.getString("pekko.actor.allow-java-serialization"));
    }

    @Test
    void commaSeparatedContactPointsFromTheEnvironmentBecomeAList() {
        Config c = withInclude("verdict.cassandra.contact-points = \"10.0.0.1:9042, 10.0.0.2:9043\"");
        List<String> expected = List.of("10.0.0.1:9042", "10.0.0.2:9043");
        assertEquals(expected, CassandraJournal.contactPoints(c));
        assertEquals(expected, c.getStringList(CassandraJournal.DRIVER_CONTACT_POINTS_KEY));
    }

    @Test
    void explicitContactPointsWinOverTheDefault() {
        Config c = CassandraJournal.config(List.of("127.0.0.1:19042"), ConfigFactory.empty());
        assertEquals(List.of("127.0.0.1:19042"), c.getStringList(CassandraJournal.DRIVER_CONTACT_POINTS_KEY));
        Config overridden = CassandraJournal.config(List.of("127.0.0.1:19042"),
                ConfigFactory.parseString("verdict.cassandra.local-datacenter = dc-east"));
        assertEquals("dc-east",
                overridden.getString("datastax-java-driver.basic.load-balancing-policy.local-datacenter"));
    }

    @Test
    void badContactPointsAreRejectedWithTheirName() {
        for (String bad : new String[] {"\"\"", "[]", "[\"10.0.0.1\"]", "\"host:99999\"", "\":9042\"", "\"h:x\""}) {
            ConfigException e = assertThrows(ConfigException.BadValue.class,
                    () -> withInclude("verdict.cassandra.contact-points = " + bad), bad);
            assertTrue(e.getMessage().contains(CassandraJournal.CONTACT_POINTS_KEY), e.getMessage());
        }
    }
}
