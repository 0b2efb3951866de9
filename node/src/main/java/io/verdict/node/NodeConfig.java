package io.verdict.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.verdict.persistence.journal.CassandraJournal;
import io.verdict.persistence.journal.H2Journal;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;

/**
 * Builds a node's configuration: the given overrides, over the journal's own file when the journal
 * is Cassandra, over application.conf (which includes the embedded H2 journal), over every
 * reference.conf; environment variables fill the {@code ${?...}} slots and -D properties win.
 */
public final class NodeConfig {

    public static final String JOURNAL_KEY = "verdict.journal";

    private NodeConfig() {}

    public static Config load(Config overrides) {
        Config application = ConfigFactory.defaultApplication();
        Config probe = ConfigFactory.load(overrides.withFallback(application));
        String journal = probe.getString(JOURNAL_KEY);
        switch (journal) {
            case "h2" -> {
                return withSeedNodes(probe);
            }
            case "cassandra" -> {
                Config layered = overrides
                        .withFallback(ConfigFactory.parseResources(CassandraJournal.CONFIG_RESOURCE))
                        .withFallback(application);
                return withSeedNodes(CassandraJournal.withContactPoints(ConfigFactory.load(layered)));
            }
            default -> throw new ConfigException.BadValue(JOURNAL_KEY,
                    "the journal is 'h2' or 'cassandra', got '" + journal + "'");
        }
    }

    /**
     * Turns {@code verdict.cluster.seed-nodes} ("host:port,host:port", the cluster ports of some
     * nodes) into Pekko's list of seed node addresses; an empty value leaves the list as it is.
     */
    static Config withSeedNodes(Config config) {
        String seeds = config.getString("verdict.cluster.seed-nodes").trim();
        if (seeds.isEmpty()) {
            return config;
        }
        String system = "verdict";
        java.util.List<String> addresses = new java.util.ArrayList<>();
        for (String seed : seeds.split(",")) {
            String s = seed.trim();
            if (!s.matches("[^:/@\\s]+:\\d{1,5}")) {
                throw new ConfigException.BadValue("verdict.cluster.seed-nodes",
                        "expected host:port[,host:port...], got '" + seed + "'");
            }
            addresses.add("pekko://" + system + "@" + s);
        }
        return ConfigFactory.parseMap(java.util.Map.of("pekko.cluster.seed-nodes", addresses)).withFallback(config);
    }

    static boolean isH2(Config config) {
        return config.getString(JOURNAL_KEY).equals("h2");
    }

    /** The plugin id of the read journal that goes with the configured journal. */
    static String readJournal(Config config) {
        return isH2(config) ? JdbcReadJournal.Identifier() : CassandraReadJournal.Identifier();
    }

    /** The H2 URL must be absolute whatever the working directory; harmless for Cassandra. */
    static Config withAbsolutePaths(Config config) {
        return H2Journal.withAbsoluteDataDir(config);
    }
}
