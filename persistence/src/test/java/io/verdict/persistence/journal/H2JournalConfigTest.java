package io.verdict.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class H2JournalConfigTest {

    private static Config withInclude(String app) {
        return ConfigFactory.parseString(app)
                .withFallback(ConfigFactory.parseResources(H2Journal.CONFIG_RESOURCE))
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
    }

    @Test
    void includedFileSelectsTheJdbcPluginsOnOneSharedH2Database() {
        Config c = withInclude("");
        assertEquals("jdbc-journal", c.getString("pekko.persistence.journal.plugin"));
        assertEquals("jdbc-snapshot-store", c.getString("pekko.persistence.snapshot-store.plugin"));
        for (String plugin : new String[] {"jdbc-journal", "jdbc-snapshot-store", "jdbc-read-journal"}) {
            assertEquals(H2Journal.SHARED_DB, c.getString(plugin + ".use-shared-db"), plugin);
        }
        Config db = c.getConfig("pekko-persistence-jdbc.shared-databases." + H2Journal.SHARED_DB);
        assertEquals("slick.jdbc.H2Profile$", db.getString("profile"));
        assertEquals("org.h2.Driver", db.getString("db.driver"));
        if (System.getenv("VERDICT_DATA_DIR") == null) {
            assertEquals("./data", c.getString(H2Journal.DATA_DIR_KEY));
            assertEquals("jdbc:h2:file:./data/journal/verdict;DATABASE_TO_UPPER=false;WRITE_DELAY=0", db.getString("db.url"));
        }
    }

    @Test
    void dataDirOverrideMovesTheDatabase() {
        Config c = withInclude("verdict.data-dir = \"/srv/verdict\"");
        assertEquals("jdbc:h2:file:/srv/verdict/journal/verdict;DATABASE_TO_UPPER=false;WRITE_DELAY=0", c.getString(H2Journal.URL_KEY));
    }

    @Test
    void urlIsMadeAbsolute() {
        Config c = H2Journal.withAbsoluteDataDir(withInclude("verdict.data-dir = \"data\""));
        Path abs = Path.of("data").toAbsolutePath().normalize();
        assertEquals(abs.toString(), c.getString(H2Journal.DATA_DIR_KEY));
        String url = c.getString(H2Journal.URL_KEY);
        assertEquals("jdbc:h2:file:" + abs.resolve("journal").resolve("verdict") + ";DATABASE_TO_UPPER=false;WRITE_DELAY=0", url);
        assertTrue(Path.of(url.substring("jdbc:h2:file:".length(), url.indexOf(';'))).isAbsolute());
        assertThrows(IllegalArgumentException.class, () -> H2Journal.url(Path.of("/srv/a;b")));
    }

    @Test
    void requiredTablesComeFromThePluginConfig() {
        assertEquals(java.util.List.of("event_journal", "event_tag", "snapshot"),
                JournalSchema.requiredTables(withInclude("")));
    }
}
