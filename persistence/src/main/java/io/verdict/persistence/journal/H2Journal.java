package io.verdict.persistence.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Map;

/**
 * The embedded, file-backed journal configured by {@code verdict-persistence-h2.conf}: one H2
 * database at {@code <verdict.data-dir>/journal/verdict.mv.db}, used by the journal, the snapshot
 * store and the read journal through the shared database {@value #SHARED_DB}.
 */
public final class H2Journal {

    /** The config resource to {@code include} in a node's application.conf. */
    public static final String CONFIG_RESOURCE = "verdict-persistence-h2.conf";
    /** The node's data directory (default {@code ./data}, env {@code VERDICT_DATA_DIR}). */
    public static final String DATA_DIR_KEY = "verdict.data-dir";
    /** Name of the shared Slick database under {@code pekko-persistence-jdbc.shared-databases}. */
    public static final String SHARED_DB = "verdict-h2";
    /** Config path of the JDBC URL. */
    public static final String URL_KEY = "pekko-persistence-jdbc.shared-databases." + SHARED_DB + ".db.url";

    /** The settings after the database path in every URL of the journal (see {@link #url}). */
    static final String SETTINGS = ";DATABASE_TO_UPPER=false;WRITE_DELAY=0";

    private H2Journal() {
    }

    /**
     * The H2 URL for a data directory, always absolute:
     * {@code jdbc:h2:file:/abs/journal/verdict;DATABASE_TO_UPPER=false;WRITE_DELAY=0}. {@code WRITE_DELAY=0}
     * writes every commit to the file before the commit returns, so an acknowledged event survives
     * the process dying (H2's default writes commits up to 500 ms later, in the background).
     */
    public static String url(Path dataDir) {
        Path db = dataDir.toAbsolutePath().normalize().resolve("journal").resolve("verdict");
        String text = db.toString();
        if (text.indexOf(';') >= 0) {
            throw new IllegalArgumentException("the data directory must not contain ';' (H2 URL separator): " + dataDir);
        }
        return "jdbc:h2:file:" + text + SETTINGS;
    }

    /** The data directory of a resolved config, made absolute. */
    public static Path dataDir(Config config) {
        return Path.of(config.getString(DATA_DIR_KEY)).toAbsolutePath().normalize();
    }

    /**
     * Returns {@code config} with {@code verdict.data-dir} made absolute and the H2 URL pointing
     * into it, so that the journal does not depend on the working directory.
     */
    public static Config withAbsoluteDataDir(Config config) {
        Path dir = dataDir(config);
        return ConfigFactory.parseMap(Map.of(DATA_DIR_KEY, dir.toString(), URL_KEY, url(dir)),
                "absolute data directory").withFallback(config);
    }

    /**
     * A complete config for an embedded node or test: the H2 journal on {@code dataDir}, over
     * {@code overrides}, over this module's and every library's reference.conf.
     */
    public static Config config(Path dataDir, Config overrides) {
        Config merged = overrides
                .withFallback(ConfigFactory.parseMap(Map.of(DATA_DIR_KEY, dataDir.toString())))
                .withFallback(ConfigFactory.parseResources(CONFIG_RESOURCE))
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
        return withAbsoluteDataDir(merged);
    }
}
