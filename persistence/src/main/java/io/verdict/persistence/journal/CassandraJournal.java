package io.verdict.persistence.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The Cassandra journal configured by {@code verdict-persistence-cassandra.conf}:
 * pekko-persistence-cassandra's journal, snapshot store and read journal on the keyspaces
 * {@code verdict.cassandra.journal-keyspace} and {@code verdict.cassandra.snapshot-keyspace},
 * reached through the contact points {@code verdict.cassandra.contact-points}.
 */
public final class CassandraJournal {

    /** The config resource to {@code include} in a node's application.conf. */
    public static final String CONFIG_RESOURCE = "verdict-persistence-cassandra.conf";
    /** The production schema (keyspaces with NetworkTopologyStrategy, tables) on the classpath. */
    public static final String CQL_RESOURCE = "cql/verdict-cassandra.cql";
    /** {@code host:port} list, or a comma-separated string (env {@code VERDICT_CASSANDRA_CONTACT_POINTS}). */
    public static final String CONTACT_POINTS_KEY = "verdict.cassandra.contact-points";
    /** Where the Cassandra driver reads its contact points. */
    public static final String DRIVER_CONTACT_POINTS_KEY = "datastax-java-driver.basic.contact-points";
    /** The driver's local datacenter (env {@code VERDICT_CASSANDRA_LOCAL_DATACENTER}). */
    public static final String LOCAL_DATACENTER_KEY = "verdict.cassandra.local-datacenter";
    /** Keyspace of the journal, its metadata and the events-by-tag table. */
    public static final String JOURNAL_KEYSPACE_KEY = "verdict.cassandra.journal-keyspace";
    /** Keyspace of the snapshot store. */
    public static final String SNAPSHOT_KEYSPACE_KEY = "verdict.cassandra.snapshot-keyspace";
    /** Whether the plugin creates missing keyspaces and tables (development only). */
    public static final String AUTO_CREATE_KEY = "verdict.cassandra.auto-create";

    private CassandraJournal() {
    }

    /**
     * The contact points of a config, as {@code host:port} strings. Accepts a list or a
     * comma-separated string (what an environment variable can carry).
     *
     * @throws ConfigException.BadValue if there is none or one is not {@code host:port}
     */
    public static List<String> contactPoints(Config config) {
        List<String> points;
        if (config.getValue(CONTACT_POINTS_KEY).valueType() == ConfigValueType.STRING) {
            points = Arrays.stream(config.getString(CONTACT_POINTS_KEY).split(","))
                    .map(String::trim).filter(s -> !s.isEmpty()).toList();
        } else {
            points = config.getStringList(CONTACT_POINTS_KEY).stream().map(String::trim).toList();
        }
        if (points.isEmpty()) {
            throw new ConfigException.BadValue(CONTACT_POINTS_KEY, "no Cassandra contact point given");
        }
        points.forEach(CassandraJournal::checkHostPort);
        return points;
    }

    private static void checkHostPort(String point) {
        int colon = point.lastIndexOf(':');
        String host = colon > 0 ? point.substring(0, colon) : "";
        String port = colon > 0 ? point.substring(colon + 1) : "";
        boolean valid = !host.isBlank() && !port.isEmpty() && port.chars().allMatch(Character::isDigit)
                && port.length() <= 5 && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535;
        if (!valid) {
            throw new ConfigException.BadValue(CONTACT_POINTS_KEY,
                    "a contact point must be host:port (for example 127.0.0.1:9042), got '" + point + "'");
        }
    }

    /**
     * Returns {@code config} with {@code verdict.cassandra.contact-points} as a validated list and
     * the driver's contact points set from it.
     */
    public static Config withContactPoints(Config config) {
        List<String> points = contactPoints(config);
        return config
                .withValue(CONTACT_POINTS_KEY, ConfigValueFactory.fromIterable(points))
                .withValue(DRIVER_CONTACT_POINTS_KEY, ConfigValueFactory.fromIterable(points));
    }

    /**
     * A complete config for a node or test on Cassandra: {@code overrides}, over the given contact
     * points, over {@code verdict-persistence-cassandra.conf} (and its environment variables), over
     * this module's and every library's reference.conf.
     */
    public static Config config(List<String> contactPoints, Config overrides) {
        Config merged = overrides
                .withFallback(ConfigFactory.parseMap(Map.of(CONTACT_POINTS_KEY, List.copyOf(contactPoints))))
                .withFallback(ConfigFactory.parseResources(CONFIG_RESOURCE))
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
        return withContactPoints(merged);
    }
}
